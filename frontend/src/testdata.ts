// Loads the sample API answers in frontend/testdata for unit tests.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diff, Insight, NetworkData, Snapshot } from './types';

// A string, not a URL object: under happy-dom, URL is the DOM's, which fileURLToPath refuses.
const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '..', 'testdata');
const read = <T>(name: string): T => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;

/** Snapshot 1 of the sample mesh. */
export const snapA = (): Snapshot => read<Snapshot>('snapshot-a.json');
/** Snapshot 2 of the sample mesh. */
export const snapB = (): Snapshot => read<Snapshot>('snapshot-b.json');
/** The diff from snapshot 1 to 2. */
export const diffAB = (): Diff => read<Diff>('diff-a-b.json');
/** Insights for snapshot 2. */
export const insightsB = (): Insight[] => read<{ insights: Insight[] }>('insights.json').insights;
/** Sample Network Data naming nodes of snapshot 1 (and an RLOC16 no node has). */
export const netDataA = (): NetworkData => read<NetworkData>('network-data.json');

/** Puts the body of frontend/index.html (the real page's elements) into the test document. */
export function loadPage(): void {
  const html = readFileSync(join(here, '..', 'index.html'), 'utf8');
  const body = /<body>([\s\S]*)<\/body>/.exec(html)?.[1] ?? '';
  document.body.innerHTML = body.replace(/<script[\s\S]*?<\/script>/g, '');
}
