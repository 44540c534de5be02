// The UI controller: loads snapshots from the API, keeps the Cytoscape graph
// in step with them (stable positions), and wires the panels.
import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import cysvg from 'cytoscape-svg';
import { Api, ApiError } from './api';
import { diffCount, diffHighlights, type DiffHighlights } from './diff';
import { applyFilter, emptyFilter, search, vendors, type Filter } from './filter';
import { edgeId, linkTitle, toElements, type EdgeElement, type NodeElement } from './graph';
import { borderRoutersHtml, detailsHtml, displayName, esc, lastScanHtml, networkDataHtml, networkHtml, when } from './html';
import { netDataRows } from './netdata';
import { finishedText, progressText, scanErrorText, scanRows, scanSummary, type ScanProgress } from './scan';
import { errorField, formFrom, patchBody, settingsFormHtml, type Settings, type SettingsForm, type SettingField } from './settings';
import { insightHighlight, severityCounts, sortInsights } from './insights';
import {
  childRingRadius,
  decodeParents,
  decodePositions,
  encodeParents,
  encodePositions,
  parentMap,
  parentsKey,
  placeMissing,
  reparented,
  storageKey,
  type Positions,
} from './layout';
import { legendHtml, ROLE_LOOK, stylesheet, theme } from './style';
import { syntheticMesh } from './synth';
import { ROLES, type Diff, type Insight, type NetworkSummary, type Snapshot, type SnapshotSummary, type TopoNode } from './types';

/** sessionStorage key of the API token the user typed (POST /scan, PATCH /settings). */
const TOKEN_KEY = 'threadmap.token';

cytoscape.use(fcose);
cytoscape.use(cysvg);

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`ui: element #${id} missing`);
  return e as T;
};

/** What the e2e tests and the stress script read from window.__threadmap. */
export interface Hooks {
  cy: cytoscape.Core;
  ready: boolean;
  metrics: {
    firstRenderMs?: number;
    layoutMs?: number;
    prepareMs?: number;
    routerLayoutMs?: number;
    placeMs?: number;
    drawMs?: number;
    nodes?: number;
    edges?: number;
  };
  state: () => { network: string; snapshot: string; index: number; live: boolean; diffCount: number; history: number };
}

declare global {
  interface Window {
    __threadmap?: Hooks;
  }
}

/** The application. One per page. */
export class App {
  private readonly api = new Api();
  private readonly cy: cytoscape.Core;
  private networks: NetworkSummary[] = [];
  private network = '';
  private history: SnapshotSummary[] = []; // oldest first
  private index = -1;
  private live = true;
  private snap: Snapshot | null = null;
  private from: Snapshot | null = null;
  private diff: Diff | null = null;
  private hl: DiffHighlights | null = null;
  private insights: Insight[] = [];
  private activeInsight = -1;
  private filter: Filter = emptyFilter();
  private searchHits: string[] = [];
  private searchPos = 0;
  private selected = '';
  private readonly cache = new Map<string, Snapshot>();
  private events: EventSource | null = null;
  private loadSeq = 0;
  private netSeq = 0;
  private readonly stress: number;
  private readonly hooks: Hooks;
  private saveTimer = 0;
  private lastParents: Map<string, string> | null = null;
  /** The running scan of the shown network, if any. */
  private scan: { id: string; network: string } | null = null;
  private scanPoll = 0;
  private scanHide = 0;
  /** The runtime settings last read (GET /settings, settings.changed), and the form's values for them. */
  private settings: Settings | null = null;
  private settingsBase: SettingsForm | null = null;
  private settingsSaving = false;

  constructor() {
    const params = new URLSearchParams(location.search);
    this.stress = Math.max(0, Math.min(20000, Number(params.get('stress') ?? 0) || 0));
    const dark = matchMedia('(prefers-color-scheme: dark)');
    // Panning a big graph redraws a cached texture instead of every element
    // (stress mode with ≥1000 nodes; ?texture=0|1 overrides, for measuring).
    const big = params.has('texture') ? params.get('texture') === '1' : this.stress >= 1000;
    this.cy = cytoscape({
      container: $('graph'),
      style: stylesheet(theme(dark.matches)),
      minZoom: 0.05,
      maxZoom: 4,
      boxSelectionEnabled: false,
      selectionType: 'single',
      textureOnViewport: big,
      hideEdgesOnViewport: false,
    });
    dark.addEventListener('change', (e) => this.cy.style(stylesheet(theme(e.matches))));
    this.hooks = {
      cy: this.cy,
      ready: false,
      metrics: {},
      state: () => ({
        network: this.network,
        snapshot: this.snap?.snapshot_id ?? '',
        index: this.history.findIndex((h) => h.id === this.snap?.snapshot_id),
        live: this.live,
        diffCount: this.diff ? diffCount(this.diff) : 0,
        history: this.history.length,
      }),
    };
    window.__threadmap = this.hooks;
    this.wireGraph();
    this.wireControls();
    $('legend').innerHTML = legendHtml();
    this.buildRoleFilter();
  }

  /** Starts: the stress mesh, or the API's networks and the event stream. */
  async start(): Promise<void> {
    if (this.stress) {
      document.title = `threadmap — stress ${this.stress}`;
      for (const id of ['network', 'slider', 'compare', 'live', 'scan']) ($(id) as HTMLInputElement).disabled = true;
      const s = syntheticMesh(this.stress);
      this.snap = s;
      this.render(s, { persist: false });
      this.cy.one('render', () => {
        requestAnimationFrame(() => {
          this.hooks.metrics.firstRenderMs = performance.now();
          this.hooks.metrics.nodes = this.cy.nodes().length;
          this.hooks.metrics.edges = this.cy.edges().length;
          this.hooks.ready = true;
        });
      });
      this.setStatus(`Synthetic mesh: ${s.nodes.length} nodes, ${s.links.length} links`);
      return;
    }
    this.connectEvents();
    void this.loadSettings();
    await this.loadNetworks();
  }

  // ---- loading ----

