import { describe, expect, it } from 'vitest';
import { CHILD_CLEARANCE, CHILD_RING0, CHILD_RING_STEP, CHILD_SLOT, CHILD_STAGGER, childOffset, childSlot, ringCapacity, decodeParents, encodeParents, parentMap, reparented, childRingRadius, decodePositions, encodePositions, placeMissing, type Positions } from './layout';
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
    expect(childRingRadius(1)).toBe(CHILD_RING0);
    expect(childRingRadius(ringCapacity(0))).toBe(CHILD_RING0 + CHILD_STAGGER);
    expect(childRingRadius(ringCapacity(0) + 1)).toBe(CHILD_RING0 + CHILD_RING_STEP + CHILD_STAGGER);
  });

  it('sizes rings to their count: neighbours at least a label slot apart', () => {
    expect([0, 1, 2, 3].map(ringCapacity)).toEqual([9, 18, 26, 35]);
    expect(childSlot(8)).toEqual({ ring: 0, slot: 8, size: 9 });
    expect(childSlot(9)).toEqual({ ring: 1, slot: 0, size: 18 });
    expect(childSlot(27)).toEqual({ ring: 2, slot: 0, size: 26 });
    // Every child on a full ring keeps CHILD_SLOT·0.9 or more from every other child.
    for (let n = 1; n <= 60; n++) {
      const pts = Array.from({ length: n }, (_, i) => childOffset(i, 1.1));
      let min = Infinity;
      for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) min = Math.min(min, Math.hypot(pts[a].x - pts[b].x, pts[a].y - pts[b].y));
      if (n > 1) expect(min, `n=${n}`).toBeGreaterThanOrEqual(CHILD_SLOT * 0.9);
    }
  });

  it('starts on the outward side and staggers every other child', () => {
    const o0 = childOffset(0, 0);
    expect(o0.x).toBeCloseTo(CHILD_RING0, 6);
    expect(o0.y).toBeCloseTo(0, 6);
    expect(Math.hypot(childOffset(1, 0).x, childOffset(1, 0).y)).toBeCloseTo(CHILD_RING0 + CHILD_STAGGER, 6);
    expect(Math.hypot(childOffset(2, 0).x, childOffset(2, 0).y)).toBeCloseTo(CHILD_RING0 + CHILD_STAGGER, 6);
    expect(Math.hypot(childOffset(3, 0).x, childOffset(3, 0).y)).toBeCloseTo(CHILD_RING0, 6);
    // Slots 1 and 2 lie either side of the outward direction.
    expect(Math.sign(childOffset(1, 0).y)).toBe(-Math.sign(childOffset(2, 0).y));
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
