// The shell: builds the parts (graph view, panels, history bar, network
// picker, filters, scan control, settings, exports, event stream) and wires
// them to the API and to each other. The parts do the work; this file only
// decides what is shown when.
import cytoscape from 'cytoscape';
import { Api } from './api';
import { ChangeLog } from './changelog';
import { Connection, type LinkState } from './connection';
import { DetailsPanel } from './details';
import { diffCount, diffHighlights, type DiffHighlights } from './diff';
import { byId, setStatus } from './dom';
import { EventStream, field } from './events';
import { ExportMenu } from './exports';
import { FilterControls } from './filtercontrols';
import { edgeId, linkTitle, nodeTip, type NodeData } from './graph';
import { GraphView, type RenderMetrics } from './graphview';
import { HistoryBar, compareFrom } from './history';
import { displayName, esc, when } from './html';
import { insightHighlight } from './insights';
import { NetworkPicker } from './networkpicker';
import { InsightsPanel, showBorderRouters, showDiff, showNoDiff, showSnapshotPanels } from './panels';
import { ScanControl } from './scancontrol';
import { SettingsPanel } from './settingspanel';
import { SourcesPanel } from './sources';
import { timelineHtml } from './timeline';
import { baselineKey, readState, writeState } from './urlstate';
import { legendHtml, ROLE_LOOK, stylesheet, theme } from './style';
import { syntheticMesh } from './synth';
import type { Settings } from './settings';
import type { Diff, Insight, Snapshot, Source } from './types';

/** What the e2e tests and the stress script read from window.__threadmap. */
export interface Hooks {
  cy: cytoscape.Core;
  ready: boolean;
  metrics: RenderMetrics & { firstRenderMs?: number; nodes?: number; edges?: number };
  state: () => { network: string; snapshot: string; index: number; live: boolean; diffCount: number; history: number };
}

declare global {
  interface Window {
    __threadmap?: Hooks;
  }
}

/** Snapshots kept in memory (history browsing), oldest dropped first. */
const CACHE_SIZE = 50;

/** The application. One per page. */
export class App {
  private readonly api = new Api();
  private readonly graph: GraphView;
  private readonly details = new DetailsPanel();
  private readonly insights = new InsightsPanel();
  private readonly history = new HistoryBar();
  private readonly picker = new NetworkPicker();
  private readonly filters = new FilterControls();
  private readonly scans: ScanControl;
  private readonly settings: SettingsPanel;
  private readonly exports: ExportMenu;
  private readonly events: EventStream;
  private readonly sources: SourcesPanel;
  private readonly changes: ChangeLog;
  private conn: Connection | null = null;
  private readonly hooks: Hooks;
  /** What the URL asked for when the page opened (used once each). */
  private readonly asked = readState(location.search);
  private timelineFor = '';
  private readonly stress: number;
  private network = '';
  private snap: Snapshot | null = null;
  /** True while the API lists no network with a snapshot. */
  private empty = false;
  private from: Snapshot | null = null;
  private diff: Diff | null = null;
  private hl: DiffHighlights | null = null;
  private readonly cache = new Map<string, Snapshot>();
  private loadSeq = 0;
  private netSeq = 0;

  constructor() {
    const params = new URLSearchParams(location.search);
    this.stress = Math.max(0, Math.min(20000, Number(params.get('stress') ?? 0) || 0));
    const dark = matchMedia('(prefers-color-scheme: dark)');
    // Panning a big graph redraws a cached texture instead of every element
    // (stress mode with ≥1000 nodes; ?texture=0|1 overrides, for measuring).
    const big = params.has('texture') ? params.get('texture') === '1' : this.stress >= 1000;
    const cy = cytoscape({
      container: byId('graph'),
      style: stylesheet(theme(dark.matches)),
      minZoom: 0.05,
      maxZoom: 4,
      boxSelectionEnabled: false,
      selectionType: 'single',
      textureOnViewport: big,
      hideEdgesOnViewport: false,
    });
    dark.addEventListener('change', (e) => cy.style(stylesheet(theme(e.matches))));
    const metrics: Hooks['metrics'] = {};
    this.graph = new GraphView(cy, { storage: this.stress ? null : localStorage, metrics });
    this.scans = new ScanControl(this.api, () => this.network);
    this.settings = new SettingsPanel(this.api, () => this.network);
    this.exports = new ExportMenu(this.api, cy, () => this.snap);
    this.events = new EventStream(this.api.eventsUrl());
    this.sources = new SourcesPanel();
    this.changes = new ChangeLog(this.api, (id) => this.nameOf(id));
    this.hooks = {
      cy,
      ready: false,
      metrics,
      state: () => ({
        network: this.network,
        snapshot: this.snap?.snapshot_id ?? '',
        index: this.history.list.findIndex((h) => h.id === this.snap?.snapshot_id),
        live: this.history.live,
        diffCount: this.diff ? diffCount(this.diff) : 0,
        history: this.history.list.length,
      }),
    };
    window.__threadmap = this.hooks;
    this.wire();
    byId('legend').innerHTML = legendHtml();
  }

