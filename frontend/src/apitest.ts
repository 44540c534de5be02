// A real HTTP server on 127.0.0.1 for the unit tests of the parts that talk
// to the API: each test names the answers per "METHOD /path" and reads back
// the requests it got (method, path with query, headers, body). CORS is
// allowed, so the test document's fetch may call it from any origin.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server got. */
export interface Seen {
  method: string;
  /** Path with the query string. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An answer: status and JSON body (or a function of the request). */
export type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | ((req: Seen) => { status: number; body?: unknown; headers?: Record<string, string> });

/** A running test API. */
export interface TestApi {
  /** Base URL of /api/v1 for Api. */
  base: string;
  /** Requests in arrival order (CORS preflights left out). */
  seen: Seen[];
  /** Answers by "METHOD /path" (path without query); 404 JSON for the rest. */
  routes: Map<string, Answer>;
  close(): Promise<void>;
}

/** Starts a test API on a free loopback port. */
export async function startApi(routes: Record<string, Answer> = {}, port = 0): Promise<TestApi> {
  const table = new Map(Object.entries(routes));
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const cors = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept',
      'Access-Control-Expose-Headers': 'Content-Disposition',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      const path = (req.url ?? '').replace(/\?.*$/, '').replace(/^\/api\/v1/, '');
      const a = table.get(`${s.method} ${path}`);
      const out = typeof a === 'function' ? a(s) : (a ?? { status: 404, body: { error: { code: 'not_found', message: `no route ${s.method} ${path}` } } });
      res.writeHead(out.status, { 'Content-Type': 'application/json', ...cors, ...(out.headers ?? {}) });
      res.end(out.body === undefined ? '' : JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const bound = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${bound}/api/v1`,
    seen,
    routes: table,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Resolves when cond() holds, checking every 5 ms for at most ms (then rejects naming what). */
export async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
