import { describe, expect, it } from 'vitest';
import { borderRoutersHtml, counterGroups, countersHtml, detailsHtml, displayName, esc, lastScanHtml, networkHtml } from './html';
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
    for (const want of ['Living room hub', '0x4400', '1a2b3c4d5e6f7081', 'Leader', 'border router', 'rdn', 'Apple', 'fd11:22::ff:fe00:4400', '<th scope="row">if_in_ucast_pkts</th><td>120</td>', 'IPv6 interface (', 'tmf, meshcop', 'answered', 'Neighbors (2)']) {
      expect(html).toContain(want);
    }
    const router = detailsHtml(s, s.nodes[1]);
    expect(router).toContain('2 of 10');
    expect(router).toContain('data-select="4444444444444444"');
    expect(detailsHtml(s, s.nodes[6], true)).toContain('removed');
  });

  it('leads with role, parent and its link quality, children and last seen; counters grouped and collapsed', () => {
    const s = snapA();
    const html = detailsHtml(s, s.nodes[3]);
    const lead = /<table class="kv lead">([\s\S]*?)<\/table>/.exec(html)![1];
    expect(lead.indexOf('Role')).toBeLessThan(lead.indexOf('Parent'));
    expect(lead).toMatch(/data-select="2222222222222222"/);
    expect(lead).toMatch(/LQ in \d \/ out (\d|–)/);
    const hub = detailsHtml(s, s.nodes[0]);
    expect(hub.indexOf('Counters (')).toBeGreaterThan(hub.indexOf('Ext address'));
    expect(counterGroups({ mle_child_role: 3, mac_tx_total: 9, mac_rx_total: 1, weird: 2 }).map((g) => [g.label, g.rows.map(([k]) => k)])).toEqual([
      ['MAC', ['mac_rx_total', 'mac_tx_total']],
      ['MLE', ['mle_child_role']],
      ['other', ['weird']],
    ]);
    expect(countersHtml(undefined)).toBe('');
    expect(countersHtml({ mac_tx_total: 1 })).toMatch(/^<details class="counters"><summary>Counters \(1\)/);
  });

  it('offers to name a device with an ext address, and shows the name given', () => {
    const s = snapA();
    const n = { ...s.nodes[1], user_name: 'Hall <router>' };
    const html = detailsHtml(s, n);
    expect(html).toContain('Hall &lt;router&gt;');
    expect(html).toContain('id="rename"');
    expect(displayName(n, n.id)).toBe('Hall <router>');
    expect(detailsHtml(s, s.nodes[1])).toContain('Name this device');
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

describe('last scan', () => {
  it('lists every source with answered, timed out, failed, time, errors and notes', () => {
    const s = snapA();
    s.scan = {
      sources: [
        { name: 'tmf', target: '[fd00::1]:61631', queried: 6, answered: 5, timed_out: 1, duration_ms: 840, notes: ['0x5800 <timed out>'] },
        { name: 'otbr', queried: 1, answered: 0, failed: 1, duration_ms: 30, error: 'connection refused' },
      ],
    };
    const html = lastScanHtml(s);
    expect(html).toContain('data-sources="otbr tmf"');
    expect(html).toContain('2 sources · 5/7 answered · 1 timed out · 1 failed · 1 with errors');
    expect(html).toMatch(/data-source="tmf"[\s\S]*5\/6<\/td><td>1<\/td><td>–<\/td><td>840 ms/);
    expect(html).toContain('class="scan-row health-failed" data-source="otbr"');
    expect(html).toContain('connection refused');
    expect(html).toContain('0x5800 &lt;timed out&gt;');
  });
  it('says when a snapshot has no report', () => {
    const s = snapA();
    delete s.scan;
    expect(lastScanHtml(s)).toContain('no scan report in this snapshot');
    expect(lastScanHtml(s)).not.toContain('<table');
  });
});

describe('node status in details', () => {
  it('shows status and explains flags', () => {
    const s = snapA();
    const n = s.nodes.find((x) => x.id === 'rloc:0x0c02')!;
    n.flags = ['inferred', 'parent-mismatch'];
    const html = detailsHtml(s, n);
    expect(html).toContain('status-not-queried');
    expect(html).toContain('<code>inferred</code> — never seen itself');
    expect(html).toContain('<code>parent-mismatch</code> — a child table lists it');
  });
});
