package topology

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Schema names the canonical JSON shape. Extend, don't rename.
const Schema = "threadmap.topology/v1"

// Role is a node's Thread role, in the exact words of the canonical JSON.
type Role string

// The roles. A child that is a full Thread device is reported as a REED (an
// FTD child can become a router); rx-off children are sleepy end devices.
const (
	RoleLeader          Role = "leader"
	RoleRouter          Role = "router"
	RoleREED            Role = "reed"
	RoleEndDevice       Role = "end-device"
	RoleSleepyEndDevice Role = "sleepy-end-device"
	RoleDetached        Role = "detached"
	RoleUnknown         Role = "unknown"
)

// IsRouterRole reports whether r is leader or router.
func (r Role) IsRouterRole() bool { return r == RoleLeader || r == RoleRouter }

// IsChildRole reports whether r is an end-device role (REED, MED, SED).
func (r Role) IsChildRole() bool {
	return r == RoleREED || r == RoleEndDevice || r == RoleSleepyEndDevice
}

// Mode is the MLE device mode (Thread spec 4.5.2): the three bits a user cares about.
type Mode struct {
	RxOnWhenIdle     bool `json:"rx_on_when_idle"`
	FullThreadDevice bool `json:"full_thread_device"`
	FullNetworkData  bool `json:"full_network_data"`
}

// Mode TLV bits.
const (
	ModeRxOnWhenIdle     = 0x08
	ModeFullThreadDevice = 0x02
	ModeFullNetworkData  = 0x01
)

// ModeFromByte decodes the Mode TLV byte.
func ModeFromByte(b byte) Mode {
	return Mode{RxOnWhenIdle: b&ModeRxOnWhenIdle != 0, FullThreadDevice: b&ModeFullThreadDevice != 0, FullNetworkData: b&ModeFullNetworkData != 0}
}

// Byte encodes the Mode TLV byte.
func (m Mode) Byte() byte {
	var b byte
	if m.RxOnWhenIdle {
		b |= ModeRxOnWhenIdle
	}
	if m.FullThreadDevice {
		b |= ModeFullThreadDevice
	}
	if m.FullNetworkData {
		b |= ModeFullNetworkData
	}
	return b
}

// String is OpenThread's CLI spelling: letters r, d, n or "-" for none.
func (m Mode) String() string {
	s := ""
	if m.RxOnWhenIdle {
		s += "r"
	}
	if m.FullThreadDevice {
		s += "d"
	}
	if m.FullNetworkData {
		s += "n"
	}
	if s == "" {
		return "-"
	}
	return s
}

// ParseMode reads OpenThread's CLI spelling ("rdn", "rn", "-").
func ParseMode(s string) (Mode, error) {
	s = strings.TrimSpace(s)
	var m Mode
	if s == "-" {
		return m, nil
	}
	if s == "" {
		return m, fmt.Errorf("mode: empty")
	}
	for _, c := range s {
		switch c {
		case 'r':
			m.RxOnWhenIdle = true
		case 'd':
			m.FullThreadDevice = true
		case 'n':
			m.FullNetworkData = true
		default:
			return m, fmt.Errorf("mode: unknown flag %q in %q", c, s)
		}
	}
	return m, nil
}

// ChildRole is the role an attached child with mode m plays.
func ChildRole(m Mode) Role {
	switch {
	case !m.RxOnWhenIdle:
		return RoleSleepyEndDevice
	case m.FullThreadDevice:
		return RoleREED
	default:
		return RoleEndDevice
	}
}

// NodeStatus says how a node answered the scan that produced the snapshot.
type NodeStatus string

// Node statuses.
const (
	StatusAnswered   NodeStatus = "answered"
	StatusTimedOut   NodeStatus = "timed-out"
	StatusError      NodeStatus = "error"
	StatusNotQueried NodeStatus = "not-queried"
)

// Node flags (Node.Flags): facts the derivation noticed and kept.
const (
	// FlagNotInParentTable: the node's RLOC16 says it is a child of a router
	// whose child table was read and does not list it.
	FlagNotInParentTable = "not-in-parent-child-table"
	// FlagInferred: the node was never seen itself; its existence follows
	// from another node's RLOC16 (a parent) or a neighbor table.
	FlagInferred = "inferred"
	// FlagParentMismatch: a child table lists the node under another parent
	// than its RLOC16 says (a stale entry after re-attach).
	FlagParentMismatch = "parent-mismatch"
	// FlagRoleConflict: sources disagree about the role.
	FlagRoleConflict = "role-conflict"
)

