package diag

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"

	"github.com/threadmap/threadmap/thread/topology"
)

// This file holds one type per structured TLV value, with its decoder
// (DecodeXxx, taking the value bytes without the TLV header) beside its
// encoder (AppendTo). Layouts follow the Thread 1.4 specification as
// OpenThread implements it; all integers are big-endian.

func wantLen(v []byte, n int) error {
	if len(v) != n {
		return fmt.Errorf("value is %d bytes, want %d", len(v), n)
	}
	return nil
}

// DeviceMode is the Mode TLV byte (Thread spec 4.5.2): bit 3 rx-on-when-idle,
// bit 2 secure data requests (obsolete), bit 1 full Thread device, bit 0
// full network data. Kept raw so encoding reproduces it exactly.
type DeviceMode uint8

// Topology is the mode in the model's terms.
func (m DeviceMode) Topology() topology.Mode { return topology.ModeFromByte(uint8(m)) }

// MarshalJSON writes the three mode flags and the raw byte.
func (m DeviceMode) MarshalJSON() ([]byte, error) {
	t := m.Topology()
	return json.Marshal(struct {
		topology.Mode
		Raw uint8 `json:"raw"`
	}{t, uint8(m)})
}

// Connectivity is the Connectivity TLV (4): 7 bytes, or 10 with the
// optional rx-off child buffer size and datagram count.
type Connectivity struct {
	// ParentPriority is bits 7–6 of byte 0 as a signed 2-bit value
	// (1 high, 0 medium, -1 low, -2 reserved).
	ParentPriority int8 `json:"parent_priority"`
	// Reserved is the low 6 bits of byte 0 (zero on the wire from OpenThread).
	Reserved      uint8 `json:"reserved,omitempty"`
	LinkQuality3  uint8 `json:"link_quality_3"`
	LinkQuality2  uint8 `json:"link_quality_2"`
	LinkQuality1  uint8 `json:"link_quality_1"`
	LeaderCost    uint8 `json:"leader_cost"`
	IDSequence    uint8 `json:"id_sequence"`
	ActiveRouters uint8 `json:"active_routers"`
	// HasSEDFields: the optional 3 bytes are present.
	HasSEDFields     bool   `json:"has_sed_fields"`
	SEDBufferSize    uint16 `json:"sed_buffer_size,omitempty"`
	SEDDatagramCount uint8  `json:"sed_datagram_count,omitempty"`
}

// DecodeConnectivity reads a Connectivity value.
func DecodeConnectivity(v []byte) (Connectivity, error) {
	var c Connectivity
	if len(v) != 7 && len(v) != 10 {
		return c, fmt.Errorf("value is %d bytes, want 7 or 10", len(v))
	}
	c.ParentPriority = int8(v[0]) >> 6
	c.Reserved = v[0] & 0x3f
	c.LinkQuality3, c.LinkQuality2, c.LinkQuality1 = v[1], v[2], v[3]
	c.LeaderCost, c.IDSequence, c.ActiveRouters = v[4], v[5], v[6]
	if len(v) == 10 {
		c.HasSEDFields = true
		c.SEDBufferSize = binary.BigEndian.Uint16(v[7:])
		c.SEDDatagramCount = v[9]
	}
	return c, nil
}

// AppendTo appends the value bytes.
func (c Connectivity) AppendTo(dst []byte) []byte {
	dst = append(dst, byte(c.ParentPriority)<<6|c.Reserved&0x3f, c.LinkQuality3, c.LinkQuality2, c.LinkQuality1,
		c.LeaderCost, c.IDSequence, c.ActiveRouters)
	if c.HasSEDFields {
		dst = binary.BigEndian.AppendUint16(dst, c.SEDBufferSize)
		dst = append(dst, c.SEDDatagramCount)
	}
	return dst
}

