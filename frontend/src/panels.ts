// The read-only sections of the side panel: network identity, network
// data, last scan report, border routers, the diff of the shown snapshot and
// the health insights. Each writes its section from data; nothing here
// fetches.
import type { DiffHighlights } from './diff';
import { diffCount } from './diff';
import { byId } from './dom';
import { borderRoutersHtml, esc, lastScanHtml, networkDataHtml, networkHtml } from './html';
import { severityCounts, sortInsights } from './insights';
import { netDataRows } from './netdata';
import { scanRows, scanSummary } from './scan';
import type { BorderRouter, Diff, Insight, Snapshot } from './types';

/** Fills the Network, Network data and Last scan sections (and their badges) from snapshot s. */
export function showSnapshotPanels(s: Snapshot): void {
  byId('network-info').innerHTML = networkHtml(s.network, s);
  byId('network-data').innerHTML = networkDataHtml(s);
  const nd = s.network.network_data;
  byId('netdata-badge').textContent = nd ? `(${netDataRows(nd).length})` : '';
  const last = byId('last-scan');
  last.innerHTML = lastScanHtml(s);
  last.classList.remove('muted');
  byId('scan-badge').textContent = s.scan?.sources?.length ? `(${scanSummary(scanRows(s.scan.sources))})` : '';
}

/** Fills the Border routers section; an error message instead when loading failed. */
export function showBorderRouters(list: BorderRouter[] | Error): void {
  if (list instanceof Error) {
    byId('border-routers').innerHTML = `<li class="muted">${esc(list.message)}</li>`;
    return;
  }
  byId('border-routers').innerHTML = borderRoutersHtml(list);
  byId('br-badge').textContent = `(${list.length})`;
}

/** Why there is no diff to show, for the Changes section. */
export type NoDiffReason = 'error' | 'off' | 'single' | 'oldest' | 'none';

/** The text the Changes section shows without a diff. */
export function noDiffText(reason: NoDiffReason, error = ''): string {
  switch (reason) {
    case 'error':
      return `Diff unavailable: ${error}`;
    case 'single':
      return 'Only one snapshot so far.';
    case 'oldest':
      return 'This is the oldest snapshot: nothing earlier to compare with.';
    case 'off':
      return 'Diff off.';
    default:
      return 'No diff.';
  }
}

/** Fills the Changes section with a diff and its lines (buttons select the node a line names). */
export function showDiff(diff: Diff, hl: DiffHighlights): void {
  const box = byId('diff');
  const n = diffCount(diff);
  byId('diff-badge').textContent = `(${n})`;
  box.className = '';
  box.dataset.count = String(n);
  const head = `<p>From #${esc(diff.from)} to #${esc(diff.to)}: ${n ? `${n} change${n === 1 ? '' : 's'}` : 'no changes'}.</p>`;
  const items = hl.lines
    .map((l) => `<li class="diff-line ${esc(l.kind)}">${l.ids.length ? `<button type="button" class="linkish" data-select="${esc(l.ids[0])}">${esc(l.text)}</button>` : esc(l.text)}</li>`)
    .join('');
  box.innerHTML = head + (items ? `<ul class="list" id="diff-list">${items}</ul>` : '');
}

/** Empties the Changes section, saying why. */
export function showNoDiff(reason: NoDiffReason, error = ''): void {
  const box = byId('diff');
  byId('diff-badge').textContent = '';
  box.className = 'muted';
  box.textContent = noDiffText(reason, error);
  box.dataset.count = '';
}

/** A group of insights of one kind opens by itself when it has at most this many. */
export const INSIGHT_GROUP_OPEN = 3;

/** An insight kind in words ("weak_link" → "Weak link"). */
export function insightKindLabel(kind: string): string {
  const w = kind.replace(/[_-]+/g, ' ').trim();
  return w ? w[0].toUpperCase() + w.slice(1) : 'Other';
}

/** The Health insights section: a list, most severe first, one of which may be active (highlighted). */
export class InsightsPanel {
  private list: Insight[] = [];
  /** Index of the insight whose nodes and links are highlighted, -1 for none. */
  active = -1;

  constructor(
    private readonly box: HTMLElement = byId('insights'),
    private readonly badge: HTMLElement = byId('insights-badge'),
  ) {}

  /** Shows a new list (sorted most severe first); no insight is active. */
  set(list: Insight[]): void {
    this.list = sortInsights(list);
    this.active = -1;
    this.render();
  }

  /** The active insight, if any. */
  current(): Insight | undefined {
    return this.active >= 0 ? this.list[this.active] : undefined;
  }

  /** Makes insight i active, or none when it was. */
  toggle(i: number): void {
    this.active = this.active === i ? -1 : i;
    this.render();
  }

  /** No insight active. */
  reset(): void {
    this.active = -1;
    this.render();
  }

  private render(): void {
    const c = severityCounts(this.list);
    this.badge.textContent = this.list.length ? `(${c.critical} critical, ${c.warning} warning, ${c.info} info)` : '';
    // Grouped by kind (most severe group first), each group collapsed when it is long.
    const groups = new Map<string, number[]>();
    this.list.forEach((ins, i) => {
      const g = groups.get(ins.kind);
      if (g) g.push(i);
      else groups.set(ins.kind, [i]);
    });
    this.box.innerHTML = this.list.length
      ? [...groups.entries()]
          .map(([kind, idx]) => {
            const first = this.list[idx[0]];
            const items = idx
              .map((i) => `<li class="insight"><span class="sev sev-${esc(this.list[i].severity)}">${esc(this.list[i].severity)}</span><button type="button" data-insight="${i}" aria-pressed="${i === this.active}">${esc(this.list[i].message)}</button></li>`)
              .join('');
            const open = idx.length <= INSIGHT_GROUP_OPEN || idx.includes(this.active);
            return `<li class="insight-group" data-kind="${esc(kind)}"><details${open ? ' open' : ''}><summary><span class="sev sev-${esc(first.severity)}">${esc(first.severity)}</span> ${esc(insightKindLabel(kind))} <span class="badge">(${idx.length})</span></summary><ul class="list">${items}</ul></details></li>`;
          })
          .join('')
      : '<li class="muted">No insights.</li>';
  }
}
