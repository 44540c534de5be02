// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { NETWORK_KEY, NetworkPicker, networkOption, pickNetwork } from './networkpicker';
import { loadPage } from './testdata';
import type { NetworkSummary } from './types';

// A network with only the fields a test names, as an older server or a
// partly filled entry may give it: the picker copes with the rest missing.
const net = (n: Partial<NetworkSummary> & { key: string }): NetworkSummary => n as NetworkSummary;

const nets: NetworkSummary[] = [
  net({ key: 'a', name: 'Home', channel: 15, nodes: 12 }),
  net({ key: 'b', name: '<Lab>' }),
];

beforeEach(() => {
  loadPage();
  localStorage.clear();
});

describe('network picker', () => {
  it('words an option with name, channel and nodes', () => {
    expect(networkOption(nets[0])).toBe('Home · ch 15 · 12 nodes');
    expect(networkOption(net({ key: 'k' }))).toBe('k');
  });

  it('keeps the network shown, else the one asked for, else the first', () => {
    expect(pickNetwork(nets, 'b', 'a')).toBe('b');
    expect(pickNetwork(nets, 'gone', 'gone2', 'b')).toBe('b');
    expect(pickNetwork(nets, '')).toBe('a');
    expect(pickNetwork([], 'a')).toBe('');
  });

  it('fills the select, remembers the choice and calls back on a pick', () => {
    const p = new NetworkPicker();
    const picks: string[] = [];
    p.wire((k) => picks.push(k));
    localStorage.setItem(NETWORK_KEY, 'b');
    expect(p.fill(nets, '')).toBe('b');
    const sel = document.getElementById('network') as HTMLSelectElement;
    expect([...sel.options].map((o) => o.textContent)).toEqual(['Home · ch 15 · 12 nodes', '<Lab>']);
    expect(sel.disabled).toBe(false);
    expect(p.fill(nets, '', 'a')).toBe('a');
    sel.value = 'b';
    sel.dispatchEvent(new Event('change'));
    expect(picks).toEqual(['b']);
    p.remember('a');
    expect(localStorage.getItem(NETWORK_KEY)).toBe('a');
    expect(p.has('a') && !p.has('z')).toBe(true);
    p.fill(nets.slice(0, 1), '');
    expect(sel.disabled).toBe(true);
  });
});
