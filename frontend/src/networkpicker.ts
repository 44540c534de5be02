// The network picker in the top bar: the networks the server knows, which
// one is shown, remembered in localStorage.
import { byId } from './dom';
import { esc } from './html';
import type { NetworkSummary } from './types';

/** localStorage key of the network last shown. */
export const NETWORK_KEY = 'threadmap.network';

/** The option text of a network: name (else key), channel, node count. */
export function networkOption(n: NetworkSummary): string {
  return `${n.name || n.key}${n.channel ? ` · ch ${n.channel}` : ''}${n.nodes !== undefined ? ` · ${n.nodes} nodes` : ''}`;
}

/**
 * The network to show: `current` when still known, else `wanted` (the URL's
 * or the one remembered), else the first; '' when there is none.
 */
export function pickNetwork(list: NetworkSummary[], current: string, ...wanted: string[]): string {
  for (const k of [current, ...wanted]) if (k && list.some((n) => n.key === k)) return k;
  return list[0]?.key ?? '';
}

/** The picker. */
export class NetworkPicker {
  /** The networks last listed. */
  list: NetworkSummary[] = [];
  private readonly sel = byId<HTMLSelectElement>('network');

  /** Calls onPick with the key the user picks. */
  wire(onPick: (key: string) => void): void {
    this.sel.addEventListener('change', () => onPick(this.sel.value));
  }

  /** Fills the options; returns the key to show (see pickNetwork). */
  fill(list: NetworkSummary[], current: string, wanted = ''): string {
    this.list = list;
    this.sel.innerHTML = list.map((n) => `<option value="${esc(n.key)}">${esc(networkOption(n))}</option>`).join('');
    this.sel.disabled = list.length < 2;
    const pick = pickNetwork(list, current, wanted, localStorage.getItem(NETWORK_KEY) ?? '');
    this.sel.value = pick;
    return pick;
  }

  /** Whether the network is listed. */
  has(key: string): boolean {
    return this.list.some((n) => n.key === key);
  }

  /** Remembers the network shown. */
  remember(key: string): void {
    this.sel.value = key;
    try {
      localStorage.setItem(NETWORK_KEY, key);
    } catch {
      // storage disabled
    }
  }

  /** Disables the picker. */
  disable(): void {
    this.sel.disabled = true;
  }
}