// Topology is the connectivity in the model's terms.
func (c Connectivity) Topology() *topology.Connectivity {
	return &topology.Connectivity{ParentPriority: int(c.ParentPriority), LinkQuality3: int(c.LinkQuality3),
		LinkQuality2: int(c.LinkQuality2), LinkQuality1: int(c.LinkQuality1), LeaderCost: int(c.LeaderCost),
		IDSequence: int(c.IDSequence), ActiveRouters: int(c.ActiveRouters)}
}

// RouteEntry is one router's byte in a Route64 TLV.
type RouteEntry struct {
	RouterID uint8 `json:"router_id"`
	// LQOut: quality of this node's frames as the router reports hearing them.
	LQOut uint8 `json:"lq_out"`
	// LQIn: quality at this node of the router's frames.
	LQIn uint8 `json:"lq_in"`
	// Cost: route cost to the router (0 = infinite).
	Cost uint8 `json:"cost"`
}

// HasLink reports whether the entry describes a direct link (LQ in or out
// non-zero; 0/0 means "no direct link", the router is only routed to).
func (e RouteEntry) HasLink() bool { return e.LQIn != 0 || e.LQOut != 0 }

// Route64 is the Route64 TLV (5): ID sequence, router ID mask (64 bits, MSB
// first = router ID 0), then one byte per allocated router in ascending ID
// order: bits 7–6 LQ out, 5–4 LQ in, 3–0 route cost.
type Route64 struct {
	IDSequence uint8        `json:"id_sequence"`
	Routes     []RouteEntry `json:"routes"`
}

func maskIDs(mask []byte) []uint8 {
	var ids []uint8
	for id := 0; id < 64; id++ {
		if mask[id/8]&(0x80>>(id%8)) != 0 {
			ids = append(ids, uint8(id))
		}
	}
	return ids
}

func appendMask(dst []byte, ids []uint8) []byte {
	var m [8]byte
	for _, id := range ids {
		if id < 64 {
			m[id/8] |= 0x80 >> (id % 8)
		}
	}
	return append(dst, m[:]...)
}

// DecodeRoute64 reads a Route64 value.
func DecodeRoute64(v []byte) (Route64, error) {
	var r Route64
	if len(v) < 9 {
		return r, fmt.Errorf("value is %d bytes, want at least 9 (sequence + mask)", len(v))
	}
	r.IDSequence = v[0]
	ids := maskIDs(v[1:9])
	if len(v)-9 != len(ids) {
		return r, fmt.Errorf("router mask names %d routers but %d route bytes follow", len(ids), len(v)-9)
	}
	r.Routes = make([]RouteEntry, len(ids))
	for i, id := range ids {
		b := v[9+i]
		r.Routes[i] = RouteEntry{RouterID: id, LQOut: b >> 6, LQIn: (b >> 4) & 3, Cost: b & 0x0f}
	}
	return r, nil
}

// AppendTo appends the value bytes. Routes must be in ascending router ID
// order with distinct IDs below 64 (as DecodeRoute64 returns them).
func (r Route64) AppendTo(dst []byte) []byte {
	dst = append(dst, r.IDSequence)
	ids := make([]uint8, len(r.Routes))
	for i, e := range r.Routes {
		ids[i] = e.RouterID
	}
	dst = appendMask(dst, ids)
	for _, e := range r.Routes {
		dst = append(dst, (e.LQOut&3)<<6|(e.LQIn&3)<<4|e.Cost&0x0f)
	}
	return dst
}

// LeaderData is the Leader Data TLV (6).
type LeaderData struct {
	PartitionID       uint32 `json:"partition_id"`
	Weighting         uint8  `json:"weighting"`
	DataVersion       uint8  `json:"data_version"`
	StableDataVersion uint8  `json:"stable_data_version"`
	LeaderRouterID    uint8  `json:"leader_router_id"`
}

// DecodeLeaderData reads a Leader Data value.
func DecodeLeaderData(v []byte) (LeaderData, error) {
	if err := wantLen(v, 8); err != nil {
		return LeaderData{}, err
	}
	return LeaderData{PartitionID: binary.BigEndian.Uint32(v), Weighting: v[4], DataVersion: v[5],
		StableDataVersion: v[6], LeaderRouterID: v[7]}, nil
}

