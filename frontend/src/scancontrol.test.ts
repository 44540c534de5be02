// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Api } from './api';
import { startApi, type TestApi } from './apitest';
import { ScanControl } from './scancontrol';
import { loadPage } from './testdata';
import { TOKEN_KEY } from './token';

let srv: TestApi;
let sc: ScanControl;
const line = () => document.getElementById('scan-status')!;
const button = () => document.getElementById('scan')!;

beforeEach(async () => {
  loadPage();
  sessionStorage.clear();
  srv = await startApi({ 'GET /scan': { status: 200, body: { scans: [] } } });
  sc = new ScanControl(new Api(srv.base), () => 'net1');
  sc.wire();
});
afterEach(async () => {
  sc.reset();
  await srv.close();
});

describe('ScanControl', () => {
  it('starts a scan for the shown network and follows its events to the end', async () => {
    srv.routes.set('POST /scan', { status: 202, body: { scan_id: 's1', state: 'running', network: 'net1' } });
    await sc.scanNow();
    expect(srv.seen.find((r) => r.method === 'POST')?.url).toBe('/api/v1/scan?network=net1');
    expect(button().getAttribute('aria-disabled')).toBe('true');
    expect(button().textContent).toBe('Scanning…');
    expect(line().textContent).toBe('scanning…');
    sc.progress({ network: 'net1', scan_id: 's1', queried: 4, answered: 3, sources: 1, sources_total: 2 });
    expect(line().textContent).toBe('scanning… · 3/4 answered · 1/2 sources');
    sc.progress({ network: 'other', scan_id: 's9', queried: 9, answered: 9 });
    expect(line().textContent).toContain('3/4');
    sc.finished({ network: 'net1', scan_id: 's1', state: 'finished', snapshot_id: 7 });
    expect(line().textContent).toBe('scan done: snapshot #7');
    expect(line().className).toBe('scan-status done');
    expect(button().getAttribute('aria-disabled')).toBe('false');
    expect(button().textContent).toBe('Scan now');
  });

  it('ends the spinner with the reason of a failed scan, and keeps the line until dismissed', () => {
    sc.started({ network: 'net1', scan_id: 's2', sources: 1 });
    expect(button().getAttribute('aria-busy')).toBe('true');
    sc.finished({ network: 'net1', scan_id: 's2', state: 'failed', error: 'otbr http://127.0.0.1:1: connection refused' });
    expect(line().textContent).toBe('scan failed: otbr http://127.0.0.1:1: connection refused');
    expect(line().className).toBe('scan-status error');
    expect(line().hidden).toBe(false);
    expect(button().getAttribute('aria-busy')).toBe('false');
    sc.finished({ network: 'net1', scan_id: 's3', state: 'failed' });
    expect(line().textContent).toBe('scan failed: no reason given');
    sc.dismiss();
    expect(line().hidden).toBe(true);
  });

  it('asks for a token on 401 and retries with it as a bearer token', async () => {
    srv.routes.set('POST /scan', (r) => (r.headers.authorization === 'Bearer s3cret' ? { status: 202, body: { scan_id: 's4', state: 'queued' } } : { status: 401, body: { error: { code: 'unauthorized', message: 'token required' } } }));
    await sc.scanNow();
    expect(line().textContent).toMatch(/token is needed to start scans \(HTTP 401: token required\)/);
    const input = document.getElementById('token') as HTMLInputElement;
    expect(document.activeElement).toBe(input);
    input.value = 's3cret';
    const answered = new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (srv.seen.filter((r) => r.method === 'POST').length === 2 && line().textContent === 'scan queued…') {
          clearInterval(t);
          resolve();
        }
      }, 5);
    });
    document.getElementById('token-form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await answered;
    expect(sessionStorage.getItem(TOKEN_KEY)).toBe('s3cret');
    expect(srv.seen.filter((r) => r.method === 'POST').map((r) => r.headers.authorization)).toEqual([undefined, 'Bearer s3cret']);
  });

  it('says a scan is already running on 409 and picks it up from GET /scan', async () => {
    srv.routes.set('POST /scan', { status: 409, body: { error: { code: 'conflict', message: 'running' } } });
    srv.routes.set('GET /scan', { status: 200, body: { scans: [{ scan_id: 's5', network: 'net1', state: 'running', progress: { queried: 2, answered: 1 } }] } });
    await sc.scanNow();
    expect(sc.scan?.id).toBe('s5');
    expect(line().textContent).toBe('scanning… · 1/2 answered');
    // Clicking again while it runs says so instead of posting.
    const posts = srv.seen.length;
    await sc.scanNow();
    expect(line().textContent).toBe('a scan is already running for this network');
    expect(srv.seen.length).toBe(posts);
  });

  it('says when the server cannot be reached', async () => {
    await srv.close();
    await sc.scanNow();
    expect(line().textContent).toMatch(/^cannot reach the server/);
    expect(button().getAttribute('aria-disabled')).toBe('false');
    srv = await startApi();
  });

  it('ends the spinner from GET /scan when the finish event was missed', async () => {
    sc.started({ network: 'net1', scan_id: 's6' });
    srv.routes.set('GET /scan', { status: 200, body: { scans: [{ scan_id: 's6', network: 'net1', state: 'failed', error: 'no source answered' }] } });
    await sc.sync();
    expect(line().textContent).toBe('scan failed: no source answered');
    expect(button().getAttribute('aria-disabled')).toBe('false');
  });
});
