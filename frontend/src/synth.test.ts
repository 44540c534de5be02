import { describe, expect, it } from 'vitest';
import { toElements } from './graph';
import { syntheticMesh } from './synth';

describe('syntheticMesh', () => {
  it.each([1, 10, 2000])('builds a consistent %i-node mesh', (n) => {
    const s = syntheticMesh(n);
    expect(s.nodes).toHaveLength(n);
    expect(new Set(s.nodes.map((x) => x.id)).size).toBe(n);
    expect(new Set(s.nodes.map((x) => x.rloc16)).size).toBe(n);
    const el = toElements(s);
    expect(el.dangling).toEqual([]);
    for (const x of s.nodes) {
      if (!x.parent) continue;
      const p = s.nodes.find((y) => y.id === x.parent)!;
      expect(parseInt(x.rloc16!, 16) & 0xfc00).toBe(parseInt(p.rloc16!, 16));
    }
    expect(s.nodes.filter((x) => x.role === 'leader')).toHaveLength(1);
  });
});
