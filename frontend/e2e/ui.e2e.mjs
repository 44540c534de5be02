// Browser end-to-end tests: Debian's Chromium (playwright-core) against a
// real `threadmap serve --demo` on a free loopback port with a temp --db.
// Run by scripts/e2e (`make e2e`), which builds the UI and the binary first
// and passes the binary in THREADMAP_BIN. Screenshots: test-results/e2e/.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, launch, onlyLoopback } from './lib.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = join(root, 'test-results', 'e2e');
const BIN = process.env.THREADMAP_BIN;
const SCHEMA = 'threadmap.topology/v1';

let server; // { proc, base, tmp, log }
let browser;
let page;
let outside;
const pageErrors = [];

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

async function api(path) {
  const res = await fetch(server.base + path);
  const body = await res.text();
  assert.ok(res.ok, `GET ${path}: HTTP ${res.status}: ${body.slice(0, 300)}`);
  return JSON.parse(body);
}

/** Polls fn until it returns a truthy value or the deadline passes. */
async function until(what, fn, timeoutMs = 60000, everyMs = 250) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})\nserver log:\n${server.log.slice(-3000)}`);
}

async function startServer(extra = [], interval = '2s') {
  return startServe(['--demo', ...(interval ? ['--interval', interval] : []), '--demo-mutate', '1s', ...extra]);
}

/** Starts `threadmap serve --no-discovery` with args on a free port (or `at.port`) with a temp --db (or `at.tmp`'s). */
async function startServe(args, at = {}) {
  assert.ok(BIN, 'THREADMAP_BIN must name the threadmap binary (scripts/e2e builds it)');
  const port = at.port ?? (await freePort());
  const tmp = at.tmp ?? mkdtempSync(join(tmpdir(), 'threadmap-e2e-'));
  const all = ['serve', '--no-discovery', '--listen', `127.0.0.1:${port}`, '--db', join(tmp, 'e2e.db'), ...args];
  const proc = spawn(BIN, all, { stdio: ['ignore', 'pipe', 'pipe'] });
  const s = { proc, base: `http://127.0.0.1:${port}`, tmp, port, args, log: '' };
  proc.stdout.on('data', (d) => (s.log += d));
  proc.stderr.on('data', (d) => (s.log += d));
  proc.on('exit', (code, sig) => (s.log += `\n[threadmap exited: code ${code} signal ${sig}]\n`));
  return s;
}

/** Ends a server by its PID (SIGKILL when `kill`, else SIGTERM then SIGKILL after 5 s); keeps its --db when `keep`. */
async function stopServer(s, { kill = false, keep = false } = {}) {
  if (!s) return;
  if (s.proc.exitCode === null && s.proc.signalCode === null) {
    const gone = new Promise((r) => s.proc.once('exit', r));
    process.kill(s.proc.pid, kill ? 'SIGKILL' : 'SIGTERM');
    const t = setTimeout(() => {
      if (s.proc.exitCode === null) process.kill(s.proc.pid, 'SIGKILL');
    }, 5000);
    await gone;
    clearTimeout(t);
  }
  if (!keep) rmSync(s.tmp, { recursive: true, force: true });
}

/** Waits for a page to have drawn a snapshot. */
async function ready(p, timeout = 60000) {
  await p.waitForFunction(() => window.__threadmap?.ready === true && window.__threadmap.state().snapshot !== '', null, { timeout });
}

/** Text of a PDF (pdf.js), pages joined. */
async function pdfText(buf) {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await getDocument({ data: new Uint8Array(buf), useSystemFonts: false, isEvalSupported: false }).promise;
  const out = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    out.push((await page.getTextContent()).items.map((x) => x.str).join(' '));
  }
  return { pages: doc.numPages, text: out.join('\n') };
}

