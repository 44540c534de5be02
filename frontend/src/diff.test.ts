import { describe, expect, it } from 'vitest';
import { diffCount, diffHighlights } from './diff';
import { edgeId } from './graph';
import { diffAB, snapA, snapB } from './testdata';

describe('diffHighlights', () => {
  const h = diffHighlights(diffAB(), snapA(), snapB());

  it('marks added nodes and role, parent and RLOC16 changes', () => {
    expect(h.nodes.get('8888888888888888')).toEqual(['diff-added']);
    expect(h.nodes.get('4444444444444444')).toEqual(['diff-role', 'diff-parent', 'diff-rloc']);
    expect(h.nodes.get('5555555555555555')).toEqual(['diff-parent', 'diff-rloc']);
    expect(h.nodes.has('2222222222222222')).toBe(false);
  });

  it('draws removed nodes and links as ghosts from the older snapshot', () => {
    expect(h.ghostNodes.map((n) => n.id)).toEqual(['6666666666666666', 'rloc:0x0c02']);
    expect(h.ghostLinks).toEqual([
      { kind: 'router', a: '2222222222222222', b: '3333333333333333', lq_in: 2, lq_out: 2, cost: 2 },
      { kind: 'child', a: '3333333333333333', b: '6666666666666666', lq_in: 3 },
    ]);
  });

  it('marks added links, the new parent link and LQ changes by direction', () => {
    expect(h.edges.get(edgeId('router', '4444444444444444', '2222222222222222'))).toEqual(['diff-added']);
    expect(h.edges.get(edgeId('child', '3333333333333333', '5555555555555555'))).toEqual(['diff-added']);
    expect(h.edges.get(edgeId('router', '1a2b3c4d5e6f7081', '3333333333333333'))).toEqual(['diff-lq-up']);
    const worse = diffHighlights(
      { from: '2', to: '3', links_changed: [{ kind: 'router', a: 'a', b: 'b', lq_in: { from: 3, to: 1 } }] },
      null,
      snapB(),
    );
    expect(worse.edges.get('router:a|b')).toEqual(['diff-lq-down']);
    const costOnly = diffHighlights(
      { from: '2', to: '3', links_changed: [{ kind: 'router', a: 'a', b: 'b', cost: { from: 1, to: 2 } }] },
      null,
      snapB(),
    );
    expect(costOnly.edges.get('router:a|b')).toEqual(['diff-changed']);
  });

  it('writes one line per change, using names', () => {
    const names: Record<string, string> = { '4444444444444444': 'Shutter', '2222222222222222': 'Kitchen plug' };
    const hl = diffHighlights(diffAB(), snapA(), snapB(), (id) => names[id] ?? id);
    expect(hl.lines).toHaveLength(diffCount(diffAB()));
    expect(hl.lines.map((l) => l.text)).toContain('Shutter: role reed → router');
    expect(hl.lines.map((l) => l.text)).toContain('Shutter: parent Kitchen plug → none');
    expect(hl.lines.map((l) => l.text)).toContain('1a2b3c4d5e6f7081 – 3333333333333333: LQ in 1→3, LQ out 2→3, cost 4→1');
  });

  it('copes with an empty diff and a missing older snapshot', () => {
    const e = diffHighlights({ from: '1', to: '2' }, null, snapB());
    expect(e.lines).toEqual([]);
    expect(diffCount({ from: '1', to: '2' })).toBe(0);
    const noFrom = diffHighlights(diffAB(), null, snapB());
    expect(noFrom.ghostNodes).toEqual([]);
    expect(noFrom.ghostLinks).toEqual([{ kind: 'router', a: '2222222222222222', b: '3333333333333333' }]);
  });
});
