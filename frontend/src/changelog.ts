// The change log (GET /api/v1/changes): what changed between consecutive
// stored snapshots of the shown network, newest first, paged with "Show
// older", refreshed when a snapshot arrives. Lines name nodes by their
// display names and select the node they are about.
import type { Api } from './api';
import type { ChangeEvent as ChangeEntry } from './types';
import { byId } from './dom';
import { esc, when } from './html';

/** Entries per page. */
export const CHANGE_PAGE = 50;

const val = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : v === null || v === undefined ? 'none' : JSON.stringify(v));

/** One change in words ("Kitchen plug: parent Hall → Office"). */
export function changeText(c: ChangeEntry, name: (id: string) => string): string {
  const n = c.node ? name(c.node) : '';
  const link = c.link ? `${name(c.link.a)} – ${name(c.link.b)}` : '';
  const nm = (v: unknown) => (typeof v === 'string' && v ? name(v) : val(v));
  const detail = c.detail ? ` (${c.detail})` : '';
  switch (c.kind) {
    case 'node-appeared':
      return `${n} joined${detail}`;
    case 'node-disappeared':
      return `${n} left${detail}`;
    case 'parent-changed':
      return `${n}: parent ${nm(c.from)} → ${nm(c.to)}${detail}`;
    case 'role-changed':
      return `${n}: role ${val(c.from)} → ${val(c.to)}${detail}`;
    case 'rloc16-changed':
      return `${n}: RLOC16 ${val(c.from)} → ${val(c.to)}${detail}`;
    case 'lq-dropped':
      return `${link || n}: link quality dropped ${val(c.from)} → ${val(c.to)}${detail}`;
    case 'lq-recovered':
      return `${link || n}: link quality recovered ${val(c.from)} → ${val(c.to)}${detail}`;
    case 'router-link-added':
      return `router link ${link} added${detail}`;
    case 'router-link-removed':
      return `router link ${link} removed${detail}`;
    case 'border-router-added':
      return `border router ${n || val(c.to)} added${detail}`;
    case 'border-router-removed':
      return `border router ${n || val(c.from)} removed${detail}`;
    default:
      return `${c.kind}${n ? ` ${n}` : ''}${link ? ` ${link}` : ''}${detail}`;
  }
}

/** One line of the change log. */
export function changeLine(c: ChangeEntry, name: (id: string) => string): string {
  const target = c.node || c.link?.a || '';
  const text = esc(changeText(c, name));
  return `<li class="change kind-${esc(c.kind)}" data-kind="${esc(c.kind)}" data-snapshot="${esc(c.snapshot_id)}"><span class="muted change-at">${esc(when(c.at))}</span> ${
    target ? `<button type="button" class="linkish" data-select="${esc(target)}">${text}</button>` : text
  }</li>`;
}

/** The Change log section. */
export class ChangeLog {
  private network = '';
  private entries: ChangeEntry[] = [];
  private cursor = '';
  private seq = 0;
  private readonly box = byId('changelog');
  private readonly more = byId<HTMLButtonElement>('changelog-more');

  constructor(
    private readonly api: Api,
    /** Node id → the name a user knows it by. */
    private readonly name: (id: string) => string,
  ) {
    this.more.addEventListener('click', () => void this.loadMore());
  }

  /** Loads the newest page for a network (another network, or a new snapshot arrived). */
  async load(network: string): Promise<void> {
    const seq = ++this.seq;
    this.network = network;
    try {
      const page = await this.api.changes(network, CHANGE_PAGE);
      if (seq !== this.seq) return;
      this.entries = page.changes ?? [];
      this.cursor = page.next_cursor ?? '';
      this.render();
    } catch (e) {
      if (seq !== this.seq) return;
      this.box.innerHTML = `<li class="muted">Cannot load the change log: ${esc((e as Error).message)}</li>`;
      this.more.hidden = true;
    }
  }

  /** Appends the next older page. */
  async loadMore(): Promise<void> {
    if (!this.cursor) return;
    const seq = this.seq;
    try {
      const page = await this.api.changes(this.network, CHANGE_PAGE, this.cursor);
      if (seq !== this.seq) return;
      this.entries.push(...(page.changes ?? []));
      this.cursor = page.next_cursor ?? '';
      this.render();
    } catch (e) {
      this.more.textContent = `Show older (failed: ${(e as Error).message})`;
    }
  }

  /** Redraws with the current names (a device was renamed). */
  render(): void {
    this.box.innerHTML = this.entries.length ? this.entries.map((c) => changeLine(c, this.name)).join('') : '<li class="muted">No changes recorded yet (they appear from the second snapshot on).</li>';
    byId('changelog-badge').textContent = this.entries.length ? `(${this.entries.length}${this.cursor ? '+' : ''})` : '';
    this.more.hidden = !this.cursor;
    this.more.textContent = 'Show older';
  }
}
