package nodedump

import (
	"fmt"
	"net/netip"
)

// Thread Network Diagnostics attribute IDs (cluster 0x0035).
const (
	AttrChannel                      = 0
	AttrRoutingRole                  = 1
	AttrNetworkName                  = 2
	AttrPanID                        = 3
	AttrExtendedPanID                = 4
	AttrMeshLocalPrefix              = 5
	AttrOverrunCount                 = 6
	AttrNeighborTable                = 7
	AttrRouteTable                   = 8
	AttrPartitionID                  = 9
	AttrWeighting                    = 10
	AttrDataVersion                  = 11
	AttrStableDataVersion            = 12
	AttrLeaderRouterID               = 13
	AttrActiveTimestamp              = 56
	AttrPendingTimestamp             = 57
	AttrDelay                        = 58
	AttrSecurityPolicy               = 59
	AttrChannelPage0Mask             = 60
	AttrOperationalDatasetComponents = 61
	AttrActiveNetworkFaultsList      = 62
	AttrExtAddress                   = 63 // cluster revision 3
	AttrRloc16                       = 64 // cluster revision 3
)

// counterNames are attributes 14–55 (MLE role and attach counts, MAC
// counters), named after their Matter attributes in snake_case
// (ChildRoleCount → child_role_count); matter/meshbuild maps them onto the
// model's counter names (topology.Counter*).
var counterNames = [...]string{
	14: "detached_role_count", 15: "child_role_count", 16: "router_role_count", 17: "leader_role_count",
	18: "attach_attempt_count", 19: "partition_id_change_count", 20: "better_partition_attach_attempt_count",
	21: "parent_change_count", 22: "tx_total_count", 23: "tx_unicast_count", 24: "tx_broadcast_count",
	25: "tx_ack_requested_count", 26: "tx_acked_count", 27: "tx_no_ack_requested_count", 28: "tx_data_count",
	29: "tx_data_poll_count", 30: "tx_beacon_count", 31: "tx_beacon_request_count", 32: "tx_other_count",
	33: "tx_retry_count", 34: "tx_direct_max_retry_expiry_count", 35: "tx_indirect_max_retry_expiry_count",
	36: "tx_err_cca_count", 37: "tx_err_abort_count", 38: "tx_err_busy_channel_count", 39: "rx_total_count",
	40: "rx_unicast_count", 41: "rx_broadcast_count", 42: "rx_data_count", 43: "rx_data_poll_count",
	44: "rx_beacon_count", 45: "rx_beacon_request_count", 46: "rx_other_count", 47: "rx_address_filtered_count",
	48: "rx_dest_addr_filtered_count", 49: "rx_duplicated_count", 50: "rx_err_no_frame_count",
	51: "rx_err_unknown_neighbor_count", 52: "rx_err_invalid_src_addr_count", 53: "rx_err_sec_count",
	54: "rx_err_fcs_count", 55: "rx_err_other_count",
}

// CounterName names counter attribute id (14–55), or "".
func CounterName(id int) string {
	if id < 14 || id >= len(counterNames) {
		return ""
	}
	return counterNames[id]
}

// RoutingRole is RoutingRoleEnum (attribute 1).
type RoutingRole int

// Routing roles.
const (
	RoleUnspecified     RoutingRole = 0
	RoleUnassigned      RoutingRole = 1
	RoleSleepyEndDevice RoutingRole = 2
	RoleEndDevice       RoutingRole = 3
	RoleREED            RoutingRole = 4
	RoleRouter          RoutingRole = 5
	RoleLeader          RoutingRole = 6
)

// String names the role.
func (r RoutingRole) String() string {
	switch r {
	case RoleUnassigned:
		return "unassigned"
	case RoleSleepyEndDevice:
		return "sleepy end device"
	case RoleEndDevice:
		return "end device"
	case RoleREED:
		return "REED"
	case RoleRouter:
		return "router"
	case RoleLeader:
		return "leader"
	}
	return "unspecified"
}

