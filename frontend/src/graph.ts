// API JSON → Cytoscape elements. Pure functions, no DOM: unit-tested.
import { userName } from './names';
import type { LinkKind, Role, Snapshot, TopoLink, TopoNode } from './types';

/** Data carried by a node element. */
export interface NodeData {
  id: string;
  label: string;
  role: Role;
  rloc16: string;
  ext: string;
  name: string;
  vendor: string;
  /** Parent node id ('' for none). Not 'parent': Cytoscape reads that as a compound parent. */
  parentId: string;
  br: boolean;
}

/** Data carried by an edge element. */
export interface EdgeData {
  id: string;
  source: string;
  target: string;
  kind: LinkKind;
  /** Worst of lq_in / lq_out, -1 when neither is known. */
  lq: number;
  lqIn: number;
  lqOut: number;
  cost: number;
  routeCost: number;
  label: string;
}

/** A node or edge definition Cytoscape accepts. */
export interface NodeElement {
  group: 'nodes';
  data: NodeData;
  classes: string;
}

/** An edge definition Cytoscape accepts. */
export interface EdgeElement {
  group: 'edges';
  data: EdgeData;
  classes: string;
}

/** The result of toElements. */
export interface Elements {
  nodes: NodeElement[];
  edges: EdgeElement[];
  /** Links whose endpoints are not in the snapshot (kept out of the graph, reported). */
  dangling: TopoLink[];
}

/** Link quality at or below this, either way, makes a link weak. */
export const WEAK_LQ = 1;

/** Edge element id for a link: kind and the two ends (router links in id order). */
export function edgeId(kind: LinkKind, a: string, b: string): string {
  if (kind === 'router' && b < a) [a, b] = [b, a];
  return `${kind}:${a}|${b}`;
}

/**
 * What a node is called everywhere (labels, search, tables): the name its
 * user gave it, else its own name, else vendor and model, else its RLOC16,
 * else its id.
 */
export function nodeName(n: TopoNode): string {
  const vm = [n.vendor, n.model].filter(Boolean).join(' ');
  return userName(n) || n.name || vm || n.rloc16 || (n.id.startsWith('rloc:') ? n.id.slice(5) : n.id);
}

/** The text under a node: its nodeName, then the vendor (beside a name) or the RLOC16 (beside vendor and model). */
export function nodeLabel(n: TopoNode): string {
  const name = nodeName(n);
  if (userName(n) || n.name) return n.vendor ? `${name}\n${n.vendor}` : name;
  if (n.vendor || n.model) return n.rloc16 ? `${name}\n${n.rloc16}` : name;
  return name;
}

/** The worst known link quality of a link, -1 when none is known. */
export function worstLQ(l: Pick<TopoLink, 'lq_in' | 'lq_out'>): number {
  const qs = [l.lq_in, l.lq_out].filter((q): q is number => typeof q === 'number');
  return qs.length ? Math.min(...qs) : -1;
}

/** Whether a link is weak: LQ ≤ 1 either way. */
export function isWeak(l: Pick<TopoLink, 'lq_in' | 'lq_out'>): boolean {
  const q = worstLQ(l);
  return q >= 0 && q <= WEAK_LQ;
}

/** The hover text of a link: LQ in/out, cost and route cost. */
export function linkTitle(l: TopoLink): string {
  const parts: string[] = [];
  const q = (v: number | undefined) => (typeof v === 'number' ? String(v) : '?');
  if (l.kind === 'router') {
    parts.push(`LQ in ${q(l.lq_in)} / out ${q(l.lq_out)}`);
    if (typeof l.cost === 'number') parts.push(`cost ${l.cost}`);
    if (typeof l.route_cost === 'number') parts.push(`route cost ${l.route_cost}`);
  } else {
    parts.push(`child link, LQ ${q(l.lq_in)}`);
    if (typeof l.timeout === 'number') parts.push(`timeout ${l.timeout}s`);
  }
  if (typeof l.rssi === 'number') parts.push(`RSSI ${l.rssi} dBm`);
  if (l.derived) parts.push('derived from RLOC16');
  return parts.join(' · ');
}

/** Flags that say the parent a node names and its parent's child table disagree. */
export const MISMATCH_FLAGS = ['not-in-parent-child-table', 'parent-mismatch'];

/** A parent with more children than this draws their labels only on hover, selection or zoom. */
export const CROWDED_CHILDREN = 12;

/**
 * The badge a node carries for how sure the map is about it, most serious first:
 * error (asked, answered with an error), timeout (asked, no answer), mismatch
 * (parent and child table disagree), inferred (never answered, implied by
 * RLOC16 or another node's tables; also status not-queried). '' when answered.
 */
export function nodeBadge(n: Pick<TopoNode, 'status' | 'flags'>): '' | 'error' | 'timeout' | 'mismatch' | 'inferred' {
  if (n.status === 'error') return 'error';
  if (n.status === 'timed-out') return 'timeout';
  if (n.flags?.some((f) => MISMATCH_FLAGS.includes(f))) return 'mismatch';
  if (n.flags?.includes('inferred') || n.status === 'not-queried') return 'inferred';
  return '';
}

/**
 * CSS-like classes for a node (role, border router, inferred, status, the
 * badge of nodeBadge, and crowded when its parent has many children).
 */
