import { describe, expect, it } from 'vitest';
import { toElements } from './graph';
import { insightHighlight, severityCounts, sortInsights } from './insights';
import { insightsB, snapB } from './testdata';

describe('insights', () => {
  const el = toElements(snapB());
  const nodeIds = new Set(el.nodes.map((n) => n.data.id));
  const edgeIds = new Set(el.edges.map((e) => e.data.id));
  const list = insightsB();

  it('sorts most severe first', () => {
    expect(sortInsights(list).map((i) => i.kind)).toEqual(['articulation_point', 'weak_link', 'router_count']);
    expect(severityCounts(list)).toEqual({ critical: 1, warning: 1, info: 1 });
  });

  it('highlights the named nodes that exist', () => {
    const h = insightHighlight(list[2], nodeIds, edgeIds);
    expect([...h.nodes]).toEqual(['2222222222222222']);
    expect(h.edges.size).toBe(0);
  });

  it('finds links named in either order and highlights their ends', () => {
    const h = insightHighlight(list[1], nodeIds, edgeIds);
    expect([...h.edges]).toEqual(['router:2222222222222222|4444444444444444']);
    expect([...h.nodes].sort()).toEqual(['2222222222222222', '4444444444444444']);
  });

  it('finds child links named parent-first or child-first', () => {
    const h = insightHighlight({ kind: 'x', severity: 'info', message: '', links: [{ a: '8888888888888888', b: '4444444444444444' }] }, nodeIds, edgeIds);
    expect([...h.edges]).toEqual(['child:4444444444444444|8888888888888888']);
  });

  it('names nothing for an insight without nodes or links', () => {
    const h = insightHighlight(list[0], nodeIds, edgeIds);
    expect(h.nodes.size + h.edges.size).toBe(0);
  });
});
