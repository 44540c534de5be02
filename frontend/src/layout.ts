// Stable node positions. Known nodes keep their positions; new nodes are
// placed near their parent or router neighbors; only when no router has a
// position does the caller lay the routers out from scratch. Pure.
import type { Snapshot, TopoNode } from './types';

/** A position in graph coordinates. */
export interface Pos {
  x: number;
  y: number;
}

/** Positions by node id. */
export type Positions = Map<string, Pos>;

const GOLDEN = Math.PI * (3 - Math.sqrt(5));

/** A small deterministic hash of a string (FNV-1a), for stable jitter. */
export function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A coarse spatial grid over placed nodes: finds free spots quickly. */
class Grid {
  private readonly cells = new Map<string, Pos[]>();
  constructor(private readonly size: number) {}
  private key(x: number, y: number): string {
    return `${Math.floor(x / this.size)},${Math.floor(y / this.size)}`;
  }
  add(p: Pos): void {
    const k = this.key(p.x, p.y);
    const l = this.cells.get(k);
    if (l) l.push(p);
    else this.cells.set(k, [p]);
  }
  /** Whether any placed node is closer than the grid size to p. */
  crowded(p: Pos): boolean {
    const cx = Math.floor(p.x / this.size);
    const cy = Math.floor(p.y / this.size);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const q of this.cells.get(`${cx + dx},${cy + dy}`) ?? []) {
          if (Math.hypot(q.x - p.x, q.y - p.y) < this.size) return true;
        }
      }
    }
    return false;
  }
}

/** Minimum distance a newly placed child keeps from other nodes, when a ring slot allows. */
export const CHILD_CLEARANCE = 30;

/** Radius of the first child ring around a parent. */
export const CHILD_RING0 = 95;
/** Distance between concentric child rings. */
export const CHILD_RING_STEP = 90;
/** Arc length between neighbouring children on a ring: room for a label. */
export const CHILD_SLOT = 64;
/** Every other child sits this much further out, so neighbouring labels do not line up. */
export const CHILD_STAGGER = 26;

/** How many children ring `ring` (0 = innermost) holds: its circumference over CHILD_SLOT. */
export function ringCapacity(ring: number): number {
  return Math.max(6, Math.floor((2 * Math.PI * (CHILD_RING0 + CHILD_RING_STEP * ring)) / CHILD_SLOT));
}

/** The ring of the index-th child and its slot on that ring. */
export function childSlot(index: number): { ring: number; slot: number; size: number } {
  let ring = 0;
  let start = 0;
  let size = ringCapacity(0);
  while (index >= start + size) {
    start += size;
    ring++;
    size = ringCapacity(ring);
  }
  return { ring, slot: index - start, size };
}

/**
 * Offset of the index-th child from its parent: concentric rings sized so
 * that neighbours are CHILD_SLOT apart (9, 15, 21... children), filled from
 * the side facing away from the mesh centre (`outward`, radians) alternately
 * left and right, every other slot CHILD_STAGGER further out.
 */
export function childOffset(index: number, outward: number): Pos {
  const { ring, slot: k, size } = childSlot(index);
  const j = Math.ceil(k / 2); // steps away from the outward direction
  const r = CHILD_RING0 + CHILD_RING_STEP * ring + (j % 2 === 1 ? CHILD_STAGGER : 0);
  const step = (2 * Math.PI) / size;
  const a = outward + (k % 2 === 0 ? 1 : -1) * j * step + ring * (step / 2);
  return { x: r * Math.cos(a), y: r * Math.sin(a) };
}

/** Radius the children of a parent with n children reach (outermost ring, with stagger). */
export function childRingRadius(n: number): number {
  if (n <= 0) return 0;
  const { ring } = childSlot(n - 1);
  return CHILD_RING0 + CHILD_RING_STEP * ring + (n > 1 ? CHILD_STAGGER : 0);
}

function isRouterLike(n: TopoNode): boolean {
  return n.role === 'leader' || n.role === 'router';
}

