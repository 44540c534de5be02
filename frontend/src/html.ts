// Small HTML builders for the panels. Every value from the API goes through
// esc(): the panels never interpret data as markup.
import { childrenOf, modeString, neighborsOf, nodeName } from './graph';
import { ROLE_LOOK } from './style';
import { scanRows, scanSummary } from './scan';
import { netDataRows, publicationsOf } from './netdata';
import { userName } from './names';
import type { BorderRouter, Network, Snapshot, TopoLink, TopoNode } from './types';

/** A value as text: strings as they are, numbers and booleans printed, objects as JSON, nothing for the rest. */
function text(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'object':
      return v === null ? '' : JSON.stringify(v);
    default:
      return '';
  }
}

/** Escapes text for HTML element content and attribute values. */
export function esc(v: unknown): string {
  return text(v)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Local date-time text for an RFC 3339 time ('' when absent or bad). */
export function when(t: string | undefined): string {
  if (!t) return '';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? t : d.toLocaleString();
}

/** A node's display name (graph.ts nodeName); for a node not at hand, its id (an rloc: id as the RLOC16). */
export function displayName(n: TopoNode | undefined, id: string): string {
  if (!n) return id.startsWith('rloc:') ? id.slice(5) : id;
  return nodeName(n);
}

/** A button that selects node id in the graph. */
export function nodeButton(s: Snapshot, id: string): string {
  const n = s.nodes.find((x) => x.id === id);
  return `<button type="button" class="linkish" data-select="${esc(id)}">${esc(displayName(n, id))}</button>`;
}

function row(k: string, v: string): string {
  return v === '' ? '' : `<tr><th scope="row">${esc(k)}</th><td>${v}</td></tr>`;
}

const txt = (v: unknown) => (v === undefined || v === null || v === '' ? '' : esc(v));

/** What the node flags mean, for the details panel. */
export const FLAG_WORDS: Record<string, string> = {
  inferred: '— never seen itself; implied by another node\'s RLOC16 (a parent) or a neighbor table',
  'not-in-parent-child-table': '— its RLOC16 names a parent whose child table was read and does not list it',
  'parent-mismatch': '— a child table lists it under another parent than its RLOC16 says (stale entry after re-attach?)',
  'role-conflict': '— sources disagree about its role',
};

/** The details panel for a node of snapshot s. `removed` marks a ghost from an older snapshot. */
export function detailsHtml(s: Snapshot, n: TopoNode, removed = false): string {
  const m = n.mode;
  const modeWords = m
    ? [m.rx_on_when_idle ? 'rx-on-when-idle' : 'rx-off (sleepy)', m.full_thread_device ? 'full Thread device' : 'minimal Thread device', m.full_network_data ? 'full network data' : 'stable network data only'].join(', ')
    : '';
  const children = childrenOf(s, n.id);
  const neigh = neighborsOf(s, n.id);
  const q = (v: number | undefined) => (typeof v === 'number' ? String(v) : '–');
  const neighRows = neigh
    .map(
      (x) =>
        `<tr><td>${nodeButton(s, x.id)}</td><td>${esc(x.relation)}</td><td>${q(x.lqIn)}</td><td>${x.kind === 'router' ? q(x.lqOut) : '–'}</td><td>${q(x.cost)}</td></tr>`,
    )
    .join('');
  const counters = countersHtml(n.counters);
  const conn = n.connectivity
    ? Object.entries(n.connectivity)
        .map(([k, v]) => `${esc(k)}: ${esc(v)}`)
        .join('<br>')
    : '';
  const fieldSources = n.field_sources
    ? Object.entries(n.field_sources)
        .map(([k, v]) => `${esc(k)}: ${esc(v)}`)
        .join('<br>')
    : '';
  const look = ROLE_LOOK[n.role] ?? ROLE_LOOK.unknown;
  const up = parentLink(s, n.id);
  const parentId = n.parent ?? up?.a ?? '';
  const lq = up ? `LQ in ${q(up.lq_in)} / out ${q(up.lq_out)}` : '';
  const own = userName(n);
  return `
    <h2 class="details-title" data-node="${esc(n.id)}">${esc(displayName(n, n.id))}${removed ? ' <span class="sev sev-critical">removed</span>' : ''}</h2>
    <table class="kv lead"><tbody>
      ${row('Role', esc(look.label) + (n.border_router ? ' · border router' : ''))}
      ${row('Parent', parentId ? `${nodeButton(s, parentId)}${lq ? ` <span class="parent-lq">${esc(lq)}</span>` : ''}` : '')}
      ${row('Children', children.length ? `${children.length}${n.max_children ? ` of ${esc(n.max_children)}` : ''}: ${children.map((c) => nodeButton(s, c)).join(', ')}` : n.max_children ? `0 of ${esc(n.max_children)}` : '')}
      ${row('Last seen', esc(when(n.last_seen)))}
      ${row('RLOC16', txt(n.rloc16))}
    </tbody></table>
    <div class="name-row" data-ext="${esc(n.ext_addr ?? '')}"><span class="muted">Your name:</span> <span class="user-name">${own ? esc(own) : '<span class="muted">none</span>'}</span>${n.ext_addr && !removed ? ` <button type="button" class="linkish" id="rename" data-ext="${esc(n.ext_addr)}">${own ? 'Rename' : 'Name this device'}</button>` : ''}<div id="rename-box"></div></div>
    <div id="timeline" class="timeline" data-node="${esc(n.id)}"></div>
    <table class="kv"><tbody>
      ${row('Ext address', txt(n.ext_addr))}
      ${row('Router ID', txt(n.router_id))}
      ${row('Mode', m ? `<code>${esc(modeString(m))}</code> ${esc(modeWords)}` : '')}
      ${row('Publishes', publicationsOf(s.network.network_data, n.id).map(esc).join('; '))}
      ${row('Name', txt(n.name))}
      ${row('Vendor', txt(n.vendor))}
      ${row('Model', txt(n.model))}
      ${row('SW version', txt(n.sw_version))}
      ${row('Thread version', txt(n.thread_version))}
      ${row('Stack version', txt(n.stack_version))}
      ${row('EUI-64', txt(n.eui64))}
      ${row('Matter node ID', txt(n.matter_node_id))}
      ${row('Partition ID', txt(n.partition_id))}
      ${row('Battery', n.battery_level !== undefined ? `${esc(n.battery_level)} %` : '')}
      ${row('Supply voltage', n.supply_voltage_mv !== undefined ? `${esc(n.supply_voltage_mv)} mV` : '')}
      ${row('Timeout', n.timeout !== undefined ? `${esc(n.timeout)} s` : '')}
      ${row('Status', n.status ? `<span class="node-status status-${esc(n.status)}">${esc(n.status)}</span>${n.status_detail ? ` (${esc(n.status_detail)})` : ''}` : '')}
      ${row('Flags', (n.flags ?? []).map((f) => `<code>${esc(f)}</code>${FLAG_WORDS[f] ? ` ${esc(FLAG_WORDS[f])}` : ''}`).join('<br>'))}
      ${row('Sources', (n.sources ?? []).map(esc).join(', '))}
      ${row('Field sources', fieldSources)}
      ${row('First seen', esc(when(n.first_seen)))}
      ${row('IPv6', (n.ipv6 ?? []).map(esc).join('<br>'))}
      ${row('Connectivity', conn)}
    </tbody></table>
    ${counters}
    ${
      neigh.length
        ? `<h3 class="details-title">Neighbors (${neigh.length})</h3>
      <table class="kv"><thead><tr><th>node</th><th>as</th><th>LQ in</th><th>LQ out</th><th>cost</th></tr></thead><tbody>${neighRows}</tbody></table>`
        : '<p class="muted">No links.</p>'
    }`;
}

/** The child link naming node id as the child (its link to its parent), if any. */
export function parentLink(s: Snapshot, id: string): TopoLink | undefined {
  return s.links.find((l) => l.kind === 'child' && l.b === id);
}

/** Words for counter groups (the model's counter names start with the layer). */
const COUNTER_GROUPS: Record<string, string> = { mac: 'MAC', mle: 'MLE', if: 'IPv6 interface', ip: 'IP', ip6: 'IPv6', child: 'Child', router: 'Router', parent: 'Parent', bbr: 'Backbone router' };

/** Counters grouped by their first name part (mac_…, mle_…), each group collapsed with its count. */
export function counterGroups(c: Record<string, number> | undefined): { group: string; label: string; rows: [string, number][] }[] {
  const groups = new Map<string, [string, number][]>();
  for (const [k, v] of Object.entries(c ?? {})) {
    const g = /^([a-z0-9]+)[_.]/i.exec(k)?.[1].toLowerCase() ?? 'other';
    const list = groups.get(g) ?? [];
    list.push([k, v]);
    groups.set(g, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, rows]) => ({ group, label: COUNTER_GROUPS[group] ?? group, rows: rows.sort(([a], [b]) => a.localeCompare(b)) }));
}