  private async loadNetworks(): Promise<void> {
    try {
      this.networks = await this.api.networks();
    } catch (e) {
      this.setStatus(`Cannot load networks: ${(e as Error).message}`, true);
      return;
    }
    const sel = $<HTMLSelectElement>('network');
    sel.innerHTML = this.networks
      .map((n) => `<option value="${esc(n.key)}">${esc(n.name || n.key)}${n.channel ? ` · ch ${esc(n.channel)}` : ''}${n.nodes !== undefined ? ` · ${esc(n.nodes)} nodes` : ''}</option>`)
      .join('');
    sel.disabled = this.networks.length < 2;
    if (!this.networks.length) {
      this.setStatus('No snapshots yet — waiting for the first scan…');
      this.hooks.ready = true;
      return;
    }
    const saved = localStorage.getItem('threadmap.network') ?? '';
    const pick = this.networks.some((n) => n.key === this.network)
      ? this.network
      : this.networks.some((n) => n.key === saved)
        ? saved
        : this.networks[0].key;
    sel.value = pick;
    // A refresh of the list (a new network appeared) keeps the map as it is.
    if (pick !== this.network || !this.snap) await this.selectNetwork(pick);
  }

  private async selectNetwork(key: string): Promise<void> {
    const gen = ++this.netSeq;
    const changed = key !== this.network;
    this.network = key;
    localStorage.setItem('threadmap.network', key);
    if (changed && this.settings) this.showSettings(this.settings, true);
    if (changed) {
      this.hooks.ready = false;
      this.snap = null;
      this.from = null;
      this.diff = null;
      this.hl = null;
      this.cy.elements().remove();
      this.lastParents = null;
      this.cache.clear();
      this.selected = '';
    }
    this.live = true;
    if (changed) {
      this.setScan(null);
      $('scan-status').hidden = true;
    }
    await Promise.all([this.loadHistory(), this.loadBorderRouters(), this.syncScan()]);
    if (gen !== this.netSeq) return; // another network was picked meanwhile
    await this.show(this.history.length - 1);
  }

  private async loadHistory(): Promise<void> {
    const net = this.network;
    try {
      const list = await this.api.snapshots(net);
      if (net !== this.network) return;
      this.history = list.slice().sort((a, b) => a.taken_at.localeCompare(b.taken_at) || Number(a.id) - Number(b.id));
    } catch (e) {
      this.setStatus(`Cannot load history: ${(e as Error).message}`, true);
      this.history = [];
    }
    const slider = $<HTMLInputElement>('slider');
    slider.max = String(Math.max(0, this.history.length - 1));
    slider.disabled = this.history.length < 2;
    const cmp = $<HTMLSelectElement>('compare');
    const keep = cmp.value;
    cmp.innerHTML =
      '<option value="prev">vs previous</option><option value="none">no diff</option>' +
      this.history
        .slice()
        .reverse()
        .map((h) => `<option value="${esc(h.id)}">vs #${esc(h.id)} · ${esc(when(h.taken_at))}</option>`)
        .join('');
    cmp.value = [...cmp.options].some((o) => o.value === keep) ? keep : 'prev';
  }

  private async loadBorderRouters(): Promise<void> {
    const net = this.network;
    try {
      const list = await this.api.borderRouters(net);
      if (net !== this.network) return;
      $('border-routers').innerHTML = borderRoutersHtml(list);
      $('br-badge').textContent = `(${list.length})`;
    } catch (e) {
      $('border-routers').innerHTML = `<li class="muted">${esc((e as Error).message)}</li>`;
    }
  }

  private async fetchSnapshot(id: string): Promise<Snapshot> {
    const c = this.cache.get(id);
    if (c) return c;
    const s = await this.api.snapshot(id);
    if (this.cache.size > 50) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(id, s);
    return s;
  }

  /** Shows history entry i (with the diff the compare selector asks for). */
  private async show(i: number): Promise<void> {
    const seq = ++this.loadSeq;
    const net = this.network;
    this.hooks.ready = false;
    if (i < 0 || i >= this.history.length) {
      // No history listing (yet): the latest topology still shows.
      try {
        const s = await this.api.latest(this.network);
        if (seq !== this.loadSeq || net !== this.network) return;
        this.snap = s;
        this.from = null;
        this.diff = null;
        this.hl = null;
        this.render(s);
        this.afterRender();
      } catch (e) {
        this.setStatus(`Cannot load topology: ${(e as Error).message}`, true);
        this.hooks.ready = true;
      }
      return;
    }
    this.index = i;
    this.live = i === this.history.length - 1 && this.live;
    $<HTMLInputElement>('slider').value = String(i);
    this.updateLiveButton();
    const cur = this.history[i];
    const cmp = $<HTMLSelectElement>('compare').value;
    const fromId = cmp === 'prev' ? (i > 0 ? this.history[i - 1].id : '') : cmp === 'none' ? '' : cmp;
    this.setStatus(`Loading snapshot #${cur.id}…`);
    let diffError = '';
    try {
      const [s, from, diff, insights] = await Promise.all([
        this.fetchSnapshot(cur.id),
        fromId && fromId !== cur.id ? this.fetchSnapshot(fromId) : Promise.resolve(null),
        fromId && fromId !== cur.id
          ? this.api.diff(fromId, cur.id).catch((e: Error) => {
              diffError = e.message;
              return null;
            })
          : Promise.resolve(null),
        this.api.insights(this.network, cur.id).catch(() => [] as Insight[]),
      ]);
      if (seq !== this.loadSeq || net !== this.network) return;
      this.snap = s;
      this.from = from;
      this.diff = diff;
      this.insights = sortInsights(insights);
      this.activeInsight = -1;
      const byId = new Map(s.nodes.map((n) => [n.id, n]));
      const fromById = new Map((from?.nodes ?? []).map((n) => [n.id, n]));
      const name = (id: string) => displayName(byId.get(id) ?? fromById.get(id), id);
      this.hl = diff ? diffHighlights(diff, from, s, name) : null;
      this.render(s);
      this.renderDiffPanel(fromId, diffError);
      this.renderInsights();
      this.afterRender();
    } catch (e) {
      if (seq !== this.loadSeq || net !== this.network) return;
      this.setStatus(`Cannot load snapshot #${cur.id}: ${(e as Error).message}`, true);
      this.hooks.ready = true;
    }
  }