// AppendTo appends the value bytes.
func (l LeaderData) AppendTo(dst []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, l.PartitionID)
	return append(dst, l.Weighting, l.DataVersion, l.StableDataVersion, l.LeaderRouterID)
}

// MacCounters is the MAC Counters TLV (9): nine 32-bit RFC 2863 counters.
type MacCounters struct {
	IfInUnknownProtos  uint32 `json:"if_in_unknown_protos"`
	IfInErrors         uint32 `json:"if_in_errors"`
	IfOutErrors        uint32 `json:"if_out_errors"`
	IfInUcastPkts      uint32 `json:"if_in_ucast_pkts"`
	IfInBroadcastPkts  uint32 `json:"if_in_broadcast_pkts"`
	IfInDiscards       uint32 `json:"if_in_discards"`
	IfOutUcastPkts     uint32 `json:"if_out_ucast_pkts"`
	IfOutBroadcastPkts uint32 `json:"if_out_broadcast_pkts"`
	IfOutDiscards      uint32 `json:"if_out_discards"`
}

func (c *MacCounters) fields() []*uint32 {
	return []*uint32{&c.IfInUnknownProtos, &c.IfInErrors, &c.IfOutErrors, &c.IfInUcastPkts, &c.IfInBroadcastPkts,
		&c.IfInDiscards, &c.IfOutUcastPkts, &c.IfOutBroadcastPkts, &c.IfOutDiscards}
}

// DecodeMacCounters reads a MAC Counters value.
func DecodeMacCounters(v []byte) (MacCounters, error) {
	var c MacCounters
	if err := wantLen(v, 36); err != nil {
		return c, err
	}
	for i, f := range c.fields() {
		*f = binary.BigEndian.Uint32(v[4*i:])
	}
	return c, nil
}

// AppendTo appends the value bytes.
func (c MacCounters) AppendTo(dst []byte) []byte {
	for _, f := range c.fields() {
		dst = binary.BigEndian.AppendUint32(dst, *f)
	}
	return dst
}

// macCounterNames are the model's names (topology.CounterMAC*) of the
// MAC Counters TLV's fields, in TLV order.
var macCounterNames = [...]string{topology.CounterMACIfInUnknownProtos, topology.CounterMACIfInErrors,
	topology.CounterMACIfOutErrors, topology.CounterMACIfInUcastPkts, topology.CounterMACIfInBroadcastPkts,
	topology.CounterMACIfInDiscards, topology.CounterMACIfOutUcastPkts, topology.CounterMACIfOutBroadcastPkts,
	topology.CounterMACIfOutDiscards}

// Map is the counters keyed by the model's names, for Node.Counters.
func (c MacCounters) Map() map[string]uint64 {
	m := make(map[string]uint64, len(macCounterNames))
	for i, f := range c.fields() {
		m[macCounterNames[i]] = uint64(*f)
	}
	return m
}

// ChildTableEntry is one 3-byte entry of the Child Table TLV (16): bits
// 15–11 timeout exponent, 10–9 link quality, 8–0 child ID; then the mode.
type ChildTableEntry struct {
	// TimeoutExp: the child's timeout is about 2^(TimeoutExp-4) seconds.
	TimeoutExp  uint8      `json:"timeout_exp"`
	LinkQuality uint8      `json:"link_quality"`
	ChildID     uint16     `json:"child_id"`
	Mode        DeviceMode `json:"mode"`
}

// ChildTimeout decodes a child table's timeout exponent: a child whose
// timeout is t seconds is listed with exponent ceil(log2(t)) + 4 (the
// smallest e with 2^(e-4) ≥ t, OpenThread's encoding), so the exponent
// stands for 2^(exp-4) seconds, an upper bound of the child's timeout.
// ok is false for an exponent no child can have: below 4 (t < 1 s) or
// above 35 (2^32 s does not fit the 32-bit Timeout). TMF's 5-bit field
// and OTBR REST's JSON number both go through here.
func ChildTimeout(exp int) (seconds uint32, ok bool) {
	if exp < 4 || exp > 35 {
		return 0, false
	}
	return uint32(1) << (exp - 4), true
}

