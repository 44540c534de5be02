// Whether the server is there: the event stream's open/error and a bounded
// GET /info probe decide between live and offline. On a stream error (or
// every HEARTBEAT_MS while live) the probe runs with a timeout; when it
// fails the page is offline and probes again with back-off (1 s doubling to
// 8 s) until the server answers, then the stream is opened again and the
// caller reloads what it may have missed.
import type { EventSourceLike } from './events';

/** Connection states: connecting (first open), live, offline (probing with back-off). */
export type LinkState = 'connecting' | 'live' | 'offline';

/** Timings of a Connection (ms). */
export interface ConnectionTimings {
  /** How long a probe may take before it counts as failed. */
  probeTimeout: number;
  /** First back-off after a failed probe; doubles up to backoffMax. */
  backoffFirst: number;
  backoffMax: number;
  /** Probe period while live (0: only on stream errors). */
  heartbeat: number;
}

/** The timings the page uses: offline within probeTimeout of a stream error, at most 8 s between tries. */
export const DEFAULT_TIMINGS: ConnectionTimings = { probeTimeout: 3000, backoffFirst: 1000, backoffMax: 8000, heartbeat: 15000 };

/** What a Connection tells its owner. */
export interface ConnectionEvents {
  /** The state changed; `nextTry` is when the next probe runs (offline only). */
  state(s: LinkState, nextTry?: number): void;
  /** The server is back after being offline: reload what may have been missed. */
  recovered(): void;
}

/** The back-off before try n (0-based) after failures: first·2^n, at most max. */
export function backoff(n: number, t: Pick<ConnectionTimings, 'backoffFirst' | 'backoffMax'>): number {
  return Math.min(t.backoffMax, t.backoffFirst * 2 ** Math.min(n, 20));
}

/** Watches the stream and the server. */
export class Connection {
  state: LinkState = 'connecting';
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private beat: ReturnType<typeof setInterval> | undefined;
  private probing = false;
  private stopped = false;

  constructor(
    /** Opens (or re-opens) the event stream. */
    private readonly open: () => EventSourceLike,
    /** One request to the server; rejects when it cannot be reached. */
    private readonly probe: (signal: AbortSignal) => Promise<unknown>,
    private readonly on: ConnectionEvents,
    private readonly t: ConnectionTimings = DEFAULT_TIMINGS,
  ) {}

  /** Opens the stream and starts watching. */
  start(): void {
    this.stopped = false;
    this.listen(this.open());
    if (this.t.heartbeat > 0) this.beat = setInterval(() => void this.check(), this.t.heartbeat);
  }

  /** Stops watching (page unload). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.beat);
  }

  /** Probes the server now; offline when it does not answer in time. */
  async check(): Promise<void> {
    if (this.probing || this.stopped) return;
    this.probing = true;
    const ctl = new AbortController();
    const to = setTimeout(() => ctl.abort(), this.t.probeTimeout);
    let ok = true;
    try {
      await this.probe(ctl.signal);
    } catch {
      ok = false;
    } finally {
      clearTimeout(to);
      this.probing = false;
    }
    if (this.stopped) return;
    if (ok) {
      const was = this.state;
      this.failures = 0;
      clearTimeout(this.timer);
      if (was === 'offline') {
        // The stream may have given up (or be waiting out its own retry): open it anew.
        this.listen(this.open());
        this.set('live');
        this.on.recovered();
      } else if (was === 'connecting') this.set('live');
      return;
    }
    const wait = backoff(this.failures++, this.t);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), wait);
    this.set('offline', Date.now() + wait);
  }

  private listen(es: EventSourceLike): void {
    es.addEventListener('open', () => {
      if (this.state !== 'offline') this.set('live');
      else void this.check();
    });
    es.addEventListener('error', () => void this.check());
  }

  private set(s: LinkState, nextTry?: number): void {
    const changed = s !== this.state || s === 'offline';
    this.state = s;
    if (changed) this.on.state(s, nextTry);
  }
}