// NeighborEntry is NeighborTableStruct (attribute 7): the reporting node's
// view of one neighbor.
type NeighborEntry struct {
	ExtAddress       uint64 // field 0
	Age              uint32 // 1, seconds since last heard
	Rloc16           uint16 // 2
	LinkFrameCounter uint32 // 3
	MleFrameCounter  uint32 // 4
	LQI              uint8  // 5, link quality in (0–3 as OpenThread reports it)
	AverageRssi      *int8  // 6, null when unknown
	LastRssi         *int8  // 7
	FrameErrorRate   uint8  // 8, percent
	MessageErrorRate uint8  // 9, percent
	RxOnWhenIdle     bool   // 10
	FullThreadDevice bool   // 11
	FullNetworkData  bool   // 12
	IsChild          bool   // 13: the neighbor is the reporter's child
}

// RouteEntry is RouteTableStruct (attribute 8): the reporting node's route
// to one router. ExtAddress is 0 for routers it has no link to (and some
// stacks report it anyway).
type RouteEntry struct {
	ExtAddress      uint64 // field 0
	Rloc16          uint16 // 1
	RouterID        uint8  // 2
	NextHop         uint8  // 3, 63 = none
	PathCost        uint8  // 4
	LQIIn           uint8  // 5, 0–3
	LQIOut          uint8  // 6, 0–3
	Age             uint8  // 7
	Allocated       bool   // 8
	LinkEstablished bool   // 9
}

// NoNextHop is the NextHop value meaning "no route".
const NoNextHop = 63

// SecurityPolicy is attribute 59.
type SecurityPolicy struct {
	RotationTime uint16
	Flags        uint16
}

// ThreadNetworkDiagnostics is cluster 0x0035 on the root endpoint. Pointer
// fields are nil when the attribute is missing, null or redacted.
type ThreadNetworkDiagnostics struct {
	ClusterRevision int
	FeatureMap      uint32

	Channel         *int
	RoutingRole     *RoutingRole
	NetworkName     string
	PanID           *uint16
	ExtendedPanID   *uint64
	MeshLocalPrefix *netip.Prefix
	OverrunCount    *uint64
	// NeighborTable and RouteTable are nil when the attribute is absent or
	// null, empty when the device reported none.
	NeighborTable     []NeighborEntry
	RouteTable        []RouteEntry
	PartitionID       *uint32
	Weighting         *int
	DataVersion       *int
	StableDataVersion *int
	LeaderRouterID    *int
	// Counters holds attributes 14–55 by CounterName.
	Counters         map[string]uint64
	ActiveTimestamp  *uint64
	PendingTimestamp *uint64
	Delay            *uint32
	SecurityPolicy   *SecurityPolicy
	ChannelPage0Mask []byte
	// OperationalDatasetComponents maps component number (0 active
	// timestamp … 11 channel mask) to present.
	OperationalDatasetComponents map[int]bool
	ActiveNetworkFaults          []int
	ExtAddress                   *uint64 // 63
	Rloc16                       *uint16 // 64

	// Redacted lists attributes a diagnostics download redacted.
	Redacted []string
}

// datasetComponentNames are the older dumps' field names of attribute 61.
var datasetComponentNames = []string{
	"activeTimestampPresent", "pendingTimestampPresent", "masterKeyPresent", "networkNamePresent",
	"extendedPanIdPresent", "meshLocalPrefixPresent", "delayPresent", "panIdPresent",
	"channelPresent", "pskcPresent", "securityPolicyPresent", "channelMaskPresent",
}