// Rloc16 is the child's RLOC16 under parent.
func (e ChildTableEntry) Rloc16(parent topology.Rloc16) topology.Rloc16 {
	return parent.Parent() | topology.Rloc16(e.ChildID)
}

// DecodeChildTable reads a Child Table value (n × 3 bytes).
func DecodeChildTable(v []byte) ([]ChildTableEntry, error) {
	if len(v)%3 != 0 {
		return nil, fmt.Errorf("value is %d bytes, not a multiple of 3", len(v))
	}
	out := make([]ChildTableEntry, 0, len(v)/3)
	for i := 0; i+3 <= len(v); i += 3 {
		w := binary.BigEndian.Uint16(v[i:])
		out = append(out, ChildTableEntry{TimeoutExp: uint8(w >> 11), LinkQuality: uint8(w>>9) & 3,
			ChildID: w & 0x1ff, Mode: DeviceMode(v[i+2])})
	}
	return out, nil
}

// AppendChildTable appends a Child Table value.
func AppendChildTable(dst []byte, entries []ChildTableEntry) []byte {
	for _, e := range entries {
		w := uint16(e.TimeoutExp&0x1f)<<11 | uint16(e.LinkQuality&3)<<9 | e.ChildID&0x1ff
		dst = binary.BigEndian.AppendUint16(dst, w)
		dst = append(dst, byte(e.Mode))
	}
	return dst
}

// ExtAddr is an 8-byte extended address (or EUI-64) in a TLV, written in
// JSON as 16 hex digits.
type ExtAddr [8]byte

// Topology is the address in the model's terms.
func (e ExtAddr) Topology() topology.ExtAddress {
	return topology.ExtAddress(binary.BigEndian.Uint64(e[:]))
}

// String is 16 lower-case hex digits.
func (e ExtAddr) String() string { return hex.EncodeToString(e[:]) }

// MarshalText writes 16 hex digits.
func (e ExtAddr) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText reads 16 hex digits.
func (e *ExtAddr) UnmarshalText(b []byte) error {
	a, err := topology.ParseExtAddress(string(b))
	if err != nil {
		return err
	}
	*e = a.Bytes()
	return nil
}

// Child flag bits (Child TLV byte 0).
const (
	ChildFlagRxOnWhenIdle    = 0x80
	ChildFlagFTD             = 0x40
	ChildFlagFullNetworkData = 0x20
	ChildFlagCSLSync         = 0x10
	ChildFlagErrorRates      = 0x08
)

// ChildInfo is the Child TLV (29), sent per child in answers to a query;
// an empty Child TLV ends the list.
type ChildInfo struct {
	Flags               uint8           `json:"flags"`
	Rloc16              topology.Rloc16 `json:"rloc16"`
	ExtAddress          ExtAddr         `json:"ext_address"`
	Version             uint16          `json:"version"`
	Timeout             uint32          `json:"timeout"`
	Age                 uint32          `json:"age"`
	ConnectionTime      uint32          `json:"connection_time"`
	SupervisionInterval uint16          `json:"supervision_interval"`
	LinkMargin          uint8           `json:"link_margin"`
	AverageRSSI         int8            `json:"average_rssi"`
	LastRSSI            int8            `json:"last_rssi"`
	FrameErrorRate      uint16          `json:"frame_error_rate"`
	MessageErrorRate    uint16          `json:"message_error_rate"`
	QueuedMessageCount  uint16          `json:"queued_message_count"`
	CSLPeriod           uint16          `json:"csl_period"`
	CSLTimeout          uint32          `json:"csl_timeout"`
	CSLChannel          uint8           `json:"csl_channel"`
}

// ChildInfoLen is the Child TLV value length.
const ChildInfoLen = 43

// Mode is the child's device mode from the flags.
func (c ChildInfo) Mode() topology.Mode {
	return topology.Mode{RxOnWhenIdle: c.Flags&ChildFlagRxOnWhenIdle != 0,
		FullThreadDevice: c.Flags&ChildFlagFTD != 0, FullNetworkData: c.Flags&ChildFlagFullNetworkData != 0}
}

