import { describe, expect, it } from 'vitest';
import { borderRoutersHtml, detailsHtml, displayName, esc, networkHtml } from './html';
import { snapA } from './testdata';

describe('panels', () => {
  it('escapes markup in API data', () => {
    expect(esc('<img src=x onerror="a">&\'')).toBe('&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;');
    const s = snapA();
    s.nodes[1].name = '<script>alert(1)</script>';
    const html = detailsHtml(s, s.nodes[1]);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('shows everything known about a node', () => {
    const s = snapA();
    const html = detailsHtml(s, s.nodes[0]);
    for (const want of ['Living room hub', '0x4400', '1a2b3c4d5e6f7081', 'Leader', 'border router', 'rdn', 'Apple', 'fd11:22::ff:fe00:4400', 'if_in_ucast_pkts: 120', 'tmf, meshcop', 'answered', 'Neighbors (2)']) {
      expect(html).toContain(want);
    }
    const router = detailsHtml(s, s.nodes[1]);
    expect(router).toContain('2 of 10');
    expect(router).toContain('data-select="4444444444444444"');
    expect(detailsHtml(s, s.nodes[6], true)).toContain('removed');
  });

  it('names nodes by name, RLOC16 or id', () => {
    const s = snapA();
    expect(displayName(s.nodes[0], s.nodes[0].id)).toBe('Living room hub');
    expect(displayName(s.nodes[2], s.nodes[2].id)).toBe('0x0c00');
    expect(displayName(undefined, 'rloc:0x0c05')).toBe('0x0c05');
  });

  it('lists border routers with vendor and TXT state', () => {
    const html = borderRoutersHtml([{ id: 'br1', vendor: 'Google', model: 'Nest Hub', state: { connection_mode: 'pskc', thread_if: 'active' }, network_name: 'MyHome' }]);
    expect(html).toContain('Google Nest Hub');
    expect(html).toContain('connection_mode: pskc, thread_if: active');
    expect(borderRoutersHtml([])).toContain('No border routers');
  });

  it('summarises the network and the scan', () => {
    const s = snapA();
    const html = networkHtml(s.network, s);
    for (const want of ['MyHome', 'dead00beef00cafe', '0x1234', 'fd11:22::/64', 'tmf: 5/6 answered in 840 ms']) expect(html).toContain(want);
  });
});
