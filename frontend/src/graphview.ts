// The graph on screen: keeps a Cytoscape instance in step with a snapshot
// (stable positions, ghosts of what a diff removed, highlight classes),
// applies the filter and focus classes, persists positions per network,
// and shows hover tips. The Cytoscape instance is given (headless in tests).
import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { applyFilter, type Filter } from './filter';
import { edgeId, toElements, type EdgeElement, type NodeElement } from './graph';
import type { DiffHighlights } from './diff';
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
  type Pos,
  type Positions,
} from './layout';
import type { Snapshot, TopoNode } from './types';

/** Timings of the last render (ms), for the stress page. */
export interface RenderMetrics {
  prepareMs?: number;
  routerLayoutMs?: number;
  placeMs?: number;
  drawMs?: number;
  layoutMs?: number;
}

/** What a render drew. */
export interface Drawn {
  nodes: number;
  edges: number;
  /** Links to nodes the snapshot lacks (not drawn). */
  dangling: number;
  /** Ghost nodes (removed since the compared snapshot). */
  ghosts: number;
}

/** What the view highlights on top of the filter. */
export interface Focus {
  /** Element ids to highlight (class hl). */
  ids: Set<string>;
  /** Whether everything else fades (also when a search matched nothing). */
  fadeRest: boolean;
}

/** Options of a GraphView. */
export interface GraphViewOptions {
  /** Where positions and last parents persist (localStorage); null: nowhere. */
  storage: Storage | null;
  /** Timings go here after each render. */
  metrics?: RenderMetrics;
}

cytoscape.use(fcose);

/** A mesh with more nodes than this opens as the router-level overview (children collapsed into counts). */
export const OVERVIEW_NODES = 80;

/** Router label size on screen (px) the view keeps at any zoom out, and its cap in graph units. */
export const ROUTER_LABEL_PX = 12;
const ROUTER_LABEL_MAX = 240;

/** Keeps node positions at most this many per network in storage. */
export const MAX_STORED_POSITIONS = 5000;

/** The mesh graph. */
export class GraphView {
  /** The network whose positions are read and saved ('' = none). */
  network = '';
  private lastParents: Map<string, string> | null = null;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** Router-level overview: children hidden behind a count on their parent, except under expanded parents. */
  private overview = false;
  private readonly expanded = new Set<string>();
  /** The node whose neighbourhood is in focus ('' = none). */
  private focused = '';
  private zoomFrame = 0;
  /** The next first draw decides the overview by the mesh's size. */
  private autoOverview = true;

  constructor(
    readonly cy: cytoscape.Core,
    private readonly opts: GraphViewOptions,
  ) {}

  /** Forgets everything drawn (another network was picked). */
  clear(): void {
    this.cy.elements().remove();
    this.lastParents = null;
    this.overview = false;
    this.autoOverview = true;
    this.expanded.clear();
    this.focused = '';
  }

  /** Whether the router-level overview is on. */
  get overviewOn(): boolean {
    return this.overview;
  }

  /** Turns the overview on (all children collapsed) or off (everything shown). */
  setOverview(on: boolean): void {
    this.overview = on;
    this.expanded.clear();
    this.applyCollapse();
  }

  /** Whether parent id's children are hidden behind its count. */
  isCollapsed(id: string): boolean {
    return this.overview && !this.expanded.has(id) && this.childCount(id) > 0;
  }

  /** Shows (or hides again) the children of parent id; returns whether they are shown now. */
  toggleChildren(id: string, show?: boolean): boolean {
    const want = show ?? this.isCollapsed(id);
    if (want) this.expanded.add(id);
    else this.expanded.delete(id);
    this.applyCollapse();
    return want;
  }

  /** Makes node id visible: expands its parent when the overview hides it. */
  reveal(id: string): void {
    const p = (this.cy.getElementById(id).data('parentId') as string | undefined) ?? '';
    if (p && this.isCollapsed(p)) this.toggleChildren(p, true);
  }

  private childCount(id: string): number {
    return (this.cy.getElementById(id).data('kids') as number | undefined) ?? 0;
  }

