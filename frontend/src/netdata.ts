// The Thread Network Data of a snapshot (network.network_data) as rows for
// the "Network data" panel and as per-node "Publishes" lines: on-mesh
// prefixes with their border routers, external routes (NAT64 too) and
// services (SRP server, backbone router) with the nodes that serve them.
import type { NetDataBorderRouter, NetDataPrefix, NetDataRoute, NetDataServer, NetDataService, NetworkData } from './types';

/** What a row is: an on-mesh prefix entry, an external route or a service server. */
export type NetDataKind = 'prefix' | 'route' | 'service';

/** One publication: one node publishing one prefix, route or service. */
export interface NetDataRow {
  kind: NetDataKind;
  /** Node id of the publisher, or "rloc:0x...." when no node has that RLOC16. */
  node: string;
  rloc16: string;
  /** E.g. "OMR prefix fd95::/64", "NAT64 route 64:ff9b::/96", "SRP server at [fd00::1]:53". */
  title: string;
  /** The main flags, e.g. ["SLAAC", "on-mesh"]. */
  flags: string[];
  /** Secondary facts for the panel: preference, stability, sequence numbers. */
  extra: string[];
}

const list = <T>(v: T[] | null | undefined): T[] => v ?? [];

/** The kind of on-mesh prefix a border-router entry makes: OMR, domain, on-mesh or plain. */
export function prefixLabel(b: NetDataBorderRouter): string {
  if (b.dp) return 'domain prefix';
  if (b.on_mesh && b.slaac && b.preferred) return 'OMR prefix';
  if (b.on_mesh) return 'on-mesh prefix';
  return 'prefix';
}

function prefixRow(p: NetDataPrefix, b: NetDataBorderRouter): NetDataRow {
  const flags = [
    b.on_mesh && 'on-mesh',
    b.slaac && 'SLAAC',
    b.preferred && 'preferred',
    b.dhcp && 'DHCPv6',
    b.configure && 'other config',
    b.default_route && 'default route',
    b.nd_dns && 'ND DNS',
  ].filter((x): x is string => typeof x === 'string');
  return { kind: 'prefix', node: b.node, rloc16: b.rloc16, title: `${prefixLabel(b)} ${p.prefix}`, flags, extra: extras(b.preference, b.stable) };
}

function routeRow(p: NetDataPrefix, r: NetDataRoute): NetDataRow {
  const flags = [r.nat64 && 'NAT64', r.adv_pio && 'advertised PIO'].filter((x): x is string => typeof x === 'string');
  const what = r.nat64 ? 'NAT64 route' : p.prefix === '::/0' ? 'default route' : 'external route';
  return { kind: 'route', node: r.node, rloc16: r.rloc16, title: `${what} ${p.prefix}`, flags, extra: extras(r.preference, r.stable) };
}

/** "[addr]:port" for IPv6, "addr:port" otherwise, "" when there is no address. */
export function hostPort(addr: string | undefined, port: number | undefined): string {
  if (!addr) return '';
  const a = addr.includes(':') ? `[${addr}]` : addr;
  return port ? `${a}:${port}` : addr;
}

function serviceRow(s: NetDataService, v: NetDataServer): NetDataRow {
  const at = hostPort(v.address ?? s.address, v.address ? v.port : s.port);
  let title: string;
  const extra: string[] = [];
  switch (s.kind) {
    case 'srp-anycast':
      title = 'SRP server (anycast)';
      if (s.anycast_seq !== undefined) extra.push(`sequence ${s.anycast_seq}`);
      break;
    case 'srp-unicast':
      title = at ? `SRP server at ${at}` : 'SRP server (unicast)';
      break;
    case 'backbone-router':
      title = 'backbone router';
      break;
    default:
      title = `service ${s.enterprise_number}${s.service_data ? ` data ${s.service_data}` : ''}`;
  }
  if (v.stable) extra.push('stable');
  return { kind: 'service', node: v.node, rloc16: v.rloc16, title, flags: [], extra };
}

function extras(preference: string, stable: boolean): string[] {
  return [preference ? `preference ${preference}` : '', stable ? 'stable' : ''].filter(Boolean);
}

/** Every publication of the network data, prefixes first, then routes, then services, in data order. */
export function netDataRows(nd: NetworkData | null | undefined): NetDataRow[] {
  if (!nd) return [];
  const prefixes = list(nd.prefixes);
  return [
    ...prefixes.flatMap((p) => list(p.border_routers).map((b) => prefixRow(p, b))),
    ...prefixes.flatMap((p) => list(p.routes).map((r) => routeRow(p, r))),
    ...list(nd.services).flatMap((s) => list(s.servers).map((v) => serviceRow(s, v))),
  ];
}

/** One row as a phrase: "OMR prefix fd95::/64 (on-mesh, SLAAC, preferred)". */
export function publicationText(r: NetDataRow): string {
  return r.flags.length ? `${r.title} (${r.flags.join(', ')})` : r.title;
}

/** What node id publishes in the network data, as phrases (empty when nothing or no network data). */
export function publicationsOf(nd: NetworkData | null | undefined, id: string): string[] {
  return netDataRows(nd)
    .filter((r) => r.node === id)
    .map(publicationText);
}