export function nodeClasses(n: TopoNode, crowded = false): string {
  const c = [`role-${n.role}`];
  if (n.border_router) c.push('br');
  if (n.flags?.includes('inferred')) c.push('inferred');
  if (n.status && n.status !== 'answered') c.push(`status-${n.status}`);
  const b = nodeBadge(n);
  if (b) c.push(`badge-${b}`);
  if (crowded) c.push('crowded');
  return c.join(' ');
}

/** Children per parent id (parent fields, else child links), for crowded labels. */
export function childCounts(s: Snapshot): Map<string, number> {
  const parent = new Map<string, string>();
  for (const l of s.links ?? []) if (l.kind === 'child' && !parent.has(l.b)) parent.set(l.b, l.a);
  for (const n of s.nodes ?? []) if (n.parent) parent.set(n.id, n.parent);
  const out = new Map<string, number>();
  for (const p of parent.values()) out.set(p, (out.get(p) ?? 0) + 1);
  return out;
}

/** Converts a snapshot into Cytoscape node and edge definitions. */
export function toElements(s: Snapshot): Elements {
  const ids = new Set<string>();
  const nodes: NodeElement[] = [];
  const counts = childCounts(s);
  const parentOf = new Map<string, string>();
  for (const l of s.links ?? []) if (l.kind === 'child' && !parentOf.has(l.b)) parentOf.set(l.b, l.a);
  for (const n of s.nodes ?? []) {
    if (ids.has(n.id)) continue;
    ids.add(n.id);
    nodes.push({
      group: 'nodes',
      data: {
        id: n.id,
        label: nodeLabel(n),
        role: n.role,
        rloc16: n.rloc16 ?? '',
        ext: n.ext_addr ?? '',
        name: userName(n) || n.name || '',
        vendor: n.vendor ?? '',
        parentId: n.parent ?? '',
        br: n.border_router,
      },
      classes: nodeClasses(n, (counts.get(n.parent ?? parentOf.get(n.id) ?? '') ?? 0) > CROWDED_CHILDREN),
    });
  }
  const edges: EdgeElement[] = [];
  const dangling: TopoLink[] = [];
  const seen = new Set<string>();
  for (const l of s.links ?? []) {
    if (!ids.has(l.a) || !ids.has(l.b) || l.a === l.b) {
      dangling.push(l);
      continue;
    }
    const id = edgeId(l.kind, l.a, l.b);
    if (seen.has(id)) continue;
    seen.add(id);
    const lq = worstLQ(l);
    const c = [l.kind === 'router' ? 'router-link' : 'child-link', `lq-${lq < 0 ? 'unknown' : lq}`];
    if (isWeak(l)) c.push('weak');
    if (l.derived) c.push('derived');
    edges.push({
      group: 'edges',
      data: {
        id,
        source: l.a,
        target: l.b,
        kind: l.kind,
        lq,
        lqIn: l.lq_in ?? -1,
        lqOut: l.lq_out ?? -1,
        cost: l.cost ?? -1,
        routeCost: l.route_cost ?? -1,
        label: l.kind === 'router' && typeof l.cost === 'number' ? String(l.cost) : '',
      },
      classes: c.join(' '),
    });
  }
  return { nodes, edges, dangling };
}

/** A neighbor of a node as the details panel lists it. */
export interface Neighbor {
  id: string;
  kind: LinkKind;
  /** "parent", "child" or "router". */
  relation: 'parent' | 'child' | 'router';
  lqIn?: number;
  lqOut?: number;
  cost?: number;
}

/**
 * The neighbors of node id, with link quality from id's point of view
 * (router links store a's view; for b the in/out swap).
 */
export function neighborsOf(s: Snapshot, id: string): Neighbor[] {
  const out: Neighbor[] = [];
  for (const l of s.links ?? []) {
    if (l.a !== id && l.b !== id) continue;
    const other = l.a === id ? l.b : l.a;
    if (l.kind === 'router') {
      const mine = l.a === id;
      out.push({
        id: other,
        kind: 'router',
        relation: 'router',
        lqIn: mine ? l.lq_in : l.lq_out,
        lqOut: mine ? l.lq_out : l.lq_in,
        cost: l.cost,
      });
    } else {
      out.push({ id: other, kind: 'child', relation: l.a === id ? 'child' : 'parent', lqIn: l.lq_in });
    }
  }
  return out;
}

/** Children of a node: from child links and from the nodes' parent fields. */
export function childrenOf(s: Snapshot, id: string): string[] {
  const set = new Set<string>();
  for (const l of s.links ?? []) if (l.kind === 'child' && l.a === id) set.add(l.b);
  for (const n of s.nodes ?? []) if (n.parent === id) set.add(n.id);
  return [...set].sort();
}

/** Mode bits in OpenThread's CLI spelling ("rdn", "-"). */
export function modeString(m: TopoNode['mode']): string {
  if (!m) return '';
  const s = (m.rx_on_when_idle ? 'r' : '') + (m.full_thread_device ? 'd' : '') + (m.full_network_data ? 'n' : '');
  return s || '-';
}

/** The hover text of a node: name (vendor), role, RLOC16, ext address. */
export function nodeTip(d: Pick<NodeData, 'name' | 'vendor' | 'role' | 'rloc16' | 'ext'>, roleLabel: (role: string) => string): string {
  return [d.name && `${d.name}${d.vendor ? ` (${d.vendor})` : ''}`, roleLabel(d.role), `RLOC16 ${d.rloc16 || '?'}`, `ext ${d.ext || 'unknown'}`].filter(Boolean).join('\n');
}