  /**
   * Applies the overview: children of collapsed parents get class
   * collapsed (hidden, with their links); a collapsed parent says how many
   * children it hides in its label ("▸ 12 children"), an expanded one
   * "▾ 12 children". In a big mesh, child labels show only when zoomed in
   * (class lod), under an expanded parent or next to the selection.
   */
  applyCollapse(): void {
    const cy = this.cy;
    const kids = new Map<string, number>();
    cy.nodes().forEach((n) => {
      const p = n.data('parentId') as string;
      if (p && !n.hasClass('ghost')) kids.set(p, (kids.get(p) ?? 0) + 1);
    });
    const big = cy.nodes().length > OVERVIEW_NODES;
    cy.batch(() => {
      cy.nodes().forEach((n) => {
        const id = n.id();
        const k = kids.get(id) ?? 0;
        const p = (n.data('parentId') as string) || '';
        const hidden = this.overview && !!p && !this.expanded.has(p) && kids.has(p);
        if (n.data('kids') !== k) n.data('kids', k);
        const collapsed = this.overview && k > 0 && !this.expanded.has(id);
        const base = n.data('label') as string;
        const display = k > 0 && this.overview ? `${base}\n${collapsed ? '▸' : '▾'} ${k} ${k === 1 ? 'child' : 'children'}` : base;
        if (n.data('display') !== display) n.data('display', display);
        const want: [string, boolean][] = [
          ['collapsed', hidden],
          ['has-collapsed', collapsed],
          ['lod', big && !!p],
          ['lod-show', big && !!p && (this.expanded.has(p) || !this.overview)],
        ];
        for (const [cls, on] of want) if (n.hasClass(cls) !== on) n.toggleClass(cls, on);
      });
    });
  }

  /**
   * Focus on a node: its links, parent, children and neighbours get class
   * near, everything else dim. '' ends the focus.
   */
  focusOn(id: string): void {
    this.focused = id;
    const cy = this.cy;
    const n = id ? cy.getElementById(id) : cy.collection();
    cy.batch(() => {
      if (n.empty()) {
        cy.elements('.near, .dim').removeClass('near dim');
        return;
      }
      const near = n.closedNeighborhood();
      const nearIds = new Set(near.map((e) => e.id()));
      cy.elements().forEach((e) => {
        const on = nearIds.has(e.id());
        if (e.hasClass('near') !== on) e.toggleClass('near', on);
        if (e.hasClass('dim') === on) e.toggleClass('dim', !on);
      });
    });
  }

  /** Keeps router labels readable when zoomed out: their size in graph units grows as the zoom shrinks. */
  scaleLabels(): void {
    const z = this.cy.zoom();
    const fs = Math.min(ROUTER_LABEL_MAX, Math.max(10, ROUTER_LABEL_PX / z));
    const routers = this.cy.nodes('.role-router, .role-leader');
    this.cy.batch(() => {
      routers.forEach((r) => {
        if (r.data('fs') !== fs) r.data('fs', fs);
      });
    });
  }

  /** Rescales router labels after each zoom (once per frame). */
  wireZoom(): void {
    this.cy.on('zoom', () => {
      if (this.zoomFrame) return;
      this.zoomFrame = requestAnimationFrame(() => {
        this.zoomFrame = 0;
        this.scaleLabels();
      });
    });
  }