  /** Starts: the stress mesh, or the API's networks and the event stream. */
  async start(): Promise<void> {
    if (this.stress) {
      document.title = `threadmap — stress ${this.stress}`;
      this.picker.disable();
      this.history.disable();
      this.scans.disable();
      const s = syntheticMesh(this.stress);
      this.snap = s;
      this.draw(s);
      const cy = this.graph.cy;
      cy.one('render', () => {
        requestAnimationFrame(() => {
          this.hooks.metrics.firstRenderMs = performance.now();
          this.hooks.metrics.nodes = cy.nodes().length;
          this.hooks.metrics.edges = cy.edges().length;
          this.hooks.ready = true;
        });
      });
      setStatus(`Synthetic mesh: ${s.nodes.length} nodes, ${s.links.length} links`);
      return;
    }
    if (typeof EventSource !== 'undefined') {
      this.conn = new Connection(
        () => this.events.open(),
        (signal) => this.api.info(signal),
        { state: (st, next) => this.showConnection(st, next), recovered: () => void this.reloadAll() },
      );
      this.conn.start();
    }
    void this.settings.load();
    void this.loadSources();
    await this.loadNetworks();
  }

  /** After the server was away: everything may have changed. */
  private async reloadAll(): Promise<void> {
    void this.loadSources();
    void this.settings.load();
    this.cache.clear();
    await this.loadNetworks();
    if (this.network) {
      await this.loadHistory();
      if (this.history.live) await this.show(this.history.last());
      void this.changes.load(this.network);
    }
  }

  /** Shows whether the server answers: an offline line over the graph, the map marked stale. */
  private showConnection(st: LinkState, nextTry?: number): void {
    const box = byId('conn');
    const wrap = byId('graph-wrap');
    clearTimeout(this.connHide);
    if (st === 'offline') {
      const secs = nextTry ? Math.max(1, Math.round((nextTry - Date.now()) / 1000)) : 0;
      const at = this.snap ? ` The map shows ${when(this.snap.taken_at)} and may be stale.` : '';
      box.textContent = `Offline: the server is not answering — reconnecting${secs ? ` (next try in ${secs} s)` : ''}.${at}`;
      box.className = 'conn';
      box.hidden = false;
      wrap.classList.add('stale');
      this.history.setOffline(true);
    } else if (st === 'live') {
      const was = !box.hidden;
      wrap.classList.remove('stale');
      this.history.setOffline(false);
      if (was) {
        box.textContent = 'Back online.';
        box.className = 'conn ok';
        this.connHide = window.setTimeout(() => (box.hidden = true), 3000);
      }
    }
    byId('graph').dataset.connection = st;
  }

  private connHide = 0;

  /** GET /sources into the Sources section and the alert line. */
  private async loadSources(): Promise<void> {
    try {
      this.sources.set(await this.api.sources());
      if (this.empty) this.showEmpty();
    } catch (e) {
      this.sources.unavailable(`Source states unavailable: ${(e as Error).message}`);
    }
  }

  /** Closes the event stream (page unload). */
  close(): void {
    this.conn?.stop();
    this.events.close();
  }

  // ---- loading ----

  /**
   * The status line while no network has a snapshot. It depends on two
   * answers (networks and sources) that arrive in either order, so both
   * call it.
   */
  private showEmpty(): void {
    setStatus(this.sources.sources().length ? 'No snapshots yet — no source has answered so far (see Sources).' : 'No snapshots yet — waiting for the first scan…');
  }