async function shot(p, name) {
  await p.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** The graph's real (non-ghost) nodes and edges as drawn. */
function drawn(p) {
  return p.evaluate(() => {
    const cy = window.__threadmap.cy;
    return {
      nodes: cy.nodes().filter((n) => !n.hasClass('ghost')).map((n) => n.id()).sort(),
      edges: cy.edges().filter((e) => !e.hasClass('ghost')).length,
      attr: Number(document.getElementById('graph').dataset.nodeCount),
      snapshot: window.__threadmap.state().snapshot,
    };
  });
}

async function positions(p) {
  return p.evaluate(() => Object.fromEntries(window.__threadmap.cy.nodes().filter((n) => !n.hasClass('ghost')).map((n) => [n.id(), n.position()])));
}

/** Parent of every node of a stored snapshot (parent field, else its child link). */
async function parentsOf(id) {
  const snap = await api(`/api/v1/snapshots/${id}`);
  const m = new Map();
  for (const l of snap.links) if (l.kind === 'child' && !m.has(l.b)) m.set(l.b, l.a);
  for (const n of snap.nodes) if (n.parent) m.set(n.id, n.parent);
  return m;
}

/**
 * Positions between two drawn snapshots: a node whose parent did not change
 * stays where it was (within tol, rounding of stored positions); one that
 * changed parent now sits near its new parent.
 */
async function checkStable(fromId, toId, pos0, pos1, tol) {
  const [p0, p1] = await Promise.all([parentsOf(fromId), parentsOf(toId)]);
  let same = 0;
  for (const [id, p] of Object.entries(pos1)) {
    if (!pos0[id]) continue;
    const moved = p0.has(id) && p1.has(id) && p0.get(id) !== p1.get(id);
    if (moved) {
      const par = pos1[p1.get(id)];
      if (par) assert.ok(Math.hypot(p.x - par.x, p.y - par.y) < 300, `re-parented ${id} sits near its new parent`);
      continue;
    }
    same++;
    assert.ok(Math.abs(p.x - pos0[id].x) <= tol && Math.abs(p.y - pos0[id].y) <= tol, `node ${id} kept its position: ${JSON.stringify(p)} vs ${JSON.stringify(pos0[id])}`);
  }
  assert.ok(same > 0, 'some nodes are in both snapshots');
}

/** The demo mesh's network key (not the imported sample's). */
async function demoNetwork() {
  return (await api('/api/v1/networks')).networks.find((n) => n.ext_pan_id !== 'dead00beef00cafe').key;
}

async function openPage(viewport, colorScheme = 'light', path = '/') {
  const p = await browser.context.newPage();
  await p.setViewportSize(viewport);
  await p.emulateMedia({ colorScheme });
  p.on('pageerror', (e) => pageErrors.push(String(e)));
  await p.goto(server.base + path);
  await p.waitForFunction(() => window.__threadmap?.ready === true && window.__threadmap.state().snapshot !== '', null, { timeout: 60000 });
  return p;
}

describe('threadmap UI against serve --demo', { concurrency: false }, () => {
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer();
    await until('the API', async () => (await api('/api/v1/info')).schema === SCHEMA);
    await until('a first snapshot', async () => (await api('/api/v1/networks')).networks?.some((n) => n.latest_snapshot_id));
    browser = await launch({ width: 1280, height: 800 });
    outside = await onlyLoopback(browser.context, server.base);
    page = await openPage({ width: 1280, height: 800 });
  });

  after(async () => {
    await browser?.close();
    await stopServer(server);
  });

it('serves the UI and draws as many nodes as the API has', async () => {
    await shot(page, '01-overview');
    const d = await drawn(page);
    const snap = await api(`/api/v1/snapshots/${d.snapshot}`);
    assert.equal(snap.schema, SCHEMA);
    assert.ok(snap.nodes.length > 0, 'the demo snapshot has nodes');
    assert.deepEqual(d.nodes, snap.nodes.map((n) => n.id).sort());
    assert.equal(d.attr, snap.nodes.length);
    const ids = new Set(snap.nodes.map((n) => n.id));
    const drawable = new Set(snap.links.filter((l) => ids.has(l.a) && ids.has(l.b) && l.a !== l.b).map((l) => `${l.kind}:${[l.a, l.b].join('|')}`));
    assert.equal(d.edges, drawable.size);
    const latest = await api('/api/v1/topology/latest');
    assert.ok(Number(latest.snapshot_id) >= Number(d.snapshot));
  });

  it('updates live (SSE) without a reload and keeps positions stable', async () => {
    const before = await drawn(page);
    const pos0 = await positions(page);
    await page.evaluate(() => (window.__marker = 'same page'));
    await page.waitForFunction((s) => window.__threadmap.state().snapshot !== s && window.__threadmap.ready, before.snapshot, { timeout: 60000 });
    assert.equal(await page.evaluate(() => window.__marker), 'same page', 'no reload happened');
    const after = await drawn(page);
    const pos1 = await positions(page);
    await checkStable(before.snapshot, after.snapshot, pos0, pos1, 0);
  });

  it('keeps positions across a reload', async () => {
    const before = await drawn(page);
    const pos0 = await positions(page);
    await sleep(600); // positions are saved 300 ms after a change
    await page.reload();
    await page.waitForFunction(() => window.__threadmap?.ready === true && window.__threadmap.state().snapshot !== '', null, { timeout: 60000 });
    const after = await drawn(page);
    const pos1 = await positions(page);
    await checkStable(before.snapshot, after.snapshot, pos0, pos1, 1);
  });

  it('scans on demand with live progress, then shows the new snapshot and its Last scan report', async () => {
    // Record what the scan box and button show while the scan runs.
    await page.evaluate(() => {
      window.__scanSeen = [];
      const box = document.getElementById('scan-status');
      const btn = document.getElementById('scan');
      const note = () => window.__scanSeen.push({ text: box.hidden ? '' : box.textContent, disabled: btn.getAttribute('aria-disabled') === 'true', label: btn.textContent });
      new MutationObserver(note).observe(box, { childList: true, characterData: true, subtree: true, attributes: true });
      new MutationObserver(note).observe(btn, { attributes: true, childList: true, subtree: true });
    });
    const before = (await drawn(page)).snapshot;
    let started;
    // Scheduled scans run every 2 s in this demo: a click may meet one (409), then try again.
    for (let i = 0; i < 20 && !started; i++) {
      await page.waitForFunction(() => document.getElementById('scan').getAttribute('aria-disabled') !== 'true', null, { timeout: 30000 });
      const answer = page.waitForResponse((r) => r.url().includes('/api/v1/scan') && r.request().method() === 'POST', { timeout: 15000 });
      await page.focus('#scan');
      await page.keyboard.press('Enter'); // keyboard reachable
      const res = await answer;
      if (res.status() === 202) started = await res.json();
      else {
        assert.equal(res.status(), 409, `POST /api/v1/scan: HTTP ${res.status()}`);
        await page.waitForFunction(() => /already running/.test(document.getElementById('scan-status').textContent), null, { timeout: 5000 });
        await sleep(300);
      }
    }
    assert.ok(started?.scan_id, 'a manual scan started');
    const done = await until('the manual scan to finish', async () => {
      const s = (await api('/api/v1/scan')).scans.find((x) => x.scan_id === started.scan_id);
      return s && s.state !== 'running' && s.state !== 'queued' ? s : null;
    });
    assert.equal(done.trigger, 'manual');
    assert.ok(done.snapshot_id, `the scan stored a snapshot: ${JSON.stringify(done)}`);
    await page.waitForFunction((id) => window.__threadmap.ready && Number(window.__threadmap.state().snapshot) >= Number(id), done.snapshot_id, { timeout: 30000 });
    assert.ok(Number((await drawn(page)).snapshot) > Number(before));
    const seen = await page.evaluate(() => window.__scanSeen);
    assert.ok(seen.some((x) => x.disabled), `the button was disabled while scanning: ${JSON.stringify(seen)}`);
    assert.ok(seen.some((x) => /^(starting a scan|scan queued|scanning…)/.test(x.text)), `progress shown: ${JSON.stringify(seen)}`);
    assert.ok(seen.some((x) => /^scan done: snapshot #\d+$/.test(x.text)), `finish shown: ${JSON.stringify(seen)}`);
    await page.waitForFunction(() => document.getElementById('scan').getAttribute('aria-disabled') !== 'true', null, { timeout: 30000 });

    // Last scan: the shown snapshot's scan.sources, one row per source.
    const shown = (await drawn(page)).snapshot;
    const snap = await api(`/api/v1/snapshots/${shown}`);
    const want = [...new Set(snap.scan.sources.map((r) => r.name))].sort();
    for (const name of ['tmf', 'otbr', 'matter']) assert.ok(want.includes(name), `the demo reports source ${name}: ${want}`);
    await page.waitForFunction((id) => (document.getElementById('last-scan').textContent ?? '').includes(`snapshot #${id}`), shown, { timeout: 10000 });
    const rows = await page.evaluate(() => [...document.querySelectorAll('#last-scan tr.scan-row')].map((r) => ({ name: r.dataset.source, cells: [...r.querySelectorAll('td')].map((c) => c.textContent) })));
    assert.deepEqual([...new Set(rows.map((r) => r.name))].sort(), want);
    const tmf = snap.scan.sources.filter((r) => r.name === 'tmf').sort((a, b) => (a.target ?? '').localeCompare(b.target ?? ''))[0];
    const tmfRow = rows.find((r) => r.name === 'tmf');
    assert.equal(tmfRow.cells[0], `${tmf.answered}/${tmf.queried}`);
    await page.evaluate(() => document.getElementById('scan-box').scrollIntoView());
    await shot(page, '09-scan-last-scan');
  });

  it('shows a diff when the history slider moves', async () => {
    // Three snapshots, so that one step back still has a predecessor to diff against.
    await page.waitForFunction(() => window.__threadmap.state().history >= 3, null, { timeout: 90000 });
    // Newest first (End), then one step back (ArrowLeft): that pauses live updates.
    await page.focus('#slider');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page
      .waitForFunction(
        () => {
          const st = window.__threadmap.state();
          const sl = document.getElementById('slider');
          const d = document.getElementById('diff');
          return (
            window.__threadmap.ready &&
            !st.live &&
            st.index >= 1 &&
            st.index === Number(sl.value) &&
            st.index < st.history - 1 &&
            ((d.dataset.count ?? '') !== '' || /unavailable/.test(d.textContent))
          );
        },
        null,
        { timeout: 15000 },
      )
      .catch(async (e) => {
        const dbg = await page.evaluate(() => ({
          state: window.__threadmap.state(),
          ready: window.__threadmap.ready,
          label: document.getElementById('slider-label').textContent,
          slider: [document.getElementById('slider').value, document.getElementById('slider').max],
          diff: document.getElementById('diff').textContent,
        }));
        await shot(page, 'failed-history');
        throw new Error(`${e.message}\n${JSON.stringify(dbg)}`);
      });
    const st = await page.evaluate(() => window.__threadmap.state());
    assert.equal(st.live, false, 'moving back in history pauses live updates');
    const hist = (await api(`/api/v1/snapshots?network=${encodeURIComponent(st.network)}&limit=500`)).snapshots.sort((a, b) => a.taken_at.localeCompare(b.taken_at) || Number(a.id) - Number(b.id));
    const i = hist.findIndex((h) => h.id === st.snapshot);
    assert.ok(i > 0, `snapshot ${st.snapshot} has a predecessor`);
    const diff = await api(`/api/v1/diff?from=${hist[i - 1].id}&to=${st.snapshot}`);
    const n = ['nodes_added', 'nodes_removed', 'rloc16_changed', 'role_changed', 'parent_changed', 'links_added', 'links_removed', 'links_changed', 'border_routers_added', 'border_routers_removed'].reduce((a, k) => a + (diff[k]?.length ?? 0), 0);
    const shown = await page.evaluate(() => ({
      count: Number(document.getElementById('diff').dataset.count),
      lines: document.querySelectorAll('#diff-list li').length,
      text: document.getElementById('diff').textContent,
      marked: window.__threadmap.cy.elements('.diff-added, .diff-removed, .diff-role, .diff-parent, .diff-rloc, .diff-lq-up, .diff-lq-down, .diff-changed').length,
    }));
    assert.equal(shown.count, n, `diff panel: ${shown.text}`);
    assert.equal(shown.lines, n);
    assert.match(shown.text, new RegExp(`From #${hist[i - 1].id} to #${st.snapshot}`));
    if (n > 0) assert.ok(shown.marked > 0, 'changes are highlighted on the graph');
    await shot(page, '04-history-diff');
    // Live stays paused from here on, so the page holds still for the next tests.
  });

  it('opens the details of a clicked node', async () => {
    const target = await page.evaluate(() => {
      const cy = window.__threadmap.cy;
      cy.fit(undefined, 40);
      const n = cy.nodes('.role-leader, .role-router').filter((x) => !x.hasClass('ghost'))[0] ?? cy.nodes()[0];
      const box = document.getElementById('graph').getBoundingClientRect();
      const p = n.renderedPosition();
      return { id: n.id(), x: box.left + p.x, y: box.top + p.y };
    });
    await page.mouse.click(target.x, target.y);
    await page.waitForSelector(`#details h2[data-node="${target.id}"]`, { timeout: 5000 });
    const text = await page.textContent('#details');
    const snap = await api(`/api/v1/snapshots/${(await drawn(page)).snapshot}`);
    const node = snap.nodes.find((n) => n.id === target.id);
    assert.ok(node, `clicked node ${target.id} is in the snapshot`);
    if (node.rloc16) assert.match(text, new RegExp(node.rloc16));
    if (node.ext_addr) assert.match(text, new RegExp(node.ext_addr));
    assert.match(text, /Role/);
    await shot(page, '02-details');
  });

  it('shows the ext address of a node and LQ in/out of a link on hover', async () => {
    const t = await page.evaluate(() => {
      const cy = window.__threadmap.cy;
      cy.fit(undefined, 40);
      const box = document.getElementById('graph').getBoundingClientRect();
      const n = cy.nodes().filter((x) => !x.hasClass('ghost') && x.data('ext'))[0];
      const e = cy.edges('.router-link').filter((x) => !x.hasClass('ghost'))[0];
      const np = n.renderedPosition();
      const ep = e.renderedMidpoint();
      return { ext: n.data('ext'), nx: box.left + np.x, ny: box.top + np.y, ex: box.left + ep.x, ey: box.top + ep.y, hasEdge: !!e };
    });
    await page.mouse.move(5, 5);
    await page.mouse.move(t.nx, t.ny, { steps: 5 });
    await page.waitForFunction(() => !document.getElementById('tip').hidden, null, { timeout: 5000 });
    assert.match(await page.textContent('#tip'), new RegExp(`ext ${t.ext}`));
    await page.mouse.move(5, 5);
    if (t.hasEdge) {
      await page.mouse.move(t.ex, t.ey, { steps: 5 });
      await page.waitForFunction(() => !document.getElementById('tip').hidden && /LQ in/.test(document.getElementById('tip').textContent), null, { timeout: 5000 });
      assert.match(await page.textContent('#tip'), /LQ in \d \/ out \d/);
      await shot(page, '03-hover-link');
      await page.mouse.move(5, 5);
    }
  });

  it('lists the border routers with vendor and TXT state', async () => {
    const st = await page.evaluate(() => window.__threadmap.state());
    const brs = (await api(`/api/v1/border-routers?network=${encodeURIComponent(st.network)}`)).border_routers ?? [];
    await page.evaluate(() => (document.getElementById('br-box').open = true));
    const items = await page.locator('#border-routers > li').allTextContents();
    assert.equal(items.length, Math.max(1, brs.length));
    for (const b of brs) {
      const text = items.join('\n');
      if (b.vendor) assert.ok(text.includes(b.vendor), `vendor ${b.vendor} listed`);
      for (const [k, v] of Object.entries(b.state ?? {})) assert.ok(text.includes(`${k}: ${v}`), `TXT state ${k}=${v} listed`);
    }
    await page.evaluate(() => (document.getElementById('br-box').open = false));
  });

  it('lists the network data with its publishers, and a publisher button opens that node with a Publishes line', async () => {
    const snap = await api(`/api/v1/snapshots/${(await drawn(page)).snapshot}`);
    const nd = snap.network.network_data;
    await page.evaluate(() => (document.getElementById('netdata-box').open = true));
    const text = await page.textContent('#network-data');
    // The demo mesh's TMF diagnostics carry Network Data (a border router's OMR prefix).
    assert.ok(nd && (nd.prefixes ?? []).length, 'the demo snapshot carries network_data with a prefix');
    {
      const entries = [
        ...(nd.prefixes ?? []).flatMap((p) => [...(p.border_routers ?? []), ...(p.routes ?? [])].map((e) => ({ what: p.prefix, node: e.node }))),
        ...(nd.services ?? []).flatMap((v) => (v.servers ?? []).map((e) => ({ what: '', node: e.node }))),
      ];
      assert.equal(await page.locator('#network-data li.nd-row').count(), entries.length);
      for (const e of entries) if (e.what) assert.ok(text.includes(e.what), `${e.what} listed`);
      const pub = entries.find((e) => snap.nodes.some((n) => n.id === e.node));
      if (pub) {
        await page.click(`#network-data button[data-select="${pub.node}"] >> nth=0`);
        await page.waitForSelector(`#details h2[data-node="${pub.node}"]`, { timeout: 5000 });
        const sel = await page.evaluate(() => window.__threadmap.cy.nodes(':selected').map((x) => x.id()));
        assert.deepEqual(sel, [pub.node]);
        const details = await page.textContent('#details');
        assert.match(details, /Publishes/);
        if (pub.what) assert.ok(details.includes(pub.what), `details of ${pub.node} name ${pub.what}`);
      }
      assert.ok(pub, 'some network data entry names a node of the map');
    }
    await shot(page, '03-network-data');
    await page.evaluate(() => document.querySelector('#details h2')?.scrollIntoView({ block: 'start' }));
    await shot(page, '03-network-data-details');
    await page.evaluate(() => (document.getElementById('netdata-box').open = false));
  });

  it('finds a node by RLOC16 and opens it with Enter', async () => {
    const snap = await api(`/api/v1/snapshots/${(await drawn(page)).snapshot}`);
    const n = snap.nodes.find((x) => x.rloc16 && !['leader', 'router'].includes(x.role)) ?? snap.nodes.find((x) => x.rloc16);
    await page.fill('#search', n.rloc16);
    await page.press('#search', 'Enter');
    await page.waitForSelector(`#details h2[data-node="${n.id}"]`, { timeout: 5000 });
    const hl = await page.evaluate(() => window.__threadmap.cy.nodes('.hl').map((x) => x.id()));
    assert.ok(hl.includes(n.id));
    await shot(page, '03-search');
    await page.fill('#search', '');
    await page.press('#search', 'Escape');
  });

  it('lists health insights and highlights what they name', async () => {
    const st = await page.evaluate(() => window.__threadmap.state());
    const ins = (await api(`/api/v1/insights?network=${encodeURIComponent(st.network)}&snapshot=${st.snapshot}`)).insights ?? [];
    await page.waitForFunction(() => window.__threadmap.ready);
    const items = await page.locator('#insights li.insight').count();
    assert.equal(items, ins.length);
    const named = ins.findIndex((x) => (x.nodes?.length ?? 0) + (x.links?.length ?? 0) > 0);
    if (named >= 0) {
      const sorted = await page.locator('#insights li.insight button').allTextContents();
      const idx = sorted.indexOf(ins[named].message);
      await page.locator('#insights li.insight button').nth(idx).click();
      const hl = await page.evaluate(() => window.__threadmap.cy.elements('.hl').length);
      assert.ok(hl > 0, 'the insight highlights nodes or links');
      await shot(page, '05-insight');
      await page.locator('#insights li.insight button').nth(idx).click();
    }
  });

  it('exports the snapshot as JSON, GraphML, DOT and CSV, and the view as PNG and SVG', async () => {
    const st = await page.evaluate(() => window.__threadmap.state());
    const snap = await api(`/api/v1/snapshots/${st.snapshot}`);
    const grab = async (sel) => {
      await page.evaluate(() => (document.getElementById('export-menu').open = true));
      const failed = page
        .waitForFunction(() => /Export .* failed/.test(document.getElementById('status').textContent), null, { timeout: 15000 })
        .then(async () => {
          throw new Error(`${sel}: ${await page.textContent('#status')}`);
        });
      failed.catch(() => {});
      const [dl] = await Promise.race([Promise.all([page.waitForEvent('download', { timeout: 15000 }), page.click(sel)]), failed]);
      const path = join(SHOTS, `export-${dl.suggestedFilename()}`);
      await dl.saveAs(path);
      return { name: dl.suggestedFilename(), data: readFileSync(path) };
    };
    const json = await grab('#export-json');
    const parsed = JSON.parse(json.data.toString('utf8'));
    assert.equal(parsed.schema, SCHEMA);
    assert.equal(parsed.nodes.length, snap.nodes.length);
    const graphml = (await grab('#export-graphml')).data.toString('utf8');
    assert.match(graphml, /<graphml[\s>]/);
    assert.equal((graphml.match(/<node[\s>]/g) ?? []).length, snap.nodes.length);
    const dot = (await grab('#export-dot')).data.toString('utf8');
    assert.match(dot, /^\s*(strict\s+)?(di)?graph\b/);
    const csv = (await grab('#export-csv')).data;
    assert.equal(csv.subarray(0, 4).toString('binary'), 'PK\x03\x04', 'CSV export is a zip');
    const png = await grab('#export-png');
    assert.equal(png.data.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
    assert.match(png.name, /\.png$/);
    const svg = await grab('#export-svg');
    const svgText = svg.data.toString('utf8');
    assert.match(svgText, /<svg[\s>]/);
    assert.match(svgText, /<\/svg>\s*$/);
  });

  it('filters by role and weak links', async () => {
    await page.evaluate(() => (document.getElementById('filters-box').open = true));
    await page.check('#role-filter input[data-role="router"]');
    const shown = await page.evaluate(() => window.__threadmap.cy.nodes().filter((n) => !n.hasClass('filtered') && !n.hasClass('ghost')).map((n) => n.data('role')));
    assert.ok(shown.length > 0 && shown.every((r) => r === 'router'), JSON.stringify(shown));
    await page.click('#clear-filters');
    const all = await page.evaluate(() => window.__threadmap.cy.nodes('.filtered').length);
    assert.equal(all, 0);
  });

  it('is keyboard reachable', async () => {
    await page.keyboard.press('Escape');
    await page.evaluate(() => document.activeElement?.blur());
    const want = ['search', 'scan', 'fit', 'relayout', 'panel-toggle', 'slider', 'compare', 'live'];
    if (!(await page.evaluate(() => document.getElementById('network').disabled))) want.push('network');
    const seen = new Set();
    for (let i = 0; i < 400 && !want.every((id) => seen.has(id)); i++) {
      await page.keyboard.press('Tab');
      seen.add(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName));
    }
    for (const id of want) assert.ok(seen.has(id), `#${id} reachable with Tab (saw ${[...seen].join(', ')})`);
    // The export menu opens from the keyboard too.
    await page.focus('#export-menu > summary');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.getElementById('export-menu').open), true);
    await page.keyboard.press('Escape');
    assert.equal(await page.evaluate(() => document.getElementById('export-menu').open), false);
  });

  it('switches networks with the picker when there are several', async () => {
    // A second network, through the real import endpoint (loopback needs no token).
    const body = readFileSync(join(root, 'frontend', 'testdata', 'snapshot-a.json'));
    const res = await fetch(`${server.base}/api/v1/import`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    const text = await res.text();
    assert.equal(res.status, 201, text);
    const { snapshot_id: id } = JSON.parse(text);
    const nets = (await api('/api/v1/networks')).networks;
    assert.ok(nets.length >= 2);
    const other = nets.find((n) => n.latest_snapshot_id === String(id) || n.key === 'dead00beef00cafe');
    // The picker learns of the new network from the snapshot.new event.
    await page.waitForFunction((k) => [...document.querySelectorAll('#network option')].some((o) => o.value === k), other.key, { timeout: 15000 });
    assert.equal(await page.evaluate(() => document.getElementById('network').disabled), false);
    await page.selectOption('#network', other.key);
    await page.waitForFunction((k) => window.__threadmap.state().network === k && window.__threadmap.ready && window.__threadmap.state().snapshot !== '', other.key, { timeout: 15000 });
    const d = await drawn(page);
    const snap = await api(`/api/v1/snapshots/${d.snapshot}`);
    assert.deepEqual(d.nodes, snap.nodes.map((n) => n.id).sort());
    assert.equal(snap.network.ext_pan_id, 'dead00beef00cafe');
    await shot(page, '08-second-network');
    // The imported mesh has a node only inferred from its parent's tables: it wears the "?" badge, the legend says so.
    const inferred = snap.nodes.filter((n) => n.flags?.includes('inferred') || n.status === 'not-queried').map((n) => n.id).sort();
    assert.ok(inferred.length > 0, 'the sample has an inferred node');
    assert.deepEqual(await page.evaluate(() => window.__threadmap.cy.nodes('.badge-inferred').map((n) => n.id()).sort()), inferred);
    assert.match(await page.evaluate(() => document.getElementById('legend').textContent), /Inferred \/ not queried.*Timed out|Timed out.*Inferred \/ not queried/s);
    await page.evaluate((id) => {
      const cy = window.__threadmap.cy;
      cy.zoom({ level: 2.5, position: cy.getElementById(id).position() });
    }, inferred[0]);
    await shot(page, '10-inferred-badge');
  });

  it('works on a phone-sized screen in the dark theme', async () => {
    const phone = await openPage({ width: 390, height: 844 }, 'dark');
    const m = await phone.evaluate(() => ({
      overflow: document.scrollingElement.scrollWidth - window.innerWidth,
      graph: document.getElementById('graph').getBoundingClientRect(),
      bg: getComputedStyle(document.body).backgroundColor,
      nodes: Number(document.getElementById('graph').dataset.nodeCount),
    }));
    assert.ok(m.overflow <= 0, `no horizontal scrolling (${m.overflow}px)`);
    assert.ok(m.graph.width >= 300 && m.graph.height >= 240, JSON.stringify(m.graph));
    assert.equal(m.bg, 'rgb(14, 17, 22)', 'dark theme follows prefers-color-scheme');
    assert.ok(m.nodes > 0);
    await shot(phone, '06-phone-dark');
    await phone.click('#panel-toggle');
    await shot(phone, '07-phone-panel');
    await phone.close();
  });

  it('keeps a parent change in the change log across later scans, and shows the device\'s timeline', async () => {
    // The demo re-attaches a child every other second (--demo-mutate 1s): the log must name one, and keep it.
    const p = await openPage({ width: 1280, height: 800 }, 'light', `/?network=${await demoNetwork()}`);
    await p.evaluate(() => (document.getElementById('changelog-box').open = true));
    const first = await p
      .waitForFunction(() => {
        const li = document.querySelector('#changelog li[data-kind="parent-changed"]');
        return li ? { text: li.textContent, snapshot: li.dataset.snapshot } : null;
      }, null, { timeout: 60000 })
      .then((h) => h.jsonValue());
    assert.match(first.text, /parent .+ → .+/);
    await p.evaluate(() => document.getElementById('changelog-box').scrollIntoView());
    await shot(p, '21-change-log');
    const st0 = await p.evaluate(() => Number(window.__threadmap.state().snapshot));
    await p.waitForFunction((s0) => Number(window.__threadmap.state().snapshot) >= s0 + 2, st0, { timeout: 60000 });
    await p.waitForFunction((snap) => [...document.querySelectorAll('#changelog li[data-kind="parent-changed"]')].some((li) => li.dataset.snapshot === snap), first.snapshot, { timeout: 15000 });
    const api1 = await api(`/api/v1/changes?network=${encodeURIComponent(await p.evaluate(() => window.__threadmap.state().network))}&limit=200`);
    assert.ok(api1.changes.some((c) => c.kind === 'parent-changed' && c.snapshot_id === first.snapshot), 'the API still lists it');
    // The line opens the device, whose timeline names the parent change.
    await p.click(`#changelog li[data-kind="parent-changed"][data-snapshot="${first.snapshot}"] button`);
    await p.waitForSelector('#timeline h3', { timeout: 15000 });
    assert.match(await p.textContent('#timeline'), /parent .+ → /);
    await p.evaluate(() => document.getElementById('timeline').scrollIntoView());
    await shot(p, '22-timeline');
    await p.close();
  });

  it('keeps a chosen baseline (URL and localStorage) and diffs live snapshots against it', async () => {
    const p = await openPage({ width: 1280, height: 800 }, 'light', `/?network=${await demoNetwork()}`);
    const hist = await p.evaluate(() => window.__threadmap.state().history);
    assert.ok(hist >= 2);
    const base = await p.evaluate(() => [...document.querySelectorAll('#compare option')].map((o) => o.value).filter((v) => /^\d+$/.test(v)).at(-1));
    await p.selectOption('#compare', base);
    await p.waitForFunction((b) => new URL(location.href).searchParams.get('baseline') === b && document.getElementById('diff').textContent.includes(`From #${b} `), base, { timeout: 15000 });
    assert.equal(await p.evaluate((k) => localStorage.getItem(k), `threadmap.baseline.${await p.evaluate(() => window.__threadmap.state().network)}`), base);
    const s0 = Number(await p.evaluate(() => window.__threadmap.state().snapshot));
    await p.waitForFunction((x) => Number(window.__threadmap.state().snapshot) > x.s0 && document.getElementById('diff').textContent.includes(`From #${x.base} `), { s0, base }, { timeout: 30000 });
    assert.match(await p.textContent('#baseline-label'), new RegExp(`baseline #${base}`));
    await shot(p, '23-baseline');
    // A shared URL opens the same view: network, baseline and node.
    const node = await p.evaluate(() => window.__threadmap.cy.nodes('.role-router')[0].id());
    const net = await p.evaluate(() => window.__threadmap.state().network);
    const q = await browser.context.newPage();
    q.on('pageerror', (e) => pageErrors.push(String(e)));
    await q.goto(`${server.base}/?network=${net}&baseline=${base}&node=${node}`);
    await ready(q);
    await q.waitForSelector(`#details h2[data-node="${node}"]`, { timeout: 15000 });
    assert.equal(await q.evaluate(() => document.getElementById('compare').value), base);
    await q.close();
    await p.selectOption('#compare', 'prev');
    await p.close();
  });

  it('prints the installer report to PDF with map, legend and tables', async () => {
    const st = await page.evaluate(() => window.__threadmap.state());
    const href = await page.evaluate(() => document.getElementById('report-link').href);
    assert.match(href, new RegExp(`/api/v1/report\\?network=${st.network}&snapshot=\\d+`));
    const p = await browser.context.newPage();
    await p.goto(href);
    await p.emulateMedia({ media: 'print' });
    await shot(p, '24-report');
    const pdf = await p.pdf({ format: 'A4', printBackground: true });
    const { pages, text } = await pdfText(pdf);
    assert.ok(pages >= 1);
    for (const want of ['Map', 'Devices', 'Insights', 'Leader', 'Router', 'RLOC16']) assert.ok(text.includes(want), `the report PDF says ${want}: ${text.slice(0, 400)}`);
    assert.match(text, /Border router/i, 'legend entries are in the PDF');
    const snap = await api(`/api/v1/snapshots/${st.snapshot}`);
    const named = snap.nodes.find((n) => n.rloc16);
    assert.ok(text.includes(named.rloc16), `device table lists ${named.rloc16}`);
    await p.close();
  });

  it('exports PNG and SVG with title, network, time and legend', async () => {
    await page.evaluate(() => (document.getElementById('export-menu').open = true));
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }), page.click('#export-svg')]);
    const path = join(SHOTS, `framed-${dl.suggestedFilename()}`);
    await dl.saveAs(path);
    const svg = readFileSync(path, 'utf8');
    const st = await page.evaluate(() => window.__threadmap.state());
    const snap = await api(`/api/v1/snapshots/${st.snapshot}`);
    assert.match(svg, /threadmap — /);
    if (snap.network.name) assert.ok(svg.includes(snap.network.name), 'the network is named');
    assert.match(svg, />Legend</);
    assert.match(svg, /Router link, LQ 3/);
    assert.match(svg, new RegExp(`snapshot #${st.snapshot}`));
    await page.evaluate(() => (document.getElementById('export-menu').open = true));
    const [png] = await Promise.all([page.waitForEvent('download', { timeout: 15000 }), page.click('#export-png')]);
    const pngPath = join(SHOTS, `framed-${png.suggestedFilename()}`);
    await png.saveAs(pngPath);
    const bytes = readFileSync(pngPath);
    assert.equal(bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
    // Wider than the graph alone: the legend column is in the picture.
    assert.ok(bytes.readUInt32BE(16) > 600, `PNG width ${bytes.readUInt32BE(16)}`);
  });

  it('prints the app without the panel overlapping the graph', async () => {
    await page.emulateMedia({ media: 'print' });
    const r = await page.evaluate(() => ({ g: document.getElementById('graph-wrap').getBoundingClientRect().toJSON(), s: document.getElementById('side').getBoundingClientRect().toJSON() }));
    await page.emulateMedia({ media: 'screen' });
    assert.ok(r.s.top >= r.g.bottom - 1, `panel below the graph: ${JSON.stringify(r)}`);
  });

  it('made no requests beyond the server and threw no page errors', () => {
    assert.deepEqual(outside, []);
    assert.deepEqual(pageErrors, []);
  });
});

