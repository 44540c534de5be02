// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { DetailsPanel } from './details';
import { loadPage, snapA, snapB } from './testdata';

beforeEach(loadPage);

describe('DetailsPanel', () => {
  it('shows a node of the snapshot and opens the section', () => {
    const box = document.getElementById('details-box') as HTMLDetailsElement;
    box.open = false;
    const p = new DetailsPanel();
    expect(p.show('2222222222222222', snapA(), null)).toBe(true);
    expect(p.selected).toBe('2222222222222222');
    expect(box.open).toBe(true);
    expect(document.querySelector('#details h2')?.getAttribute('data-node')).toBe('2222222222222222');
    expect(document.getElementById('details')!.classList.contains('muted')).toBe(false);
  });

  it('shows a node a diff removed from the older snapshot, marked removed', () => {
    const p = new DetailsPanel();
    expect(p.show('6666666666666666', snapB(), snapA())).toBe(true);
    expect(document.querySelector('#details h2')!.textContent).toMatch(/removed/);
  });

  it('says when the node is in neither snapshot, and forgets the selection on clear', () => {
    const p = new DetailsPanel();
    expect(p.show('<x>', snapB(), null)).toBe(false);
    expect(document.getElementById('details')!.textContent).toBe('Node <x> is not in this snapshot.');
    p.clear();
    expect(p.selected).toBe('');
  });
});
