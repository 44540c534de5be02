// Shapes of the issue-14 API additions (docs/API.md: sources, changes, node
// history, names, report) that types.ts does not describe yet. Kept apart
// from types.ts, which is generated from the Go types.
import type { LinkKind, TopoNode } from './types';

/** A scan source's state. */
export type SourceStateName = 'idle' | 'scanning' | 'ok' | 'failing' | 'backing-off';

/** GET /api/v1/sources entry, and the data of the source.state event. */
export interface SourceState {
  id: string;
  kind: string;
  /** What it talks to (credentials redacted). */
  target: string;
  network?: string;
  /** A SourceStateName (a newer server may say others). */
  state: string;
  last_attempt_at?: string;
  last_ok_at?: string;
  last_error?: string;
  failures?: number;
  next_attempt_at?: string;
}

/** A change kind of GET /api/v1/changes. */
export type ChangeKind =
  | 'node-appeared'
  | 'node-disappeared'
  | 'parent-changed'
  | 'role-changed'
  | 'rloc16-changed'
  | 'lq-dropped'
  | 'lq-recovered'
  | 'router-link-added'
  | 'router-link-removed'
  | 'border-router-added'
  | 'border-router-removed';

/** One change between two consecutive stored snapshots. */
export interface ChangeEntry {
  at: string;
  snapshot_id: string;
  prev_snapshot_id?: string;
  /** A ChangeKind (a newer server may say others). */
  kind: string;
  node?: string;
  from?: unknown;
  to?: unknown;
  link?: { kind: LinkKind; a: string; b: string } | null;
  detail?: string;
}

/** GET /api/v1/changes answer. */
export interface ChangePage {
  changes: ChangeEntry[] | null;
  next_cursor?: string;
}

/** One point of a device's timeline. */
export interface HistoryPoint {
  snapshot_id: string;
  taken_at: string;
  present: boolean;
  rloc16?: string;
  role?: string;
  parent?: string | null;
  parent_lq_in?: number | null;
  parent_lq_out?: number | null;
}

/** GET /api/v1/nodes/{id}/history answer (points oldest first). */
export interface NodeHistory {
  node: string;
  name?: string;
  points: HistoryPoint[] | null;
}

/** A node with the name its user gave it (node field user_name). */
export type NamedNode = TopoNode & { user_name?: string };

/** The name a user gave a node, '' when none. */
export function userName(n: TopoNode | undefined): string {
  const named: NamedNode | undefined = n;
  return named?.user_name ?? '';
}