  private async loadNetworks(): Promise<void> {
    let list;
    try {
      list = await this.api.networks();
    } catch (e) {
      setStatus(`Cannot load networks: ${(e as Error).message}`, true);
      return;
    }
    const pick = this.picker.fill(list, this.network, this.asked.network);
    this.empty = !pick;
    if (!pick) {
      this.showEmpty();
      this.hooks.ready = true;
      return;
    }
    // A refresh of the list (a new network appeared) keeps the map as it is.
    if (pick !== this.network || !this.snap) await this.selectNetwork(pick);
  }

  private async selectNetwork(key: string): Promise<void> {
    const gen = ++this.netSeq;
    const changed = key !== this.network;
    this.network = key;
    this.graph.network = key;
    this.picker.remember(key);
    if (changed) {
      this.settings.networkChanged();
      this.hooks.ready = false;
      this.snap = null;
      this.from = null;
      this.diff = null;
      this.hl = null;
      this.graph.clear();
      this.cache.clear();
      this.details.clear();
      this.scans.reset();
    }
    this.history.setLive(true);
    void this.changes.load(key);
    await Promise.all([this.loadHistory(), this.loadBorderRouters(), this.scans.sync()]);
    if (gen !== this.netSeq) return; // another network was picked meanwhile
    // The baseline: the URL's (once), else the one kept for this network, until the user picks another.
    const baseline = (key === this.asked.network || !this.asked.network ? this.asked.baseline : '') || localStorage.getItem(baselineKey(key)) || '';
    this.asked.baseline = '';
    if (baseline) this.history.setChoice(baseline);
    let at = this.history.last();
    if (this.asked.snapshot) {
      const i = this.history.list.findIndex((h) => h.id === this.asked.snapshot);
      if (i >= 0) {
        at = i;
        this.history.setLive(i === this.history.last());
      }
      this.asked.snapshot = '';
    }
    if (this.asked.node) {
      this.details.selected = this.asked.node;
      this.asked.node = '';
    }
    await this.show(at);
  }

  /** The name a user knows node id by, from the shown snapshot (or the compared one). */
  private nameOf(id: string): string {
    return displayName(this.snap?.nodes.find((n) => n.id === id) ?? this.from?.nodes.find((n) => n.id === id), id);
  }

  /** Keeps the URL naming what is shown (network, snapshot when paused, baseline, node). */
  private syncUrl(): void {
    const choice = this.history.choice();
    const q = writeState(
      {
        network: this.network,
        snapshot: this.history.live ? '' : (this.snap?.snapshot_id ?? ''),
        baseline: choice !== 'prev' && choice !== 'none' ? choice : '',
        node: this.details.selected,
      },
      location.search,
    );
    if (q !== location.search) history.replaceState(null, '', `${location.pathname}${q}${location.hash}`);
  }

  private async loadHistory(): Promise<void> {
    const net = this.network;
    try {
      const list = await this.api.snapshots(net);
      if (net !== this.network) return;
      this.history.setList(list);
    } catch (e) {
      setStatus(`Cannot load history: ${(e as Error).message}`, true);
      this.history.setList([]);
    }
  }

  private async loadBorderRouters(): Promise<void> {
    const net = this.network;
    try {
      const list = await this.api.borderRouters(net);
      if (net === this.network) showBorderRouters(list);
    } catch (e) {
      showBorderRouters(e as Error);
    }
  }

  private async fetchSnapshot(id: string): Promise<Snapshot> {
    const c = this.cache.get(id);
    if (c) return c;
    const s = await this.api.snapshot(id);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(id, s);
    return s;
  }

