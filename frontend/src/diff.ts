// Diff JSON (GET /api/v1/diff) → what to highlight on the graph. Pure.
import { edgeId } from './graph';
import type { Diff, Snapshot, TopoLink, TopoNode } from './types';

/** Classes to add to graph elements, and elements to draw as ghosts. */
export interface DiffHighlights {
  /** node id → diff classes (diff-added, diff-role, diff-parent, diff-rloc). */
  nodes: Map<string, string[]>;
  /** edge id → diff classes (diff-added, diff-lq-up, diff-lq-down, diff-cost). */
  edges: Map<string, string[]>;
  /** Nodes of the older snapshot that are gone: drawn faded with class diff-removed. */
  ghostNodes: TopoNode[];
  /** Links of the older snapshot that are gone (both ends drawn). */
  ghostLinks: TopoLink[];
  /** One line per change, for the diff panel. */
  lines: DiffLine[];
}

/** One human-readable change. */
export interface DiffLine {
  kind: 'added' | 'removed' | 'role' | 'parent' | 'rloc16' | 'link-added' | 'link-removed' | 'lq' | 'br';
  text: string;
  /** Node ids the line is about (click to select). */
  ids: string[];
}

function add(m: Map<string, string[]>, id: string, cls: string): void {
  const l = m.get(id);
  if (!l) m.set(id, [cls]);
  else if (!l.includes(cls)) l.push(cls);
}

const list = <T>(v: T[] | null | undefined): T[] => v ?? [];

/** Number of changes a diff holds. */
export function diffCount(d: Diff): number {
  return (
    list(d.nodes_added).length +
    list(d.nodes_removed).length +
    list(d.rloc16_changed).length +
    list(d.role_changed).length +
    list(d.parent_changed).length +
    list(d.links_added).length +
    list(d.links_removed).length +
    list(d.links_changed).length +
    list(d.border_routers_added).length +
    list(d.border_routers_removed).length
  );
}

/**
 * Works out highlights for a diff from snapshot `from` to snapshot `to`
 * (the one on screen). `from` may be null: then removed nodes have no ghost.
 * `name` turns a node id into the text a user knows it by.
 */
export function diffHighlights(
  d: Diff,
  from: Snapshot | null,
  to: Snapshot,
  name: (id: string) => string = (id) => id,
): DiffHighlights {
  const nodes = new Map<string, string[]>();
  const edges = new Map<string, string[]>();
  const lines: DiffLine[] = [];
  const inTo = new Set(to.nodes.map((n) => n.id));

  for (const id of list(d.nodes_added)) {
    add(nodes, id, 'diff-added');
    lines.push({ kind: 'added', text: `+ ${name(id)} joined`, ids: [id] });
  }
  const ghostNodes: TopoNode[] = [];
  const removed = new Set(list(d.nodes_removed));
  for (const id of removed) {
    lines.push({ kind: 'removed', text: `− ${name(id)} left`, ids: [id] });
    const n = from?.nodes.find((x) => x.id === id);
    if (n && !inTo.has(id)) ghostNodes.push(n);
  }
  for (const c of list(d.role_changed)) {
    add(nodes, c.id, 'diff-role');
    lines.push({ kind: 'role', text: `${name(c.id)}: role ${c.from} → ${c.to}`, ids: [c.id] });
  }
  for (const c of list(d.parent_changed)) {
    add(nodes, c.id, 'diff-parent');
    const p = (v: string | null) => (v ? name(v) : 'none');
    lines.push({ kind: 'parent', text: `${name(c.id)}: parent ${p(c.from)} → ${p(c.to)}`, ids: [c.id] });
    if (c.to) add(edges, edgeId('child', c.to, c.id), 'diff-added');
  }
  for (const c of list(d.rloc16_changed)) {
    add(nodes, c.id, 'diff-rloc');
    lines.push({ kind: 'rloc16', text: `${name(c.id)}: RLOC16 ${c.from} → ${c.to}`, ids: [c.id] });
  }
  for (const l of list(d.links_added)) {
    add(edges, edgeId(l.kind, l.a, l.b), 'diff-added');
    lines.push({ kind: 'link-added', text: `+ ${l.kind} link ${name(l.a)} – ${name(l.b)}`, ids: [l.a, l.b] });
  }
  const ghostLinks: TopoLink[] = [];
  const ghostIds = new Set(ghostNodes.map((n) => n.id));
  for (const l of list(d.links_removed)) {
    lines.push({ kind: 'link-removed', text: `− ${l.kind} link ${name(l.a)} – ${name(l.b)}`, ids: [l.a, l.b] });
    const ok = (id: string) => inTo.has(id) || ghostIds.has(id);
    if (ok(l.a) && ok(l.b)) {
      const old = from?.links.find((x) => x.kind === l.kind && edgeId(x.kind, x.a, x.b) === edgeId(l.kind, l.a, l.b));
      ghostLinks.push(old ?? { kind: l.kind, a: l.a, b: l.b });
    }
  }
  for (const c of list(d.links_changed)) {
    const id = edgeId(c.kind, c.a, c.b);
    const before = Math.min(...[c.lq_in?.from, c.lq_out?.from].filter((v): v is number => typeof v === 'number'));
    const after = Math.min(...[c.lq_in?.to, c.lq_out?.to].filter((v): v is number => typeof v === 'number'));
    const parts: string[] = [];
    const fmt = (label: string, ch?: { from: number | null; to: number | null }) => {
      if (ch && ch.from !== ch.to) parts.push(`${label} ${ch.from ?? '?'}→${ch.to ?? '?'}`);
    };
    fmt('LQ in', c.lq_in);
    fmt('LQ out', c.lq_out);
    fmt('cost', c.cost);
    if (Number.isFinite(before) && Number.isFinite(after) && after !== before) {
      add(edges, id, after > before ? 'diff-lq-up' : 'diff-lq-down');
    } else {
      add(edges, id, 'diff-changed');
    }
    lines.push({ kind: 'lq', text: `${name(c.a)} – ${name(c.b)}: ${parts.join(', ') || 'changed'}`, ids: [c.a, c.b] });
  }
  for (const id of list(d.border_routers_added)) lines.push({ kind: 'br', text: `+ border router ${id}`, ids: [] });
  for (const id of list(d.border_routers_removed)) lines.push({ kind: 'br', text: `− border router ${id}`, ids: [] });
  return { nodes, edges, ghostNodes, ghostLinks, lines };
}
