// The HTTP API client (docs/API.md). Same-origin, relative URLs: the UI is
// served by `threadmap serve` at / and the API under /api/v1/.
import type { ScanInfo } from './scan';
import type { Settings } from './settings';
import type { BorderRouter, Changes, Diff, Info, Insight, NetworkSummary, NodeHistory, Snapshot, SnapshotSummary, Source, Sources } from './types';

/** An API error with the server's stable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Talks to the threadmap API at base (default: this page's origin). */
export class Api {
  constructor(private readonly base = './api/v1') {}

  private async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    const res = await fetch(`${this.base}${path}`, { signal, headers: { Accept: 'application/json' } });
    if (!res.ok) {
      let code = 'http_' + res.status;
      let msg = `${path}: HTTP ${res.status}`;
      try {
        const body = (await res.json()) as { error?: { code?: string; message?: string } };
        if (body.error?.code) code = body.error.code;
        if (body.error?.message) msg = `${path}: ${body.error.message}`;
      } catch {
        // not JSON: keep the status line
      }
      throw new ApiError(res.status, code, msg);
    }
    return (await res.json()) as T;
  }

  /** GET /info (the connection probe passes a signal to bound it). */
  info(signal?: AbortSignal): Promise<Info> {
    return this.get('/info', signal);
  }

  /** GET /networks. */
  async networks(): Promise<NetworkSummary[]> {
    return (await this.get<{ networks: NetworkSummary[] | null }>('/networks')).networks ?? [];
  }

  /** GET /border-routers for a network ('' = all). */
  async borderRouters(network: string): Promise<BorderRouter[]> {
    const q = network ? `?network=${encodeURIComponent(network)}` : '';
    return (await this.get<{ border_routers: BorderRouter[] | null }>(`/border-routers${q}`)).border_routers ?? [];
  }

  /** GET /topology/latest. */
  latest(network: string): Promise<Snapshot> {
    const q = network ? `?network=${encodeURIComponent(network)}` : '';
    return this.get(`/topology/latest${q}`);
  }

  /** GET /snapshots, following cursors up to `max` entries; newest first. */
  async snapshots(network: string, max = 500): Promise<SnapshotSummary[]> {
    const out: SnapshotSummary[] = [];
    let cursor = '';
    for (let page = 0; page < 20 && out.length < max; page++) {
      const q = new URLSearchParams({ network, limit: String(Math.min(200, max - out.length)) });
      if (cursor) q.set('cursor', cursor);
      const r = await this.get<{ snapshots: SnapshotSummary[] | null; next_cursor?: string }>(`/snapshots?${q}`);
      out.push(...(r.snapshots ?? []));
      if (!r.next_cursor) break;
      cursor = r.next_cursor;
    }
    return out;
  }

  /** GET /snapshots/{id}. */
  snapshot(id: string): Promise<Snapshot> {
    return this.get(`/snapshots/${encodeURIComponent(id)}`);
  }

  /** GET /diff. */
  diff(from: string, to: string): Promise<Diff> {
    return this.get(`/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  }

  /** GET /insights for a network, optionally at one snapshot. */
  async insights(network: string, snapshot?: string): Promise<Insight[]> {
    const q = new URLSearchParams({ network });
    if (snapshot) q.set('snapshot', snapshot);
    return (await this.get<{ insights: Insight[] | null }>(`/insights?${q}`)).insights ?? [];
  }

  /** GET /scan: recent and running scans. */
  async scans(): Promise<ScanInfo[]> {
    return (await this.get<{ scans: ScanInfo[] | null }>('/scan')).scans ?? [];
  }

  /**
   * POST /scan for a network ('' = every network), with the API token when
   * one is given (Authorization: Bearer). Resolves with the 202
   * answer; throws ApiError (409 when one is running, 401/403 when a token
   * is needed) or ApiError status 0 when the server cannot be reached.
   */
  async scanNow(network: string, token = ''): Promise<{ scan_id: string; state: string; network?: string }> {
    const q = network ? `?network=${encodeURIComponent(network)}` : '';
    return this.send(`/scan${q}`, 'POST', token);
  }

  /** GET /settings: the runtime settings in effect and their sources. */
  settings(): Promise<Settings> {
    return this.get('/settings');
  }

  /**
   * PATCH /settings with a JSON merge patch (only the changed fields), with
   * the API token when one is given. Resolves with the settings now in
   * effect; throws ApiError (400 with the server's message naming the field,
   * 401/403 when a token is needed; status 0 when unreachable).
   */
  async patchSettings(body: Record<string, unknown>, token = ''): Promise<Settings> {
    return this.send('/settings', 'PATCH', token, body, 'application/merge-patch+json');
  }

  /**
   * A mutating request: the API token as a bearer token when one is given,
   * an optional JSON body. Resolves with the decoded answer; throws
   * ApiError with the server's error code and message, or status 0 when
   * the server cannot be reached.
   */
  private async send<T>(path: string, method: string, token: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = contentType;
      init.body = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, init);
    } catch (e) {
      throw new ApiError(0, 'network', (e as Error).message);
    }
    if (!res.ok) {
      let code = 'http_' + res.status;
      let msg = '';
      try {
        const b = (await res.json()) as { error?: { code?: string; message?: string } };
        if (b.error?.code) code = b.error.code;
        if (b.error?.message) msg = b.error.message;
      } catch {
        // not JSON
      }
      throw new ApiError(res.status, code, msg);
    }
    // DELETE may answer 204 without a body.
    const text = await res.text();
    return (text ? JSON.parse(text) : null) as T;
  }

  /** GET /sources: every scan source with its state, last error and next attempt. */
  async sources(): Promise<Source[]> {
    return (await this.get<Sources>('/sources')).sources ?? [];
  }

  /** GET /changes: one page of a network's change log, newest first (cursor from the previous page). */
  async changes(network: string, limit = 50, cursor = ''): Promise<Changes> {
    const q = new URLSearchParams({ network, limit: String(limit) });
    if (cursor) q.set('cursor', cursor);
    const r = await this.get<Changes>(`/changes?${q}`);
    return { changes: r.changes ?? [], next_cursor: r.next_cursor ?? '' };
  }

  /** GET /nodes/{id}/history: a device's timeline over the stored snapshots, oldest first. */
  async nodeHistory(network: string, id: string, limit = 200): Promise<NodeHistory> {
    const q = new URLSearchParams({ network, limit: String(limit) });
    const r = await this.get<NodeHistory>(`/nodes/${encodeURIComponent(id)}/history?${q}`);
    return { ...r, points: r.points ?? [] };
  }

  /** GET /names: the names users gave devices, by ext address. */
  async names(): Promise<Record<string, string>> {
    return (await this.get<{ names: Record<string, string> | null }>('/names')).names ?? {};
  }

  /** PUT /names/{ext}: names a device (1–64 printable characters); throws ApiError like the other mutating calls. */
  async putName(ext: string, name: string, token = ''): Promise<unknown> {
    return this.send(`/names/${encodeURIComponent(ext)}`, 'PUT', token, { name });
  }

  /** DELETE /names/{ext}: removes a device's name. */
  async deleteName(ext: string, token = ''): Promise<unknown> {
    return this.send(`/names/${encodeURIComponent(ext)}`, 'DELETE', token);
  }

  /** URL of the installer report of a network, at a snapshot, with the changes since another. */
  reportUrl(network: string, snapshot = '', since = ''): string {
    const q = new URLSearchParams({ network });
    if (snapshot) q.set('snapshot', snapshot);
    if (since) q.set('since', since);
    return `${this.base}/report?${q}`;
  }

  /** URL of a snapshot export. */
  exportUrl(id: string, format: 'json' | 'graphml' | 'dot' | 'csv' | 'cbor'): string {
    return `${this.base}/snapshots/${encodeURIComponent(id)}/export?format=${format}`;
  }

  /** URL of the event stream. */
  eventsUrl(): string {
    return `${this.base}/events`;
  }
}