// DecodeChild reads a (non-empty) Child value.
func DecodeChild(v []byte) (ChildInfo, error) {
	var c ChildInfo
	if err := wantLen(v, ChildInfoLen); err != nil {
		return c, err
	}
	be := binary.BigEndian
	c.Flags = v[0]
	c.Rloc16 = topology.Rloc16(be.Uint16(v[1:]))
	copy(c.ExtAddress[:], v[3:11])
	c.Version = be.Uint16(v[11:])
	c.Timeout = be.Uint32(v[13:])
	c.Age = be.Uint32(v[17:])
	c.ConnectionTime = be.Uint32(v[21:])
	c.SupervisionInterval = be.Uint16(v[25:])
	c.LinkMargin = v[27]
	c.AverageRSSI = int8(v[28])
	c.LastRSSI = int8(v[29])
	c.FrameErrorRate = be.Uint16(v[30:])
	c.MessageErrorRate = be.Uint16(v[32:])
	c.QueuedMessageCount = be.Uint16(v[34:])
	c.CSLPeriod = be.Uint16(v[36:])
	c.CSLTimeout = be.Uint32(v[38:])
	c.CSLChannel = v[42]
	return c, nil
}

// AppendTo appends the value bytes.
func (c ChildInfo) AppendTo(dst []byte) []byte {
	be := binary.BigEndian
	dst = append(dst, c.Flags)
	dst = be.AppendUint16(dst, uint16(c.Rloc16))
	dst = append(dst, c.ExtAddress[:]...)
	dst = be.AppendUint16(dst, c.Version)
	dst = be.AppendUint32(dst, c.Timeout)
	dst = be.AppendUint32(dst, c.Age)
	dst = be.AppendUint32(dst, c.ConnectionTime)
	dst = be.AppendUint16(dst, c.SupervisionInterval)
	dst = append(dst, c.LinkMargin, byte(c.AverageRSSI), byte(c.LastRSSI))
	dst = be.AppendUint16(dst, c.FrameErrorRate)
	dst = be.AppendUint16(dst, c.MessageErrorRate)
	dst = be.AppendUint16(dst, c.QueuedMessageCount)
	dst = be.AppendUint16(dst, c.CSLPeriod)
	dst = be.AppendUint32(dst, c.CSLTimeout)
	return append(dst, c.CSLChannel)
}

// ChildIPv6Addresses is the Child IPv6 Address List TLV (30): a child's
// RLOC16 and its addresses (the TLV is extended when long).
type ChildIPv6Addresses struct {
	Rloc16    topology.Rloc16 `json:"rloc16"`
	Addresses []netip.Addr    `json:"addresses"`
}

// DecodeChildIPv6Addresses reads a (non-empty) Child IPv6 Address List value.
func DecodeChildIPv6Addresses(v []byte) (ChildIPv6Addresses, error) {
	var c ChildIPv6Addresses
	if len(v) < 2 || (len(v)-2)%16 != 0 {
		return c, fmt.Errorf("value is %d bytes, want 2 + n×16", len(v))
	}
	c.Rloc16 = topology.Rloc16(binary.BigEndian.Uint16(v))
	c.Addresses = decodeAddrs(v[2:])
	return c, nil
}

// AppendTo appends the value bytes.
func (c ChildIPv6Addresses) AppendTo(dst []byte) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(c.Rloc16))
	return appendAddrs(dst, c.Addresses)
}

func decodeAddrs(v []byte) []netip.Addr {
	out := make([]netip.Addr, 0, len(v)/16)
	for i := 0; i+16 <= len(v); i += 16 {
		out = append(out, netip.AddrFrom16([16]byte(v[i:i+16])))
	}
	return out
}

func appendAddrs(dst []byte, addrs []netip.Addr) []byte {
	for _, a := range addrs {
		b := a.As16()
		dst = append(dst, b[:]...)
	}
	return dst
}

