import type { TopoNode } from './types';

/** The name a user gave a node (its user_name), '' when none. */
export function userName(n: TopoNode | undefined): string {
  return n?.user_name ?? '';
}
