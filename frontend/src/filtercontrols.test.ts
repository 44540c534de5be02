// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { FilterControls } from './filtercontrols';
import { loadPage, snapA } from './testdata';
import { ROLES } from './types';

let fc: FilterControls;
let changes: number;
let found: string[];

beforeEach(() => {
  loadPage();
  fc = new FilterControls();
  changes = 0;
  found = [];
  const s = snapA();
  fc.wire(
    () => s,
    () => changes++,
    (id) => found.push(id),
  );
});

const type = (v: string) => {
  const i = document.getElementById('search') as HTMLInputElement;
  i.value = v;
  i.dispatchEvent(new Event('input'));
};
const enter = () => document.getElementById('search-form')!.dispatchEvent(new Event('submit', { cancelable: true }));

describe('FilterControls', () => {
  it('lists a checkbox per role', () => {
    expect(document.querySelectorAll('#role-filter input[data-role]').length).toBe(ROLES.length);
  });

  it('searches as the user types and steps through the hits with Enter', () => {
    type('0x0c0');
    expect(fc.hits.length).toBeGreaterThan(1);
    expect(document.getElementById('search-count')!.textContent).toBe(`${fc.hits.length} found`);
    expect(fc.searching()).toBe(true);
    enter();
    enter();
    expect(found).toEqual(fc.hits.slice(0, 2));
    type('');
    expect(document.getElementById('search-count')!.textContent).toBe('');
    expect(fc.searching()).toBe(false);
    enter();
    expect(found.length).toBe(2);
    expect(changes).toBe(2);
  });

  it('takes roles, vendor and weak links into the filter, and clears them', () => {
    const router = document.querySelector<HTMLInputElement>('#role-filter input[data-role="router"]')!;
    router.checked = true;
    router.dispatchEvent(new Event('change', { bubbles: true }));
    expect([...fc.filter.roles]).toEqual(['router']);
    fc.refreshVendors(snapA());
    const vendor = document.getElementById('vendor-filter') as HTMLSelectElement;
    expect([...vendor.options].map((o) => o.value)).toContain('Apple');
    vendor.value = 'Apple';
    vendor.dispatchEvent(new Event('change'));
    expect(fc.filter.vendor).toBe('Apple');
    const weak = document.getElementById('weak-filter') as HTMLInputElement;
    weak.checked = true;
    weak.dispatchEvent(new Event('change'));
    expect(fc.filter.weakOnly).toBe(true);
    type('hub');
    document.getElementById('clear-filters')!.click();
    expect(fc.filter.roles.size + Number(fc.filter.weakOnly) + fc.filter.vendor.length).toBe(0);
    expect(fc.filter.query).toBe('hub');
    expect(router.checked || weak.checked).toBe(false);
    expect(changes).toBe(5);
  });
});