// DecodeIPv6AddressList reads an IPv6 Address List value (n × 16 bytes).
func DecodeIPv6AddressList(v []byte) ([]netip.Addr, error) {
	if len(v)%16 != 0 {
		return nil, fmt.Errorf("value is %d bytes, not a multiple of 16", len(v))
	}
	return decodeAddrs(v), nil
}

// RouterNeighborFlagErrorRates: the error-rate fields are valid.
const RouterNeighborFlagErrorRates = 0x80

// RouterNeighbor is the Router Neighbor TLV (31), sent per neighboring
// router in answers to a query; an empty TLV ends the list.
type RouterNeighbor struct {
	Flags            uint8           `json:"flags"`
	Rloc16           topology.Rloc16 `json:"rloc16"`
	ExtAddress       ExtAddr         `json:"ext_address"`
	Version          uint16          `json:"version"`
	ConnectionTime   uint32          `json:"connection_time"`
	LinkMargin       uint8           `json:"link_margin"`
	AverageRSSI      int8            `json:"average_rssi"`
	LastRSSI         int8            `json:"last_rssi"`
	FrameErrorRate   uint16          `json:"frame_error_rate"`
	MessageErrorRate uint16          `json:"message_error_rate"`
}

// RouterNeighborLen is the Router Neighbor TLV value length.
const RouterNeighborLen = 24

// DecodeRouterNeighbor reads a (non-empty) Router Neighbor value.
func DecodeRouterNeighbor(v []byte) (RouterNeighbor, error) {
	var r RouterNeighbor
	if err := wantLen(v, RouterNeighborLen); err != nil {
		return r, err
	}
	be := binary.BigEndian
	r.Flags = v[0]
	r.Rloc16 = topology.Rloc16(be.Uint16(v[1:]))
	copy(r.ExtAddress[:], v[3:11])
	r.Version = be.Uint16(v[11:])
	r.ConnectionTime = be.Uint32(v[13:])
	r.LinkMargin = v[17]
	r.AverageRSSI = int8(v[18])
	r.LastRSSI = int8(v[19])
	r.FrameErrorRate = be.Uint16(v[20:])
	r.MessageErrorRate = be.Uint16(v[22:])
	return r, nil
}

// AppendTo appends the value bytes.
func (r RouterNeighbor) AppendTo(dst []byte) []byte {
	be := binary.BigEndian
	dst = append(dst, r.Flags)
	dst = be.AppendUint16(dst, uint16(r.Rloc16))
	dst = append(dst, r.ExtAddress[:]...)
	dst = be.AppendUint16(dst, r.Version)
	dst = be.AppendUint32(dst, r.ConnectionTime)
	dst = append(dst, r.LinkMargin, byte(r.AverageRSSI), byte(r.LastRSSI))
	dst = be.AppendUint16(dst, r.FrameErrorRate)
	return be.AppendUint16(dst, r.MessageErrorRate)
}

// Answer is the Answer TLV (32) of a multi-message query answer: bit 15
// marks the last message, bits 14–0 the message index.
type Answer struct {
	Last  bool   `json:"last"`
	Index uint16 `json:"index"`
}

// DecodeAnswer reads an Answer value.
func DecodeAnswer(v []byte) (Answer, error) {
	if err := wantLen(v, 2); err != nil {
		return Answer{}, err
	}
	w := binary.BigEndian.Uint16(v)
	return Answer{Last: w&0x8000 != 0, Index: w & 0x7fff}, nil
}

// AppendTo appends the value bytes.
func (a Answer) AppendTo(dst []byte) []byte {
	w := a.Index & 0x7fff
	if a.Last {
		w |= 0x8000
	}
	return binary.BigEndian.AppendUint16(dst, w)
}

