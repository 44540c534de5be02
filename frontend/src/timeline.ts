// A device's timeline (GET /api/v1/nodes/{id}/history) for the details
// panel: link quality to its parent over time as a small SVG plot (in solid,
// out dashed, parent changes as vertical marks), and the changes of parent,
// RLOC16, role and presence as a list. Pure.
import type { NodeHistoryPoint as HistoryPoint } from './types';
import { esc, when } from './html';

/** One change along a timeline. */
export interface TimelineEvent {
  at: string;
  snapshot_id: string;
  text: string;
}

/** The parent, RLOC16, role and presence changes between consecutive points (oldest first). */
export function timelineEvents(points: HistoryPoint[], name: (id: string) => string = (id) => id): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  // Changes compare with the last point the node was present at: an absence in between is its own event.
  let seen: HistoryPoint | undefined = points[0]?.present ? points[0] : undefined;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const ev = (text: string) => out.push({ at: b.taken_at, snapshot_id: b.snapshot_id, text });
    if (a.present !== b.present) ev(b.present ? 'back in the mesh' : 'gone from the mesh');
    if (!b.present) continue;
    if (seen) {
      if ((seen.parent ?? '') !== (b.parent ?? '')) ev(`parent ${seen.parent ? name(seen.parent) : 'none'} → ${b.parent ? name(b.parent) : 'none'}`);
      if (seen.rloc16 && b.rloc16 && seen.rloc16 !== b.rloc16) ev(`RLOC16 ${seen.rloc16} → ${b.rloc16}`);
      if (seen.role && b.role && seen.role !== b.role) ev(`role ${seen.role} → ${b.role}`);
    }
    seen = b;
  }
  return out;
}

const W = 300;
const H = 80;
const PAD = { l: 22, r: 6, t: 6, b: 16 };

/**
 * The plot: x is time (points spread by taken_at, by index when times are
 * equal or bad), y is LQ 0–3. Lines break where the node was absent or had
 * no parent link quality. '' when no point has a parent LQ.
 */
export function lqPlotSvg(points: HistoryPoint[]): string {
  if (!points.some((p) => typeof p.parent_lq_in === 'number' || typeof p.parent_lq_out === 'number')) return '';
  const ts = points.map((p) => Date.parse(p.taken_at));
  const ok = ts.every((t) => Number.isFinite(t)) && ts[ts.length - 1] > ts[0];
  const x0 = ok ? ts[0] : 0;
  const span = ok ? ts[ts.length - 1] - ts[0] : Math.max(1, points.length - 1);
  const x = (i: number) => PAD.l + (((ok ? ts[i] : i) - x0) / span) * (W - PAD.l - PAD.r);
  const y = (q: number) => PAD.t + (1 - q / 3) * (H - PAD.t - PAD.b);
  const line = (key: 'parent_lq_in' | 'parent_lq_out') => {
    const parts: string[] = [];
    let cur: string[] = [];
    points.forEach((p, i) => {
      const v = p[key];
      if (p.present && typeof v === 'number') cur.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      else if (cur.length) {
        parts.push(cur.join(' '));
        cur = [];
      }
    });
    if (cur.length) parts.push(cur.join(' '));
    // A lone point still shows: a polyline of one point draws nothing, so it gets a dot.
    return parts.map((pts) => (pts.includes(' ') ? `<polyline points="${pts}"/>` : `<circle cx="${pts.split(',')[0]}" cy="${pts.split(',')[1]}" r="2"/>`)).join('');
  };
  const marks = points
    .map((p, i) => (i > 0 && p.present && points[i - 1].present && (p.parent ?? '') !== (points[i - 1].parent ?? '') ? `<line class="parent-change" x1="${x(i).toFixed(1)}" x2="${x(i).toFixed(1)}" y1="${PAD.t}" y2="${H - PAD.b}"/>` : ''))
    .join('');
  const grid = [0, 1, 2, 3].map((q) => `<line class="grid" x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(q)}" y2="${y(q)}"/><text x="${PAD.l - 4}" y="${y(q) + 3}" text-anchor="end">${q}</text>`).join('');
  const first = esc(when(points[0].taken_at));
  const last = esc(when(points[points.length - 1].taken_at));
  return `<svg class="lq-plot" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Link quality to the parent over ${points.length} snapshots">${grid}${marks}<g class="lq-in">${line('parent_lq_in')}</g><g class="lq-out">${line('parent_lq_out')}</g><text x="${PAD.l}" y="${H - 3}">${first}</text><text x="${W - PAD.r}" y="${H - 3}" text-anchor="end">${last}</text></svg>`;
}

/** The timeline section: heading, plot with its key, and the list of changes (newest first). */
export function timelineHtml(points: HistoryPoint[], name: (id: string) => string): string {
  if (!points.length) return '<p class="muted">No history for this device yet.</p>';
  const evs = timelineEvents(points, name).reverse();
  const plot = lqPlotSvg(points);
  return `<h3 class="details-title">History (${points.length} snapshot${points.length === 1 ? '' : 's'})</h3>${
    plot ? `${plot}<p class="muted plot-key"><span class="key-in">— LQ in</span> <span class="key-out">- - LQ out</span> (to its parent) · <span class="key-parent">│ parent changed</span></p>` : '<p class="muted">No link quality to a parent recorded (a router, or never seen as a child).</p>'
  }${evs.length ? `<ul class="list timeline-changes">${evs.map((e) => `<li><span class="muted">${esc(when(e.at))}</span> ${esc(e.text)}</li>`).join('')}</ul>` : '<p class="muted">No parent, RLOC16 or role change in this time.</p>'}`;
}
