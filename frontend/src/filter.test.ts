import { describe, expect, it } from 'vitest';
import { applyFilter, emptyFilter, matchesQuery, search, UNKNOWN_VENDOR, vendors } from './filter';
import { edgeId } from './graph';
import { snapA } from './testdata';

describe('search', () => {
  const s = snapA();
  it.each([
    ['kitchen', ['2222222222222222']],
    ['0x0c00', ['3333333333333333']],
    ['0c0', ['3333333333333333', '6666666666666666', 'rloc:0x0c02']],
    ['0C01', ['6666666666666666']],
    ['1a2b3c4d', ['1a2b3c4d5e6f7081']],
    ['1a:2b:3c:4d', ['1a2b3c4d5e6f7081']],
    ['eve', ['2222222222222222', '5555555555555555']],
    ['', []],
    ['nothing-like-this', []],
  ])('search(%j)', (q, want) => {
    expect(search(s, q).sort()).toEqual([...want].sort());
  });

  it('puts exact matches first', () => {
    expect(search(s, '0800')[0]).toBe('2222222222222222');
  });

  it('never matches the empty query', () => {
    expect(matchesQuery(s.nodes[0], '   ')).toBe(false);
  });
});

describe('filters', () => {
  const s = snapA();
  it('shows everything with the empty filter', () => {
    const v = applyFilter(s, emptyFilter());
    expect(v.nodes.size).toBe(7);
    expect(v.edges.size).toBe(7); // the link to a node not in the snapshot is not drawn
  });

  it('filters by role and drops links to hidden nodes', () => {
    const v = applyFilter(s, { ...emptyFilter(), roles: new Set(['leader', 'router']) });
    expect([...v.nodes].sort()).toEqual(['1a2b3c4d5e6f7081', '2222222222222222', '3333333333333333']);
    expect(v.edges.size).toBe(3);
  });

  it('filters by vendor, unknown vendor included', () => {
    expect([...applyFilter(s, { ...emptyFilter(), vendor: 'Eve' }).nodes].sort()).toEqual(['2222222222222222', '5555555555555555']);
    expect(applyFilter(s, { ...emptyFilter(), vendor: UNKNOWN_VENDOR }).nodes.size).toBe(3);
    expect(vendors(s)).toEqual(['Apple', 'Aqara', 'Eve', UNKNOWN_VENDOR]);
  });

  it('shows only weak links and their ends', () => {
    const v = applyFilter(s, { ...emptyFilter(), weakOnly: true });
    expect([...v.edges]).toEqual([edgeId('router', '1a2b3c4d5e6f7081', '3333333333333333')]);
    expect([...v.nodes].sort()).toEqual(['1a2b3c4d5e6f7081', '3333333333333333']);
  });
});