// MleCounters is the MLE Counters TLV (34): nine 16-bit counters, then six
// 64-bit millisecond totals.
type MleCounters struct {
	DisabledRole                  uint16 `json:"disabled_role"`
	DetachedRole                  uint16 `json:"detached_role"`
	ChildRole                     uint16 `json:"child_role"`
	RouterRole                    uint16 `json:"router_role"`
	LeaderRole                    uint16 `json:"leader_role"`
	AttachAttempts                uint16 `json:"attach_attempts"`
	PartitionIDChanges            uint16 `json:"partition_id_changes"`
	BetterPartitionAttachAttempts uint16 `json:"better_partition_attach_attempts"`
	ParentChanges                 uint16 `json:"parent_changes"`
	TrackedTime                   uint64 `json:"tracked_time_ms"`
	DisabledTime                  uint64 `json:"disabled_time_ms"`
	DetachedTime                  uint64 `json:"detached_time_ms"`
	ChildTime                     uint64 `json:"child_time_ms"`
	RouterTime                    uint64 `json:"router_time_ms"`
	LeaderTime                    uint64 `json:"leader_time_ms"`
}

// MleCountersLen is the MLE Counters TLV value length.
const MleCountersLen = 9*2 + 6*8

// mleCounterNames are the model's names (topology.CounterMLE*) of the MLE
// Counters TLV's fields, in TLV order.
var mleCounterNames = [...]string{topology.CounterMLEDisabledRole, topology.CounterMLEDetachedRole,
	topology.CounterMLEChildRole, topology.CounterMLERouterRole, topology.CounterMLELeaderRole,
	topology.CounterMLEAttachAttempts, topology.CounterMLEPartitionIDChanges,
	topology.CounterMLEBetterPartitionAttachAttempt, topology.CounterMLEParentChanges,
	topology.CounterMLETrackedTimeMs, topology.CounterMLEDisabledTimeMs, topology.CounterMLEDetachedTimeMs,
	topology.CounterMLEChildTimeMs, topology.CounterMLERouterTimeMs, topology.CounterMLELeaderTimeMs}

func (c *MleCounters) fields() ([]*uint16, []*uint64) {
	return []*uint16{&c.DisabledRole, &c.DetachedRole, &c.ChildRole, &c.RouterRole, &c.LeaderRole,
			&c.AttachAttempts, &c.PartitionIDChanges, &c.BetterPartitionAttachAttempts, &c.ParentChanges},
		[]*uint64{&c.TrackedTime, &c.DisabledTime, &c.DetachedTime, &c.ChildTime, &c.RouterTime, &c.LeaderTime}
}

// DecodeMleCounters reads an MLE Counters value.
func DecodeMleCounters(v []byte) (MleCounters, error) {
	var c MleCounters
	if err := wantLen(v, MleCountersLen); err != nil {
		return c, err
	}
	s, l := c.fields()
	for i, f := range s {
		*f = binary.BigEndian.Uint16(v[2*i:])
	}
	for i, f := range l {
		*f = binary.BigEndian.Uint64(v[18+8*i:])
	}
	return c, nil
}

// AppendTo appends the value bytes.
func (c MleCounters) AppendTo(dst []byte) []byte {
	s, l := c.fields()
	for _, f := range s {
		dst = binary.BigEndian.AppendUint16(dst, *f)
	}
	for _, f := range l {
		dst = binary.BigEndian.AppendUint64(dst, *f)
	}
	return dst
}

// Map is the counters keyed by the model's names, for Node.Counters.
func (c MleCounters) Map() map[string]uint64 {
	m := make(map[string]uint64, len(mleCounterNames))
	s, l := c.fields()
	for i, f := range s {
		m[mleCounterNames[i]] = uint64(*f)
	}
	for i, f := range l {
		m[mleCounterNames[len(s)+i]] = *f
	}
	return m
}

// ChannelMask is one entry of a channel mask (Non-Preferred Channels Mask
// TLV 36, as in MeshCoP's Channel Mask TLV): page, mask length, mask bytes.
type ChannelMask struct {
	Page uint8    `json:"page"`
	Mask HexBytes `json:"mask"`
}