/** The counters as collapsed groups ('' when the node has none). */
export function countersHtml(c: Record<string, number> | undefined): string {
  const groups = counterGroups(c);
  if (!groups.length) return '';
  const n = groups.reduce((a, g) => a + g.rows.length, 0);
  return `<details class="counters"><summary>Counters (${n})</summary>${groups
    .map(
      (g) =>
        `<details class="counter-group" data-group="${esc(g.group)}"><summary>${esc(g.label)} (${g.rows.length})</summary><table class="kv"><tbody>${g.rows
          .map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`)
          .join('')}</tbody></table></details>`,
    )
    .join('')}</details>`;
}

/** The border routers list. */
export function borderRoutersHtml(list: BorderRouter[]): string {
  if (!list.length) return '<li class="muted">No border routers known.</li>';
  return list
    .map((b) => {
      const state = b.state
        ? Object.entries(b.state)
            .map(([k, v]) => `${esc(k)}: ${esc(v)}`)
            .join(', ')
        : '';
      const title = [b.vendor, b.model].filter(Boolean).join(' ') || b.instance || b.host || b.id;
      return `<li><strong>${esc(title)}</strong>
        <table class="kv"><tbody>
        ${row('Instance', txt(b.instance))}
        ${row('Network', txt(b.network_name))}
        ${row('Ext address', txt(b.ext_addr))}
        ${row('Thread version', txt(b.thread_version))}
        ${row('TXT state', state)}
        ${row('Host', txt(b.host) + (b.port ? `:${esc(b.port)}` : ''))}
        ${row('Addresses', (b.addresses ?? []).map(esc).join('<br>'))}
        ${row('REST', txt(b.rest_url))}
        ${row('Sources', (b.sources ?? []).map(esc).join(', '))}
        ${row('Last seen', esc(when(b.last_seen)))}
        </tbody></table></li>`;
    })
    .join('');
}

/** The network identity and the scan report of a snapshot. */
export function networkHtml(net: Network, s: Snapshot): string {
  const srcs = (s.scan?.sources ?? [])
    .map(
      (r) =>
        `${esc(r.name)}${r.target ? ` (${esc(r.target)})` : ''}: ${esc(r.answered)}/${esc(r.queried)} answered in ${esc(r.duration_ms)} ms${r.error ? ` — <span class="sev sev-critical">${esc(r.error)}</span>` : ''}`,
    )
    .join('<br>');
  return `<table class="kv"><tbody>
    ${row('Name', txt(net.name))}
    ${row('Ext PAN ID', txt(net.ext_pan_id))}
    ${row('PAN ID', txt(net.pan_id))}
    ${row('Channel', txt(net.channel))}
    ${row('Mesh-local prefix', txt(net.mesh_local_prefix))}
    ${row('Partition ID', txt(net.partition_id))}
    ${row('Partitions', (net.partitions ?? []).map(esc).join(', '))}
    ${row('Leader router ID', txt(net.leader_router_id))}
    ${row('Snapshot', txt(s.snapshot_id))}
    ${row('Taken at', esc(when(s.taken_at)))}
    ${row('Nodes', esc(s.nodes.length))}
    ${row('Routers', esc(s.nodes.filter((n) => n.role === 'router' || n.role === 'leader').length))}
    ${row('Scan', srcs)}
  </tbody></table>`;
}

/** The "Last scan" section: per source what answered, timed out, failed, how long, errors and notes. */
export function lastScanHtml(s: Snapshot): string {
  const rows = scanRows(s.scan?.sources);
  const head = `<p class="scan-summary" data-sources="${esc(rows.map((r) => r.name).join(' '))}">${esc(scanSummary(rows))}${s.snapshot_id ? ` (snapshot #${esc(s.snapshot_id)}, ${esc(when(s.taken_at))})` : ''}</p>`;
  if (!rows.length) return head;
  const body = rows
    .map((r) => {
      const extra = [
        r.error ? `<div class="scan-error">${esc(r.error)}</div>` : '',
        r.notes.length ? `<ul class="scan-notes">${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '',
      ].join('');
      return `<tr class="scan-row health-${r.health}" data-source="${esc(r.name)}">
        <th scope="row"><span class="dot" aria-hidden="true"></span>${esc(r.name)}${r.target ? `<div class="muted scan-target">${esc(r.target)}</div>` : ''}</th>
        <td>${esc(r.answered)}/${esc(r.queried)}</td><td>${r.timedOut ? esc(r.timedOut) : '–'}</td><td>${r.failed ? esc(r.failed) : '–'}</td><td>${esc(r.duration)}</td>
      </tr>${extra ? `<tr class="scan-extra"><td colspan="5">${extra}</td></tr>` : ''}`;
    })
    .join('');
  return `${head}<table class="kv scan-table"><thead><tr><th>source</th><th>answered</th><th>timed out</th><th>failed</th><th>took</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** A publisher reference: a button selecting the node, or its RLOC16 when no node of the map has it. */
export function publisherRef(s: Snapshot, id: string, rloc16: string): string {
  if (s.nodes.some((x) => x.id === id)) return nodeButton(s, id);
  return `<code>${esc(rloc16 || (id.startsWith('rloc:') ? id.slice(5) : id))}</code> <span class="muted">(not in the map)</span>`;
}

const KIND_HEAD = { prefix: 'On-mesh prefixes', route: 'External routes', service: 'Services' } as const;

/** The "Network data" section: prefixes, external routes and services with who publishes them. */
export function networkDataHtml(s: Snapshot): string {
  const nd = s.network.network_data;
  if (!nd) return '<p class="muted">This snapshot has no network data.</p>';
  const rows = netDataRows(nd);
  const parts = (['prefix', 'route', 'service'] as const).map((k) => {
    const mine = rows.filter((r) => r.kind === k);
    if (!mine.length) return '';
    const items = mine
      .map(
        (r) =>
          `<li class="nd-row nd-${r.kind}" data-node="${esc(r.node)}"><span class="nd-title">${esc(r.title)}</span>${r.flags.length ? ` <span class="nd-flags">${r.flags.map(esc).join(' · ')}</span>` : ''} <span class="muted">published by</span> ${publisherRef(s, r.node, r.rloc16)}${r.extra.length ? ` <span class="muted">(${r.extra.map(esc).join(', ')})</span>` : ''}</li>`,
      )
      .join('');
    return `<h3 class="details-title">${esc(KIND_HEAD[k])} (${mine.length})</h3><ul class="list nd-list">${items}</ul>`;
  });
  const head = [nd.source ? `from ${esc(nd.source)}` : '', nd.commissioner_session_id !== undefined ? `commissioner session ${esc(nd.commissioner_session_id)}` : '']
    .filter(Boolean)
    .join(' · ');
  const body = parts.join('');
  return `${head ? `<p class="muted nd-source">${head}</p>` : ''}${body || '<p class="muted">The network data is empty: no prefixes, routes or services.</p>'}`;
}
