// The shapes of threadmap's HTTP API (docs/API.md) and of the canonical
// topology JSON (schema "threadmap.topology/v1", thread/topology/model.go).
// Field names are the JSON names; optional fields may be absent.

/** A node's Thread role, in the canonical JSON's words. */
export type Role =
  | 'leader'
  | 'router'
  | 'reed'
  | 'end-device'
  | 'sleepy-end-device'
  | 'detached'
  | 'unknown';

/** Every role, in legend order. */
export const ROLES: readonly Role[] = [
  'leader',
  'router',
  'reed',
  'end-device',
  'sleepy-end-device',
  'detached',
  'unknown',
];

/** MLE device mode bits. */
export interface Mode {
  rx_on_when_idle: boolean;
  full_thread_device: boolean;
  full_network_data: boolean;
}

/** Connectivity TLV as a node reports it. */
export interface Connectivity {
  parent_priority: number;
  link_quality_3: number;
  link_quality_2: number;
  link_quality_1: number;
  leader_cost: number;
  id_sequence: number;
  active_routers: number;
}

/** One Thread device. */
export interface TopoNode {
  id: string;
  ext_addr?: string;
  rloc16?: string;
  role: Role;
  router_id: number | null;
  parent: string | null;
  mode?: Mode;
  border_router: boolean;
  name?: string;
  vendor?: string;
  model?: string;
  sw_version?: string;
  thread_version?: number;
  stack_version?: string;
  eui64?: string;
  ipv6?: string[];
  timeout?: number;
  max_children?: number;
  battery_level?: number;
  supply_voltage_mv?: number;
  connectivity?: Connectivity;
  partition_id?: number;
  counters?: Record<string, number>;
  matter_node_id?: number;
  child_table_known?: boolean;
  status?: string;
  status_detail?: string;
  flags?: string[];
  sources: string[];
  field_sources?: Record<string, string>;
  first_seen?: string;
  last_seen?: string;
}

/** Link kind: router-router or parent-child. */
export type LinkKind = 'router' | 'child';

/** One radio link. Router links: a < b, lq_in/lq_out are a's view. Child links: a is the parent. */
export interface TopoLink {
  kind: LinkKind;
  a: string;
  b: string;
  lq_in?: number;
  lq_out?: number;
  cost?: number;
  route_cost?: number;
  rssi?: number;
  last_rssi?: number;
  lqi?: number;
  link_margin?: number;
  frame_error_rate?: number;
  message_error_rate?: number;
  timeout?: number;
  age?: number;
  derived?: boolean;
  flags?: string[];
  sources?: string[];
}

/** A Thread network's identity. */
export interface Network {
  name?: string;
  ext_pan_id?: string;
  pan_id?: string;
  channel?: number;
  mesh_local_prefix?: string;
  partition_id?: number;
  leader_router_id?: number;
  partitions?: number[];
  network_data?: NetworkData | null;
}

/** A device publishing a prefix as on-mesh (Border Router sub-TLV). `node` is a node id or "rloc:0x....". */
export interface NetDataBorderRouter {
  node: string;
  rloc16: string;
  stable: boolean;
  preference: string;
  preferred: boolean;
  slaac: boolean;
  dhcp: boolean;
  configure: boolean;
  default_route: boolean;
  on_mesh: boolean;
  nd_dns: boolean;
  dp: boolean;
}

/** A device offering an external route to a prefix (Has Route sub-TLV). */
export interface NetDataRoute {
  node: string;
  rloc16: string;
  stable: boolean;
  preference: string;
  nat64: boolean;
  adv_pio: boolean;
}

/** One prefix of the Network Data. */
export interface NetDataPrefix {
  prefix: string;
  domain_id: number;
  border_routers?: NetDataBorderRouter[] | null;
  routes?: NetDataRoute[] | null;
  context_id?: number;
  compress?: boolean;
}

/** One server of a service. */
export interface NetDataServer {
  node: string;
  rloc16: string;
  stable: boolean;
  server_data: string;
  address?: string;
  port?: number;
}

/** One service of the Network Data; kind "srp-anycast", "srp-unicast", "backbone-router" or absent. */
export interface NetDataService {
  service_id: number;
  enterprise_number: number;
  service_data: string;
  stable: boolean;
  kind?: string;
  anycast_seq?: number;
  address?: string;
  port?: number;
  servers?: NetDataServer[] | null;
}

/** The Thread Network Data of the partition as a source saw it. */
export interface NetworkData {
  source?: string;
  prefixes?: NetDataPrefix[] | null;
  services?: NetDataService[] | null;
  commissioner_session_id?: number;
}

/** A border router as discovery or a REST API saw it. */
export interface BorderRouter {
  id: string;
  instance?: string;
  host?: string;
  addresses?: string[];
  port?: number;
  vendor?: string;
  model?: string;
  network_name?: string;
  ext_pan_id?: string;
  ext_addr?: string;
  thread_version?: string;
  state?: Record<string, string>;
  rest_url?: string;
  sources?: string[];
  last_seen?: string;
  network?: string;
}

/** What one source did during a scan. */
export interface SourceReport {
  name: string;
  target?: string;
  queried: number;
  answered: number;
  timed_out?: number;
  failed?: number;
  duration_ms: number;
  error?: string;
  notes?: string[];
}

/** One picture of one network at one time (canonical topology JSON). */
export interface Snapshot {
  schema: string;
  snapshot_id?: string;
  taken_at: string;
  network: Network;
  nodes: TopoNode[];
  links: TopoLink[];
  border_routers?: BorderRouter[];
  scan?: { sources: SourceReport[] | null };
}

/** GET /api/v1/networks entry. */
export interface NetworkSummary {
  key: string;
  name?: string;
  ext_pan_id?: string;
  pan_id?: string;
  channel?: number;
  latest_snapshot_id?: string;
  latest_taken_at?: string;
  nodes?: number;
  routers?: number;
  border_routers?: number;
}

/** GET /api/v1/snapshots entry. */
export interface SnapshotSummary {
  id: string;
  network: string;
  taken_at: string;
  nodes: number;
  routers: number;
  links: number;
}

/** A value change in a diff. */
export interface Change<T> {
  from: T;
  to: T;
}

/** A link named in a diff. */
export interface DiffLink {
  kind: LinkKind;
  a: string;
  b: string;
}

/** A link whose quality or cost changed. */
export interface DiffLinkChange extends DiffLink {
  lq_in?: Change<number | null>;
  lq_out?: Change<number | null>;
  cost?: Change<number | null>;
}

/** GET /api/v1/diff answer. */
export interface Diff {
  from: string;
  to: string;
  nodes_added?: string[] | null;
  nodes_removed?: string[] | null;
  rloc16_changed?: ({ id: string } & Change<string>)[] | null;
  role_changed?: ({ id: string } & Change<string>)[] | null;
  parent_changed?: ({ id: string } & Change<string | null>)[] | null;
  links_added?: DiffLink[] | null;
  links_removed?: DiffLink[] | null;
  links_changed?: DiffLinkChange[] | null;
  border_routers_added?: string[] | null;
  border_routers_removed?: string[] | null;
}

/** Insight severity. */
export type Severity = 'info' | 'warning' | 'critical';

/** GET /api/v1/insights entry. */
export interface Insight {
  kind: string;
  severity: Severity;
  message: string;
  nodes?: string[] | null;
  links?: { a: string; b: string }[] | null;
}

/** GET /api/v1/info answer. */
export interface Info {
  version: string;
  schema: string;
  demo: boolean;
  started_at?: string;
  db_bytes?: number;
}