/** The parent a node hangs off: its parent field, else the child link naming it. */
export function parentOf(s: Snapshot, id: string): string | null {
  const n = s.nodes.find((x) => x.id === id);
  if (n?.parent) return n.parent;
  const l = s.links.find((x) => x.kind === 'child' && x.b === id);
  return l ? l.a : null;
}

/** Every node's parent (parent field, else the child link naming it), computed once. */
export function parentMap(s: Snapshot): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of s.links) if (l.kind === 'child' && !m.has(l.b)) m.set(l.b, l.a);
  for (const n of s.nodes) if (n.parent) m.set(n.id, n.parent);
  return m;
}

/**
 * Nodes whose parent changed between two parent maps: they moved in the mesh,
 * so they move on the map too (to their new parent). Nodes that gained or lost
 * a parent (a child that became a router) keep their place.
 */
export function reparented(prev: Map<string, string>, next: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [id, p] of next) {
    const old = prev.get(id);
    if (old !== undefined && old !== p) out.push(id);
  }
  return out.sort();
}

/** Encodes a parent map for storage. */
export function encodeParents(m: Map<string, string>): string {
  return JSON.stringify(Object.fromEntries(m));
}

/** Decodes a stored parent map; bad input gives an empty map. */
export function decodeParents(text: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!text) return out;
  try {
    const o = JSON.parse(text) as unknown;
    if (!o || typeof o !== 'object' || Array.isArray(o)) return out;
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) if (typeof v === 'string') out.set(k, v);
  } catch {
    return new Map();
  }
  return out;
}

/** Routers laid on a circle, in router-id order: the fallback when nothing is known. */
export function circleLayout(ids: string[], radius?: number): Positions {
  const out: Positions = new Map();
  const r = radius ?? Math.max(150, (ids.length * 160) / (2 * Math.PI));
  ids.forEach((id, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, ids.length) - Math.PI / 2;
    out.set(id, { x: r * Math.cos(a), y: r * Math.sin(a) });
  });
  return out;
}

/**
 * Completes `known` with positions for every node of s that lacks one, and
 * returns the new entries only (known positions are never moved).
 * Order: routers near their positioned router neighbors (or on a circle when
 * none is positioned), then children on rings around their parent, then
 * loners in a row under the graph.
 */
