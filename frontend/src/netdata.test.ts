import { describe, expect, it } from 'vitest';
import { hostPort, netDataRows, prefixLabel, publicationsOf } from './netdata';
import { detailsHtml, networkDataHtml } from './html';
import { netDataA, snapA } from './testdata';
import type { NetDataBorderRouter } from './types';

const hub = '1a2b3c4d5e6f7081';
const plug = '2222222222222222';

describe('network data', () => {
  it('turns prefixes, routes and services into rows, in that order', () => {
    const rows = netDataRows(netDataA());
    expect(rows.map((r) => [r.kind, r.node, r.title])).toEqual([
      ['prefix', hub, 'OMR prefix fd95:9c6e:cffc:1::/64'],
      ['route', hub, 'external route fdde:ad00:beef:0::/64'],
      ['route', 'rloc:0x5000', 'NAT64 route 64:ff9b::/96'],
      ['service', hub, 'SRP server (anycast)'],
      ['service', plug, 'SRP server at [fd11:22::800]:54321'],
      ['service', plug, 'backbone router'],
      ['service', 'rloc:0x5000', 'service 12345 data <script>'],
    ]);
    expect(rows[0].flags).toEqual(['on-mesh', 'SLAAC', 'preferred']);
    expect(rows[0].extra).toEqual(['preference low', 'stable']);
    expect(rows[1].flags).toEqual(['advertised PIO']);
    expect(rows[2].flags).toEqual(['NAT64']);
    expect(rows[3].extra).toEqual(['sequence 7', 'stable']);
    expect(rows[6].extra).toEqual([]);
  });

  it('is empty without network data or with an empty one', () => {
    expect(netDataRows(undefined)).toEqual([]);
    expect(netDataRows(null)).toEqual([]);
    expect(netDataRows({ prefixes: null, services: null })).toEqual([]);
    expect(netDataRows({ prefixes: [{ prefix: '::/0', domain_id: 0 }], services: [] })).toEqual([]);
    expect(publicationsOf(undefined, hub)).toEqual([]);
  });

  it('names the kind of prefix and the server address', () => {
    const b: NetDataBorderRouter = { node: 'x', rloc16: '0x0400', stable: true, preference: 'med', preferred: true, slaac: true, dhcp: false, configure: false, default_route: false, on_mesh: true, nd_dns: false, dp: false };
    expect(prefixLabel(b)).toBe('OMR prefix');
    expect(prefixLabel({ ...b, dp: true })).toBe('domain prefix');
    expect(prefixLabel({ ...b, slaac: false })).toBe('on-mesh prefix');
    expect(prefixLabel({ ...b, on_mesh: false })).toBe('prefix');
    expect(hostPort('fd00::1', 53)).toBe('[fd00::1]:53');
    expect(hostPort('192.0.2.1', 53)).toBe('192.0.2.1:53');
    expect(hostPort(undefined, 53)).toBe('');
    // A unicast SRP server whose address is in the service data (not the server data).
    const rows = netDataRows({ services: [{ service_id: 1, enterprise_number: 44970, service_data: 'x', stable: true, kind: 'srp-unicast', address: 'fd00::2', port: 53, servers: [{ node: 'n', rloc16: '0x0400', stable: true, server_data: '' }] }] });
    expect(rows[0].title).toBe('SRP server at [fd00::2]:53');
  });

  it('lists what each node publishes', () => {
    const nd = netDataA();
    expect(publicationsOf(nd, hub)).toEqual([
      'OMR prefix fd95:9c6e:cffc:1::/64 (on-mesh, SLAAC, preferred)',
      'external route fdde:ad00:beef:0::/64 (advertised PIO)',
      'SRP server (anycast)',
    ]);
    expect(publicationsOf(nd, plug)).toEqual(['SRP server at [fd11:22::800]:54321', 'backbone router']);
    expect(publicationsOf(nd, '3333333333333333')).toEqual([]);
  });

  it('shows a Publishes line in the details of a publishing node only', () => {
    const s = snapA();
    s.network.network_data = netDataA();
    const hubHtml = detailsHtml(s, s.nodes[0]);
    expect(hubHtml).toContain('Publishes');
    expect(hubHtml).toContain('OMR prefix fd95:9c6e:cffc:1::/64 (on-mesh, SLAAC, preferred); external route');
    expect(detailsHtml(s, s.nodes[2])).not.toContain('Publishes');
    const bare = snapA();
    expect(detailsHtml(bare, bare.nodes[0])).not.toContain('Publishes');
  });

  it('renders the panel with node buttons, RLOC16 for unknown publishers, and escapes', () => {
    const s = snapA();
    s.network.network_data = netDataA();
    const html = networkDataHtml(s);
    for (const want of ['On-mesh prefixes (1)', 'External routes (2)', 'Services (4)', 'from tmf', 'commissioner session 12563', `data-select="${hub}"`, `data-select="${plug}"`, 'Living room hub', 'Kitchen plug', '<code>0x5000</code>', 'not in the map', 'NAT64', 'preference low']) {
      expect(html).toContain(want);
    }
    expect(html).not.toContain('data-select="rloc:0x5000"');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(networkDataHtml(snapA())).toContain('no network data');
    const empty = snapA();
    empty.network.network_data = { source: 'tmf', prefixes: [], services: [] };
    expect(networkDataHtml(empty)).toContain('network data is empty');
  });
});