  /** Shows history entry i (with the diff the compare selector asks for). */
  private async show(i: number): Promise<void> {
    const seq = ++this.loadSeq;
    const net = this.network;
    const stale = () => seq !== this.loadSeq || net !== this.network;
    this.hooks.ready = false;
    const list = this.history.list;
    if (i < 0 || i >= list.length) {
      // No history listing (yet): the latest topology still shows.
      try {
        const s = await this.api.latest(net);
        if (stale()) return;
        this.snap = s;
        this.from = null;
        this.diff = null;
        this.hl = null;
        this.draw(s);
        this.afterRender();
      } catch (e) {
        setStatus(`Cannot load topology: ${(e as Error).message}`, true);
        this.hooks.ready = true;
      }
      return;
    }
    this.history.setIndex(i);
    const cur = list[i];
    const choice = this.history.choice();
    const fromId = compareFrom(list, i, choice);
    const diffing = !!fromId && fromId !== cur.id;
    setStatus(`Loading snapshot #${cur.id}…`);
    let diffError = '';
    try {
      const [s, from, diff, insights] = await Promise.all([
        this.fetchSnapshot(cur.id),
        diffing ? this.fetchSnapshot(fromId) : Promise.resolve(null),
        diffing
          ? this.api.diff(fromId, cur.id).catch((e: Error) => {
              diffError = e.message;
              return null;
            })
          : Promise.resolve(null),
        this.api.insights(net, cur.id).catch(() => [] as Insight[]),
      ]);
      if (stale()) return;
      this.snap = s;
      this.from = from;
      this.diff = diff;
      this.insights.set(insights);
      const byId = new Map(s.nodes.map((n) => [n.id, n]));
      const fromById = new Map((from?.nodes ?? []).map((n) => [n.id, n]));
      const name = (id: string) => displayName(byId.get(id) ?? fromById.get(id), id);
      this.hl = diff ? diffHighlights(diff, from, s, name) : null;
      this.draw(s);
      if (diff && this.hl) showDiff(diff, this.hl);
      else showNoDiff(diffError ? 'error' : fromId ? 'none' : list.length < 2 ? 'single' : choice === 'prev' ? 'oldest' : 'off', diffError);
      this.afterRender();
    } catch (e) {
      if (stale()) return;
      setStatus(`Cannot load snapshot #${cur.id}: ${(e as Error).message}`, true);
      this.hooks.ready = true;
    }
  }

  /** Draws s (with the diff's ghosts) and re-applies the view. */
  private draw(s: Snapshot): void {
    const d = this.graph.render(s, this.hl, !this.stress);
    if (this.details.selected) this.graph.select(this.details.selected);
    this.filters.research(s);
    this.filters.refreshVendors(s);
    this.applyView();
    const g = byId('graph');
    g.dataset.nodeCount = String(d.nodes);
    g.dataset.edgeCount = String(d.edges);
    g.dataset.dangling = String(d.dangling);
    g.dataset.snapshotId = s.snapshot_id ?? '';
    g.dataset.ghosts = String(d.ghosts);
    g.setAttribute('aria-label', `Mesh graph: ${d.nodes} nodes, ${d.edges} links`);
  }

  private afterRender(): void {
    const s = this.snap;
    if (!s) return;
    this.history.label(s);
    showSnapshotPanels(s);
    this.exports.update(s);
    const g = byId('graph');
    const drawn = Number(g.dataset.edgeCount ?? s.links.length);
    const undrawn = Number(g.dataset.dangling ?? 0);
    setStatus(`${s.nodes.length} nodes · ${drawn} links${undrawn > 0 ? ` (${undrawn} to unknown nodes not drawn)` : ''} · ${when(s.taken_at)}${this.history.live ? ' · live' : ' · paused'}`);
    // A new snapshot refreshes the details, unless the user is typing a name there.
    if (this.details.selected && !document.getElementById('rename-form')) this.showDetails(this.details.selected);
    const choice = this.history.choice();
    const baseline = choice !== 'prev' && choice !== 'none' ? choice : '';
    const b = this.history.list.find((h) => h.id === baseline);
    byId('baseline-label').textContent = b ? `baseline #${b.id} · ${when(b.taken_at)}` : '';
    byId<HTMLAnchorElement>('report-link').href = this.api.reportUrl(this.network, s.snapshot_id ?? '', baseline || (this.from?.snapshot_id ?? ''));
    byId('overview').setAttribute('aria-pressed', String(this.graph.overviewOn));
    this.syncUrl();
    this.hooks.ready = true;
  }

  /** Re-applies filter, search and insight highlights. */
  private applyView(): void {
    const s = this.snap;
    if (!s) return;
    const ids = new Set<string>(this.filters.hits);
    const ins = this.insights.current();
    if (ins) {
      const drawn = this.graph.ids();
      const h = insightHighlight(ins, drawn.nodes, drawn.edges);
      for (const id of h.nodes) ids.add(id);
      for (const id of h.edges) ids.add(id);
    }
    this.graph.applyView(s, this.filters.filter, { ids, fadeRest: ids.size > 0 || this.filters.searching() });
  }

