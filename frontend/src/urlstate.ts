// The view in the URL, so it can be shared: ?network=KEY&snapshot=ID&baseline=ID&node=ID
// (snapshot only when not following live). The baseline also stays per
// network in localStorage until the user picks another.

/** What the URL names. */
export interface ViewState {
  network: string;
  /** The snapshot shown when not live ('' = live, the newest). */
  snapshot: string;
  /** The snapshot the shown one is compared with ('' = the previous one). */
  baseline: string;
  /** The selected node ('' = none). */
  node: string;
}

const KEYS: (keyof ViewState)[] = ['network', 'snapshot', 'baseline', 'node'];

/** Reads the view from a query string; missing parts are ''. */
export function readState(search: string): ViewState {
  const q = new URLSearchParams(search);
  return { network: q.get('network') ?? '', snapshot: q.get('snapshot') ?? '', baseline: q.get('baseline') ?? '', node: q.get('node') ?? '' };
}

/** The query string for a view, keeping other parameters of `search` (e.g. stress); '' parts are left out. */
export function writeState(v: ViewState, search = ''): string {
  const q = new URLSearchParams(search);
  for (const k of KEYS) {
    if (v[k]) q.set(k, v[k]);
    else q.delete(k);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** localStorage key of a network's baseline. */
export function baselineKey(network: string): string {
  return `threadmap.baseline.${network}`;
}
