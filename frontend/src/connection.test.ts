// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './apitest';
import { Connection, backoff, type LinkState } from './connection';
import type { EventSourceLike } from './events';

class Source extends EventTarget implements EventSourceLike {
  close(): void {}
}

const fast = { probeTimeout: 500, backoffFirst: 10, backoffMax: 40, heartbeat: 0 };
let srv: TestApi | null = null;
afterEach(async () => {
  await srv?.close();
  srv = null;
});

/** Resolves with the state log once it holds `want` (the owner's callbacks are events). */
function watch() {
  const log: LinkState[] = [];
  let recovered = 0;
  const waiters: { want: LinkState; done: () => void }[] = [];
  return {
    log,
    recovered: () => recovered,
    on: {
      state(s: LinkState) {
        log.push(s);
        for (const w of waiters.splice(0)) if (w.want === s) w.done();
        else waiters.push(w);
      },
      recovered() {
        recovered++;
      },
    },
    reach(want: LinkState) {
      return new Promise<void>((done) => (log.at(-1) === want ? done() : waiters.push({ want, done })));
    },
  };
}

describe('Connection', () => {
  it('goes offline when the stream fails and the server is gone, and back when it returns', async () => {
    srv = await startApi({ 'GET /info': { status: 200, body: { version: 't' } } });
    const port = Number(new URL(srv.base).port);
    const sources: Source[] = [];
    const w = watch();
    const base = srv.base;
    const c = new Connection(
      () => {
        const s = new Source();
        sources.push(s);
        return s;
      },
      (signal) => fetch(`${base}/info`, { signal }).then((r) => (r.ok ? r : Promise.reject(new Error(`HTTP ${r.status}`)))),
      w.on,
      fast,
    );
    c.start();
    sources[0].dispatchEvent(new Event('open'));
    expect(c.state).toBe('live');
    await srv.close();
    srv = null;
    sources[0].dispatchEvent(new Event('error'));
    await w.reach('offline');
    expect(sources.length).toBe(1);
    srv = await startApi({ 'GET /info': { status: 200, body: { version: 't' } } }, port);
    await w.reach('live');
    expect(w.recovered()).toBe(1);
    expect(sources.length).toBe(2);
    expect(w.log[0]).toBe('live');
    expect(w.log.filter((s) => s === 'offline').length).toBeGreaterThanOrEqual(1);
    c.stop();
  });

  it('counts a server error or a hang as offline', async () => {
    srv = await startApi({ 'GET /info': { status: 503, body: {} } });
    const w = watch();
    const base = srv.base;
    const c = new Connection(
      () => new Source(),
      (signal) => fetch(`${base}/info`, { signal }).then((r) => (r.ok ? r : Promise.reject(new Error(`HTTP ${r.status}`)))),
      w.on,
      fast,
    );
    await c.check();
    expect(c.state).toBe('offline');
    c.stop();
    const hang = new Connection(
      () => new Source(),
      (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('timeout')))),
      watch().on,
      { ...fast, probeTimeout: 20 },
    );
    await hang.check();
    expect(hang.state).toBe('offline');
    hang.stop();
  });

  it('backs off 1 s doubling to at most 8 s', () => {
    const t = { backoffFirst: 1000, backoffMax: 8000 };
    expect([0, 1, 2, 3, 4, 50].map((n) => backoff(n, t))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });
});