  private showDetails(id: string): void {
    if (!this.snap) return;
    const shown = this.details.show(id, this.snap, this.from);
    this.graph.focusOn(id);
    if (byId('side').hidden) this.togglePanel(true);
    if (!shown) return;
    const kids = (this.graph.cy.getElementById(id).data('kids') as number | undefined) ?? 0;
    if (kids > 0 && this.graph.overviewOn) {
      const open = !this.graph.isCollapsed(id);
      byId('details').querySelector('h2')?.insertAdjacentHTML(
        'afterend',
        `<button type="button" id="toggle-children" aria-expanded="${open}">${open ? 'Fold' : 'Show'} its ${kids} ${kids === 1 ? 'child' : 'children'}</button>`,
      );
    }
    void this.showTimeline(id);
    this.syncUrl();
  }

  /** Fills the details panel's timeline from GET /nodes/{id}/history. */
  private async showTimeline(id: string): Promise<void> {
    const net = this.network;
    const key = `${net}|${id}|${this.snap?.snapshot_id ?? ''}`;
    const box = document.getElementById('timeline');
    if (!box || !net) return;
    if (this.timelineFor === key && this.timelineHtml) {
      box.innerHTML = this.timelineHtml;
      return;
    }
    box.innerHTML = '<p class="muted">Loading its history…</p>';
    try {
      const h = await this.api.nodeHistory(net, id);
      const html = timelineHtml(h.points ?? [], (x) => this.nameOf(x));
      this.timelineFor = key;
      this.timelineHtml = html;
      const now = document.getElementById('timeline');
      if (now?.dataset.node === id) now.innerHTML = html;
    } catch (e) {
      const now = document.getElementById('timeline');
      if (now?.dataset.node === id) now.innerHTML = `<p class="muted">History unavailable: ${esc((e as Error).message)}</p>`;
    }
  }

  private timelineHtml = '';

  private focusNode(id: string): void {
    this.graph.reveal(id);
    if (this.graph.focusNode(id)) this.showDetails(id);
  }

  /** Shows or folds the children of node id (overview). */
  private toggleChildren(id: string, show?: boolean): void {
    this.graph.toggleChildren(id, show);
    this.applyView();
    if (this.details.selected === id) this.showDetails(id);
  }

  /** A device got a name (here or in another tab): everything that shows names reloads. */
  private renamed(): void {
    this.cache.clear();
    this.timelineFor = '';
    if (this.history.index >= 0) void this.show(this.history.index);
    else if (this.network) void this.show(-1);
    this.changes.render();
  }

  private togglePanel(show?: boolean): void {
    const side = byId('side');
    const want = show ?? side.hidden;
    side.hidden = !want;
    byId('panel-toggle').setAttribute('aria-expanded', String(want));
    this.graph.resize();
  }

  // ---- live ----

  private async onSnapshot(network: string): Promise<void> {
    if (!this.network || !this.picker.has(network)) {
      await this.loadNetworks();
      return;
    }
    if (network !== this.network) return;
    void this.changes.load(network);
    await this.loadHistory();
    if (this.history.live) await this.show(this.history.last());
    else if (this.snap) this.history.label(this.snap);
  }

  // ---- wiring ----

