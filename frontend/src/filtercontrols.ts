// The search box and the Filters section: what the user asked to see
// (filter.ts applies it), and the search hits Enter steps through.
import { byId } from './dom';
import { emptyFilter, search, vendors, type Filter } from './filter';
import { esc } from './html';
import { ROLE_LOOK } from './style';
import { ROLES, type Snapshot } from './types';

/** The search box and filter controls. */
export class FilterControls {
  /** The filter in force. */
  filter: Filter = emptyFilter();
  /** Ids matching the search, best first. */
  hits: string[] = [];
  private pos = 0;
  private readonly input = byId<HTMLInputElement>('search');

  constructor() {
    byId('role-filter').insertAdjacentHTML(
      'beforeend',
      ROLES.map((r) => `<label class="check"><input type="checkbox" data-role="${r}" /> ${esc(ROLE_LOOK[r].label.replace(/ \(.*\)/, ''))}</label>`).join(''),
    );
  }

  /**
   * Wires the controls: any change calls onChange; Enter in the search box
   * calls onFind with the next hit (cycling). `snap` gives the snapshot searched.
   */
  wire(snap: () => Snapshot | null, onChange: () => void, onFind: (id: string) => void): void {
    this.input.addEventListener('input', () => {
      this.filter.query = this.input.value;
      const s = snap();
      this.hits = s ? search(s, this.input.value) : [];
      this.pos = 0;
      byId('search-count').textContent = this.input.value.trim() ? `${this.hits.length} found` : '';
      onChange();
    });
    byId('search-form').addEventListener('submit', (e) => {
      e.preventDefault();
      if (!this.hits.length) return;
      const id = this.hits[this.pos % this.hits.length];
      this.pos++;
      onFind(id);
    });
    byId('role-filter').addEventListener('change', (e) => {
      const c = e.target as HTMLInputElement;
      const role = c.dataset.role as (typeof ROLES)[number] | undefined;
      if (!role) return;
      if (c.checked) this.filter.roles.add(role);
      else this.filter.roles.delete(role);
      onChange();
    });
    byId<HTMLSelectElement>('vendor-filter').addEventListener('change', (e) => {
      this.filter.vendor = (e.target as HTMLSelectElement).value;
      onChange();
    });
    byId<HTMLInputElement>('weak-filter').addEventListener('change', (e) => {
      this.filter.weakOnly = (e.target as HTMLInputElement).checked;
      onChange();
    });
    byId('clear-filters').addEventListener('click', () => {
      this.filter = { ...emptyFilter(), query: this.filter.query };
      document.querySelectorAll<HTMLInputElement>('#role-filter input').forEach((c) => (c.checked = false));
      byId<HTMLSelectElement>('vendor-filter').value = '';
      byId<HTMLInputElement>('weak-filter').checked = false;
      onChange();
    });
  }

  /** Focuses the search box ('/' key). */
  focusSearch(): void {
    this.input.focus();
  }

  /** Empties the search (Escape). */
  clearSearch(): void {
    this.input.value = '';
    this.input.dispatchEvent(new Event('input'));
  }

  /** Re-runs the search against a new snapshot. */
  research(s: Snapshot): void {
    if (this.input.value.trim()) this.hits = search(s, this.input.value);
  }

  /** Whether a search is typed (then non-matches fade even with no hit). */
  searching(): boolean {
    return this.filter.query.trim() !== '';
  }

  /** Lists the vendors of snapshot s in the vendor filter, keeping the choice when still listed. */
  refreshVendors(s: Snapshot): void {
    const sel = byId<HTMLSelectElement>('vendor-filter');
    const list = vendors(s);
    const want = ['', ...list].join('\n');
    if (sel.dataset.list === want) return;
    sel.dataset.list = want;
    const cur = sel.value;
    sel.innerHTML = '<option value="">all</option>' + list.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join('');
    sel.value = list.includes(cur) ? cur : '';
    if (sel.value !== cur) this.filter.vendor = '';
  }
}
