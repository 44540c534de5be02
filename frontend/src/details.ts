// The Details section of the side panel: everything known about the
// selected node, from the shown snapshot or (a node a diff removed) from the
// snapshot compared with.
import { byId } from './dom';
import { detailsHtml, esc } from './html';
import type { Snapshot } from './types';

/** The Details section. */
export class DetailsPanel {
  /** The node shown ('' = none). */
  selected = '';

  constructor(
    private readonly box: HTMLElement = byId('details'),
    private readonly section: HTMLDetailsElement = byId<HTMLDetailsElement>('details-box'),
  ) {}

  /**
   * Shows node id of snapshot s, else of `from` (marked removed), else says
   * it is not in the snapshot. Returns whether a node was shown.
   */
  show(id: string, s: Snapshot, from: Snapshot | null): boolean {
    this.selected = id;
    let n = s.nodes.find((x) => x.id === id);
    let removed = false;
    let src: Snapshot = s;
    if (!n && from) {
      n = from.nodes.find((x) => x.id === id);
      removed = !!n;
      src = from;
    }
    if (!n) {
      this.box.innerHTML = `<p class="muted">Node ${esc(id)} is not in this snapshot.</p>`;
      return false;
    }
    this.box.classList.remove('muted');
    this.box.innerHTML = detailsHtml(src, n, removed);
    this.section.open = true;
    return true;
  }

  /** Forgets the selection (the panel keeps its text until the next show). */
  clear(): void {
    this.selected = '';
  }
}
