// Scan now: the button, the scan line over the graph (progress, finish,
// errors, the token prompt) and keeping both in step with the scan.* events
// and, while a scan runs, GET /scan (events can be missed while the stream
// reconnects).
import { ApiError, type Api } from './api';
import { byId } from './dom';
import { field } from './events';
import { finishedText, progressText, scanErrorText } from './scan';
import { token, tokenPrompt } from './token';

/** How often GET /scan is polled while a scan runs. */
export const SCAN_POLL_MS = 4000;

/** The scan line's look. */
export type ScanLineKind = 'running' | 'error' | 'done';

/** Scan now for the shown network. */
export class ScanControl {
  /** The running scan of the shown network, if any. */
  scan: { id: string; network: string } | null = null;
  private poll: ReturnType<typeof setInterval> | undefined;
  private hideTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly button = byId<HTMLButtonElement>('scan');
  private readonly line = byId('scan-status');

  constructor(
    private readonly api: Api,
    /** The network shown ('' = none). */
    private readonly network: () => string,
  ) {}

  /** Wires the button. */
  wire(): void {
    this.button.addEventListener('click', () => void this.scanNow());
  }

  /** Another network is shown: forget the scan and hide the line. */
  reset(): void {
    this.set(null);
    this.line.hidden = true;
  }

  /** Hides an error line (Escape); the progress of a running scan stays. */
  dismiss(): void {
    if (!this.scan) this.line.hidden = true;
  }

  /** Disables the button for good (stress page). */
  disable(): void {
    this.button.disabled = true;
  }

  /** scan.started of the shown network. */
  started(d: Record<string, unknown>): void {
    if (field(d, 'network') !== this.network()) return;
    this.set({ id: field(d, 'scan_id'), network: this.network() });
    this.message(progressText({ sources_total: typeof d.sources === 'number' ? d.sources : undefined }), 'running');
  }

  /** scan.progress of the shown network. */
  progress(d: Record<string, unknown>): void {
    if (field(d, 'network') !== this.network()) return;
    if (!this.scan) this.set({ id: field(d, 'scan_id'), network: this.network() });
    this.message(progressText(d), 'running');
  }

  /** scan.finished of the shown network: the line says how it ended (an error stays until dismissed). */
  finished(d: Record<string, unknown>): void {
    if (field(d, 'network') !== this.network()) return;
    if (this.scan && this.scan.id && field(d, 'scan_id') && field(d, 'scan_id') !== this.scan.id) return;
    this.set(null);
    const error = field(d, 'error');
    const failed = error !== '' || d.state === 'failed';
    this.message(
      finishedText({ state: field(d, 'state'), snapshot_id: field(d, 'snapshot_id'), error: error || (failed ? 'no reason given' : '') }),
      failed ? 'error' : 'done',
      failed ? 0 : 6000,
    );
  }

  /** Brings the button in step with GET /scan: a running scan of this network disables it. */
  async sync(): Promise<void> {
    const net = this.network();
    if (!net) return;
    try {
      const list = await this.api.scans();
      if (net !== this.network()) return;
      const run = list.find((x) => x.network === net && (x.state === 'running' || x.state === 'queued'));
      if (run) {
        if (!this.scan) this.set({ id: run.scan_id, network: net });
        this.message(progressText(run.progress), 'running');
      } else if (this.scan) {
        const done = list.find((x) => x.scan_id === this.scan?.id);
        this.set(null);
        if (done) this.message(finishedText(done), done.error ? 'error' : 'done', done.error ? 0 : 6000);
        else this.line.hidden = true;
      }
    } catch {
      // the list is a fallback for missed events: its errors are not the user's concern
    }
  }

  /** POST /scan for the shown network (a click while one runs says so). */
  async scanNow(): Promise<void> {
    const net = this.network();
    const b = this.button;
    if (b.disabled || b.getAttribute('aria-disabled') === 'true') {
      if (this.scan) this.message(scanErrorText(409, ''), 'running');
      return;
    }
    b.setAttribute('aria-disabled', 'true');
    this.message('starting a scan…', 'running');
    try {
      const r = await this.api.scanNow(net, token());
      if (net !== this.network()) return;
      // scan.started may have come first; keep its id then.
      if (!this.scan) this.set({ id: r.scan_id, network: net });
      if (this.line.textContent === 'starting a scan…') this.message(r.state === 'queued' ? 'scan queued…' : progressText(undefined), 'running');
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 0;
      const msg = e instanceof ApiError ? (e.status === 0 ? e.message : e.message.replace(/^\/scan[^:]*: /, '')) : (e as Error).message;
      this.message(scanErrorText(status, msg), 'error', status === 409 ? 6000 : 0);
      if (status === 401 || status === 403) tokenPrompt(this.line, 'token', status, 'Use token and scan', () => void this.scanNow());
      if (status === 409) await this.sync();
      if (!this.scan) this.set(null);
    }
  }

  /** Marks a scan as running (button aria-disabled, still focusable; GET /scan polled) or none. */
  private set(scan: { id: string; network: string } | null): void {
    this.scan = scan;
    const b = this.button;
    b.setAttribute('aria-disabled', String(!!scan));
    b.textContent = scan ? 'Scanning…' : 'Scan now';
    b.setAttribute('aria-busy', String(!!scan));
    clearInterval(this.poll);
    if (scan) this.poll = setInterval(() => void this.sync(), SCAN_POLL_MS);
  }

  /** Shows a line; `hideMs` > 0 hides it after that long. */
  message(text: string, kind: ScanLineKind, hideMs = 0): void {
    const box = this.line;
    box.hidden = false;
    box.textContent = text;
    box.className = `scan-status ${kind}`;
    clearTimeout(this.hideTimer);
    if (hideMs > 0) this.hideTimer = setTimeout(() => (box.hidden = true), hideMs);
  }
}
