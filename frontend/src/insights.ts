// Insights (GET /api/v1/insights) → the graph elements they name. Pure.
import { edgeId } from './graph';
import type { Insight, LinkKind, Severity } from './types';

/** Node and edge ids to highlight for an insight. */
export interface InsightHighlight {
  nodes: Set<string>;
  edges: Set<string>;
}

const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** Insights sorted most severe first (stable within a severity). */
export function sortInsights(list: Insight[]): Insight[] {
  return list
    .map((ins, i) => ({ ins, i }))
    .sort((x, y) => (RANK[x.ins.severity] ?? 3) - (RANK[y.ins.severity] ?? 3) || x.i - y.i)
    .map((x) => x.ins);
}

/**
 * The ids an insight names that exist on the graph. An insight's links carry
 * no kind, so both kinds and both directions are tried against `edgeIds`.
 * The endpoints of named links are highlighted too.
 */
export function insightHighlight(ins: Insight, nodeIds: Set<string>, edgeIds: Set<string>): InsightHighlight {
  const nodes = new Set<string>();
  const edges = new Set<string>();
  for (const id of ins.nodes ?? []) if (nodeIds.has(id)) nodes.add(id);
  for (const l of ins.links ?? []) {
    const kinds: LinkKind[] = ['router', 'child'];
    for (const k of kinds) {
      for (const [a, b] of [
        [l.a, l.b],
        [l.b, l.a],
      ]) {
        const id = edgeId(k, a, b);
        if (edgeIds.has(id)) {
          edges.add(id);
          if (nodeIds.has(a)) nodes.add(a);
          if (nodeIds.has(b)) nodes.add(b);
        }
      }
    }
  }
  return { nodes, edges };
}

/** Counts by severity, for the panel's badge. */
export function severityCounts(list: Insight[]): Record<Severity, number> {
  const c: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const i of list) if (i.severity in c) c[i.severity]++;
  return c;
}
