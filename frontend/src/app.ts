// The shell: builds the parts (graph view, panels, history bar, network
// picker, filters, scan control, settings, exports, event stream) and wires
// them to the API and to each other. The parts do the work; this file only
// decides what is shown when.
import cytoscape from 'cytoscape';
import { Api } from './api';
import { DetailsPanel } from './details';
import { diffCount, diffHighlights, type DiffHighlights } from './diff';
import { byId, setStatus } from './dom';
import { EventStream, field } from './events';
import { ExportMenu } from './exports';
import { FilterControls } from './filtercontrols';
import { edgeId, linkTitle, nodeTip, type NodeData } from './graph';
import { GraphView, type RenderMetrics } from './graphview';
import { HistoryBar, compareFrom } from './history';
import { displayName, when } from './html';
import { insightHighlight } from './insights';
import { NetworkPicker } from './networkpicker';
import { InsightsPanel, showBorderRouters, showDiff, showNoDiff, showSnapshotPanels } from './panels';
import { ScanControl } from './scancontrol';
import { SettingsPanel } from './settingspanel';
import { legendHtml, ROLE_LOOK, stylesheet, theme } from './style';
import { syntheticMesh } from './synth';
import type { Settings } from './settings';
import type { Diff, Insight, Snapshot } from './types';

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
  private readonly hooks: Hooks;
  private readonly stress: number;
  private network = '';
  private snap: Snapshot | null = null;
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
    if (typeof EventSource !== 'undefined') this.events.open();
    void this.settings.load();
    await this.loadNetworks();
  }

  /** Closes the event stream (page unload). */
  close(): void {
    this.events.close();
  }

  // ---- loading ----

  private async loadNetworks(): Promise<void> {
    let list;
    try {
      list = await this.api.networks();
    } catch (e) {
      setStatus(`Cannot load networks: ${(e as Error).message}`, true);
      return;
    }
    const pick = this.picker.fill(list, this.network);
    if (!pick) {
      setStatus('No snapshots yet — waiting for the first scan…');
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
    await Promise.all([this.loadHistory(), this.loadBorderRouters(), this.scans.sync()]);
    if (gen !== this.netSeq) return; // another network was picked meanwhile
    await this.show(this.history.last());
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
    if (this.details.selected) this.showDetails(this.details.selected);
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
    this.details.show(id, this.snap, this.from);
    if (byId('side').hidden) this.togglePanel(true);
  }

  private focusNode(id: string): void {
    if (this.graph.focusNode(id)) this.showDetails(id);
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
    await this.loadHistory();
    if (this.history.live) await this.show(this.history.last());
    else if (this.snap) this.history.label(this.snap);
  }

  // ---- wiring ----

  private wire(): void {
    const g = this.graph;
    g.wireTaps(
      (id) => this.showDetails(id),
      () => this.details.clear(),
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
      () => void this.show(this.history.index),
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
    byId('relayout').addEventListener('click', () => {
      if (this.snap) g.relayout(this.snap, this.hl);
      this.applyView();
    });
    byId('panel-toggle').addEventListener('click', () => this.togglePanel());
    if (matchMedia('(max-width: 720px)').matches) this.togglePanel(false);
    byId('side').addEventListener('click', (e) => {
      const b = (e.target as HTMLElement).closest('button');
      if (!b) return;
      if (b.dataset.select) this.focusNode(b.dataset.select);
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
      .on('border_router.appeared', () => void this.loadBorderRouters())
      .on('border_router.disappeared', () => void this.loadBorderRouters());
  }
}
