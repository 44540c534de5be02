// The Export menu: the shown snapshot through the API's export endpoint
// (JSON, GraphML, DOT, CSV zip), and the view as PNG or SVG.
import cytoscape from 'cytoscape';
import cysvg from 'cytoscape-svg';
import type { Api } from './api';
import { byId, download, setStatus } from './dom';
import type { Snapshot } from './types';

cytoscape.use(cysvg);

/** Formats the API exports. */
export type ApiFormat = 'json' | 'graphml' | 'dot' | 'csv';

const API_FORMATS: readonly ApiFormat[] = ['json', 'graphml', 'dot', 'csv'];

/** "threadmap-<network name>-<snapshot id>": the stem of exported file names. */
export function fileStem(s: Pick<Snapshot, 'network' | 'snapshot_id'> | null): string {
  const name = (s?.network.name || 'mesh').replace(/[^A-Za-z0-9._-]+/g, '_');
  return `threadmap-${name}-${s?.snapshot_id ?? 'view'}`;
}

/** The file name a Content-Disposition header gives, else fallback; path separators replaced. */
export function dispositionName(header: string, fallback: string): string {
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header);
  return (m ? decodeURIComponent(m[1]) : fallback).replace(/[/\\]/g, '_');
}

/** The Export menu. */
export class ExportMenu {
  private readonly menu = byId<HTMLDetailsElement>('export-menu');

  constructor(
    private readonly api: Api,
    private readonly cy: cytoscape.Core,
    private readonly snap: () => Snapshot | null,
  ) {}

  /** Wires the buttons. */
  wire(): void {
    for (const f of API_FORMATS) byId(`export-${f}`).addEventListener('click', () => void this.exportSnapshot(f));
    byId('export-png').addEventListener('click', () => {
      const bg = getComputedStyle(document.body).backgroundColor;
      const blob = this.cy.png({ output: 'blob', full: true, scale: 2, bg, maxWidth: 8000, maxHeight: 8000 });
      download(blob, `${fileStem(this.snap())}.png`);
    });
    byId('export-svg').addEventListener('click', () => {
      const bg = getComputedStyle(document.body).backgroundColor;
      const svg = this.cy.svg({ full: true, scale: 1, bg });
      download(new Blob([svg], { type: 'image/svg+xml' }), `${fileStem(this.snap())}.svg`);
    });
  }

  /** Enables the API exports when a stored snapshot is shown. */
  update(s: Snapshot): void {
    for (const f of API_FORMATS) byId<HTMLButtonElement>(`export-${f}`).disabled = !s.snapshot_id;
  }

  /** Closes the menu (Escape). */
  close(): void {
    this.menu.open = false;
  }

  /** Downloads the snapshot on screen through the API's export endpoint. */
  async exportSnapshot(format: ApiFormat): Promise<void> {
    const s = this.snap();
    const id = s?.snapshot_id;
    if (!id) return;
    try {
      const res = await fetch(this.api.exportUrl(id, format));
      if (!res.ok) {
        let msg = `HTTP ${res.status}`;
        try {
          msg = ((await res.json()) as { error?: { message?: string } }).error?.message ?? msg;
        } catch {
          // not JSON
        }
        throw new Error(msg);
      }
      const ext = format === 'csv' ? 'zip' : format;
      download(await res.blob(), dispositionName(res.headers.get('Content-Disposition') ?? '', `${fileStem(s)}.${ext}`));
      this.close();
    } catch (e) {
      setStatus(`Export ${format} of snapshot #${id} failed: ${(e as Error).message}`, true);
    }
  }
}