func decodeThread(attrs map[uint32]any, p *problems) *ThreadNetworkDiagnostics {
	r := attrReader{ClusterThreadNetworkDiagnostics, attrs, p}
	present := false
	for id := range attrs {
		if id <= AttrRloc16 {
			if _, ok := r.get(id); ok || r.redacted(id) {
				present = true
				break
			}
		}
	}
	if !present {
		return nil
	}
	t := &ThreadNetworkDiagnostics{
		ClusterRevision:   int(val(r.uint(AttrClusterRevision, 16, false))),
		FeatureMap:        uint32(val(r.uint(AttrFeatureMap, 32, false))),
		Channel:           r.int(AttrChannel, 16),
		NetworkName:       val(r.string(AttrNetworkName)),
		OverrunCount:      r.uint(AttrOverrunCount, 64, false),
		Weighting:         r.int(AttrWeighting, 16),
		DataVersion:       r.int(AttrDataVersion, 16),
		StableDataVersion: r.int(AttrStableDataVersion, 16),
		LeaderRouterID:    r.int(AttrLeaderRouterID, 16),
		ActiveTimestamp:   r.uint(AttrActiveTimestamp, 64, false),
		PendingTimestamp:  r.uint(AttrPendingTimestamp, 64, false),
		ChannelPage0Mask:  r.bytes(AttrChannelPage0Mask),
		ExtendedPanID:     r.uint(AttrExtendedPanID, 64, true),
		ExtAddress:        r.uint(AttrExtAddress, 64, true),
	}
	for id := range attrs {
		if r.redacted(id) {
			t.Redacted = append(t.Redacted, r.path(id))
		}
	}
	if v := r.int(AttrRoutingRole, 8); v != nil {
		role := RoutingRole(*v)
		t.RoutingRole = &role
	}
	if v := r.uint(AttrPanID, 16, false); v != nil {
		x := uint16(*v)
		t.PanID = &x
	}
	if v := r.uint(AttrPartitionID, 32, false); v != nil {
		x := uint32(*v)
		t.PartitionID = &x
	}
	if v := r.uint(AttrDelay, 32, false); v != nil {
		x := uint32(*v)
		t.Delay = &x
	}
	if v := r.uint(AttrRloc16, 16, false); v != nil {
		x := uint16(*v)
		t.Rloc16 = &x
	}
	if b := r.bytes(AttrMeshLocalPrefix); b != nil {
		if pfx, err := meshLocalPrefix(b); err != nil {
			p.add(r.path(AttrMeshLocalPrefix), "%v", err)
		} else {
			t.MeshLocalPrefix = &pfx
		}
	}
	for id := 14; id <= 55; id++ {
		if v := r.uint(uint32(id), 64, false); v != nil {
			if t.Counters == nil {
				t.Counters = map[string]uint64{}
			}
			t.Counters[CounterName(id)] = *v
		}
	}
	if obj, ok := r.object(AttrSecurityPolicy); ok {
		s := structReader{obj, r.path(AttrSecurityPolicy), p}
		t.SecurityPolicy = &SecurityPolicy{
			RotationTime: uint16(val(s.uint(0, 16, false, "rotationTime"))),
			Flags:        uint16(val(s.uint(1, 16, false, "flags"))),
		}
	}
	if obj, ok := r.object(AttrOperationalDatasetComponents); ok {
		s := structReader{obj, r.path(AttrOperationalDatasetComponents), p}
		t.OperationalDatasetComponents = map[int]bool{}
		for i, name := range datasetComponentNames {
			if b := s.bool(i, name); b != nil {
				t.OperationalDatasetComponents[i] = *b
			}
		}
	}
	if list, ok := r.list(AttrActiveNetworkFaultsList); ok {
		t.ActiveNetworkFaults = []int{}
		for i, item := range list {
			v, err := toInt(item, 16)
			if err != nil {
				p.add(fmt.Sprintf("%s[%d]", r.path(AttrActiveNetworkFaultsList), i), "%v", err)
				continue
			}
			t.ActiveNetworkFaults = append(t.ActiveNetworkFaults, int(v))
		}
	}
	if list, ok := r.list(AttrNeighborTable); ok {
		t.NeighborTable = []NeighborEntry{}
		for i, item := range list {
			if e, ok := decodeNeighbor(item, fmt.Sprintf("%s[%d]", r.path(AttrNeighborTable), i), p); ok {
				t.NeighborTable = append(t.NeighborTable, e)
			}
		}
	}
	if list, ok := r.list(AttrRouteTable); ok {
		t.RouteTable = []RouteEntry{}
		for i, item := range list {
			if e, ok := decodeRoute(item, fmt.Sprintf("%s[%d]", r.path(AttrRouteTable), i), p); ok {
				t.RouteTable = append(t.RouteTable, e)
			}
		}
	}
	return t
}

