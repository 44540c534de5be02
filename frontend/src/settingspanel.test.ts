// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Api } from './api';
import { startApi, type TestApi } from './apitest';
import type { Settings } from './settings';
import { SettingsPanel } from './settingspanel';
import { loadPage } from './testdata';

const base: Settings = {
  interval: '15s',
  network_interval: null,
  max_backoff: '15m0s',
  scan_timeout: '2m0s',
  retain_count: 0,
  retain_age: '0s',
  otbr: ['http://127.0.0.1:8081'],
  matter_server: '',
  tmf: [],
  source: { interval: 'default', network_interval: 'none', max_backoff: 'default', scan_timeout: 'default', retain_count: 'default', retain_age: 'default', otbr: 'flag', matter_server: 'default', tmf: 'default' },
};

let srv: TestApi;
let panel: SettingsPanel;
const input = (f: string) => document.getElementById(`set-${f}`) as HTMLInputElement;
const status = () => document.getElementById('settings-status')!.textContent;

beforeEach(async () => {
  loadPage();
  sessionStorage.clear();
  srv = await startApi({ 'GET /settings': { status: 200, body: base } });
  panel = new SettingsPanel(new Api(srv.base), () => 'net1');
  await panel.load();
});
afterEach(() => srv.close());

describe('SettingsPanel', () => {
  it('shows the settings read from the server', () => {
    expect(input('interval').value).toBe('15s');
    expect(document.getElementById('set-interval-src')!.textContent).toBe('source: default');
    expect(document.querySelectorAll('#set-otbr-list .set-otbr').length).toBe(1);
  });

  it('saves only the changed field and shows what the server answers', async () => {
    srv.routes.set('PATCH /settings', (r) => ({ status: 200, body: { ...base, ...(JSON.parse(r.body) as object), source: { ...base.source, interval: 'api' } } }));
    input('interval').value = '30s';
    await panel.save();
    const patch = srv.seen.find((r) => r.method === 'PATCH')!;
    expect(JSON.parse(patch.body)).toEqual({ interval: '30s' });
    expect(patch.headers['content-type']).toBe('application/merge-patch+json');
    expect(status()).toBe('saved');
    expect(document.getElementById('set-interval-src')!.textContent).toBe('source: api');
    await panel.save();
    expect(status()).toBe('nothing changed');
  });

  it('shows a 400 under the field it names and focuses that field', async () => {
    srv.routes.set('PATCH /settings', { status: 400, body: { error: { code: 'bad_request', message: 'interval: time: invalid duration "soon"' } } });
    input('interval').value = 'soon';
    await panel.save();
    expect(document.getElementById('set-interval-err')!.hidden).toBe(false);
    expect(document.getElementById('set-interval-err')!.textContent).toMatch(/^interval: .*"soon"/);
    expect(document.activeElement?.id).toBe('set-interval');
    expect(status()).toBe('not saved');
    expect(input('interval').value).toBe('soon');
  });

  it('asks for the token on 401', async () => {
    srv.routes.set('PATCH /settings', { status: 401, body: { error: { code: 'unauthorized', message: 'token required' } } });
    input('retain_count').value = '9';
    await panel.save();
    expect(status()).toBe('not saved: a token is needed (HTTP 401: token required)');
    expect(document.activeElement?.id).toBe('settings-token');
  });

  it('keeps what the user is typing when settings.changed brings new values', () => {
    input('interval').value = '1m';
    panel.show({ ...base, retain_count: 50, source: { ...base.source, retain_count: 'api' } }, false);
    expect(input('interval').value).toBe('1m');
    expect(input('retain_count').value).toBe('50');
    panel.show(base, true);
    expect(input('interval').value).toBe('15s');
  });

  it('adds and removes OTBR URL fields', () => {
    document.getElementById('set-otbr-add')!.click();
    expect(document.querySelectorAll('#set-otbr-list .set-otbr').length).toBe(2);
    document.querySelector<HTMLButtonElement>('.set-otbr-remove')!.click();
    expect(document.querySelectorAll('#set-otbr-list .set-otbr').length).toBe(1);
    expect(status()).toBe('URL removed; Save to apply');
  });
});