// Node is one Thread device. Keyed by ExtAddr; known by Rloc16 too.
type Node struct {
	ID            string            `json:"id"`
	ExtAddr       string            `json:"ext_addr,omitempty"`
	Rloc16        *Rloc16           `json:"rloc16,omitempty"`
	Role          Role              `json:"role"`
	RouterID      *int              `json:"router_id"`
	Parent        *string           `json:"parent"`
	Mode          *Mode             `json:"mode,omitempty"`
	BorderRouter  bool              `json:"border_router"`
	Name          string            `json:"name,omitempty"`
	Vendor        string            `json:"vendor,omitempty"`
	Model         string            `json:"model,omitempty"`
	SWVersion     string            `json:"sw_version,omitempty"`
	ThreadVersion int               `json:"thread_version,omitempty"`
	StackVersion  string            `json:"stack_version,omitempty"`
	EUI64         string            `json:"eui64,omitempty"`
	IPv6          []string          `json:"ipv6,omitempty"`
	Timeout       *uint32           `json:"timeout,omitempty"`
	MaxChildren   *int              `json:"max_children,omitempty"`
	Battery       *int              `json:"battery_level,omitempty"`
	SupplyVoltage *int              `json:"supply_voltage_mv,omitempty"`
	Connectivity  *Connectivity     `json:"connectivity,omitempty"`
	PartitionID   *uint32           `json:"partition_id,omitempty"`
	Counters      map[string]uint64 `json:"counters,omitempty"`
	MatterNodeID  uint64            `json:"matter_node_id,omitempty"`
	// ChildTableKnown: this node's own child table was read in this scan, so
	// a child that the RLOC16 mask puts here but the table lacks is flagged.
	ChildTableKnown bool `json:"child_table_known,omitempty"`
	// Neighbors counts the router-router neighbors this node itself reported.
	Status       NodeStatus        `json:"status,omitempty"`
	StatusDetail string            `json:"status_detail,omitempty"`
	Flags        []string          `json:"flags,omitempty"`
	Sources      []string          `json:"sources"`
	FieldSources map[string]string `json:"field_sources,omitempty"`
	FirstSeen    *time.Time        `json:"first_seen,omitempty"`
	LastSeen     *time.Time        `json:"last_seen,omitempty"`
}

// Connectivity is the Connectivity TLV (4) as a node reports it.
type Connectivity struct {
	ParentPriority int `json:"parent_priority"`
	LinkQuality3   int `json:"link_quality_3"`
	LinkQuality2   int `json:"link_quality_2"`
	LinkQuality1   int `json:"link_quality_1"`
	LeaderCost     int `json:"leader_cost"`
	IDSequence     int `json:"id_sequence"`
	ActiveRouters  int `json:"active_routers"`
}

// LinkKind tells a router-router link from a parent-child link.
type LinkKind string

// Link kinds.
const (
	LinkRouter LinkKind = "router"
	LinkChild  LinkKind = "child"
)

// Link is one radio link. For a router link A < B (by id) and LQIn/LQOut
// are A's view (LQIn: quality at A of frames from B). For a child link A is
// the parent and B the child; LQIn is the parent's view of the child.
type Link struct {
	Kind  LinkKind `json:"kind"`
	A     string   `json:"a"`
	B     string   `json:"b"`
	LQIn  *int     `json:"lq_in,omitempty"`
	LQOut *int     `json:"lq_out,omitempty"`
	// Cost is the one-hop link cost (from min(LQIn, LQOut) for router links).
	Cost *int `json:"cost,omitempty"`
	// RouteCost is the route cost A advertises to B in its Route64.
	RouteCost        *int     `json:"route_cost,omitempty"`
	RSSI             *int     `json:"rssi,omitempty"`
	LastRSSI         *int     `json:"last_rssi,omitempty"`
	LQI              *int     `json:"lqi,omitempty"`
	LinkMargin       *int     `json:"link_margin,omitempty"`
	FrameErrorRate   *float64 `json:"frame_error_rate,omitempty"`
	MessageErrorRate *float64 `json:"message_error_rate,omitempty"`
	Timeout          *uint32  `json:"timeout,omitempty"`
	Age              *uint32  `json:"age,omitempty"`
	// Derived: only the RLOC16 mask says so; no table listed this link.
	Derived bool     `json:"derived,omitempty"`
	Flags   []string `json:"flags,omitempty"`
	Sources []string `json:"sources,omitempty"`
}

// Network is a Thread network's identity. Secrets (network key, PSKc) have
// no field here on purpose: they never enter the model.
type Network struct {
	Name            string   `json:"name,omitempty"`
	ExtPanID        string   `json:"ext_pan_id,omitempty"`
	PanID           string   `json:"pan_id,omitempty"`
	Channel         int      `json:"channel,omitempty"`
	MeshLocalPrefix string   `json:"mesh_local_prefix,omitempty"`
	PartitionID     *uint32  `json:"partition_id,omitempty"`
	LeaderRouterID  *int     `json:"leader_router_id,omitempty"`
	Partitions      []uint32 `json:"partitions,omitempty"`
	// NetworkData is the freshest Thread Network Data a source read.
	NetworkData *NetworkData `json:"network_data,omitempty"`
}

// Key names the network for storage and grouping: the ext PAN ID, else the name.
func (n Network) Key() string {
	if n.ExtPanID != "" {
		return strings.ToLower(n.ExtPanID)
	}
	if n.Name != "" {
		return "name:" + n.Name
	}
	return "unknown"
}