export function placeMissing(s: Snapshot, known: Positions): Positions {
  const pos: Positions = new Map(known);
  const added: Positions = new Map();
  const grid = new Grid(CHILD_CLEARANCE);
  for (const p of pos.values()) grid.add(p);
  const set = (id: string, p: Pos) => {
    pos.set(id, p);
    added.set(id, p);
    grid.add(p);
  };
  const byId = new Map(s.nodes.map((n) => [n.id, n]));
  const routerNeighbors = new Map<string, string[]>();
  for (const l of s.links) {
    if (l.kind !== 'router') continue;
    for (const [a, b] of [
      [l.a, l.b],
      [l.b, l.a],
    ]) {
      const list = routerNeighbors.get(a) ?? [];
      list.push(b);
      routerNeighbors.set(a, list);
    }
  }
  const centre = (): Pos => {
    let x = 0;
    let y = 0;
    let c = 0;
    for (const [id, p] of pos) {
      if (!byId.has(id)) continue;
      x += p.x;
      y += p.y;
      c++;
    }
    return c ? { x: x / c, y: y / c } : { x: 0, y: 0 };
  };

  // Routers.
  const routers = s.nodes.filter((n) => isRouterLike(n) || routerNeighbors.has(n.id));
  const missingRouters = routers.filter((n) => !pos.has(n.id));
  if (missingRouters.length && !routers.some((n) => pos.has(n.id))) {
    const sorted = [...missingRouters].sort((a, b) => (a.router_id ?? 99) - (b.router_id ?? 99) || a.id.localeCompare(b.id));
    for (const [id, p] of circleLayout(sorted.map((n) => n.id))) set(id, p);
  } else {
    // Repeat so that chains of new routers find each other.
    let pending = missingRouters;
    for (let pass = 0; pass < 4 && pending.length; pass++) {
      const next: TopoNode[] = [];
      for (const n of pending) {
        const ps = (routerNeighbors.get(n.id) ?? []).map((id) => pos.get(id)).filter((p): p is Pos => !!p);
        if (!ps.length) {
          next.push(n);
          continue;
        }
        const cx = ps.reduce((a, p) => a + p.x, 0) / ps.length;
        const cy = ps.reduce((a, p) => a + p.y, 0) / ps.length;
        const c = centre();
        const a = Math.atan2(cy - c.y, cx - c.x) + ((hash(n.id) % 100) / 100 - 0.5);
        set(n.id, { x: cx + 160 * Math.cos(a), y: cy + 160 * Math.sin(a) });
      }
      pending = next;
    }
    const c = centre();
    pending.forEach((n, i) => {
      const a = i * GOLDEN + (hash(n.id) % 628) / 100;
      set(n.id, { x: c.x + 400 * Math.cos(a), y: c.y + 400 * Math.sin(a) });
    });
  }

  // Children around their parent.
  const parents = parentMap(s);
  const c = centre();
  const childCount = new Map<string, number>();
  for (const n of s.nodes) {
    if (!pos.has(n.id)) continue;
    const p = parents.get(n.id);
    if (p) childCount.set(p, (childCount.get(p) ?? 0) + 1);
  }
  const loners: TopoNode[] = [];
  const rest = s.nodes.filter((n) => !pos.has(n.id)).sort((a, b) => a.id.localeCompare(b.id));
  for (const n of rest) {
    const p = parents.get(n.id);
    const pp = p ? pos.get(p) : undefined;
    if (!p || !pp) {
      loners.push(n);
      continue;
    }
    const outward = pp.x === c.x && pp.y === c.y ? 0 : Math.atan2(pp.y - c.y, pp.x - c.x);
    // The next ring slot around the parent, skipping slots next to another node.
    const first = childCount.get(p) ?? 0;
    let slot = first;
    for (let k = first; k < first + 48; k++) {
      const o = childOffset(k, outward);
      if (!grid.crowded({ x: pp.x + o.x, y: pp.y + o.y })) {
        slot = k;
        break;
      }
    }
    childCount.set(p, Math.max(first, slot) + 1);
    const o = childOffset(slot, outward);
    set(n.id, { x: pp.x + o.x, y: pp.y + o.y });
  }

  // Loners (detached, unknown parent): a row under everything.
  if (loners.length) {
    let maxY = -Infinity;
    let minX = Infinity;
    for (const p of pos.values()) {
      maxY = Math.max(maxY, p.y);
      minX = Math.min(minX, p.x);
    }
    if (!Number.isFinite(maxY)) {
      maxY = 0;
      minX = 0;
    }
    loners.forEach((n, i) => set(n.id, { x: minX + (i % 12) * 70, y: maxY + 120 + Math.floor(i / 12) * 70 }));
  }
  return added;
}

/** The localStorage key for a network's last drawn parents. */
export function parentsKey(network: string): string {
  return `threadmap.parents.${network}`;
}

/** The localStorage key for a network's positions. */
export function storageKey(network: string): string {
  return `threadmap.positions.${network}`;
}

/** Encodes positions for storage (rounded to whole units). */
export function encodePositions(p: Positions): string {
  const o: Record<string, [number, number]> = {};
  for (const [id, { x, y }] of p) o[id] = [Math.round(x), Math.round(y)];
  return JSON.stringify(o);
}

/** Decodes stored positions; bad input gives an empty map, never an exception. */
export function decodePositions(text: string | null): Positions {
  const out: Positions = new Map();
  if (!text) return out;
  try {
    const o = JSON.parse(text) as unknown;
    if (!o || typeof o !== 'object') return out;
    for (const [id, v] of Object.entries(o as Record<string, unknown>)) {
      if (Array.isArray(v) && v.length === 2 && Number.isFinite(v[0]) && Number.isFinite(v[1])) {
        out.set(id, { x: v[0] as number, y: v[1] as number });
      }
    }
  } catch {
    return new Map();
  }
  return out;
}
