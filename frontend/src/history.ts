// The history bar under the graph: the stored snapshots of the shown
// network (slider, oldest left), what the shown one is compared with, and
// the Live button (follow new snapshots, or stay on the one picked).
import { byId } from './dom';
import { esc, when } from './html';
import type { Snapshot, SnapshotSummary } from './types';

/** Sorts snapshot summaries oldest first (time, then id as a number). */
export function oldestFirst(list: SnapshotSummary[]): SnapshotSummary[] {
  return list.slice().sort((a, b) => a.taken_at.localeCompare(b.taken_at) || Number(a.id) - Number(b.id));
}

/**
 * The snapshot id a diff of entry i starts from, for a compare choice:
 * 'prev' the one before i ('' for the oldest), 'none' '', else the id chosen.
 */
export function compareFrom(history: SnapshotSummary[], i: number, choice: string): string {
  if (choice === 'none') return '';
  if (choice === 'prev') return i > 0 && i < history.length ? history[i - 1].id : '';
  return choice;
}

/** "#id · time (latest)" or "(N newer)". */
export function sliderLabel(history: SnapshotSummary[], s: Pick<Snapshot, 'snapshot_id' | 'taken_at'>): string {
  const pos = history.findIndex((h) => h.id === s.snapshot_id);
  const newer = pos >= 0 ? history.length - 1 - pos : 0;
  return `#${s.snapshot_id ?? '?'} · ${when(s.taken_at)}${newer === 0 ? ' (latest)' : ` (${newer} newer)`}`;
}

/** The history bar. */
export class HistoryBar {
  /** Stored snapshots of the shown network, oldest first. */
  list: SnapshotSummary[] = [];
  /** The entry shown (-1: none). */
  index = -1;
  /** Whether new snapshots are shown as they arrive. */
  live = true;
  private readonly slider = byId<HTMLInputElement>('slider');
  private readonly compare = byId<HTMLSelectElement>('compare');
  private readonly liveButton = byId('live');
  private pickTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Wires the controls: moving the slider pauses (or resumes) live at once
   * and calls onPick 120 ms after it stops; a compare choice calls onCompare;
   * the Live button calls onLive with the new state.
   */
  wire(onPick: (i: number) => void, onCompare: () => void, onLive: (live: boolean) => void): void {
    this.slider.addEventListener('input', () => {
      const i = Number(this.slider.value);
      // At once, so a snapshot arriving meanwhile does not move the slider back.
      this.setLive(i === this.list.length - 1);
      clearTimeout(this.pickTimer);
      this.pickTimer = setTimeout(() => onPick(i), 120);
    });
    this.compare.addEventListener('change', onCompare);
    this.liveButton.addEventListener('click', () => {
      this.setLive(!this.live);
      onLive(this.live);
    });
  }

  /** Takes a new list of snapshots (any order): slider range and compare choices follow. */
  setList(list: SnapshotSummary[]): void {
    this.list = oldestFirst(list);
    this.slider.max = String(Math.max(0, this.list.length - 1));
    this.slider.disabled = this.list.length < 2;
    const keep = this.compare.value;
    this.compare.innerHTML =
      '<option value="prev">vs previous</option><option value="none">no diff</option>' +
      this.list
        .slice()
        .reverse()
        .map((h) => `<option value="${esc(h.id)}">vs #${esc(h.id)} · ${esc(when(h.taken_at))}</option>`)
        .join('');
    this.compare.value = [...this.compare.options].some((o) => o.value === keep) ? keep : 'prev';
  }

  /** Sets the compare choice when it is offered ('prev', 'none' or a listed id); returns whether it was. */
  setChoice(v: string): boolean {
    if (![...this.compare.options].some((o) => o.value === v)) return false;
    this.compare.value = v;
    return true;
  }

  /** The newest entry's index (-1 when empty). */
  last(): number {
    return this.list.length - 1;
  }

  /** The compare choice: 'prev', 'none' or a snapshot id. */
  choice(): string {
    return this.compare.value;
  }

  /** Moves to entry i: live only stays on at the newest entry. */
  setIndex(i: number): void {
    this.index = i;
    this.setLive(i === this.last() && this.live);
    this.slider.value = String(i);
  }

  /** Sets and shows the live state. */
  setLive(live: boolean): void {
    this.live = live;
    this.liveButton.setAttribute('aria-pressed', String(live));
    this.showLive();
  }

  /** Marks the Live button offline (the server is not answering) or back. */
  setOffline(offline: boolean): void {
    this.offline = offline;
    this.showLive();
  }

  private offline = false;

  private showLive(): void {
    this.liveButton.classList.toggle('offline', this.offline);
    this.liveButton.textContent = this.offline ? '○ Offline' : this.live ? '● Live' : '○ Paused';
  }

  /** Labels the slider for the snapshot shown. */
  label(s: Snapshot): void {
    byId('slider-label').textContent = sliderLabel(this.list, s);
  }

  /** Disables the controls (the stress page has no history). */
  disable(): void {
    this.slider.disabled = true;
    this.compare.disabled = true;
    (this.liveButton as HTMLButtonElement).disabled = true;
  }
}