/** A demo server with a first snapshot and a page of br showing it (page errors go to errors). */
async function demoPage(br, errors) {
  const srv = await startServer([], '2s');
  server = srv;
  await until('the API', async () => (await api('/api/v1/info')).schema === SCHEMA);
  await until('a first snapshot', async () => (await api('/api/v1/networks')).networks?.some((n) => n.latest_snapshot_id));
  const p = await br.context.newPage();
  p.on('pageerror', (e) => errors.push(String(e)));
  await p.goto(srv.base + '/');
  await ready(p);
  return { srv, p };
}

describe('Honest states: an unreachable border router, a server that goes away', { concurrency: false }, () => {
  let br;
  const errors = [];
  before(async () => {
    br = await launch({ width: 1280, height: 800 });
  });
  after(async () => {
    await br?.close();
  });

  it('shows an unreachable border router\'s error within one scan', async () => {
    const srv = await startServe(['--otbr', 'http://127.0.0.1:1', '--interval', '5s']);
    server = srv;
    try {
      await until('the API', async () => (await api('/api/v1/info')).schema === SCHEMA);
      const p = await br.context.newPage();
      p.on('pageerror', (e) => errors.push(String(e)));
      await p.goto(srv.base + '/');
      await p.waitForFunction(() => !document.getElementById('source-alert').hidden, null, { timeout: 20000 });
      const alert = await p.textContent('#source-alert');
      assert.match(alert, /otbr http:\/\/127\.0\.0\.1:1 (failing|backing off): .*connection refused/);
      assert.match(await p.textContent('#sources'), /backing off|failing/);
      assert.match(await p.textContent('#sources'), /never ok yet/);
      assert.match(await p.textContent('#status'), /no source has answered/, 'not only "waiting"');
      await shot(p, '20-unreachable-border-router');
      await p.close();
    } finally {
      await stopServer(srv);
    }
  });

  it('says offline within 10 s when the server is killed, marks the map stale, and recovers', async () => {
    const { srv, p } = await demoPage(br, errors);
    await p.waitForFunction(() => document.getElementById('graph').dataset.connection === 'live', null, { timeout: 15000 });
    const killedAt = Date.now();
    await stopServer(srv, { kill: true, keep: true });
    await p.waitForFunction(() => !document.getElementById('conn').hidden && /Offline/.test(document.getElementById('conn').textContent), null, { timeout: 10000 });
    const took = Date.now() - killedAt;
    assert.ok(took <= 10000, `offline shown after ${took} ms`);
    assert.match(await p.textContent('#conn'), /reconnecting/);
    assert.equal(await p.evaluate(() => document.getElementById('graph-wrap').classList.contains('stale')), true);
    assert.equal(await p.textContent('#live'), '○ Offline');
    await shot(p, '25-offline');
    // The server comes back on the same port and database: the page follows without a reload.
    const again = await startServe(srv.args, { port: srv.port, tmp: srv.tmp });
    server = again;
    try {
      await p.waitForFunction(() => document.getElementById('graph').dataset.connection === 'live' && !document.getElementById('graph-wrap').classList.contains('stale'), null, { timeout: 20000 });
      assert.notEqual(await p.textContent('#live'), '○ Offline');
      await shot(p, '26-back-online');
      await p.close();
    } finally {
      await stopServer(again);
    }
  });

  it('names a device, and the name survives a restart of serve on the same --db', async () => {
    const { srv, p } = await demoPage(br, errors);
    const id = await p.evaluate(() => window.__threadmap.cy.nodes('.role-router').filter((n) => n.data('ext'))[0].id());
    await p.evaluate((x) => window.__threadmap.cy.getElementById(x).emit('tap'), id);
    await p.waitForFunction(() => !!document.getElementById('rename'), null, { timeout: 5000 });
    await p.evaluate(() => document.getElementById('rename').click());
    await p.waitForSelector('#rename-input', { timeout: 5000 });
    await p.fill('#rename-input', 'Hallway router');
    await p.keyboard.press('Enter');
    await p.waitForFunction((x) => (window.__threadmap.cy.getElementById(x).data('label') ?? '').startsWith('Hallway router'), id, { timeout: 15000 });
    assert.match(await p.textContent('#details h2'), /Hallway router/);
    await p.fill('#search', 'hallway');
    await p.waitForFunction(() => /^1 found$/.test(document.getElementById('search-count').textContent), null, { timeout: 5000 });
    await shot(p, '27-named');
    const ext = await p.evaluate((x) => window.__threadmap.cy.getElementById(x).data('ext'), id);
    await stopServer(srv, { keep: true });
    const again = await startServe(srv.args, { port: srv.port, tmp: srv.tmp });
    server = again;
    try {
      await until('the API again', async () => (await api('/api/v1/info')).schema === SCHEMA);
      assert.equal((await api('/api/v1/names')).names[ext], 'Hallway router');
      await p.goto(`${again.base}/?node=${id}`);
      await ready(p);
      await p.waitForFunction((x) => (window.__threadmap.cy.getElementById(x).data('label') ?? '').startsWith('Hallway router'), id, { timeout: 15000 });
      await shot(p, '28-named-after-restart');
      await p.close();
    } finally {
      await stopServer(again);
    }
    assert.deepEqual(errors, []);
  });
});

