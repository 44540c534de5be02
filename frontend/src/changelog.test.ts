// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Api } from './api';
import { startApi, type TestApi } from './apitest';
import { CHANGE_PAGE, ChangeLog, changeLine, changeText } from './changelog';
import { loadPage } from './testdata';
import type { ChangeEvent } from './types';

const names: Record<string, string> = { aa: 'Kitchen plug', r1: 'Hall', r2: 'Office' };
const name = (id: string) => names[id] ?? id;
const change = (over: Partial<ChangeEvent>): ChangeEvent => ({
  at: '2026-12-05T10:00:00Z',
  snapshot_id: '7',
  prev_snapshot_id: '6',
  kind: 'parent-changed',
  node: 'aa',
  from: 'r1',
  to: 'r2',
  link: null,
  detail: '',
  ...over,
});

describe('change log lines', () => {
  it('says each kind in words, naming devices by the names users know', () => {
    const link = { kind: 'router' as const, a: 'r1', b: 'r2' };
    expect(
      [
        change({}),
        change({ kind: 'role-changed', from: 'child', to: 'router' }),
        change({ kind: 'rloc16-changed', from: '0x0401', to: '0x0801' }),
        change({ kind: 'node-appeared', from: null, to: null }),
        change({ kind: 'node-disappeared', from: null, to: null, detail: 'last seen 09:58' }),
        change({ kind: 'lq-dropped', node: '', link, from: '3', to: '1' }),
        change({ kind: 'router-link-removed', node: '', link, from: null, to: null }),
        change({ kind: 'parent-changed', to: null }),
        change({ kind: 'something-new', from: null, to: null }),
      ].map((c) => changeText(c, name)),
    ).toEqual([
      'Kitchen plug: parent Hall → Office',
      'Kitchen plug: role child → router',
      'Kitchen plug: RLOC16 0x0401 → 0x0801',
      'Kitchen plug joined',
      'Kitchen plug left (last seen 09:58)',
      'Hall – Office: link quality dropped 3 → 1',
      'router link Hall – Office removed',
      'Kitchen plug: parent Hall → none',
      'something-new Kitchen plug',
    ]);
  });

  it('makes a line that selects the device, or a router link\'s first end', () => {
    expect(changeLine(change({}), name)).toContain('data-select="aa"');
    const line = changeLine(change({ kind: 'router-link-added', node: '', link: { kind: 'router', a: 'r1', b: 'r2' } }), name);
    expect(line).toContain('data-select="r1"');
    expect(changeLine(change({ node: '', detail: '<script>' }), name)).not.toContain('<script>');
  });
});

describe('ChangeLog', () => {
  let srv: TestApi;
  beforeEach(async () => {
    loadPage();
    srv = await startApi();
  });
  afterEach(async () => srv.close());
  const el = (id: string) => document.getElementById(id)!;

  it('loads the newest page, then older ones, and says when nothing is recorded', async () => {
    srv.routes.set('GET /changes', (req) =>
      req.url.includes('cursor=c2')
        ? { status: 200, body: { changes: [change({ snapshot_id: '5', kind: 'node-appeared' })], next_cursor: '' } }
        : { status: 200, body: { changes: [change({})], next_cursor: 'c2' } },
    );
    const log = new ChangeLog(new Api(srv.base), name);
    await log.load('net1');
    expect(srv.seen[0].url).toBe(`/api/v1/changes?network=net1&limit=${CHANGE_PAGE}`);
    expect(el('changelog').textContent).toContain('Kitchen plug: parent Hall → Office');
    expect(el('changelog-badge').textContent).toBe('(1+)');
    expect(el('changelog-more').hidden).toBe(false);
    await log.loadMore();
    expect(el('changelog').querySelectorAll('li.change')).toHaveLength(2);
    expect(el('changelog-badge').textContent).toBe('(2)');
    expect(el('changelog-more').hidden).toBe(true);

    srv.routes.set('GET /changes', { status: 200, body: { changes: null, next_cursor: '' } });
    await log.load('net2');
    expect(el('changelog').textContent).toContain('No changes recorded yet');
  });

  it('shows why the log cannot be loaded', async () => {
    srv.routes.set('GET /changes', { status: 500, body: { error: { code: 'storage', message: 'store unavailable' } } });
    const log = new ChangeLog(new Api(srv.base), name);
    await log.load('net1');
    expect(el('changelog').textContent).toContain('Cannot load the change log');
    expect(el('changelog').textContent).toContain('store unavailable');
  });
});
