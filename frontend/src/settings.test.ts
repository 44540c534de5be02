import { describe, expect, it } from 'vitest';
import { errorField, formFrom, patchBody, settingsFormHtml, settingsRows, type Settings } from './settings';

// As GET /api/v1/settings answered `threadmap serve --demo --interval 30s` after a PATCH of interval and otbr.
const s: Settings = {
  interval: '30s',
  network_interval: { a1d7679218f83b75: '20s' },
  max_backoff: '15m0s',
  scan_timeout: '2m0s',
  retain_count: 0,
  retain_age: '0s',
  otbr: ['http://127.0.0.1:8081'],
  matter_server: '',
  tmf: [],
  source: { interval: 'flag', network_interval: 'api', otbr: 'api', max_backoff: 'default', scan_timeout: 'default', retain_count: 'default', retain_age: 'default', matter_server: 'default', tmf: 'default' },
  api_shadowed: ['interval'],
};

describe('settingsRows', () => {
  it('lists every field with its value, source and shadowing note', () => {
    const rows = settingsRows(s, 'a1d7679218f83b75');
    expect(rows.map((r) => r.field)).toEqual(['interval', 'network_interval', 'max_backoff', 'scan_timeout', 'retain_count', 'retain_age', 'otbr', 'matter_server', 'tmf']);
    expect(rows[0]).toMatchObject({ value: '30s', source: 'flag' });
    expect(rows[0].shadowed).toContain('flag value wins');
    expect(rows[1]).toMatchObject({ value: '20s', source: 'api', shadowed: '' });
    expect(rows[6]).toMatchObject({ value: 'http://127.0.0.1:8081', source: 'api' });
    expect(rows[8].value).toBe('');
  });
  it('takes another network, nulls and a missing source', () => {
    const rows = settingsRows({ ...s, network_interval: null, otbr: null, tmf: null, source: {}, api_shadowed: null }, 'other');
    expect(rows[1]).toMatchObject({ value: '', source: 'none' });
    expect(rows[6].value).toBe('');
    expect(rows.filter((r) => r.field !== 'network_interval').every((r) => r.source === 'default' && r.shadowed === '')).toBe(true);
  });
  it('names the environment for env shadowing', () => {
    const rows = settingsRows({ ...s, source: { ...s.source, otbr: 'env' }, api_shadowed: ['otbr'] }, '');
    expect(rows[6].shadowed).toContain('environment variable value wins');
  });
});

describe('settingsFormHtml', () => {
  it('has a field per editable setting, the sources and the error next to its field', () => {
    const h = settingsFormHtml(s, formFrom(s, 'a1d7679218f83b75'), 'a1d7679218f83b75', { interval: 'interval: bad <value>' });
    for (const f of ['interval', 'network_interval', 'max_backoff', 'scan_timeout', 'retain_count', 'retain_age', 'matter_server']) expect(h).toContain(`id="set-${f}"`);
    expect(h).toMatch(/<input id="set-interval"[^>]*aria-invalid="true"/);
    expect(h).toContain('<div class="set-err" id="set-interval-err" role="alert">interval: bad &lt;value&gt;</div>');
    expect(h).toContain('<div class="set-err" id="set-retain_age-err" role="alert" hidden></div>');
    expect(h).toContain('value="http://127.0.0.1:8081" aria-label="OTBR URL 1"');
    expect(h).toContain('source: flag <span class="set-shadow">');
    expect(h).toContain('<span id="set-tmf" class="set-value"><span class="muted">none</span></span>');
  });
  it('disables this network\'s interval without a network', () => {
    expect(settingsFormHtml(s, formFrom(s, ''), '')).toMatch(/<input id="set-network_interval"[^>]* disabled/);
  });
});

describe('patchBody', () => {
  const net = 'a1d7679218f83b75';
  const before = formFrom(s, net);
  it.each<[string, Partial<ReturnType<typeof formFrom>>, Record<string, unknown>]>([
    ['nothing changed', {}, {}],
    ['whitespace only', { interval: ' 30s ' }, {}],
    ['interval', { interval: '20s' }, { interval: '20s' }],
    ['this network', { network_interval: '45s' }, { network_interval: { [net]: '45s' } }],
    ['this network emptied', { network_interval: '' }, { network_interval: { [net]: null } }],
    ['retain count', { retain_count: '10' }, { retain_count: 10 }],
    ['retain count not a number', { retain_count: 'ten' }, { retain_count: 'ten' }],
    ['retain age', { retain_age: '72h' }, { retain_age: '72h' }],
    ['otbr added', { otbr: ['http://127.0.0.1:8081', 'http://127.0.0.1:8082'] }, { otbr: ['http://127.0.0.1:8081', 'http://127.0.0.1:8082'] }],
    ['otbr removed', { otbr: [] }, { otbr: [] }],
    ['otbr blank line ignored', { otbr: ['http://127.0.0.1:8081', '  '] }, {}],
    ['matter server', { matter_server: 'ws://127.0.0.1:5580/ws' }, { matter_server: 'ws://127.0.0.1:5580/ws' }],
    ['two at once', { interval: '1m', matter_server: 'ws://h/ws' }, { interval: '1m', matter_server: 'ws://h/ws' }],
  ])('%s', (_, change, want) => {
    expect(patchBody(before, { ...before, ...change }, net)).toEqual(want);
  });
  it('leaves network_interval out without a network', () => {
    expect(patchBody(formFrom(s, ''), { ...formFrom(s, ''), network_interval: '9s' }, '')).toEqual({});
  });
});

describe('errorField', () => {
  it.each([
    ['interval: duration: time: invalid duration "soon"', 'interval'],
    ['network_interval: duration: time: invalid duration "soon"', 'network_interval'],
    ['otbr: "ftp://x": want an http:// or https:// URL with a host', 'otbr'],
    ['retain_count: -1: must not be negative', 'retain_count'],
    ['bogus: unknown field', ''],
    ['invalid JSON body', ''],
    ['', ''],
  ])('%s → %s', (msg, want) => {
    expect(errorField(msg)).toBe(want);
  });
});