describe('A 250-node mesh', { concurrency: false }, () => {
  let srv;
  let br;
  let p;
  const errors = [];
  before(async () => {
    srv = await startServe(['--demo', '--demo-nodes', '250', '--interval', '30s', '--demo-mutate', '0']);
    server = srv;
    await until('the API', async () => (await api('/api/v1/info')).schema === SCHEMA);
    await until('a first snapshot', async () => (await api('/api/v1/networks')).networks?.some((n) => n.latest_snapshot_id), 90000);
    br = await launch({ width: 1280, height: 800 });
    p = await br.context.newPage();
    p.on('pageerror', (e) => errors.push(String(e)));
    await p.goto(srv.base + '/');
    await ready(p, 90000);
  });
  after(async () => {
    await br?.close();
    await stopServer(srv);
  });

  it('opens as a router-level overview with children folded into counts, and no error lines', async () => {
    const m = await p.evaluate(() => {
      const cy = window.__threadmap.cy;
      return {
        overview: document.getElementById('overview').getAttribute('aria-pressed'),
        nodes: cy.nodes().length,
        visible: cy.nodes(':visible').length,
        routers: cy.nodes('.role-router, .role-leader').length,
        folded: cy.nodes('.has-collapsed').length,
        label: cy.nodes('.has-collapsed')[0]?.data('display') ?? '',
      };
    });
    assert.equal(m.overview, 'true');
    assert.ok(m.nodes >= 250, JSON.stringify(m));
    assert.ok(m.visible < m.nodes / 2 && m.visible >= m.routers, JSON.stringify(m));
    assert.ok(m.folded > 0);
    assert.match(m.label, /▸ \d+ child/);
    const errs = await p.evaluate(() => ({
      status: document.getElementById('status').classList.contains('error') ? document.getElementById('status').textContent : '',
      scanErrors: [...document.querySelectorAll('#last-scan .scan-error')].map((e) => e.textContent),
      alert: document.getElementById('source-alert').hidden ? '' : document.getElementById('source-alert').textContent,
      scanLine: document.getElementById('scan-status').classList.contains('error') ? document.getElementById('scan-status').textContent : '',
    }));
    assert.deepEqual(errs, { status: '', scanErrors: [], alert: '', scanLine: '' });
    await shot(p, '30-250-overview');
  });

  it('unfolds a router on click and focuses on its neighbourhood', async () => {
    const t = await p.evaluate(() => {
      const cy = window.__threadmap.cy;
      const n = cy.nodes('.has-collapsed').sort((a, b) => b.data('kids') - a.data('kids'))[0];
      const box = document.getElementById('graph').getBoundingClientRect();
      const r = n.renderedPosition();
      return { id: n.id(), kids: n.data('kids'), x: box.left + r.x, y: box.top + r.y };
    });
    await p.mouse.click(t.x, t.y);
    await p.waitForSelector(`#details h2[data-node="${t.id}"]`, { timeout: 5000 });
    const m = await p.evaluate((id) => {
      const cy = window.__threadmap.cy;
      const n = cy.getElementById(id);
      const kids = cy.nodes().filter((x) => x.data('parentId') === id);
      return {
        shown: kids.filter((x) => !x.hasClass('collapsed')).length,
        near: kids.filter((x) => x.hasClass('near')).length,
        dim: cy.nodes('.dim').length,
        selfNear: n.hasClass('near'),
        button: document.getElementById('toggle-children')?.textContent ?? '',
      };
    }, t.id);
    assert.equal(m.shown, t.kids, JSON.stringify(m));
    assert.equal(m.near, t.kids);
    assert.ok(m.dim > 0 && m.selfNear, JSON.stringify(m));
    assert.match(m.button, /^Fold its \d+ child/);
    await shot(p, '31-250-router-unfolded');
    // Keyboard: '-' folds it again, '+' unfolds.
    await p.evaluate(() => document.activeElement?.blur());
    await p.keyboard.press('-');
    assert.equal(await p.evaluate((id) => window.__threadmap.cy.nodes().filter((x) => x.data('parentId') === id && !x.hasClass('collapsed')).length, t.id), 0);
    await p.keyboard.press('+');
    assert.equal(await p.evaluate((id) => window.__threadmap.cy.nodes().filter((x) => x.data('parentId') === id && !x.hasClass('collapsed')).length, t.id), t.kids);
  });

  it('groups the insights by kind with counts', async () => {
    const groups = await p.evaluate(() => [...document.querySelectorAll('#insights li.insight-group')].map((g) => ({ kind: g.dataset.kind, n: g.querySelectorAll('li.insight').length, summary: g.querySelector('summary').textContent })));
    assert.ok(groups.length > 0);
    for (const g of groups) assert.match(g.summary, new RegExp(`\\(${g.n}\\)`));
    await p.evaluate(() => document.getElementById('insights-box').scrollIntoView());
    await shot(p, '32-250-insights');
  });

  it('keeps router labels readable at the fitted zoom on a phone', async () => {
    const ph = await br.context.newPage();
    await ph.setViewportSize({ width: 390, height: 844 });
    ph.on('pageerror', (e) => errors.push(String(e)));
    await ph.goto(srv.base + '/');
    await ready(ph, 90000);
    await ph.evaluate(() => window.__threadmap.cy.fit(window.__threadmap.cy.nodes(':visible'), 30));
    await ph.waitForFunction(() => {
      const cy = window.__threadmap.cy;
      const r = cy.nodes('.role-router')[0];
      return r && parseFloat(r.data('fs')) * cy.zoom() >= 11;
    }, null, { timeout: 5000 });
    await shot(ph, '33-250-phone');
    await ph.close();
    assert.deepEqual(errors, []);
  });
});