  private afterRender(): void {
    const s = this.snap;
    if (!s) return;
    this.updateSliderLabel();
    $('network-info').innerHTML = networkHtml(s.network, s);
    $('network-data').innerHTML = networkDataHtml(s);
    const nd = s.network.network_data;
    $('netdata-badge').textContent = nd ? `(${netDataRows(nd).length})` : '';
    $('last-scan').innerHTML = lastScanHtml(s);
    $('last-scan').classList.remove('muted');
    $('scan-badge').textContent = s.scan?.sources?.length ? `(${scanSummary(scanRows(s.scan.sources))})` : '';
    for (const f of ['json', 'graphml', 'dot', 'csv'] as const) $<HTMLButtonElement>(`export-${f}`).disabled = !s.snapshot_id;
    const drawn = Number($('graph').dataset.edgeCount ?? s.links.length);
    const undrawn = Number($('graph').dataset.dangling ?? 0);
    this.setStatus(
      `${s.nodes.length} nodes · ${drawn} links${undrawn > 0 ? ` (${undrawn} to unknown nodes not drawn)` : ''} · ${when(s.taken_at)}${this.live ? ' · live' : ' · paused'}`,
    );
    if (this.selected) this.showDetails(this.selected);
    this.hooks.ready = true;
  }

  // ---- drawing ----

  /** Brings the graph in step with snapshot s, keeping known positions. */
  private render(s: Snapshot, opts: { persist?: boolean } = {}): void {
    const persist = opts.persist ?? true;
    const t0 = performance.now();
    const el = toElements(s);
    const ghosts = this.hl ? toElements({ ...s, nodes: this.hl.ghostNodes, links: [] }).nodes : [];
    const allNodes = new Map<string, NodeElement>(el.nodes.map((n) => [n.data.id, n]));
    for (const g of ghosts) if (!allNodes.has(g.data.id)) allNodes.set(g.data.id, { ...g, classes: g.classes + ' ghost diff-removed' });
    const nodeIds = new Set(allNodes.keys());
    const ghostEdges: EdgeElement[] = this.hl
      ? toElements({ ...s, nodes: [...allNodes.values()].map((n) => ({ id: n.data.id }) as TopoNode), links: this.hl.ghostLinks }).edges.map((e) => ({ ...e, classes: e.classes + ' ghost diff-removed' }))
      : [];
    const allEdges = new Map<string, EdgeElement>(el.edges.map((e) => [e.data.id, e]));
    for (const g of ghostEdges) if (!allEdges.has(g.data.id)) allEdges.set(g.data.id, g);

    // Positions: what the graph has, else what was stored, then place the rest.
    const known: Positions = persist ? decodePositions(localStorage.getItem(storageKey(this.network))) : new Map();
    this.cy.nodes().forEach((n) => {
      known.set(n.id(), { ...n.position() });
    });
    // A child that changed parent moved in the mesh: place it again, by its new parent.
    const parents = parentMap(s);
    const prevParents = this.lastParents ?? (persist ? decodeParents(localStorage.getItem(parentsKey(this.network))) : new Map<string, string>());
    const moved = new Set(reparented(prevParents, parents));
    for (const id of moved) known.delete(id);
    this.lastParents = parents;
    if (persist && this.network) {
      try {
        localStorage.setItem(parentsKey(this.network), encodeParents(parents));
      } catch {
        // storage full or disabled
      }
    }
    const layoutSnap: Snapshot = { ...s, nodes: [...s.nodes, ...(this.hl?.ghostNodes.filter((g) => !s.nodes.some((n) => n.id === g.id)) ?? [])], links: [...s.links, ...(this.hl?.ghostLinks ?? [])] };
    const routerIds = layoutSnap.nodes.filter((n) => n.role === 'leader' || n.role === 'router').map((n) => n.id);
    const needRouterLayout = routerIds.length > 2 && !routerIds.some((id) => known.has(id));
    const t1 = performance.now();
    if (needRouterLayout) for (const [id, p] of this.layoutRouters(layoutSnap, routerIds)) known.set(id, p);
    const t2 = performance.now();
    const added = placeMissing(layoutSnap, known);
    const t3 = performance.now();
    for (const [id, p] of added) known.set(id, p);

    const cy = this.cy;
    const firstDraw = cy.nodes().empty() && nodeIds.size > 0;
    cy.batch(() => {
      cy.elements().forEach((e) => {
        const id = e.id();
        if (e.isNode() ? !nodeIds.has(id) : !allEdges.has(id)) e.remove();
      });
      const toAdd: cytoscape.ElementDefinition[] = [];
      for (const [id, n] of allNodes) {
        const ex = cy.getElementById(id);
        if (ex.nonempty()) {
          ex.data(n.data);
          ex.classes(n.classes);
          const p = moved.has(id) ? known.get(id) : undefined;
          if (p) ex.position({ ...p });
        } else {
          toAdd.push({ group: 'nodes', data: { ...n.data }, classes: n.classes, position: { ...(known.get(id) ?? { x: 0, y: 0 }) } });
        }
      }
      for (const [id, e] of allEdges) {
        const ex = cy.getElementById(id);
        if (ex.nonempty()) {
          ex.data(e.data);
          ex.classes(e.classes);
        } else toAdd.push({ group: 'edges', data: { ...e.data }, classes: e.classes });
      }
      cy.add(toAdd);
      if (this.hl) {
        for (const [id, cls] of this.hl.nodes) cy.getElementById(id).addClass(cls.join(' '));
        for (const [id, cls] of this.hl.edges) cy.getElementById(id).addClass(cls.join(' '));
      }
    });
    if (this.selected && cy.getElementById(this.selected).nonempty()) cy.getElementById(this.selected).select();
    if (firstDraw) cy.fit(undefined, 30);
    if (persist) this.savePositions();
    this.applyView();
    this.refreshVendorFilter(s);
    const g = $('graph');
    g.dataset.nodeCount = String(el.nodes.length);
    g.dataset.edgeCount = String(el.edges.length);
    g.dataset.dangling = String(el.dangling.length);
    g.dataset.snapshotId = s.snapshot_id ?? '';
    g.dataset.ghosts = String(ghosts.length);
    g.setAttribute('aria-label', `Mesh graph: ${el.nodes.length} nodes, ${el.edges.length} links`);
    const t4 = performance.now();
    Object.assign(this.hooks.metrics, { prepareMs: t1 - t0, routerLayoutMs: t2 - t1, placeMs: t3 - t2, drawMs: t4 - t3, layoutMs: t4 - t0 });
  }