// DecodeChannelMasks reads a channel-mask list.
func DecodeChannelMasks(v []byte) ([]ChannelMask, error) {
	var out []ChannelMask
	for i := 0; i < len(v); {
		if i+2 > len(v) {
			return out, fmt.Errorf("entry at value byte %d: truncated header", i)
		}
		n := int(v[i+1])
		if i+2+n > len(v) {
			return out, fmt.Errorf("entry at value byte %d: mask length %d runs past the end", i, n)
		}
		out = append(out, ChannelMask{Page: v[i], Mask: HexBytes(v[i+2 : i+2+n])})
		i += 2 + n
	}
	return out, nil
}

// AppendChannelMasks appends a channel-mask list (masks over 255 bytes are cut).
func AppendChannelMasks(dst []byte, masks []ChannelMask) []byte {
	for _, m := range masks {
		b := m.Mask
		if len(b) > 255 {
			b = b[:255]
		}
		dst = append(dst, m.Page, byte(len(b)))
		dst = append(dst, b...)
	}
	return dst
}

// EnhancedRouteEntry is one router's 2 bytes in the Enhanced Route TLV (37):
// bit 15 the queried device itself, 14 has a direct link, 13–12 LQ out,
// 11–10 LQ in, 9–4 next hop router ID (63 = none), 3–0 the next hop's
// advertised cost to the router.
type EnhancedRouteEntry struct {
	RouterID    uint8 `json:"router_id"`
	IsSelf      bool  `json:"is_self"`
	HasLink     bool  `json:"has_link"`
	LQOut       uint8 `json:"lq_out"`
	LQIn        uint8 `json:"lq_in"`
	NextHop     uint8 `json:"next_hop"`
	NextHopCost uint8 `json:"next_hop_cost"`
}

// EnhancedRoute is the Enhanced Route TLV (37): router mask, then 2 bytes
// per allocated router.
type EnhancedRoute struct {
	Routes []EnhancedRouteEntry `json:"routes"`
}

// DecodeEnhancedRoute reads an Enhanced Route value.
func DecodeEnhancedRoute(v []byte) (EnhancedRoute, error) {
	var r EnhancedRoute
	if len(v) < 8 {
		return r, fmt.Errorf("value is %d bytes, want at least 8 (mask)", len(v))
	}
	ids := maskIDs(v[:8])
	if len(v)-8 != 2*len(ids) {
		return r, fmt.Errorf("router mask names %d routers but %d route bytes follow (want %d)", len(ids), len(v)-8, 2*len(ids))
	}
	r.Routes = make([]EnhancedRouteEntry, len(ids))
	for i, id := range ids {
		w := binary.BigEndian.Uint16(v[8+2*i:])
		r.Routes[i] = EnhancedRouteEntry{RouterID: id, IsSelf: w&0x8000 != 0, HasLink: w&0x4000 != 0,
			LQOut: uint8(w>>12) & 3, LQIn: uint8(w>>10) & 3, NextHop: uint8(w>>4) & 0x3f, NextHopCost: uint8(w) & 0x0f}
	}
	return r, nil
}

// AppendTo appends the value bytes (entries in ascending router ID order).
func (r EnhancedRoute) AppendTo(dst []byte) []byte {
	ids := make([]uint8, len(r.Routes))
	for i, e := range r.Routes {
		ids[i] = e.RouterID
	}
	dst = appendMask(dst, ids)
	for _, e := range r.Routes {
		var w uint16
		if e.IsSelf {
			w |= 0x8000
		}
		if e.HasLink {
			w |= 0x4000
		}
		w |= uint16(e.LQOut&3)<<12 | uint16(e.LQIn&3)<<10 | uint16(e.NextHop&0x3f)<<4 | uint16(e.NextHopCost&0x0f)
		dst = binary.BigEndian.AppendUint16(dst, w)
	}
	return dst
}

// HexBytes is raw bytes written in JSON as a hex string.
type HexBytes []byte

// MarshalText writes lower-case hex.
func (h HexBytes) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(h)), nil }

// UnmarshalText reads hex.
func (h *HexBytes) UnmarshalText(b []byte) error {
	v, err := hex.DecodeString(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}
