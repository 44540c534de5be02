import { describe, expect, it } from 'vitest';
import { CHILD_CLEARANCE, childOffset, decodeParents, encodeParents, parentMap, reparented, childRingRadius, decodePositions, encodePositions, placeMissing, type Positions } from './layout';
import { syntheticMesh } from './synth';
import { snapA, snapB } from './testdata';

describe('placeMissing', () => {
  it('places every node of a fresh snapshot, routers first on a circle', () => {
    const s = snapA();
    const p = placeMissing(s, new Map());
    expect([...p.keys()].sort()).toEqual(s.nodes.map((n) => n.id).sort());
    for (const v of p.values()) expect(Number.isFinite(v.x) && Number.isFinite(v.y)).toBe(true);
    // Children sit near their parent.
    const parent = p.get('2222222222222222')!;
    const child = p.get('4444444444444444')!;
    expect(Math.hypot(child.x - parent.x, child.y - parent.y)).toBeCloseTo(95, 0);
  });

  it('never moves a known node and places only the new ones', () => {
    const known: Positions = placeMissing(snapA(), new Map());
    const frozen = new Map(known);
    const added = placeMissing(snapB(), known);
    expect([...added.keys()].sort()).toEqual(['8888888888888888']);
    for (const [id, v] of frozen) expect(known.get(id)).toEqual(v);
    // The new end device hangs near its parent, the former REED.
    const par = known.get('4444444444444444')!;
    const n = added.get('8888888888888888')!;
    expect(Math.hypot(n.x - par.x, n.y - par.y)).toBeLessThan(100);
  });

  it('puts a new router near its router neighbors', () => {
    const s = snapA();
    const known = placeMissing(s, new Map());
    known.delete('3333333333333333');
    const added = placeMissing(s, known);
    const p = added.get('3333333333333333')!;
    const a = known.get('1a2b3c4d5e6f7081')!;
    const b = known.get('2222222222222222')!;
    const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    expect(Math.hypot(p.x - mid.x, p.y - mid.y)).toBeCloseTo(160, 0);
  });

  it('keeps a new child clear of other nodes when a ring slot allows', () => {
    const s = snapA();
    s.nodes.push({ id: 'newchild', role: 'end-device', router_id: null, parent: '2222222222222222', border_router: false, sources: [] });
    const known = placeMissing(snapA(), new Map());
    const free = placeMissing(s, known).get('newchild')!;
    // Something now sits exactly where the child would go.
    known.set('blocker', free);
    const moved = placeMissing(s, known).get('newchild')!;
    expect(moved).not.toEqual(free);
    for (const [id, q] of known) expect(Math.hypot(moved.x - q.x, moved.y - q.y), id).toBeGreaterThanOrEqual(CHILD_CLEARANCE);
    const par = known.get('2222222222222222')!;
    expect(Math.hypot(moved.x - par.x, moved.y - par.y)).toBeLessThan(200);
  });

  it('is deterministic and handles 2000 nodes', () => {
    const s = syntheticMesh(2000, 7);
    const t0 = performance.now();
    const p1 = placeMissing(s, new Map());
    const ms = performance.now() - t0;
    expect(p1.size).toBe(2000);
    expect(placeMissing(s, new Map())).toEqual(p1);
    expect(ms).toBeLessThan(5000);
  });
});

describe('reparented', () => {
  it('names children whose parent changed, not new or promoted ones', () => {
    const prev = new Map([
      ['a', 'r1'],
      ['b', 'r1'],
      ['c', 'r2'],
    ]);
    const next = new Map([
      ['a', 'r1'],
      ['b', 'r2'],
      ['d', 'r2'],
    ]);
    expect(reparented(prev, next)).toEqual(['b']);
    expect(reparented(new Map(), next)).toEqual([]);
  });

  it('moves a re-parented child next to its new parent', () => {
    const a = snapA();
    const known = placeMissing(a, new Map());
    const b = snapA();
    b.nodes.find((n) => n.id === '5555555555555555')!.parent = '3333333333333333';
    b.links.find((l) => l.b === '5555555555555555')!.a = '3333333333333333';
    const moved = reparented(parentMap(a), parentMap(b));
    expect(moved).toEqual(['5555555555555555']);
    for (const id of moved) known.delete(id);
    const p = placeMissing(b, known).get('5555555555555555')!;
    const par = known.get('3333333333333333')!;
    expect(Math.hypot(p.x - par.x, p.y - par.y)).toBeLessThan(200);
  });

  it('stores parent maps and rejects junk', () => {
    const m = new Map([['a', 'b']]);
    expect(decodeParents(encodeParents(m))).toEqual(m);
    expect(decodeParents('[1]').size).toBe(0);
    expect(decodeParents('{"a": 1, "b": "c"}')).toEqual(new Map([['b', 'c']]));
    expect(decodeParents('{').size).toBe(0);
  });
});

describe('child rings', () => {
  it('uses distinct slots', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const o = childOffset(i, 0.3);
      seen.add(`${Math.round(o.x)},${Math.round(o.y)}`);
    }
    expect(seen.size).toBe(60);
    expect(childRingRadius(0)).toBe(0);
    expect(childRingRadius(12)).toBeCloseTo(95, 6);
    expect(childRingRadius(13)).toBeCloseTo(140, 6);
  });
});

describe('position storage', () => {
  it('round-trips and rejects junk', () => {
    const p: Positions = new Map([['a', { x: 1.4, y: -2.6 }]]);
    expect(decodePositions(encodePositions(p))).toEqual(new Map([['a', { x: 1, y: -3 }]]));
    expect(decodePositions('not json').size).toBe(0);
    expect(decodePositions('{"a": [1], "b": ["x", 2], "c": [3, 4]}')).toEqual(new Map([['c', { x: 3, y: 4 }]]));
    expect(decodePositions(null).size).toBe(0);
    expect(decodePositions('[1,2]').size).toBe(0);
  });
});
