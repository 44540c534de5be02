// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { relative, sourceAlert, sourceName, SourcesPanel, sourcesHtml, stateText, troubled } from './sources';
import { loadPage } from './testdata';
import type { Source } from './types';

const now = Date.parse('2026-12-05T10:00:00Z');
const src = (over: Partial<Source> = {}): Source => ({
  id: 'otbr:http://br:8081',
  kind: 'otbr',
  target: 'http://***@br:8081',
  network: 'dead00beef00cafe',
  state: 'ok',
  last_attempt_at: '2026-12-05T09:59:50Z',
  last_ok_at: '2026-12-05T09:59:50Z',
  last_error: '',
  failures: 0,
  next_attempt_at: '2026-12-05T10:00:08Z',
  ...over,
});
const failing = src({ id: 'tmf:fd00::/64', kind: 'tmf', target: 'fd00::/64', state: 'failing', failures: 1, last_error: 'no start node answered', last_ok_at: null });
const backingOff = src({ id: 'matter:ws://m', kind: 'matter', target: 'ws://m:5580/ws', state: 'backing-off', failures: 4, last_error: 'dial: connection refused', next_attempt_at: '2026-12-05T10:03:00Z' });

describe('source states in words', () => {
  it('tells trouble apart', () => {
    expect([src(), failing, backingOff, src({ state: 'scanning' }), src({ state: 'idle' })].map(troubled)).toEqual([false, true, true, false, false]);
  });

  it('says when the next try is, relative to now', () => {
    expect(relative('2026-12-05T10:00:08Z', now)).toBe('in 8 s');
    expect(relative('2026-12-05T10:03:00Z', now)).toBe('in 3 min');
    expect(relative('2026-12-05T09:59:00Z', now)).toBe('now');
    expect(relative(null, now)).toBe('');
    expect(relative('not a time', now)).toBe('');
  });

  it('names the state with its failure count', () => {
    expect(stateText(failing)).toBe('failing (1 failure in a row)');
    expect(stateText(backingOff)).toBe('backing off after 4 failures');
    expect(stateText(src({ state: 'scanning' }))).toBe('scanning…');
    expect(stateText(src({ state: '' }))).toBe('unknown');
    expect(sourceName(src())).toBe('otbr http://***@br:8081');
    expect(sourceName(src({ target: '' }))).toBe('otbr');
  });

  it('puts the first troubled source and how many more in the alert line', () => {
    expect(sourceAlert([src()], now)).toBe('');
    expect(sourceAlert([src(), failing], now)).toBe('tmf fd00::/64 failing: no start node answered — next try in 8 s');
    expect(sourceAlert([backingOff, failing, src()], now)).toBe('matter ws://m:5580/ws backing off: dial: connection refused — next try in 3 min (and 1 more source in trouble)');
  });

  it('lists every source with its error, escaped, and no next try while scanning', () => {
    expect(sourcesHtml([], now)).toContain('No scan sources configured');
    const html = sourcesHtml([src({ state: 'scanning' }), { ...failing, last_error: '<b>bad</b>' }], now);
    expect(html).toContain('class="source state-scanning"');
    expect(html).toContain('&lt;b&gt;bad&lt;/b&gt;');
    expect(html).not.toContain('<b>bad</b>');
    expect(html).toContain('never ok yet');
    expect(html.split('next try').length - 1).toBe(1);
  });
});

describe('SourcesPanel', () => {
  let panel: SourcesPanel;
  beforeEach(() => {
    loadPage();
    panel = new SourcesPanel();
  });
  afterEach(() => panel.set([]));
  const el = (id: string) => document.getElementById(id)!;

  it('shows troubled sources first, opens the section and shows the alert line', () => {
    panel.set([src(), backingOff]);
    expect(panel.sources().map((s) => s.kind)).toEqual(['matter', 'otbr']);
    expect(el('sources-badge').textContent).toBe('(1 in trouble, 2)');
    expect(el('source-alert').hidden).toBe(false);
    expect(el('source-alert').textContent).toMatch(/^matter ws:\/\/m:5580\/ws backing off/);
    expect((el('sources-box') as HTMLDetailsElement).open).toBe(true);
  });

  it('takes one source.state at a time, replacing or adding, and clears the alert when all are well', () => {
    panel.set([failing]);
    expect(el('source-alert').hidden).toBe(false);
    panel.update({ ...failing, state: 'ok', failures: 0, last_error: '' });
    expect(panel.sources()).toHaveLength(1);
    expect(el('source-alert').hidden).toBe(true);
    expect(el('sources-badge').textContent).toBe('(1)');
    panel.update(src());
    expect(panel.sources()).toHaveLength(2);
  });

  it('says when the list cannot be read', () => {
    panel.unavailable('GET /sources: HTTP 404');
    expect(el('sources').textContent).toBe('GET /sources: HTTP 404');
  });
});
