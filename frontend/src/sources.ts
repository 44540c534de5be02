// The scan sources (GET /api/v1/sources, SSE source.state): a row per
// source with its state, last error and next try, and the one line over
// the graph that names failing sources — where the user looks.
import type { Source as SourceState } from './types';
import { byId } from './dom';
import { esc, when } from './html';

/** Whether a source is in trouble (failing or backing off, or its last attempt failed). */
export function troubled(s: SourceState): boolean {
  return s.state === 'failing' || s.state === 'backing-off';
}

/** "in 8 s", "in 2 min", "now" for a time relative to now (ms). */
export function relative(at: string | null | undefined, now: number): string {
  if (!at) return '';
  const t = Date.parse(at);
  if (Number.isNaN(t)) return '';
  const s = Math.round((t - now) / 1000);
  if (s <= 0) return 'now';
  if (s < 90) return `in ${s} s`;
  return `in ${Math.round(s / 60)} min`;
}

/** The state in words: "failing (3 failures)", "backing off", "ok", "scanning…", "idle". */
export function stateText(s: SourceState): string {
  switch (s.state) {
    case 'failing':
      return `failing${s.failures ? ` (${s.failures} failure${s.failures === 1 ? '' : 's'} in a row)` : ''}`;
    case 'backing-off':
      return `backing off${s.failures ? ` after ${s.failures} failure${s.failures === 1 ? '' : 's'}` : ''}`;
    case 'scanning':
      return 'scanning…';
    default:
      return s.state || 'unknown';
  }
}

/** The name of a source for people: kind and target. */
export function sourceName(s: SourceState): string {
  return `${s.kind}${s.target ? ` ${s.target}` : ''}`;
}

/** The line over the graph naming troubled sources ('' when none is). */
export function sourceAlert(list: SourceState[], now: number): string {
  const bad = list.filter(troubled);
  if (!bad.length) return '';
  const first = bad[0];
  const next = relative(first.next_attempt_at, now);
  const head = `${sourceName(first)} ${first.state === 'backing-off' ? 'backing off' : 'failing'}${first.last_error ? `: ${first.last_error}` : ''}${next ? ` — next try ${next}` : ''}`;
  return bad.length > 1 ? `${head} (and ${bad.length - 1} more source${bad.length > 2 ? 's' : ''} in trouble)` : head;
}

/** The Sources section's HTML. */
export function sourcesHtml(list: SourceState[], now: number): string {
  if (!list.length) return '<p class="muted">No scan sources configured.</p>';
  return `<ul class="list sources">${list
    .map((s) => {
      const next = relative(s.next_attempt_at, now);
      const rows = [
        s.network ? `network ${esc(s.network)}` : '',
        s.last_ok_at ? `last ok ${esc(when(s.last_ok_at))}` : 'never ok yet',
        s.last_attempt_at ? `last try ${esc(when(s.last_attempt_at))}` : '',
        next && s.state !== 'scanning' ? `next try ${esc(next)}` : '',
      ].filter(Boolean);
      return `<li class="source state-${esc(s.state)}" data-source="${esc(s.id)}"><span class="dot" aria-hidden="true"></span><strong>${esc(s.kind)}</strong> <span class="scan-target">${esc(s.target)}</span>
        <div class="source-state">${esc(stateText(s))}</div>${s.last_error && s.state !== 'ok' ? `<div class="scan-error">${esc(s.last_error)}</div>` : ''}<div class="muted source-times">${rows.join(' · ')}</div></li>`;
    })
    .join('')}</ul>`;
}

/** The Sources section and the alert line over the graph. */
export class SourcesPanel {
  private list: SourceState[] = [];
  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly box = byId('sources');
  private readonly alert = byId('source-alert');

  /** Takes the whole list (GET /sources). */
  set(list: SourceState[]): void {
    this.list = list.slice().sort((a, b) => Number(troubled(b)) - Number(troubled(a)) || a.kind.localeCompare(b.kind) || a.target.localeCompare(b.target));
    this.render();
  }

  /** Takes one source's new state (source.state), adding it when new. */
  update(s: SourceState): void {
    const i = this.list.findIndex((x) => x.id === s.id);
    const next = this.list.slice();
    if (i >= 0) next[i] = s;
    else next.push(s);
    this.set(next);
  }

  /** Says the list cannot be read (an older server without /sources says nothing). */
  unavailable(msg: string): void {
    this.box.innerHTML = `<p class="muted">${esc(msg)}</p>`;
  }

  /** The sources shown. */
  sources(): SourceState[] {
    return this.list;
  }

  private render(): void {
    const now = Date.now();
    this.box.innerHTML = sourcesHtml(this.list, now);
    const bad = this.list.filter(troubled).length;
    byId('sources-badge').textContent = this.list.length ? `(${bad ? `${bad} in trouble, ` : ''}${this.list.length})` : '';
    const text = sourceAlert(this.list, now);
    this.alert.hidden = !text;
    this.alert.textContent = text;
    if (bad) byId<HTMLDetailsElement>('sources-box').open = true;
    // Relative times ("next try in 8 s") tick while something is in trouble.
    clearInterval(this.ticker);
    if (bad) this.ticker = setInterval(() => this.render(), 1000);
  }
}
