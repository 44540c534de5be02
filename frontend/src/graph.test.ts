import { describe, expect, it } from 'vitest';
import { childCounts, childrenOf, CROWDED_CHILDREN, edgeId, isWeak, linkTitle, modeString, neighborsOf, nodeBadge, nodeClasses, nodeLabel, toElements, worstLQ } from './graph';
import { snapA } from './testdata';
import type { TopoNode } from './types';

describe('toElements', () => {
  const s = snapA();
  const el = toElements(s);

  it('makes one node element per node', () => {
    expect(el.nodes.map((n) => n.data.id)).toEqual(s.nodes.map((n) => n.id));
  });

  it('keeps links with a missing end out of the graph and reports them', () => {
    expect(el.edges).toHaveLength(s.links.length - 1);
    expect(el.dangling).toEqual([s.links[7]]);
  });

  it('classes nodes by role, border router, inferred and status', () => {
    const cls = Object.fromEntries(el.nodes.map((n) => [n.data.id, n.classes]));
    expect(cls['1a2b3c4d5e6f7081']).toBe('role-leader br');
    expect(cls['2222222222222222']).toBe('role-router');
    expect(cls['5555555555555555']).toBe('role-sleepy-end-device');
    expect(cls['rloc:0x0c02']).toBe('role-sleepy-end-device inferred status-not-queried badge-inferred');
  });

  it('classes links by kind and worst LQ and marks weak ones', () => {
    const byId = Object.fromEntries(el.edges.map((e) => [e.data.id, e]));
    const weak = byId[edgeId('router', '3333333333333333', '1a2b3c4d5e6f7081')];
    expect(weak.classes).toBe('router-link lq-1 weak');
    expect(weak.data).toMatchObject({ source: '1a2b3c4d5e6f7081', target: '3333333333333333', lq: 1, lqIn: 1, lqOut: 2, cost: 4, label: '4' });
    expect(byId['child:2222222222222222|4444444444444444'].classes).toBe('child-link lq-3');
    expect(byId['child:3333333333333333|rloc:0x0c02'].classes).toBe('child-link lq-unknown derived');
  });

  it('never sets data.parent (Cytoscape would make compound nodes)', () => {
    for (const n of el.nodes) expect(Object.keys(n.data)).not.toContain('parent');
    expect(el.nodes.find((n) => n.data.id === '4444444444444444')?.data.parentId).toBe('2222222222222222');
  });

  it('drops duplicate links and self-links', () => {
    const d = snapA();
    d.links.push({ ...d.links[0], a: d.links[0].b, b: d.links[0].a }, { kind: 'router', a: 'x', b: 'x' });
    d.nodes.push({ ...d.nodes[0] });
    const e = toElements(d);
    expect(e.edges).toHaveLength(7);
    expect(e.nodes).toHaveLength(7);
  });
});

describe('labels and link text', () => {
  const base: TopoNode = { id: 'aa', role: 'router', router_id: 1, parent: null, border_router: false, sources: [] };
  it.each([
    [{ name: 'Plug', vendor: 'Eve', rloc16: '0x0400' }, 'Plug\nEve'],
    [{ name: 'Plug', rloc16: '0x0400' }, 'Plug'],
    [{ rloc16: '0x0400' }, '0x0400'],
    [{ rloc16: '0x0400', vendor: 'Eve' }, 'Eve\n0x0400'],
    [{ rloc16: '0x0400', vendor: 'Eve', model: 'Energy' }, 'Eve Energy\n0x0400'],
    [{ name: 'Plug', vendor: 'Eve', user_name: 'Kitchen plug' }, 'Kitchen plug\nEve'],
    [{ id: 'rloc:0x0401' }, '0x0401'],
    [{}, 'aa'],
  ])('nodeLabel(%o) = %j', (over, want) => {
    expect(nodeLabel({ ...base, ...over })).toBe(want);
  });

  it.each([
    [{ lq_in: 3, lq_out: 1 }, 1, true],
    [{ lq_in: 2 }, 2, false],
    [{}, -1, false],
    [{ lq_in: 0, lq_out: 3 }, 0, true],
  ])('worstLQ/isWeak(%o)', (l, q, weak) => {
    expect(worstLQ(l)).toBe(q);
    expect(isWeak(l)).toBe(weak);
  });

  it('titles router and child links', () => {
    expect(linkTitle({ kind: 'router', a: 'a', b: 'b', lq_in: 3, lq_out: 2, cost: 1, route_cost: 2 })).toBe(
      'LQ in 3 / out 2 · cost 1 · route cost 2',
    );
    expect(linkTitle({ kind: 'child', a: 'a', b: 'b', lq_in: 2, timeout: 240, derived: true })).toBe(
      'child link, LQ 2 · timeout 240s · derived from RLOC16',
    );
  });

  it('spells mode bits like the OpenThread CLI', () => {
    expect(modeString({ rx_on_when_idle: true, full_thread_device: true, full_network_data: true })).toBe('rdn');
    expect(modeString({ rx_on_when_idle: false, full_thread_device: false, full_network_data: false })).toBe('-');
    expect(modeString(undefined)).toBe('');
  });
});

