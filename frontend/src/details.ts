// The Details section of the side panel: everything known about the
// selected node, from the shown snapshot or (a node a diff removed) from the
// snapshot compared with.
import { ApiError, type Api } from './api';
import { userName } from './names';
import { byId } from './dom';
import { detailsHtml, esc } from './html';
import { token, tokenPrompt } from './token';
import type { Snapshot } from './types';

/** Whether a name can be given: 1–64 printable characters (the API's rule). */
export function validName(name: string): boolean {
  return name.length >= 1 && [...name].length <= 64 && [...name].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f);
}

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

  /**
   * Wires naming: "Name this device" / "Rename" opens a small form; Save
   * sends PUT /names/{ext} (an empty name DELETE), asking for the token on
   * 401/403 as Scan now does; onNamed runs after the server took it.
   */
  wireNames(api: Api, current: () => Snapshot | null, onNamed: (ext: string, name: string) => void): void {
    this.box.addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest('button');
      if (b?.id !== 'rename') return;
      const ext = b.dataset.ext ?? '';
      const n = current()?.nodes.find((x) => x.ext_addr === ext);
      this.renameForm(api, ext, n ? userName(n) : '', onNamed);
    });
  }

  private renameForm(api: Api, ext: string, now: string, onNamed: (ext: string, name: string) => void): void {
    const box = byId('rename-box');
    box.innerHTML = `<form id="rename-form" class="token-form"><label>Name <input id="rename-input" maxlength="64" value="${esc(now)}" autocomplete="off" /></label><button type="submit">Save</button><button type="button" id="rename-cancel">Cancel</button><span id="rename-status" class="muted" role="status"></span></form>`;
    const input = byId<HTMLInputElement>('rename-input');
    input.focus();
    input.select();
    byId('rename-cancel').addEventListener('click', () => (box.innerHTML = ''));
    const save = async () => {
      const name = input.value.trim();
      const status = byId('rename-status');
      if (name && !validName(name)) {
        status.textContent = 'a name is 1–64 printable characters';
        return;
      }
      status.textContent = 'saving…';
      try {
        if (name) await api.putName(ext, name, token());
        else await api.deleteName(ext, token());
        box.innerHTML = '';
        onNamed(ext, name);
      } catch (e) {
        const code = e instanceof ApiError ? e.status : 0;
        const msg = (e as Error).message;
        status.textContent = `not saved: ${code === 0 ? `cannot reach the server: ${msg}` : `HTTP ${code}${msg ? `: ${msg}` : ''}`}`;
        if (code === 401 || code === 403) {
          document.getElementById('rename-token-form')?.remove();
          tokenPrompt(box, 'rename-token', code, 'Use token and save', () => void save());
        }
      }
    };
    byId<HTMLFormElement>('rename-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void save();
    });
  }
}
