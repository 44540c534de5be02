// Scans: the "Scan now" control's texts and the "Last scan" report rows.
// Pure functions, no DOM: unit-tested.
import type { SourceReport } from './types';

/** A scan.progress event (docs/API.md), or a GET /scan entry's progress. */
export interface ScanProgress {
  queried?: number;
  answered?: number;
  sources?: number;
  sources_total?: number;
  /** The target that reported last (e.g. "tmf:[fd00::1]:61631"). */
  source?: string;
}

/** GET /api/v1/scan entry (the fields the UI reads). */
export interface ScanInfo {
  scan_id: string;
  network: string;
  state: string;
  trigger?: string;
  progress?: ScanProgress;
  snapshot_id?: string;
  error?: string;
}

/** "scanning… 12/25 answered · 1/3 sources (tmf:…)" for a scan in progress. */
export function progressText(p: ScanProgress | undefined): string {
  const parts = ['scanning…'];
  if (p && typeof p.queried === 'number' && p.queried > 0) parts.push(`${p.answered ?? 0}/${p.queried} answered`);
  if (p && typeof p.sources_total === 'number' && p.sources_total > 0) {
    parts.push(`${p.sources ?? 0}/${p.sources_total} sources${p.source ? ` (last: ${p.source})` : ''}`);
  }
  return parts.join(' · ');
}

/** The text for a finished scan (scan.finished event). */
export function finishedText(d: { state?: string; snapshot_id?: string; error?: string }): string {
  if (d.error) return `scan ${d.state && d.state !== 'finished' ? d.state : 'failed'}: ${d.error}`;
  if (d.state && d.state !== 'finished') return `scan ${d.state}`;
  return d.snapshot_id ? `scan done: snapshot #${d.snapshot_id}` : 'scan done';
}

/** What a failed POST /scan means to the user, by HTTP status and the API's message. */
export function scanErrorText(status: number, message: string): string {
  const m = message ? `: ${message}` : '';
  switch (status) {
    case 409:
      return 'a scan is already running for this network';
    case 401:
      return `a token is needed to start scans (HTTP 401${m}): enter the server's API token`;
    case 403:
      return `not allowed to start a scan (HTTP 403${m}); a token may be needed, or open the UI by the server's own host name`;
    case 404:
      return `nothing to scan (HTTP 404${m})`;
    case 503:
      return `the scan scheduler is not running (HTTP 503${m})`;
    case 0:
      return `cannot reach the server${m}`;
    default:
      return `scan failed to start (HTTP ${status}${m})`;
  }
}

/** One row of the "Last scan" table. */
export interface SourceRow {
  /** Source name (tmf, otbr, matter, ...). */
  name: string;
  target: string;
  queried: number;
  answered: number;
  timedOut: number;
  failed: number;
  /** "1.2 s", "350 ms". */
  duration: string;
  error: string;
  notes: string[];
  /** ok: everything asked answered; partial: some did not; failed: an error or nothing answered. */
  health: 'ok' | 'partial' | 'failed';
}

/** A duration in ms as text: "350 ms", "1.2 s", "2 min 5 s". */
export function durationText(ms: number | undefined): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** A snapshot's scan report as rows, in source-name then target order. */
export function scanRows(sources: SourceReport[] | null | undefined): SourceRow[] {
  return (sources ?? [])
    .map((r): SourceRow => {
      const queried = r.queried ?? 0;
      const answered = r.answered ?? 0;
      const timedOut = r.timed_out ?? 0;
      const failed = r.failed ?? 0;
      const error = r.error ?? '';
      const health: SourceRow['health'] =
        error || (queried > 0 && answered === 0) ? 'failed' : timedOut > 0 || failed > 0 || answered < queried ? 'partial' : 'ok';
      return { name: r.name, target: r.target ?? '', queried, answered, timedOut, failed, duration: durationText(r.duration_ms), error, notes: r.notes ?? [], health };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.target.localeCompare(b.target));
}

/** One line summing a scan report up: "3 sources · 24/25 answered · 1 timed out". */
export function scanSummary(rows: SourceRow[]): string {
  if (!rows.length) return 'no scan report in this snapshot';
  const sum = (f: (r: SourceRow) => number) => rows.reduce((a, r) => a + f(r), 0);
  const parts = [`${rows.length} source${rows.length === 1 ? '' : 's'}`, `${sum((r) => r.answered)}/${sum((r) => r.queried)} answered`];
  const t = sum((r) => r.timedOut);
  const f = sum((r) => r.failed);
  const e = rows.filter((r) => r.error).length;
  if (t) parts.push(`${t} timed out`);
  if (f) parts.push(`${f} failed`);
  if (e) parts.push(`${e} with errors`);
  return parts.join(' · ');
}
