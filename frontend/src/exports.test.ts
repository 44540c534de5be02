// @vitest-environment happy-dom
import cytoscape from 'cytoscape';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Api } from './api';
import { startApi, type TestApi } from './apitest';
import { ExportMenu, dispositionName, fileStem } from './exports';
import { loadPage, snapA } from './testdata';

describe('export names', () => {
  it('builds file stems from the network name and snapshot id', () => {
    const s = snapA();
    s.network.name = 'My home/2';
    s.snapshot_id = '12';
    expect(fileStem(s)).toBe('threadmap-My_home_2-12');
    expect(fileStem(null)).toBe('threadmap-mesh-view');
  });

  it('takes the server-given file name, never a path', () => {
    expect(dispositionName('attachment; filename="a.graphml"', 'x')).toBe('a.graphml');
    expect(dispositionName("attachment; filename*=UTF-8''..%2Fevil.json", 'x')).toBe('.._evil.json');
    expect(dispositionName('', 'fallback.zip')).toBe('fallback.zip');
  });
});

describe('ExportMenu', () => {
  let srv: TestApi;
  beforeEach(async () => {
    loadPage();
    srv = await startApi({ 'GET /snapshots/12/export': { status: 404, body: { error: { code: 'not_found', message: 'snapshot 12 not found' } } } });
  });
  afterEach(() => srv.close());

  it('says why an export failed in the status line', async () => {
    const s = snapA();
    s.snapshot_id = '12';
    const m = new ExportMenu(new Api(srv.base), cytoscape({ headless: true }), () => s);
    m.update(s);
    expect((document.getElementById('export-json') as HTMLButtonElement).disabled).toBe(false);
    await m.exportSnapshot('json');
    expect(srv.seen[0].url).toBe('/api/v1/snapshots/12/export?format=json');
    expect(document.getElementById('status')!.textContent).toBe('Export json of snapshot #12 failed: snapshot 12 not found');
    delete s.snapshot_id;
    m.update(s);
    expect((document.getElementById('export-json') as HTMLButtonElement).disabled).toBe(true);
  });
});