  /** Lays the routers out from scratch with fcose; children follow on rings later. */
  private layoutRouters(s: Snapshot, routerIds: string[]): Positions {
    const perParent = new Map<string, number>();
    for (const p of parentMap(s).values()) perParent.set(p, (perParent.get(p) ?? 0) + 1);
    const ring = Math.max(0, ...routerIds.map((id) => childRingRadius(perParent.get(id) ?? 0)));
    const tmp = cytoscape({ headless: true, styleEnabled: false });
    const ids = new Set(routerIds);
    tmp.add(routerIds.map((id) => ({ group: 'nodes' as const, data: { id } })));
    tmp.add(
      s.links
        .filter((l) => l.kind === 'router' && ids.has(l.a) && ids.has(l.b))
        .map((l) => ({ group: 'edges' as const, data: { id: edgeId('router', l.a, l.b), source: l.a, target: l.b } })),
    );
    tmp.nodes().forEach((n) => {
      n.position({ x: 0, y: 0 });
    });
    const len = 140 + 2 * ring;
    tmp
      .layout({
        name: 'fcose',
        quality: 'default',
        randomize: true,
        animate: false,
        fit: false,
        nodeDimensionsIncludeLabels: false,
        idealEdgeLength: () => len,
        nodeRepulsion: () => 8000 + len * len,
        nodeSeparation: len,
        numIter: 2500,
        tile: true,
        tilingPaddingVertical: len / 2,
        tilingPaddingHorizontal: len / 2,
      } as cytoscape.LayoutOptions)
      .run();
    const out: Positions = new Map();
    tmp.nodes().forEach((n) => {
      out.set(n.id(), { ...n.position() });
    });
    tmp.destroy();
    return out;
  }