  /**
   * Brings the graph in step with snapshot s (and the diff highlights hl,
   * whose removed nodes and links are drawn as ghosts), keeping known
   * positions: what the graph has, else what was stored, then the rest
   * placed near their parents. `persist` false keeps storage out of it.
   */
  render(s: Snapshot, hl: DiffHighlights | null, persist = this.opts.storage !== null): Drawn {
    const store = persist ? this.opts.storage : null;
    const t0 = performance.now();
    const el = toElements(s);
    const ghosts = hl ? toElements({ ...s, nodes: hl.ghostNodes, links: [] }).nodes : [];
    const allNodes = new Map<string, NodeElement>(el.nodes.map((n) => [n.data.id, n]));
    for (const g of ghosts) if (!allNodes.has(g.data.id)) allNodes.set(g.data.id, { ...g, classes: g.classes + ' ghost diff-removed' });
    const nodeIds = new Set(allNodes.keys());
    const ghostEdges: EdgeElement[] = hl
      ? toElements({ ...s, nodes: [...allNodes.values()].map((n) => ({ id: n.data.id }) as TopoNode), links: hl.ghostLinks }).edges.map((e) => ({ ...e, classes: e.classes + ' ghost diff-removed' }))
      : [];
    const allEdges = new Map<string, EdgeElement>(el.edges.map((e) => [e.data.id, e]));
    for (const g of ghostEdges) if (!allEdges.has(g.data.id)) allEdges.set(g.data.id, g);

    const known: Positions = store ? decodePositions(store.getItem(storageKey(this.network))) : new Map<string, Pos>();
    this.cy.nodes().forEach((n) => {
      known.set(n.id(), { ...n.position() });
    });
    // A child that changed parent moved in the mesh: place it again, by its new parent.
    const parents = parentMap(s);
    const prevParents = this.lastParents ?? (store ? decodeParents(store.getItem(parentsKey(this.network))) : new Map<string, string>());
    const moved = new Set(reparented(prevParents, parents));
    for (const id of moved) known.delete(id);
    this.lastParents = parents;
    if (store && this.network) {
      try {
        store.setItem(parentsKey(this.network), encodeParents(parents));
      } catch {
        // storage full or disabled
      }
    }
    const layoutSnap: Snapshot = {
      ...s,
      nodes: [...s.nodes, ...(hl?.ghostNodes.filter((g) => !s.nodes.some((n) => n.id === g.id)) ?? [])],
      links: [...s.links, ...(hl?.ghostLinks ?? [])],
    };
    const routerIds = layoutSnap.nodes.filter((n) => n.role === 'leader' || n.role === 'router').map((n) => n.id);
    const needRouterLayout = routerIds.length > 2 && !routerIds.some((id) => known.has(id));
    const t1 = performance.now();
    if (needRouterLayout) for (const [id, p] of layoutRouters(layoutSnap, routerIds)) known.set(id, p);
    const t2 = performance.now();
    const added = placeMissing(layoutSnap, known);
    const t3 = performance.now();
    for (const [id, p] of added) known.set(id, p);

    const cy = this.cy;
    const firstDraw = cy.nodes().empty() && nodeIds.size > 0;
    const selected = cy.nodes(':selected').map((n) => n.id());
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
      if (hl) {
        for (const [id, cls] of hl.nodes) cy.getElementById(id).addClass(cls.join(' '));
        for (const [id, cls] of hl.edges) cy.getElementById(id).addClass(cls.join(' '));
      }
    });
    for (const id of selected) cy.getElementById(id).select();
    if (firstDraw && this.autoOverview) {
      this.overview = el.nodes.length > OVERVIEW_NODES;
      this.autoOverview = false;
    }
    this.applyCollapse();
    if (this.focused) this.focusOn(this.focused);
    if (firstDraw) cy.fit(cy.nodes(':visible').nonempty() ? cy.nodes(':visible') : undefined, 30);
    this.scaleLabels();
    if (store) this.savePositions();
    const t4 = performance.now();
    if (this.opts.metrics) Object.assign(this.opts.metrics, { prepareMs: t1 - t0, routerLayoutMs: t2 - t1, placeMs: t3 - t2, drawMs: t4 - t3, layoutMs: t4 - t0 });
    return { nodes: el.nodes.length, edges: el.edges.length, dangling: el.dangling.length, ghosts: ghosts.length };
  }

  /** Drops stored and drawn positions and lays snapshot s out from scratch. */
  relayout(s: Snapshot, hl: DiffHighlights | null): void {
    const store = this.opts.storage;
    if (store && this.network) {
      store.removeItem(storageKey(this.network));
      store.removeItem(parentsKey(this.network));
    }
    this.cy.nodes().remove();
    this.lastParents = null;
    this.render(s, hl);
    this.cy.fit(undefined, 30);
  }

  /** Saves the drawn positions (debounced 300 ms), at most MAX_STORED_POSITIONS per network. */
  savePositions(): void {
    const store = this.opts.storage;
    const net = this.network;
    if (!store || !net) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.savePositionsNow(store, net), 300);
  }

  /** Writes the positions at once (savePositions does it debounced). */
  savePositionsNow(store: Storage, net: string): void {
    const stored = decodePositions(store.getItem(storageKey(net)));
    this.cy.nodes().forEach((n) => {
      stored.set(n.id(), { ...n.position() });
    });
    const entries = [...stored.entries()].slice(-MAX_STORED_POSITIONS);
    try {
      store.setItem(storageKey(net), encodePositions(new Map(entries)));
    } catch {
      // storage full or disabled: positions then last only for this page
    }
  }

  /**
   * Re-applies the filter (class filtered; ghosts are never filtered) and
   * the focus (class hl on focused elements, faded on the rest when
   * focus.fadeRest). Touches only classes that change: each change costs a style pass.
   */
  applyView(s: Snapshot, filter: Filter, focus: Focus): void {
    const vis = applyFilter(s, filter);
    this.cy.batch(() => {
      this.cy.elements().forEach((e) => {
        const ghost = e.hasClass('ghost');
        const id = e.id();
        const want: [string, boolean][] = [
          ['filtered', !ghost && !(e.isNode() ? vis.nodes.has(id) : vis.edges.has(id))],
          ['hl', focus.ids.has(id)],
          ['faded', focus.fadeRest && !focus.ids.has(id)],
        ];
        for (const [cls, on] of want) if (e.hasClass(cls) !== on) e.toggleClass(cls, on);
      });
    });
  }

  /** Ids of the drawn nodes and edges. */
  ids(): { nodes: Set<string>; edges: Set<string> } {
    return { nodes: new Set(this.cy.nodes().map((n) => n.id())), edges: new Set(this.cy.edges().map((e) => e.id())) };
  }

  /** Selects node id alone (nothing when it is not drawn); returns whether it is drawn. */
  select(id: string): boolean {
    const n = this.cy.getElementById(id);
    this.cy.elements().unselect();
    if (n.empty()) return false;
    n.select();
    return true;
  }

  /** Selects node id and centres the view on it (zoom at least 1). */
  focusNode(id: string, animate = true): boolean {
    if (!this.select(id)) return false;
    const n = this.cy.getElementById(id);
    const to = { center: { eles: n }, zoom: Math.max(this.cy.zoom(), 1) };
    if (animate) this.cy.animate(to, { duration: 250 });
    else {
      this.cy.zoom(to.zoom);
      this.cy.center(n);
    }
    return true;
  }

  /** Fits the view to elements (all when none given). */
  fit(eles?: cytoscape.CollectionArgument, padding = 30, animate = false): void {
    if (animate) this.cy.animate({ fit: { eles: eles ?? this.cy.elements(), padding } }, { duration: 250 });
    else this.cy.fit(eles, padding);
  }

  /** The container changed size (panel shown or hidden): redraw and fit. */
  resize(): void {
    this.cy.resize();
    if (this.cy.nodes().nonempty()) this.cy.fit(undefined, 30);
  }

  /**
   * Shows a tip over the graph: node facts on hover, LQ and cost of a link
   * (edgeText gives its text, '' for none). tip is positioned in wrap.
   */
  wireTips(tip: HTMLElement, wrap: HTMLElement, nodeText: (id: string) => string, edgeText: (id: string) => string): void {
    const cy = this.cy;
    const place = (p: cytoscape.Position) => {
      tip.hidden = false;
      const w = wrap.clientWidth;
      tip.style.left = `${Math.min(Math.max(4, p.x + 12), w - tip.offsetWidth - 4)}px`;
      tip.style.top = `${Math.max(4, p.y + 12)}px`;
    };
    cy.on('mouseover', 'node', (e) => {
      const n = e.target as cytoscape.NodeSingular;
      n.addClass('hover');
      tip.textContent = nodeText(n.id());
      place(n.renderedPosition());
    });
    cy.on('mouseover', 'edge', (e) => {
      const ed = e.target as cytoscape.EdgeSingular;
      const t = edgeText(ed.id());
      if (!t) return;
      tip.textContent = t;
      place(ed.renderedMidpoint());
    });
    cy.on('mouseout', 'node, edge', (e) => {
      (e.target as cytoscape.SingularElementReturnValue).removeClass('hover');
      tip.hidden = true;
    });
    cy.on('viewport', () => {
      tip.hidden = true;
    });
  }

  /** Calls onNode with a tapped node's id, onBackground for a tap on nothing; saves positions after a drag. */
  wireTaps(onNode: (id: string) => void, onBackground: () => void): void {
    const cy = this.cy;
    cy.on('tap', 'node', (e) => onNode((e.target as cytoscape.NodeSingular).id()));
    cy.on('tap', (e) => {
      if (e.target === cy) {
        cy.elements().unselect();
        onBackground();
      }
    });
    cy.on('dragfree', 'node', () => this.savePositions());
  }
}

/** Lays routers out from scratch with fcose (in a headless instance); children follow on rings later. */
export function layoutRouters(s: Snapshot, routerIds: string[]): Positions {
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