// meshLocalPrefix reads attribute 5: a length byte (64) and the 8-byte
// prefix, or (some stacks) the 8 bytes alone.
func meshLocalPrefix(b []byte) (netip.Prefix, error) {
	var raw []byte
	switch {
	case len(b) == 9 && b[0] == 64:
		raw = b[1:]
	case len(b) == 8:
		raw = b
	default:
		return netip.Prefix{}, fmt.Errorf("mesh-local prefix: %d bytes (want 9: length 64 + 8-byte prefix)", len(b))
	}
	var a [16]byte
	copy(a[:], raw)
	return netip.PrefixFrom(netip.AddrFrom16(a), 64), nil
}

func decodeNeighbor(item any, path string, p *problems) (NeighborEntry, bool) {
	obj, ok := item.(map[string]any)
	if !ok {
		p.add(path, "%s is not a NeighborTable struct", describe(item))
		return NeighborEntry{}, false
	}
	s := structReader{obj, path, p}
	ext := s.uint(0, 64, true, "extAddress")
	rloc := s.uint(2, 16, false, "rloc16")
	if ext == nil || rloc == nil {
		p.add(path, "entry without ExtAddress or Rloc16 left out")
		return NeighborEntry{}, false
	}
	e := NeighborEntry{
		ExtAddress:       *ext,
		Age:              uint32(val(s.uint(1, 32, false, "age"))),
		Rloc16:           uint16(*rloc),
		LinkFrameCounter: uint32(val(s.uint(3, 32, false, "linkFrameCounter"))),
		MleFrameCounter:  uint32(val(s.uint(4, 32, false, "mleFrameCounter"))),
		LQI:              uint8(val(s.uint(5, 8, false, "lqi"))),
		FrameErrorRate:   uint8(val(s.uint(8, 8, false, "frameErrorRate"))),
		MessageErrorRate: uint8(val(s.uint(9, 8, false, "messageErrorRate"))),
		RxOnWhenIdle:     val(s.bool(10, "rxOnWhenIdle")),
		FullThreadDevice: val(s.bool(11, "fullThreadDevice")),
		FullNetworkData:  val(s.bool(12, "fullNetworkData")),
		IsChild:          val(s.bool(13, "isChild")),
	}
	if v := s.int(6, 8, "averageRssi"); v != nil {
		x := int8(*v)
		e.AverageRssi = &x
	}
	if v := s.int(7, 8, "lastRssi"); v != nil {
		x := int8(*v)
		e.LastRssi = &x
	}
	return e, true
}

func decodeRoute(item any, path string, p *problems) (RouteEntry, bool) {
	obj, ok := item.(map[string]any)
	if !ok {
		p.add(path, "%s is not a RouteTable struct", describe(item))
		return RouteEntry{}, false
	}
	s := structReader{obj, path, p}
	rloc := s.uint(1, 16, false, "rloc16")
	if rloc == nil {
		p.add(path, "entry without Rloc16 left out")
		return RouteEntry{}, false
	}
	e := RouteEntry{
		ExtAddress:      val(s.uint(0, 64, true, "extAddress")),
		Rloc16:          uint16(*rloc),
		NextHop:         uint8(val(s.uint(3, 8, false, "nextHop"))),
		PathCost:        uint8(val(s.uint(4, 8, false, "pathCost"))),
		LQIIn:           uint8(val(s.uint(5, 8, false, "LQIIn", "lqiIn"))),
		LQIOut:          uint8(val(s.uint(6, 8, false, "LQIOut", "lqiOut"))),
		Age:             uint8(val(s.uint(7, 8, false, "age"))),
		Allocated:       val(s.bool(8, "allocated")),
		LinkEstablished: val(s.bool(9, "linkEstablished")),
	}
	if id := s.uint(2, 8, false, "routerId"); id != nil {
		e.RouterID = uint8(*id)
		if uint16(e.RouterID) != e.Rloc16>>10 {
			p.add(path, "RouterId %d does not match Rloc16 0x%04x", e.RouterID, e.Rloc16)
		}
	} else {
		e.RouterID = uint8(e.Rloc16 >> 10)
	}
	return e, true
}