  private wire(): void {
    const g = this.graph;
    g.wireTaps(
      (id) => {
        if (g.isCollapsed(id)) this.toggleChildren(id, true);
        this.showDetails(id);
      },
      () => {
        this.details.clear();
        g.focusOn('');
        this.syncUrl();
      },
    );
    g.wireZoom();
    this.details.wireNames(
      this.api,
      () => this.snap,
      () => this.renamed(),
    );
    g.wireTips(
      byId('tip'),
      byId('graph-wrap'),
      (id) => nodeTip(g.cy.getElementById(id).data() as NodeData, (r) => ROLE_LOOK[r as keyof typeof ROLE_LOOK]?.label ?? r),
      (eid) => {
        const s = this.snap;
        if (!s) return '';
        const l = s.links.find((x) => edgeId(x.kind, x.a, x.b) === eid) ?? this.hl?.ghostLinks.find((x) => edgeId(x.kind, x.a, x.b) === eid);
        if (!l) return '';
        const name = (id: string) => displayName(s.nodes.find((n) => n.id === id) ?? this.from?.nodes.find((n) => n.id === id), id);
        return `${name(l.a)} – ${name(l.b)}\n${linkTitle(l)}`;
      },
    );
    this.picker.wire((key) => void this.selectNetwork(key));
    this.filters.wire(
      () => this.snap,
      () => this.applyView(),
      (id) => this.focusNode(id),
    );
    this.history.wire(
      (i) => void this.show(i),
      () => {
        // A snapshot picked to compare with is the baseline: it stays (per network) until the user picks another.
        const c = this.history.choice();
        if (this.network) {
          if (c !== 'prev' && c !== 'none') localStorage.setItem(baselineKey(this.network), c);
          else localStorage.removeItem(baselineKey(this.network));
        }
        void this.show(this.history.index);
      },
      (live) => {
        if (live) void this.loadHistory().then(() => this.show(this.history.last()));
      },
    );
    this.scans.wire();
    this.exports.wire();
    document.addEventListener('keydown', (e) => {
      const t = e.target as HTMLElement;
      const typing = t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement;
      if (e.key === '/' && !typing) {
        e.preventDefault();
        this.filters.focusSearch();
      } else if ((e.key === '+' || e.key === '-') && !typing && this.details.selected) {
        this.toggleChildren(this.details.selected, e.key === '+');
      } else if (e.key === 'Escape') {
        this.filters.clearSearch();
        this.insights.reset();
        this.applyView();
        this.exports.close();
        // A scan error line (and its token form) goes away; progress of a running scan stays.
        if (!t.closest('#token-form')) this.scans.dismiss();
      }
    });
    byId('fit').addEventListener('click', () => g.fit());
    byId('overview').addEventListener('click', () => {
      g.setOverview(!g.overviewOn);
      byId('overview').setAttribute('aria-pressed', String(g.overviewOn));
      this.applyView();
      g.fit(g.cy.nodes(':visible'));
    });
    byId('legend-toggle').addEventListener('click', () => {
      const box = byId<HTMLDetailsElement>('legend-box');
      box.open = !box.open;
      byId('legend-toggle').setAttribute('aria-expanded', String(box.open));
      if (box.open) {
        if (byId('side').hidden) this.togglePanel(true);
        byId('side').scrollTop = 0;
      }
    });
    byId('legend-box').addEventListener('toggle', () => byId('legend-toggle').setAttribute('aria-expanded', String(byId<HTMLDetailsElement>('legend-box').open)));
    byId('print').addEventListener('click', () => {
      this.exports.close();
      window.print();
    });
    window.addEventListener('beforeprint', () => g.resize());
    window.addEventListener('afterprint', () => g.resize());
    byId('source-alert').addEventListener('click', () => {
      const box = byId<HTMLDetailsElement>('sources-box');
      box.open = true;
      if (byId('side').hidden) this.togglePanel(true);
      box.scrollIntoView({ block: 'nearest' });
    });
    byId('relayout').addEventListener('click', () => {
      if (this.snap) g.relayout(this.snap, this.hl);
      this.applyView();
    });
    byId('panel-toggle').addEventListener('click', () => this.togglePanel());
    if (matchMedia('(max-width: 720px)').matches) this.togglePanel(false);
    byId('side').addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest('button');
      if (!b) return;
      if (b.id === 'toggle-children' && this.details.selected) this.toggleChildren(this.details.selected);
      else if (b.dataset.select) this.focusNode(b.dataset.select);
      else if (b.dataset.insight) {
        this.insights.toggle(Number(b.dataset.insight));
        this.applyView();
        const focus = g.cy.elements('.hl');
        if (focus.nonempty()) g.fit(focus, 80, true);
      }
    });

    this.events
      .on('snapshot.new', (d) => void this.onSnapshot(field(d, 'network')))
      .on('scan.started', (d) => this.scans.started(d))
      .on('scan.progress', (d) => this.scans.progress(d))
      .on('scan.finished', (d) => this.scans.finished(d))
      .on('settings.changed', (d) => {
        if (typeof d.source === 'object') this.settings.show(d as unknown as Settings, false);
      })
      .on('source.state', (d) => {
        this.sources.update(d as unknown as Source);
        if (this.empty) this.showEmpty();
      })
      .on('names.changed', () => this.renamed())
      .on('border_router.appeared', () => void this.loadBorderRouters())
      .on('border_router.disappeared', () => void this.loadBorderRouters());
  }
}