  private savePositions(): void {
    if (this.stress || !this.network) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => {
      const stored = decodePositions(localStorage.getItem(storageKey(this.network)));
      this.cy.nodes().forEach((n) => {
        stored.set(n.id(), { ...n.position() });
      });
      // Keep the store bounded: at most 5000 nodes per network.
      const entries = [...stored.entries()].slice(-5000);
      try {
        localStorage.setItem(storageKey(this.network), encodePositions(new Map(entries)));
      } catch {
        // storage full or disabled: positions then last only for this page
      }
    }, 300);
  }

  /** Re-applies filter, search and insight classes. */
  private applyView(): void {
    const s = this.snap;
    if (!s) return;
    const cy = this.cy;
    const vis = applyFilter(s, this.filter);
    const focus = new Set<string>(this.searchHits);
    if (this.activeInsight >= 0 && this.insights[this.activeInsight]) {
      const nodeIds = new Set(cy.nodes().map((n) => n.id()));
      const edgeIds = new Set(cy.edges().map((e) => e.id()));
      const h = insightHighlight(this.insights[this.activeInsight], nodeIds, edgeIds);
      for (const id of h.nodes) focus.add(id);
      for (const id of h.edges) focus.add(id);
    }
    const anyFocus = focus.size > 0 || this.filter.query.trim() !== '';
    cy.batch(() => {
      cy.elements().forEach((e) => {
        const ghost = e.hasClass('ghost');
        const id = e.id();
        // Touch only what changes: a class change costs a style pass.
        const want: [string, boolean][] = [
          ['filtered', !ghost && !(e.isNode() ? vis.nodes.has(id) : vis.edges.has(id))],
          ['hl', focus.has(id)],
          ['faded', anyFocus && !focus.has(id)],
        ];
        for (const [cls, on] of want) if (e.hasClass(cls) !== on) e.toggleClass(cls, on);
      });
    });
  }

  // ---- panels ----

  private showDetails(id: string): void {
    const s = this.snap;
    if (!s) return;
    this.selected = id;
    let n = s.nodes.find((x) => x.id === id);
    let removed = false;
    let src: Snapshot = s;
    if (!n && this.from) {
      n = this.from.nodes.find((x) => x.id === id);
      removed = !!n;
      src = this.from;
    }
    const box = $('details');
    if (!n) {
      box.innerHTML = `<p class="muted">Node ${esc(id)} is not in this snapshot.</p>`;
      return;
    }
    box.classList.remove('muted');
    box.innerHTML = detailsHtml(src, n, removed);
    ($('details-box') as HTMLDetailsElement).open = true;
    const side = $('side');
    if (side.hidden) this.togglePanel(true);
  }

  private renderDiffPanel(fromId: string, error = ''): void {
    const box = $('diff');
    const badge = $('diff-badge');
    if (!this.diff || !this.hl || !this.snap) {
      badge.textContent = '';
      box.className = 'muted';
      box.textContent = error
        ? `Diff unavailable: ${error}`
        : fromId
          ? 'No diff.'
          : this.history.length < 2
            ? 'Only one snapshot so far.'
            : $<HTMLSelectElement>('compare').value === 'prev'
              ? 'This is the oldest snapshot: nothing earlier to compare with.'
              : 'Diff off.';
      box.dataset.count = '';
      return;
    }
    const n = diffCount(this.diff);
    badge.textContent = `(${n})`;
    box.className = '';
    box.dataset.count = String(n);
    const head = `<p>From #${esc(this.diff.from)} to #${esc(this.diff.to)}: ${n ? `${n} change${n === 1 ? '' : 's'}` : 'no changes'}.</p>`;
    const items = this.hl.lines
      .map((l) => `<li class="diff-line ${esc(l.kind)}">${l.ids.length ? `<button type="button" class="linkish" data-select="${esc(l.ids[0])}">${esc(l.text)}</button>` : esc(l.text)}</li>`)
      .join('');
    box.innerHTML = head + (items ? `<ul class="list" id="diff-list">${items}</ul>` : '');
  }

  private renderInsights(): void {
    const c = severityCounts(this.insights);
    $('insights-badge').textContent = this.insights.length ? `(${c.critical} critical, ${c.warning} warning, ${c.info} info)` : '';
    $('insights').innerHTML = this.insights.length
      ? this.insights
          .map(
            (ins, i) =>
              `<li class="insight"><span class="sev sev-${esc(ins.severity)}">${esc(ins.severity)}</span><button type="button" data-insight="${i}" aria-pressed="${i === this.activeInsight}">${esc(ins.message)}</button></li>`,
          )
          .join('')
      : '<li class="muted">No insights.</li>';
  }

  private buildRoleFilter(): void {
    $('role-filter').insertAdjacentHTML(
      'beforeend',
      ROLES.map((r) => `<label class="check"><input type="checkbox" data-role="${r}" /> ${esc(ROLE_LOOK[r].label.replace(/ \(.*\)/, ''))}</label>`).join(''),
    );
  }

  private refreshVendorFilter(s: Snapshot): void {
    const sel = $<HTMLSelectElement>('vendor-filter');
    const list = vendors(s);
    const want = ['', ...list].join('\n');
    if (sel.dataset.list === want) return;
    sel.dataset.list = want;
    const cur = sel.value;
    sel.innerHTML = '<option value="">all</option>' + list.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join('');
    sel.value = list.includes(cur) ? cur : '';
  }

  private setStatus(text: string, error = false): void {
    const s = $('status');
    s.textContent = text;
    s.classList.toggle('error', error);
  }

  /** "#id · time", and whether it is the newest snapshot or newer ones exist. */
  private updateSliderLabel(): void {
    const s = this.snap;
    if (!s) return;
    const pos = this.history.findIndex((h) => h.id === s.snapshot_id);
    const newer = pos >= 0 ? this.history.length - 1 - pos : 0;
    $('slider-label').textContent = `#${s.snapshot_id ?? '?'} · ${when(s.taken_at)}${newer === 0 ? ' (latest)' : ` (${newer} newer)`}`;
  }

  private updateLiveButton(): void {
    const b = $('live');
    b.setAttribute('aria-pressed', String(this.live));
    b.textContent = this.live ? '● Live' : '○ Paused';
  }

  private togglePanel(show?: boolean): void {
    const side = $('side');
    const want = show ?? side.hidden;
    side.hidden = !want;
    $('panel-toggle').setAttribute('aria-expanded', String(want));
    this.cy.resize();
    if (this.cy.nodes().nonempty()) this.cy.fit(undefined, 30);
  }

  // ---- live ----

  private connectEvents(): void {
    if (typeof EventSource === 'undefined') return;
    const es = new EventSource(this.api.eventsUrl());
    this.events = es;
    es.addEventListener('snapshot.new', (ev) => {
      let d: { snapshot_id?: string | number; network?: string };
      try {
        d = JSON.parse((ev as MessageEvent<string>).data) as typeof d;
      } catch {
        return;
      }
      void this.onSnapshot(String(d.network ?? ''));
    });
    const data = (ev: Event): Record<string, unknown> | null => {
      try {
        return JSON.parse((ev as MessageEvent<string>).data) as Record<string, unknown>;
      } catch {
        return null;
      }
    };
    es.addEventListener('scan.started', (ev) => {
      const d = data(ev);
      if (!d || String(d.network ?? '') !== this.network) return;
      this.setScan({ id: String(d.scan_id ?? ''), network: this.network });
      this.scanMessage(progressText({ sources_total: typeof d.sources === 'number' ? d.sources : undefined }), 'running');
    });
    es.addEventListener('scan.progress', (ev) => {
      const d = data(ev);
      if (!d || String(d.network ?? '') !== this.network) return;
      if (!this.scan) this.setScan({ id: String(d.scan_id ?? ''), network: this.network });
      this.scanMessage(progressText(d as ScanProgress), 'running');
    });
    es.addEventListener('scan.finished', (ev) => {
      const d = data(ev);
      if (!d || String(d.network ?? '') !== this.network) return;
      if (this.scan && this.scan.id && d.scan_id && String(d.scan_id) !== this.scan.id) return;
      this.setScan(null);
      const err = typeof d.error === 'string' && d.error !== '';
      this.scanMessage(finishedText({ state: String(d.state ?? ''), snapshot_id: d.snapshot_id ? String(d.snapshot_id) : '', error: err ? String(d.error) : '' }), err ? 'error' : 'done', err ? 0 : 6000);
    });
    es.addEventListener('settings.changed', (ev) => {
      const d = data(ev);
      if (d && typeof d.source === 'object') this.showSettings(d as unknown as Settings, false);
    });
    const br = () => void this.loadBorderRouters();
    es.addEventListener('border_router.appeared', br);
    es.addEventListener('border_router.disappeared', br);
  }

  private async onSnapshot(network: string): Promise<void> {
    if (!this.network || !this.networks.some((n) => n.key === network)) {
      await this.loadNetworks();
      return;
    }
    if (network !== this.network) return;
    await this.loadHistory();
    if (this.live) await this.show(this.history.length - 1);
    else this.updateSliderLabel();
  }

  // ---- scans ----

  /** Marks a scan of the shown network as running (button disabled) or none. */
  private setScan(scan: { id: string; network: string } | null): void {
    this.scan = scan;
    const b = $<HTMLButtonElement>('scan');
    // aria-disabled, not disabled: the button stays in the Tab order (and keeps focus) while a scan runs.
    b.setAttribute('aria-disabled', String(!!scan));
    b.textContent = scan ? 'Scanning…' : 'Scan now';
    b.setAttribute('aria-busy', String(!!scan));
    clearInterval(this.scanPoll);
    // Events may be missed (stream reconnecting): poll the scan list meanwhile.
    if (scan) this.scanPoll = window.setInterval(() => void this.syncScan(), 4000);
  }

  /** Shows a line in the scan box; `hideMs` > 0 hides it after that long. */
  private scanMessage(text: string, kind: 'running' | 'error' | 'done', hideMs = 0): void {
    const box = $('scan-status');
    box.hidden = false;
    box.textContent = text;
    box.className = `scan-status ${kind}`;
    clearTimeout(this.scanHide);
    if (hideMs > 0) this.scanHide = window.setTimeout(() => (box.hidden = true), hideMs);
  }

  /** Adds a token form to the scan line; the token lives in sessionStorage (this tab only). */
  private askToken(status: number): void {
    this.tokenPrompt($('scan-status'), 'token', status, 'Use token and scan', () => void this.scanNow());
  }

  /**
   * Appends a token form (`#ID-form`, field `#ID`) to box and focuses it; a
   * submitted token goes to sessionStorage (this tab only), then `then` runs.
   * `box` must not be inside another form (the settings use a div beside theirs).
   */
  private tokenPrompt(box: HTMLElement, id: string, status: number, button: string, then: () => void): void {
    const had = !!sessionStorage.getItem(TOKEN_KEY);
    box.insertAdjacentHTML(
      'beforeend',
      `<form id="${id}-form" class="token-form"><label>${had ? `The token given was refused (HTTP ${status}). ` : ''}API token <input id="${id}" type="password" autocomplete="off" required /></label><button type="submit">${esc(button)}</button></form>`,
    );
    const form = $<HTMLFormElement>(`${id}-form`);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = $<HTMLInputElement>(id).value.trim();
      if (!v) return;
      sessionStorage.setItem(TOKEN_KEY, v);
      then();
    });
    $<HTMLInputElement>(id).focus();
  }

  // ---- settings ----

  /** GET /settings into the Settings section. */
  private async loadSettings(): Promise<void> {
    try {
      this.showSettings(await this.api.settings(), true);
    } catch (e) {
      $('settings').textContent = `Cannot load the settings: ${(e as Error).message}`;
    }
  }

  /** The form's values as typed. */
  private readSettingsForm(): SettingsForm | null {
    if (!this.settingsBase || !document.getElementById('settings-form')) return null;
    const val = (f: string, d: string): string => {
      const e = document.getElementById(`set-${f}`);
      return e instanceof HTMLInputElement ? e.value : d;
    };
    const b = this.settingsBase;
    return {
      interval: val('interval', b.interval),
      network_interval: val('network_interval', b.network_interval),
      max_backoff: val('max_backoff', b.max_backoff),
      scan_timeout: val('scan_timeout', b.scan_timeout),
      retain_count: val('retain_count', b.retain_count),
      retain_age: val('retain_age', b.retain_age),
      otbr: [...document.querySelectorAll<HTMLInputElement>('#set-otbr-list .set-otbr')].map((i) => i.value),
      matter_server: val('matter_server', b.matter_server),
    };
  }

  /**
   * Shows settings. `reset` drops the user's edits; otherwise (a
   * settings.changed event) fields the user edited keep their text and the
   * others take the new values, so Save still sends only the user's changes.
   */
  private showSettings(s: Settings, reset: boolean): void {
    const before = this.settingsBase;
    const typed = reset ? null : this.readSettingsForm();
    const base = formFrom(s, this.network);
    const form: SettingsForm = { ...base, otbr: [...base.otbr] };
    if (before && typed) {
      const edited = patchBody(before, typed, this.network);
      for (const k of Object.keys(edited) as (keyof SettingsForm)[]) {
        if (k === 'otbr') form.otbr = typed.otbr;
        else form[k] = typed[k];
      }
    }
    this.settings = s;
    this.settingsBase = base;
    this.renderSettings(form, {});
  }

  /** Renders the form (keeping focus on the same control) and wires it. */
  private renderSettings(form: SettingsForm, errors: Partial<Record<SettingField | '', string>>, status = ''): void {
    if (!this.settings) return;
    const box = $('settings');
    const active = document.activeElement;
    const focusId = active instanceof HTMLElement && box.contains(active) ? active.id : '';
    const otbrIdx = active instanceof HTMLInputElement && active.classList.contains('set-otbr') ? [...box.querySelectorAll('.set-otbr')].indexOf(active) : -1;
    box.innerHTML = settingsFormHtml(this.settings, form, this.network, errors);
    if (status) $('settings-status').textContent = status;
    if (focusId) document.getElementById(focusId)?.focus();
    else if (otbrIdx >= 0) box.querySelectorAll<HTMLInputElement>('.set-otbr')[otbrIdx]?.focus();
    $<HTMLFormElement>('settings-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.saveSettings();
    });
    $('settings-reset').addEventListener('click', () => {
      if (this.settings) this.showSettings(this.settings, true);
      $('settings-status').textContent = 'changes undone';
    });
    $('set-otbr-add').addEventListener('click', () => {
      const f = this.readSettingsForm();
      if (!f) return;
      f.otbr.push('');
      this.renderSettings(f, {});
      const all = box.querySelectorAll<HTMLInputElement>('.set-otbr');
      all[all.length - 1]?.focus();
    });
    for (const b of box.querySelectorAll<HTMLButtonElement>('.set-otbr-remove')) {
      b.addEventListener('click', () => {
        const f = this.readSettingsForm();
        if (!f) return;
        f.otbr.splice(Number(b.dataset.index), 1);
        this.renderSettings(f, {}, 'URL removed; Save to apply');
        $('set-otbr-add').focus();
      });
    }
  }

  /** PATCH /settings with the changed fields; a 400 is shown next to the field it names. */
  private async saveSettings(): Promise<void> {
    const form = this.readSettingsForm();
    if (!form || !this.settingsBase || this.settingsSaving) return;
    const body = patchBody(this.settingsBase, form, this.network);
    if (!Object.keys(body).length) {
      $('settings-status').textContent = 'nothing changed';
      return;
    }
    this.settingsSaving = true;
    $('settings-status').textContent = 'saving…';
    try {
      const s = await this.api.patchSettings(body, sessionStorage.getItem(TOKEN_KEY) ?? '');
      this.showSettings(s, true);
      $('settings-status').textContent = 'saved';
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 0;
      const msg = e instanceof ApiError ? e.message : (e as Error).message;
      if (status === 400) {
        const field = errorField(msg);
        this.renderSettings(form, { [field]: msg }, 'not saved');
        const first = field === 'otbr' ? document.querySelector<HTMLElement>('#set-otbr-list .set-otbr') : null;
        (first ?? document.getElementById(field ? (field === 'otbr' ? 'set-otbr-add' : `set-${field}`) : 'settings-save'))?.focus();
      } else if (status === 401 || status === 403) {
        $('settings-status').textContent = `not saved: ${status === 401 ? 'a token is needed' : 'not allowed'} (HTTP ${status}${msg ? `: ${msg}` : ''})`;
        const box = $('settings-token-box');
        box.innerHTML = '';
        this.tokenPrompt(box, 'settings-token', status, 'Use token and save', () => void this.saveSettings());
      } else {
        this.renderSettings(form, { '': status === 0 ? `cannot reach the server: ${msg}` : `HTTP ${status}${msg ? `: ${msg}` : ''}` }, 'not saved');
      }
    } finally {
      this.settingsSaving = false;
    }
  }

  /** Brings the button in step with GET /scan: a running scan of this network disables it. */
  private async syncScan(): Promise<void> {
    const net = this.network;
    if (!net || this.stress) return;
    try {
      const list = await this.api.scans();
      if (net !== this.network) return;
      const run = list.find((x) => x.network === net && (x.state === 'running' || x.state === 'queued'));
      if (run) {
        if (!this.scan) this.setScan({ id: run.scan_id, network: net });
        this.scanMessage(progressText(run.progress), 'running');
      } else if (this.scan) {
        const done = list.find((x) => x.scan_id === this.scan?.id);
        this.setScan(null);
        if (done) this.scanMessage(finishedText(done), done.error ? 'error' : 'done', done.error ? 0 : 6000);
        else $('scan-status').hidden = true;
      }
    } catch {
      // the list is a fallback for missed events: its errors are not the user's concern
    }
  }

  /** POST /scan for the shown network. */
  private async scanNow(): Promise<void> {
    const net = this.network;
    const b = $<HTMLButtonElement>('scan');
    if (b.disabled || b.getAttribute('aria-disabled') === 'true') {
      // Clicked while a scan runs: say so (the next progress event replaces the line).
      if (this.scan) this.scanMessage(scanErrorText(409, ''), 'running');
      return;
    }
    b.setAttribute('aria-disabled', 'true');
    this.scanMessage('starting a scan…', 'running');
    try {
      const r = await this.api.scanNow(net, sessionStorage.getItem(TOKEN_KEY) ?? '');
      if (net !== this.network) return;
      // scan.started may have come first; keep its id then.
      if (!this.scan) this.setScan({ id: r.scan_id, network: net });
      if ($('scan-status').textContent === 'starting a scan…') this.scanMessage(r.state === 'queued' ? 'scan queued…' : progressText(undefined), 'running');
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 0;
      const msg = e instanceof ApiError ? (e.status === 0 ? e.message : e.message.replace(/^\/scan[^:]*: /, '')) : (e as Error).message;
      this.scanMessage(scanErrorText(status, msg), 'error', status === 409 ? 6000 : 0);
      if (status === 401 || status === 403) this.askToken(status);
      if (status === 409) await this.syncScan();
      if (!this.scan) this.setScan(null);
    }
  }

  // ---- wiring ----

  private wireGraph(): void {
    const cy = this.cy;
    const tip = $('tip');
    cy.on('tap', 'node', (e) => {
      const id = (e.target as cytoscape.NodeSingular).id();
      this.showDetails(id);
    });
    cy.on('tap', (e) => {
      if (e.target === cy) {
        this.selected = '';
        cy.elements().unselect();
      }
    });
    cy.on('mouseover', 'node', (e) => {
      const n = e.target as cytoscape.NodeSingular;
      n.addClass('hover');
      const d = n.data() as { ext: string; rloc16: string; role: string; name: string; vendor: string };
      tip.textContent = [d.name && `${d.name}${d.vendor ? ` (${d.vendor})` : ''}`, `${ROLE_LOOK[d.role as keyof typeof ROLE_LOOK]?.label ?? d.role}`, `RLOC16 ${d.rloc16 || '?'}`, `ext ${d.ext || 'unknown'}`]
        .filter(Boolean)
        .join('\n');
      this.placeTip(n.renderedPosition());
    });
    cy.on('mouseover', 'edge', (e) => {
      const ed = e.target as cytoscape.EdgeSingular;
      const s = this.snap;
      const l = s?.links.find((x) => edgeId(x.kind, x.a, x.b) === ed.id()) ?? this.hl?.ghostLinks.find((x) => edgeId(x.kind, x.a, x.b) === ed.id());
      if (!l || !s) return;
      const names = (id: string) => displayName(s.nodes.find((n) => n.id === id) ?? this.from?.nodes.find((n) => n.id === id), id);
      tip.textContent = `${names(l.a)} – ${names(l.b)}\n${linkTitle(l)}`;
      this.placeTip(ed.renderedMidpoint());
    });
    cy.on('mouseout', 'node, edge', (e) => {
      (e.target as cytoscape.SingularElementReturnValue).removeClass('hover');
      tip.hidden = true;
    });
    cy.on('viewport', () => {
      tip.hidden = true;
    });
    cy.on('dragfree', 'node', () => this.savePositions());
  }

  private placeTip(p: cytoscape.Position): void {
    const tip = $('tip');
    tip.hidden = false;
    const w = $('graph-wrap').clientWidth;
    tip.style.left = `${Math.min(Math.max(4, p.x + 12), w - tip.offsetWidth - 4)}px`;
    tip.style.top = `${Math.max(4, p.y + 12)}px`;
  }

  private wireControls(): void {
    $<HTMLSelectElement>('network').addEventListener('change', (e) => void this.selectNetwork((e.target as HTMLSelectElement).value));
    const input = $<HTMLInputElement>('search');
    input.addEventListener('input', () => {
      this.filter.query = input.value;
      this.searchHits = this.snap ? search(this.snap, input.value) : [];
      this.searchPos = 0;
      $('search-count').textContent = input.value.trim() ? `${this.searchHits.length} found` : '';
      this.applyView();
    });
    $('search-form').addEventListener('submit', (e) => {
      e.preventDefault();
      if (!this.searchHits.length) return;
      const id = this.searchHits[this.searchPos % this.searchHits.length];
      this.searchPos++;
      this.focusNode(id);
    });
    document.addEventListener('keydown', (e) => {
      const t = e.target as HTMLElement;
      const typing = t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement;
      if (e.key === '/' && !typing) {
        e.preventDefault();
        input.focus();
      } else if (e.key === 'Escape') {
        input.value = '';
        input.dispatchEvent(new Event('input'));
        this.activeInsight = -1;
        this.renderInsights();
        this.applyView();
        ($('export-menu') as HTMLDetailsElement).open = false;
        // A scan error line (and its token form) goes away; progress of a running scan stays.
        if (!this.scan && !t.closest('#token-form')) $('scan-status').hidden = true;
      }
    });
    $('fit').addEventListener('click', () => this.cy.fit(undefined, 30));
    $('scan').addEventListener('click', () => void this.scanNow());
    $('relayout').addEventListener('click', () => {
      if (!this.snap) return;
      if (this.network) {
        localStorage.removeItem(storageKey(this.network));
        localStorage.removeItem(parentsKey(this.network));
      }
      this.cy.nodes().remove();
      this.lastParents = null;
      this.render(this.snap, { persist: !this.stress });
      this.cy.fit(undefined, 30);
    });
    $('panel-toggle').addEventListener('click', () => this.togglePanel());
    if (matchMedia('(max-width: 720px)').matches) this.togglePanel(false);

    const slider = $<HTMLInputElement>('slider');
    let t = 0;
    slider.addEventListener('input', () => {
      // Pause (or resume) live at once, so a snapshot arriving meanwhile does not move the slider back.
      this.live = Number(slider.value) === this.history.length - 1;
      this.updateLiveButton();
      clearTimeout(t);
      t = window.setTimeout(() => void this.show(Number(slider.value)), 120);
    });
    $<HTMLSelectElement>('compare').addEventListener('change', () => void this.show(this.index));
    $('live').addEventListener('click', () => {
      this.live = !this.live;
      this.updateLiveButton();
      if (this.live) void this.loadHistory().then(() => this.show(this.history.length - 1));
    });

    $('side').addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest('button');
      if (!b) return;
      if (b.dataset.select) this.focusNode(b.dataset.select);
      else if (b.dataset.insight) {
        const i = Number(b.dataset.insight);
        this.activeInsight = this.activeInsight === i ? -1 : i;
        this.renderInsights();
        this.applyView();
        const focus = this.cy.elements('.hl');
        if (focus.nonempty()) this.cy.animate({ fit: { eles: focus, padding: 80 } }, { duration: 250 });
      }
    });
    $('role-filter').addEventListener('change', (e) => {
      const c = e.target as HTMLInputElement;
      const role = c.dataset.role as (typeof ROLES)[number] | undefined;
      if (!role) return;
      if (c.checked) this.filter.roles.add(role);
      else this.filter.roles.delete(role);
      this.applyView();
    });
    $<HTMLSelectElement>('vendor-filter').addEventListener('change', (e) => {
      this.filter.vendor = (e.target as HTMLSelectElement).value;
      this.applyView();
    });
    $<HTMLInputElement>('weak-filter').addEventListener('change', (e) => {
      this.filter.weakOnly = (e.target as HTMLInputElement).checked;
      this.applyView();
    });
    $('clear-filters').addEventListener('click', () => {
      this.filter = { ...emptyFilter(), query: this.filter.query };
      document.querySelectorAll<HTMLInputElement>('#role-filter input').forEach((c) => (c.checked = false));
      $<HTMLSelectElement>('vendor-filter').value = '';
      $<HTMLInputElement>('weak-filter').checked = false;
      this.applyView();
    });
    for (const f of ['json', 'graphml', 'dot', 'csv'] as const) {
      $(`export-${f}`).addEventListener('click', () => void this.exportSnapshot(f));
    }
    $('export-png').addEventListener('click', () => {
      const bg = getComputedStyle(document.body).backgroundColor;
      const blob = this.cy.png({ output: 'blob', full: true, scale: 2, bg, maxWidth: 8000, maxHeight: 8000 });
      download(blob, `${this.fileStem()}.png`);
    });
    $('export-svg').addEventListener('click', () => {
      const bg = getComputedStyle(document.body).backgroundColor;
      const svg = this.cy.svg({ full: true, scale: 1, bg });
      download(new Blob([svg], { type: 'image/svg+xml' }), `${this.fileStem()}.svg`);
    });
  }

  /** Downloads the snapshot on screen through the API's export endpoint. */
  private async exportSnapshot(format: 'json' | 'graphml' | 'dot' | 'csv'): Promise<void> {
    const id = this.snap?.snapshot_id;
    if (!id) return;
    try {
      const res = await fetch(this.api.exportUrl(id, format));
      if (!res.ok) {
        let msg = `HTTP ${res.status}`;
        try {
          msg = ((await res.json()) as { error?: { message?: string } }).error?.message ?? msg;
        } catch {
          // not JSON
        }
        throw new Error(msg);
      }
      const cd = res.headers.get('Content-Disposition') ?? '';
      const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
      const ext = format === 'csv' ? 'zip' : format;
      const name = m ? decodeURIComponent(m[1]) : `${this.fileStem()}.${ext}`;
      download(await res.blob(), name.replace(/[/\\]/g, '_'));
      ($('export-menu') as HTMLDetailsElement).open = false;
    } catch (e) {
      this.setStatus(`Export ${format} of snapshot #${id} failed: ${(e as Error).message}`, true);
    }
  }

  private fileStem(): string {
    const name = (this.snap?.network.name || 'mesh').replace(/[^A-Za-z0-9._-]+/g, '_');
    return `threadmap-${name}-${this.snap?.snapshot_id ?? 'view'}`;
  }

  private focusNode(id: string): void {
    const n = this.cy.getElementById(id);
    if (n.empty()) return;
    this.cy.elements().unselect();
    n.select();
    this.showDetails(id);
    this.cy.animate({ center: { eles: n }, zoom: Math.max(this.cy.zoom(), 1) }, { duration: 250 });
  }

  /** Closes the event stream (page unload). */
  close(): void {
    this.events?.close();
  }
}

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