// BorderRouter is a border router as discovery (MeshCoP) or a REST API saw it.
type BorderRouter struct {
	ID            string            `json:"id"`
	Instance      string            `json:"instance,omitempty"`
	Host          string            `json:"host,omitempty"`
	Addresses     []string          `json:"addresses,omitempty"`
	Port          int               `json:"port,omitempty"`
	Vendor        string            `json:"vendor,omitempty"`
	Model         string            `json:"model,omitempty"`
	NetworkName   string            `json:"network_name,omitempty"`
	ExtPanID      string            `json:"ext_pan_id,omitempty"`
	ExtAddr       string            `json:"ext_addr,omitempty"`
	ThreadVersion string            `json:"thread_version,omitempty"`
	State         map[string]string `json:"state,omitempty"`
	// TXT is the MeshCoP TXT record as received: key -> value in hex.
	TXT      map[string]string `json:"txt,omitempty"`
	RestURL  string            `json:"rest_url,omitempty"`
	Sources  []string          `json:"sources,omitempty"`
	LastSeen *time.Time        `json:"last_seen,omitempty"`
}

// SourceReport is what one source did during a scan. Partial: the source
// returned what it had, but not everything it asked answered (a budget ran
// out, a request failed).
type SourceReport struct {
	Name       string   `json:"name"`
	Target     string   `json:"target,omitempty"`
	Queried    int      `json:"queried"`
	Answered   int      `json:"answered"`
	TimedOut   int      `json:"timed_out,omitempty"`
	Failed     int      `json:"failed,omitempty"`
	DurationMs int64    `json:"duration_ms"`
	Error      string   `json:"error,omitempty"`
	Notes      []string `json:"notes,omitempty"`
	Partial    bool     `json:"partial,omitempty"`
}

// Scan is the per-source report of the scan that produced a snapshot.
// Partial: some sources or nodes did not answer within the scan's budget;
// the snapshot holds what did.
type Scan struct {
	Sources []SourceReport `json:"sources"`
	Partial bool           `json:"partial,omitempty"`
}

// Snapshot is one picture of one network at one time.
type Snapshot struct {
	Schema        string         `json:"schema"`
	ID            string         `json:"snapshot_id,omitempty"`
	TakenAt       time.Time      `json:"taken_at"`
	Network       Network        `json:"network"`
	Nodes         []Node         `json:"nodes"`
	Links         []Link         `json:"links"`
	BorderRouters []BorderRouter `json:"border_routers,omitempty"`
	Scan          Scan           `json:"scan"`
}

// Source is anything that can collect a (partial) snapshot: the TMF
// crawler, an OTBR REST API, a Matter server, an importer.
type Source interface {
	// Name is the short source name recorded in Node.Sources ("tmf", "otbr", "matter", ...).
	Name() string
	// Collect returns a partial snapshot whose Scan holds this source's
	// report. On a partial failure it returns what it has and a report
	// saying what failed; err is for "nothing at all".
	Collect(ctx context.Context) (*Snapshot, error)
}

// New returns an empty snapshot with the schema set.
func New(takenAt time.Time) *Snapshot {
	return &Snapshot{Schema: Schema, TakenAt: takenAt.UTC(), Nodes: []Node{}, Links: []Link{}}
}

// JSON is the canonical JSON, indented.
func (s *Snapshot) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DecodeJSON reads canonical JSON, checking the schema.
func DecodeJSON(r io.Reader) (*Snapshot, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var s Snapshot
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("topology json: %w", err)
	}
	if s.Schema != Schema {
		return nil, fmt.Errorf("topology json: schema %q, want %q", s.Schema, Schema)
	}
	if s.Nodes == nil {
		s.Nodes = []Node{}
	}
	if s.Links == nil {
		s.Links = []Link{}
	}
	return &s, nil
}

// Node returns the node with id, or nil.
func (s *Snapshot) Node(id string) *Node {
	for i := range s.Nodes {
		if s.Nodes[i].ID == id {
			return &s.Nodes[i]
		}
	}
	return nil
}

// NodeByRloc16 returns the node with that RLOC16, or nil.
func (s *Snapshot) NodeByRloc16(r Rloc16) *Node {
	for i := range s.Nodes {
		if s.Nodes[i].Rloc16 != nil && *s.Nodes[i].Rloc16 == r {
			return &s.Nodes[i]
		}
	}
	return nil
}

// Ptr returns a pointer to v; for the optional fields.
func Ptr[T any](v T) *T { return &v }

func addUnique(list []string, v ...string) []string {
	for _, x := range v {
		if x == "" {
			continue
		}
		found := false
		for _, y := range list {
			if y == x {
				found = true
				break
			}
		}
		if !found {
			list = append(list, x)
		}
	}
	return list
}

// AddFlag adds flag f once.
func (n *Node) AddFlag(f string) { n.Flags = addUnique(n.Flags, f) }

// AddSource adds source name once.
func (n *Node) AddSource(src string) { n.Sources = addUnique(n.Sources, src) }

// HasFlag reports whether the node carries flag f.
func (n *Node) HasFlag(f string) bool {
	for _, x := range n.Flags {
		if x == f {
			return true
		}
	}
	return false
}

// AddFlag adds flag f once.
func (l *Link) AddFlag(f string) { l.Flags = addUnique(l.Flags, f) }
