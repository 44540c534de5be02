import { describe, expect, it } from 'vitest';
import type { NodeHistoryPoint as HistoryPoint } from './types';
import { lqPlotSvg, timelineEvents, timelineHtml } from './timeline';

const p = (id: string, t: string, over: Partial<HistoryPoint> = {}): HistoryPoint => ({ snapshot_id: id, taken_at: t, present: true, rloc16: '0x0401', role: 'end-device', parent: 'r1', parent_lq_in: 3, parent_lq_out: 3, ...over });
const pts = [
  p('1', '2026-01-01T00:00:00Z'),
  p('2', '2026-01-01T00:01:00Z', { parent_lq_in: 1 }),
  p('3', '2026-01-01T00:02:00Z', { parent: 'r2', rloc16: '0x0801', parent_lq_in: 2, parent_lq_out: 2 }),
  p('4', '2026-01-01T00:03:00Z', { present: false, parent: null, rloc16: undefined, role: undefined, parent_lq_in: null, parent_lq_out: null }),
  p('5', '2026-01-01T00:04:00Z', { parent: 'r2', rloc16: '0x0801', role: 'router', parent_lq_in: null, parent_lq_out: null }),
];

describe('timeline', () => {
  it('lists parent, RLOC16, role and presence changes', () => {
    expect(timelineEvents(pts, (id) => id.toUpperCase()).map((e) => `${e.snapshot_id}: ${e.text}`)).toEqual([
      '3: parent R1 → R2',
      '3: RLOC16 0x0401 → 0x0801',
      '4: gone from the mesh',
      '5: back in the mesh',
      '5: role end-device → router',
    ]);
  });

  it('plots LQ in and out over time, broken where absent, with parent-change marks', () => {
    const svg = lqPlotSvg(pts);
    expect(svg).toMatch(/^<svg class="lq-plot"/);
    expect((svg.match(/<polyline/g) ?? []).length).toBe(2);
    expect((svg.match(/class="parent-change"/g) ?? []).length).toBe(1);
    // LQ in: 3, 1, 2 → the y of LQ 1 is below LQ 3 (SVG y grows down).
    const pts0 = /<g class="lq-in"><polyline points="([^"]+)"/.exec(svg)![1].split(' ').map((xy) => xy.split(',').map(Number));
    expect(pts0).toHaveLength(3);
    expect(pts0[1][1]).toBeGreaterThan(pts0[0][1]);
    expect(pts0[0][0]).toBeLessThan(pts0[1][0]);
    expect(lqPlotSvg([p('1', 'x', { parent_lq_in: null, parent_lq_out: null })])).toBe('');
  });

  it('makes the section, escaping names', () => {
    const html = timelineHtml(pts, (id) => `<${id}>`);
    expect(html).toContain('History (5 snapshots)');
    expect(html).toContain('parent &lt;r1&gt; → &lt;r2&gt;');
    expect(html.indexOf('role end-device')).toBeLessThan(html.indexOf('parent &lt;r1'));
    expect(timelineHtml([], String)).toContain('No history');
  });
});
