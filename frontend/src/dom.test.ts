// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { byId, setStatus } from './dom';
import { loadPage } from './testdata';

describe('dom', () => {
  it('finds elements by id and names a missing one', () => {
    loadPage();
    expect(byId('graph').id).toBe('graph');
    expect(() => byId('nope')).toThrow('ui: element #nope missing');
  });

  it('sets the status line, red for errors', () => {
    loadPage();
    setStatus('Cannot load networks: HTTP 500', true);
    expect(byId('status').textContent).toBe('Cannot load networks: HTTP 500');
    expect(byId('status').classList.contains('error')).toBe(true);
    setStatus('7 nodes');
    expect(byId('status').classList.contains('error')).toBe(false);
  });
});