describe('Scan now against a server that wants a token', { concurrency: false }, () => {
  const TOKEN = 'e2e-secret-token';
  let srv;
  let br;
  let p;
  let out;
  const errors = [];

  before(async () => {
    // A long interval: only the first scheduled scan runs, so the manual one is not refused with 409.
    srv = await startServer(['--token', TOKEN], '1h');
    server = srv; // until() prints this server's log
    await until('the API', async () => (await api('/api/v1/info')).schema === SCHEMA);
    await until('a first snapshot', async () => (await api('/api/v1/networks')).networks?.some((n) => n.latest_snapshot_id));
    await until('the first scan to end', async () => !(await api('/api/v1/scan')).scans.some((x) => x.state === 'running'));
    br = await launch({ width: 1280, height: 800 });
    out = await onlyLoopback(br.context, srv.base);
    p = await br.context.newPage();
    p.on('pageerror', (e) => errors.push(String(e)));
    await p.goto(srv.base + '/');
    await p.waitForFunction(() => window.__threadmap?.ready === true && window.__threadmap.state().snapshot !== '', null, { timeout: 60000 });
  });

  after(async () => {
    await br?.close();
    await stopServer(srv);
  });

  it('says a token is needed, takes one, and then scans', async () => {
    const before = Number(await p.evaluate(() => window.__threadmap.state().snapshot));
    const first = p.waitForResponse((r) => r.url().includes('/api/v1/scan') && r.request().method() === 'POST');
    await p.click('#scan');
    assert.equal((await first).status(), 401);
    await p.waitForSelector('#token-form #token', { timeout: 5000 });
    assert.match(await p.textContent('#scan-status'), /token is needed to start scans \(HTTP 401/);
    assert.equal(await p.evaluate(() => document.activeElement?.id), 'token', 'the token field has focus');
    await shot(p, '11-scan-token-needed');
    // A wrong token is refused and said so.
    await p.fill('#token', 'wrong');
    const wrong = p.waitForResponse((r) => r.url().includes('/api/v1/scan') && r.request().method() === 'POST');
    await p.keyboard.press('Enter');
    const w = await wrong;
    assert.ok([401, 403].includes(w.status()), `wrong token: HTTP ${w.status()}`);
    assert.equal(await w.request().headerValue('authorization'), 'Bearer wrong');
    await p.waitForFunction(() => /token given was refused/.test(document.getElementById('scan-status').textContent), null, { timeout: 5000 });
    // The right one starts the scan; its snapshot shows.
    await p.fill('#token', TOKEN);
    const right = p.waitForResponse((r) => r.url().includes('/api/v1/scan') && r.request().method() === 'POST');
    await p.keyboard.press('Enter');
    assert.equal((await right).status(), 202);
    await p.waitForFunction(() => /^scan done: snapshot #\d+$/.test(document.getElementById('scan-status').textContent), null, { timeout: 30000 });
    await p.waitForFunction((b) => window.__threadmap.ready && Number(window.__threadmap.state().snapshot) > b, before, { timeout: 30000 });
    assert.deepEqual(out, []);
    assert.deepEqual(errors, []);
  });
});

describe('Settings', { concurrency: false }, () => {
  const TOKEN = 'e2e-settings-token';
  let srv;
  let br;
  let p;
  let out;
  const errors = [];

  before(async () => {
    // No --interval: the interval's source is "default" until the UI sets it; --max-backoff is a flag that shadows the API.
    srv = await startServer(['--token', TOKEN, '--max-backoff', '10m'], null);
    server = srv;
    await until('the API', async () => (await api('/api/v1/info')).schema === SCHEMA);
    await until('a first snapshot', async () => (await api('/api/v1/networks')).networks?.some((n) => n.latest_snapshot_id));
    br = await launch({ width: 1280, height: 800 });
    out = await onlyLoopback(br.context, srv.base);
    p = await br.context.newPage();
    p.on('pageerror', (e) => errors.push(String(e)));
    await p.goto(srv.base + '/');
    await p.waitForFunction(() => window.__threadmap?.ready === true && window.__threadmap.state().snapshot !== '', null, { timeout: 60000 });
  });

  after(async () => {
    await br?.close();
    await stopServer(srv);
  });

  const patches = () => {
    const seen = [];
    p.on('request', (r) => {
      if (r.method() === 'PATCH' && r.url().endsWith('/api/v1/settings')) seen.push({ body: r.postData(), auth: r.headers().authorization ?? '' });
    });
    return seen;
  };
  const srcText = (f) => p.textContent(`#set-${f}-src`);

  it('is collapsed, opens from the keyboard and shows each source', async () => {
    assert.equal(await p.evaluate(() => document.getElementById('settings-box').open), false, 'collapsed by default');
    await p.focus('#settings-box > summary');
    await p.keyboard.press('Enter');
    assert.equal(await p.evaluate(() => document.getElementById('settings-box').open), true, 'Enter on the summary opens it');
    await p.waitForSelector('#set-interval', { timeout: 10000 });
    assert.equal(await p.inputValue('#set-interval'), '15s');
    assert.equal(await srcText('interval'), 'source: default');
    assert.equal(await srcText('max_backoff'), 'source: flag');
    assert.equal(await p.inputValue('#set-max_backoff'), '10m0s');
    // Tab reaches the first field from the summary.
    await p.focus('#settings-box > summary');
    await p.keyboard.press('Tab');
    assert.equal(await p.evaluate(() => document.activeElement?.id), 'set-interval');
  });

  it('saves a changed interval (asking for the token), which is "api" after a reload', async () => {
    const seen = patches();
    await p.fill('#set-interval', '20s');
    await p.keyboard.press('Enter');
    await p.waitForSelector('#settings-token-form #settings-token', { timeout: 5000 });
    assert.match(await p.textContent('#settings-status'), /token is needed \(HTTP 401/);
    assert.equal(await p.evaluate(() => document.activeElement?.id), 'settings-token', 'the token field has focus');
    await p.fill('#settings-token', TOKEN);
    await p.keyboard.press('Enter');
    await p.waitForFunction(() => document.getElementById('settings-status')?.textContent === 'saved', null, { timeout: 5000 });
    assert.deepEqual(seen.map((x) => JSON.parse(x.body)), [{ interval: '20s' }, { interval: '20s' }], 'only the changed field is sent');
    assert.equal(seen[1].auth, `Bearer ${TOKEN}`);
    assert.equal(await srcText('interval'), 'source: api');
    assert.equal((await api('/api/v1/settings')).interval, '20s');
    await p.reload();
    await p.waitForFunction(() => window.__threadmap?.ready === true, null, { timeout: 60000 });
    await p.click('#settings-box > summary');
    await p.waitForSelector('#set-interval', { timeout: 10000 });
    assert.equal(await p.inputValue('#set-interval'), '20s');
    assert.equal(await srcText('interval'), 'source: api');
  });

  it('shows the server\'s error next to the field it names', async () => {
    await p.fill('#set-interval', 'soon');
    const res = p.waitForResponse((r) => r.url().endsWith('/api/v1/settings') && r.request().method() === 'PATCH');
    await p.click('#settings-save');
    assert.equal((await res).status(), 400);
    await p.waitForSelector('#set-interval-err:not([hidden])', { timeout: 5000 });
    assert.match(await p.textContent('#set-interval-err'), /^interval: .*"soon"/);
    assert.equal(await p.getAttribute('#set-interval', 'aria-invalid'), 'true');
    assert.equal(await p.evaluate(() => document.activeElement?.id), 'set-interval', 'focus goes to the field');
    assert.equal(await p.textContent('#settings-status'), 'not saved');
    assert.equal((await api('/api/v1/settings')).interval, '20s', 'nothing changed on the server');
    await p.evaluate(() => document.getElementById('settings-box').scrollIntoView());
    await shot(p, '12-settings-error');
  });

  it('follows settings.changed, keeping what the user is typing, and notes a flag shadowing the API', async () => {
    const r = await fetch(srv.base + '/api/v1/settings', {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ max_backoff: '20m', retain_count: 50 }),
    });
    assert.equal(r.status, 200, await r.text());
    await p.waitForFunction(() => document.getElementById('set-retain_count')?.value === '50', null, { timeout: 10000 });
    assert.equal(await srcText('retain_count'), 'source: api');
    assert.match(await srcText('max_backoff'), /^source: flag — the value set here is kept but the flag value wins$/);
    assert.equal(await p.inputValue('#set-max_backoff'), '10m0s', 'the flag value is in effect');
    assert.equal(await p.inputValue('#set-interval'), 'soon', 'the edit in progress is kept');
    await p.click('#settings-reset');
    assert.equal(await p.inputValue('#set-interval'), '20s');
  });

  it('adds and removes an OTBR URL and sets this network\'s interval', async () => {
    const seen = patches();
    await p.click('#set-otbr-add');
    assert.equal(await p.evaluate(() => document.activeElement?.classList.contains('set-otbr')), true, 'the new URL field has focus');
    await p.keyboard.type('http://127.0.0.1:9');
    const net = await p.evaluate(() => window.__threadmap.state().network);
    await p.fill('#set-network_interval', '45s');
    await p.click('#settings-save');
    await p.waitForFunction(() => document.getElementById('settings-status')?.textContent === 'saved', null, { timeout: 5000 });
    assert.deepEqual(JSON.parse(seen.at(-1).body), { network_interval: { [net]: '45s' }, otbr: ['http://127.0.0.1:9'] });
    let s = await api('/api/v1/settings');
    assert.deepEqual(s.otbr, ['http://127.0.0.1:9']);
    assert.equal(s.network_interval[net], '45s');
    assert.equal(await srcText('otbr'), 'source: api');
    assert.equal(await srcText('network_interval'), 'source: api');
    await p.click('.set-otbr-remove');
    await p.fill('#set-network_interval', '');
    await p.click('#settings-save');
    await p.waitForFunction(() => document.getElementById('settings-status')?.textContent === 'saved', null, { timeout: 5000 });
    assert.deepEqual(JSON.parse(seen.at(-1).body), { network_interval: { [net]: null }, otbr: [] });
    s = await api('/api/v1/settings');
    assert.deepEqual(s.otbr ?? [], []);
    assert.equal(s.network_interval?.[net], undefined);
    assert.equal(await srcText('network_interval'), 'source: none');
    await p.evaluate(() => document.getElementById('settings-box').scrollIntoView());
    await shot(p, '13-settings-desktop');
  });

  it('works on the phone layout', async () => {
    const ph = await br.context.newPage();
    await ph.setViewportSize({ width: 390, height: 844 });
    ph.on('pageerror', (e) => errors.push(String(e)));
    await ph.goto(srv.base + '/');
    await ph.waitForFunction(() => window.__threadmap?.ready === true, null, { timeout: 60000 });
    if (await ph.evaluate(() => document.getElementById('side').hidden)) await ph.click('#panel-toggle');
    await ph.click('#settings-box > summary');
    await ph.waitForSelector('#set-interval', { timeout: 10000 });
    await ph.evaluate(() => document.getElementById('settings-box').scrollIntoView());
    const m = await ph.evaluate(() => ({
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      form: document.getElementById('settings-form').getBoundingClientRect().right,
      save: document.getElementById('settings-save').getBoundingClientRect().height,
    }));
    assert.ok(m.overflow <= 0, `no horizontal scrolling (${m.overflow}px)`);
    assert.ok(m.form <= 390, `the form fits (${m.form})`);
    assert.ok(m.save >= 32, `Save is tappable (${m.save}px)`);
    assert.equal(await ph.inputValue('#set-interval'), '20s');
    await shot(ph, '14-settings-phone');
    await ph.close();
    assert.deepEqual(out, []);
    assert.deepEqual(errors, []);
  });
});