describe('neighbors and children', () => {
  const s = snapA();
  it('gives LQ from the asking node’s side', () => {
    const n3 = neighborsOf(s, '3333333333333333');
    expect(n3).toContainEqual({ id: '1a2b3c4d5e6f7081', kind: 'router', relation: 'router', lqIn: 2, lqOut: 1, cost: 4 });
    expect(n3).toContainEqual({ id: '6666666666666666', kind: 'child', relation: 'child', lqIn: 3 });
    const lead = neighborsOf(s, '1a2b3c4d5e6f7081');
    expect(lead).toContainEqual({ id: '3333333333333333', kind: 'router', relation: 'router', lqIn: 1, lqOut: 2, cost: 4 });
    expect(neighborsOf(s, '5555555555555555')).toEqual([
      { id: '2222222222222222', kind: 'child', relation: 'parent', lqIn: 2 },
    ]);
  });
  it('lists children from links and parent fields', () => {
    expect(childrenOf(s, '3333333333333333')).toEqual(['6666666666666666', '7777777777777777', 'rloc:0x0c02']);
    expect(childrenOf(s, '5555555555555555')).toEqual([]);
  });
});

describe('status badges and crowded children', () => {
  it.each([
    [{ status: 'answered' }, ''],
    [{}, ''],
    [{ status: 'error' }, 'error'],
    [{ status: 'timed-out', flags: ['inferred'] }, 'timeout'],
    [{ status: 'answered', flags: ['not-in-parent-child-table'] }, 'mismatch'],
    [{ flags: ['parent-mismatch', 'inferred'] }, 'mismatch'],
    [{ flags: ['inferred'] }, 'inferred'],
    [{ status: 'not-queried' }, 'inferred'],
    [{ flags: ['role-conflict'] }, ''],
  ])('%j → badge %s', (n, want) => {
    expect(nodeBadge(n)).toBe(want);
  });

  it('puts the badge and status in the classes', () => {
    const n = { id: 'x', role: 'end-device', router_id: null, parent: null, border_router: true, sources: [], status: 'timed-out' } as TopoNode;
    expect(nodeClasses(n)).toBe('role-end-device br status-timed-out badge-timeout');
    expect(nodeClasses({ ...n, border_router: false, status: 'answered', flags: ['parent-mismatch'] }, true)).toBe('role-end-device badge-mismatch crowded');
  });

  it(`marks the children of a parent with more than ${CROWDED_CHILDREN} children as crowded`, () => {
    const s = snapA();
    const parent = '2222222222222222';
    const before = childCounts(s).get(parent) ?? 0;
    expect(toElements(s).nodes.find((n) => n.data.id === '4444444444444444')?.classes).not.toContain('crowded');
    const kids = Array.from({ length: CROWDED_CHILDREN + 1 }, (_, i) => ({ id: `kid${i}`, role: 'end-device', router_id: null, parent: i % 2 ? parent : null, border_router: false, sources: ['tmf'] }) satisfies TopoNode);
    s.nodes.push(...kids);
    // Half name the parent in their parent field, half only through a child link.
    s.links.push(...kids.filter((_, i) => i % 2 === 0).map((k) => ({ kind: 'child' as const, a: parent, b: k.id })));
    const counts = childCounts(s);
    expect(counts.get(parent)).toBe(before + CROWDED_CHILDREN + 1);
    const cls = Object.fromEntries(toElements(s).nodes.map((n) => [n.data.id, n.classes]));
    for (const k of kids) expect(cls[k.id]).toContain('crowded');
    expect(cls['4444444444444444']).toContain('crowded');
    expect(cls[parent]).not.toContain('crowded');
    expect(cls['rloc:0x0c02']).not.toContain('crowded'); // another parent's child
  });
});
