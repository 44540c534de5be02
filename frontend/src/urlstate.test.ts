import { describe, expect, it } from 'vitest';
import { baselineKey, readState, writeState } from './urlstate';

describe('URL state', () => {
  it('reads and writes network, snapshot, baseline and node', () => {
    const v = { network: 'dead00beef00cafe', snapshot: '12', baseline: '3', node: '1a2b3c4d5e6f7081' };
    const q = writeState(v);
    expect(q).toBe('?network=dead00beef00cafe&snapshot=12&baseline=3&node=1a2b3c4d5e6f7081');
    expect(readState(q)).toEqual(v);
    expect(readState('')).toEqual({ network: '', snapshot: '', baseline: '', node: '' });
  });

  it('leaves empty parts out and keeps other parameters', () => {
    expect(writeState({ network: 'n', snapshot: '', baseline: '', node: '' }, '?stress=5&snapshot=9')).toBe('?stress=5&network=n');
    expect(writeState({ network: '', snapshot: '', baseline: '', node: '' })).toBe('');
    expect(writeState({ network: 'a&b', snapshot: '', baseline: '', node: 'x y' })).toBe('?network=a%26b&node=x+y');
    expect(baselineKey('n')).toBe('threadmap.baseline.n');
  });
});
