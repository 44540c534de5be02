// The Export menu: the shown snapshot through the API's export endpoint
// (JSON, GraphML, DOT, CSV zip), and the view as PNG or SVG.
import cytoscape from 'cytoscape';
import cysvg from 'cytoscape-svg';
import type { Api } from './api';
import { byId, download, setStatus } from './dom';
import { esc, when } from './html';
import { legendItems } from './style';
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

/** The header lines of an exported image: title, then network and time. */
export function imageTitle(s: Snapshot | null): { title: string; sub: string } {
  const net = s?.network;
  const name = net?.name || net?.ext_pan_id || 'Thread mesh';
  const parts = [net?.ext_pan_id ? `ext PAN ID ${net.ext_pan_id}` : '', net?.channel ? `channel ${net.channel}` : '', s?.snapshot_id ? `snapshot #${s.snapshot_id}` : '', s ? `taken ${when(s.taken_at)}` : '', s ? `${s.nodes.length} nodes` : ''];
  return { title: `threadmap — ${name}`, sub: parts.filter(Boolean).join(' · ') };
}

const HEAD = 64;
const LEGEND_W = 330;
const ROW = 24;

/**
 * The graph's SVG framed for a report: a header with title, network and
 * time above it and the legend beside it, on the given background. The
 * graph SVG (cytoscape-svg output) is nested as it is.
 */
export function framedSvg(graph: string, s: Snapshot | null, bg: string, fg: string): string {
  const w = Number(/<svg[^>]*\swidth="([\d.]+)/.exec(graph)?.[1] ?? 800);
  const h = Number(/<svg[^>]*\sheight="([\d.]+)/.exec(graph)?.[1] ?? 600);
  const items = legendItems();
  const legendH = 30 + items.length * ROW;
  const W = Math.ceil(w + LEGEND_W + 20);
  const H = Math.ceil(HEAD + Math.max(h, legendH) + 10);
  const { title, sub } = imageTitle(s);
  const inner = graph.replace(/^<\?xml[^>]*>\s*/, '').replace(/^<!DOCTYPE[^>]*>\s*/i, '').replace(/^<svg/, `<svg x="0" y="${HEAD}"`);
  const legend = items
    .map((it, i) => {
      const y = HEAD + 30 + i * ROW;
      const icon = it.icon.replace(/^<svg/, `<svg x="${w + 20}" y="${y - 16}"`);
      return `${icon}<text x="${w + 54}" y="${y}" font-size="12" fill="${esc(fg)}">${esc(it.label.replace(/<[^>]*>/g, ''))}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect width="100%" height="100%" fill="${esc(bg)}"/><text x="12" y="28" font-family="sans-serif" font-size="20" font-weight="700" fill="${esc(fg)}">${esc(title)}</text><text x="12" y="50" font-family="sans-serif" font-size="13" fill="${esc(fg)}">${esc(sub)}</text>${inner}<g font-family="sans-serif" color="${esc(fg)}"><text x="${w + 20}" y="${HEAD + 8}" font-size="14" font-weight="700" fill="${esc(fg)}">Legend</text>${legend}</g></svg>`;
}

/** Renders an SVG document to a PNG blob (through an image and a canvas) at `scale`. */
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  const img = new Image();
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the framed SVG did not load as an image'));
      img.src = url;
    });
    const c = document.createElement('canvas');
    c.width = Math.ceil(img.width * scale);
    c.height = Math.ceil(img.height * scale);
    const ctx = c.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    return await new Promise<Blob>((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas gave no PNG'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
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
      svgToPng(this.framed(), 2).then(
        (blob) => download(blob, `${fileStem(this.snap())}.png`),
        (e: Error) => setStatus(`PNG export failed: ${e.message}`, true),
      );
    });
    byId('export-svg').addEventListener('click', () => {
      download(new Blob([this.framed()], { type: 'image/svg+xml' }), `${fileStem(this.snap())}.svg`);
    });
  }

  /** The view as a framed SVG: title, network, time, graph and legend. */
  framed(): string {
    const css = getComputedStyle(document.body);
    return framedSvg(this.cy.svg({ full: true, scale: 1, bg: css.backgroundColor }), this.snap(), css.backgroundColor, css.color);
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
