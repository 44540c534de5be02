// Search and filters over a snapshot. Pure.
import { userName } from './names';
import { edgeId, isWeak } from './graph';
import type { Role, Snapshot, TopoNode } from './types';

/** What the user asked to see. */
export interface Filter {
  /** Free text: name, RLOC16 (with or without 0x) or ext address. */
  query: string;
  /** Roles to show; empty = all. */
  roles: Set<Role>;
  /** Vendor to show; '' = all. A node without a vendor counts as "(unknown)". */
  vendor: string;
  /** Show only weak links (LQ ≤ 1 either way) and the nodes they join. */
  weakOnly: boolean;
}

/** The empty filter: everything visible. */
export function emptyFilter(): Filter {
  return { query: '', roles: new Set(), vendor: '', weakOnly: false };
}

/** The vendor value filters use for a node. */
export const UNKNOWN_VENDOR = '(unknown)';

/** Whether a node matches a search query (case-insensitive substring). */
export function matchesQuery(n: TopoNode, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return false;
  const hay = [userName(n), n.name, n.vendor, n.model, n.ext_addr, n.id, n.rloc16, n.rloc16?.replace(/^0x/, '')]
    .filter((v): v is string => !!v)
    .map((v) => v.toLowerCase());
  const qs = q.replace(/:/g, '');
  return hay.some((h) => h.includes(q) || (qs !== q && h.includes(qs)));
}

/** Ids of nodes that match the query, best first (exact RLOC16/ext/name before substrings). */
export function search(s: Snapshot, query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits = s.nodes.filter((n) => matchesQuery(n, q));
  const exact = (n: TopoNode) =>
    [userName(n).toLowerCase() || undefined, n.name?.toLowerCase(), n.ext_addr, n.rloc16, n.rloc16?.replace(/^0x/, '')].includes(q) ? 0 : 1;
  return hits.sort((a, b) => exact(a) - exact(b) || a.id.localeCompare(b.id)).map((n) => n.id);
}

/** The vendors in a snapshot, sorted, with UNKNOWN_VENDOR last when some node lacks one. */
export function vendors(s: Snapshot): string[] {
  const set = new Set<string>();
  let unknown = false;
  for (const n of s.nodes) {
    if (n.vendor) set.add(n.vendor);
    else unknown = true;
  }
  const out = [...set].sort((a, b) => a.localeCompare(b));
  if (unknown && out.length) out.push(UNKNOWN_VENDOR);
  return out;
}

/** Visible node and edge ids under a filter (the search query only highlights, never hides). */
export interface Visible {
  nodes: Set<string>;
  edges: Set<string>;
}

/** Applies the role, vendor and weak-link filters. */
export function applyFilter(s: Snapshot, f: Filter): Visible {
  const nodes = new Set<string>();
  for (const n of s.nodes) {
    if (f.roles.size && !f.roles.has(n.role)) continue;
    if (f.vendor && (n.vendor || UNKNOWN_VENDOR) !== f.vendor) continue;
    nodes.add(n.id);
  }
  const edges = new Set<string>();
  const weakEnds = new Set<string>();
  for (const l of s.links) {
    if (!nodes.has(l.a) || !nodes.has(l.b)) continue;
    if (f.weakOnly && !isWeak(l)) continue;
    edges.add(edgeId(l.kind, l.a, l.b));
    weakEnds.add(l.a);
    weakEnds.add(l.b);
  }
  if (f.weakOnly) for (const id of [...nodes]) if (!weakEnds.has(id)) nodes.delete(id);
  return { nodes, edges };
}
