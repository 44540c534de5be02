package diag

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"sort"

	"github.com/threadmap/threadmap/thread/topology"
)

// Message is one decoded Network Diagnostic payload (a DIAG_GET answer, a
// DIAG_GET.ans, or a request's TLVs). A nil field means the TLV was absent.
type Message struct {
	ExtAddress      *ExtAddr          `json:"ext_address,omitempty"`
	Address16       *topology.Rloc16  `json:"rloc16,omitempty"`
	Mode            *DeviceMode       `json:"mode,omitempty"`
	Timeout         *uint32           `json:"timeout,omitempty"`
	Connectivity    *Connectivity     `json:"connectivity,omitempty"`
	Route64         *Route64          `json:"route64,omitempty"`
	LeaderData      *LeaderData       `json:"leader_data,omitempty"`
	NetworkData     HexBytes          `json:"network_data,omitempty"`
	IPv6Addresses   []netip.Addr      `json:"ipv6_addresses,omitempty"`
	MacCounters     *MacCounters      `json:"mac_counters,omitempty"`
	BatteryLevel    *uint8            `json:"battery_level,omitempty"`
	SupplyVoltage   *uint16           `json:"supply_voltage_mv,omitempty"`
	ChildTable      []ChildTableEntry `json:"child_table,omitempty"`
	ChannelPages    HexBytes          `json:"channel_pages,omitempty"`
	TypeList        []Type            `json:"type_list,omitempty"`
	MaxChildTimeout *uint32           `json:"max_child_timeout,omitempty"`
	EUI64           *ExtAddr          `json:"eui64,omitempty"`
	Version         *uint16           `json:"version,omitempty"`
	VendorName      *string           `json:"vendor_name,omitempty"`
	VendorModel     *string           `json:"vendor_model,omitempty"`
	VendorSWVersion *string           `json:"vendor_sw_version,omitempty"`
	StackVersion    *string           `json:"thread_stack_version,omitempty"`
	// Children holds the Child TLVs (29) in order.
	Children []ChildInfo `json:"children,omitempty"`
	// ChildrenEnd: an empty Child TLV ended the list (the sender has no more).
	ChildrenEnd bool `json:"children_end,omitempty"`
	// ChildIPv6 holds the Child IPv6 Address List TLVs (30) in order.
	ChildIPv6 []ChildIPv6Addresses `json:"child_ipv6,omitempty"`
	// ChildIPv6End: an empty Child IPv6 Address List TLV ended the list.
	ChildIPv6End bool `json:"child_ipv6_end,omitempty"`
	// RouterNeighbors holds the Router Neighbor TLVs (31) in order.
	RouterNeighbors []RouterNeighbor `json:"router_neighbors,omitempty"`
	// RouterNeighborsEnd: an empty Router Neighbor TLV ended the list.
	RouterNeighborsEnd bool           `json:"router_neighbors_end,omitempty"`
	Answer             *Answer        `json:"answer,omitempty"`
	QueryID            *uint16        `json:"query_id,omitempty"`
	MleCounters        *MleCounters   `json:"mle_counters,omitempty"`
	VendorAppURL       *string        `json:"vendor_app_url,omitempty"`
	NonPreferredChans  []ChannelMask  `json:"non_preferred_channels,omitempty"`
	EnhancedRoute      *EnhancedRoute `json:"enhanced_route,omitempty"`
	// Unknown keeps every TLV of a type this package does not decode
	// (including 20, 21 and anything newer), raw, in order.
	Unknown []TLV `json:"unknown,omitempty"`

	// order is the TLV type sequence Decode saw, so Encode reproduces it.
	order []Type
}

// Decode parses a Network Diagnostic payload. A truncated TLV, a value of
// the wrong size or a second copy of a single-valued TLV is an *Error naming
// the TLV type and its byte offset.
func Decode(b []byte) (*Message, error) {
	tlvs, err := ParseTLVs(b)
	if err != nil {
		return nil, err
	}
	m := &Message{}
	seen := map[Type]int{}
	for _, t := range tlvs {
		if first, dup := seen[t.Type]; dup && !t.Type.repeats() {
			return nil, errAt(t.Type, t.Offset, "duplicate TLV (first at byte %d)", first)
		}
		if _, ok := seen[t.Type]; !ok {
			seen[t.Type] = t.Offset
		}
		if err := m.set(t); err != nil {
			return nil, errAt(t.Type, t.Offset, "%v", err)
		}
		m.order = append(m.order, t.Type)
	}
	return m, nil
}

// repeats reports whether a message may carry several TLVs of type t.
func (t Type) repeats() bool {
	switch t {
	case TypeChild, TypeChildIPv6AddressList, TypeRouterNeighbor:
		return true
	}
	return !t.Known() || t == TypeLDevIDSubjectPubKeyInfo || t == TypeIDevIDCertificate
}

func u16(v []byte) (uint16, error) {
	if err := wantLen(v, 2); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint16(v), nil
}

func u32(v []byte) (uint32, error) {
	if err := wantLen(v, 4); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(v), nil
}

func str(v []byte, max int) (*string, error) {
	if len(v) > max {
		return nil, fmt.Errorf("string is %d bytes, at most %d allowed", len(v), max)
	}
	s := string(v)
	return &s, nil
}

// set decodes one TLV into m.
func (m *Message) set(t TLV) error {
	v := t.Value
	var err error
	switch t.Type {
	case TypeExtMacAddress, TypeEUI64:
		if err = wantLen(v, 8); err == nil {
			a := ExtAddr(v)
			if t.Type == TypeEUI64 {
				m.EUI64 = &a
			} else {
				m.ExtAddress = &a
			}
		}
	case TypeAddress16:
		var x uint16
		if x, err = u16(v); err == nil {
			r := topology.Rloc16(x)
			m.Address16 = &r
		}
	case TypeMode:
		if err = wantLen(v, 1); err == nil {
			d := DeviceMode(v[0])
			m.Mode = &d
		}
	case TypeTimeout:
		err = optional(&m.Timeout, v, u32)
	case TypeConnectivity:
		err = optional(&m.Connectivity, v, DecodeConnectivity)
	case TypeRoute64:
		err = optional(&m.Route64, v, DecodeRoute64)
	case TypeLeaderData:
		err = optional(&m.LeaderData, v, DecodeLeaderData)
	case TypeNetworkData:
		m.NetworkData = append(HexBytes{}, v...)
	case TypeIPv6AddressList:
		m.IPv6Addresses, err = DecodeIPv6AddressList(v)
		if err == nil && m.IPv6Addresses == nil {
			m.IPv6Addresses = []netip.Addr{}
		}
	case TypeMacCounters:
		err = optional(&m.MacCounters, v, DecodeMacCounters)
	case TypeBatteryLevel:
		if err = wantLen(v, 1); err == nil {
			x := v[0]
			m.BatteryLevel = &x
		}
	case TypeSupplyVoltage:
		err = optional(&m.SupplyVoltage, v, u16)
	case TypeChildTable:
		m.ChildTable, err = DecodeChildTable(v)
	case TypeChannelPages:
		m.ChannelPages = append(HexBytes{}, v...)
	case TypeTypeList:
		m.TypeList = make([]Type, len(v))
		for i, x := range v {
			m.TypeList[i] = Type(x)
		}
	case TypeMaxChildTimeout:
		err = optional(&m.MaxChildTimeout, v, u32)
	case TypeVersion:
		err = optional(&m.Version, v, u16)
	case TypeVendorName:
		m.VendorName, err = str(v, 32)
	case TypeVendorModel:
		m.VendorModel, err = str(v, 32)
	case TypeVendorSWVersion:
		m.VendorSWVersion, err = str(v, 16)
	case TypeThreadStackVersion:
		m.StackVersion, err = str(v, 64)
	case TypeVendorAppURL:
		m.VendorAppURL, err = str(v, 96)
	case TypeChild:
		err = listEntry(&m.Children, &m.ChildrenEnd, v, "child", DecodeChild)
	case TypeChildIPv6AddressList:
		err = listEntry(&m.ChildIPv6, &m.ChildIPv6End, v, "child IPv6 address list", DecodeChildIPv6Addresses)
	case TypeRouterNeighbor:
		err = listEntry(&m.RouterNeighbors, &m.RouterNeighborsEnd, v, "router neighbor", DecodeRouterNeighbor)
	case TypeAnswer:
		err = optional(&m.Answer, v, DecodeAnswer)
	case TypeQueryID:
		err = optional(&m.QueryID, v, u16)
	case TypeMleCounters:
		err = optional(&m.MleCounters, v, DecodeMleCounters)
	case TypeNonPreferredChannelsMask:
		m.NonPreferredChans, err = DecodeChannelMasks(v)
		if err == nil && m.NonPreferredChans == nil {
			m.NonPreferredChans = []ChannelMask{}
		}
	case TypeEnhancedRoute:
		err = optional(&m.EnhancedRoute, v, DecodeEnhancedRoute)
	default:
		m.Unknown = append(m.Unknown, TLV{Type: t.Type, Value: append([]byte{}, v...), Extended: t.Extended, Offset: t.Offset})
	}
	return err
}

// optional decodes v with dec into a new value *dst points to; *dst is
// left alone when v does not decode.
func optional[T any](dst **T, v []byte, dec func([]byte) (T, error)) error {
	x, err := dec(v)
	if err == nil {
		*dst = &x
	}
	return err
}

// listEntry decodes one TLV of a list an empty TLV of the same type ends
// (Child, Child IPv6 Address List, Router Neighbor): what names it in errors.
func listEntry[T any](list *[]T, ended *bool, v []byte, what string, dec func([]byte) (T, error)) error {
	if *ended {
		return fmt.Errorf("%s TLV after the empty TLV that ended the list", what)
	}
	if len(v) == 0 {
		*ended = true
		return nil
	}
	x, err := dec(v)
	if err == nil {
		*list = append(*list, x)
	}
	return err
}

// TLVs returns the message as TLVs: in the order Decode saw them when m was
// decoded, otherwise Query ID first, then ascending type, Answer last.
func (m *Message) TLVs() []TLV {
	queues := map[Type][]TLV{}
	var types []Type
	add := func(t Type, v []byte) {
		if _, ok := queues[t]; !ok {
			types = append(types, t)
		}
		queues[t] = append(queues[t], TLV{Type: t, Value: v})
	}
	if m.ExtAddress != nil {
		add(TypeExtMacAddress, append([]byte{}, m.ExtAddress[:]...))
	}
	if m.Address16 != nil {
		add(TypeAddress16, binary.BigEndian.AppendUint16(nil, uint16(*m.Address16)))
	}
	if m.Mode != nil {
		add(TypeMode, []byte{byte(*m.Mode)})
	}
	if m.Timeout != nil {
		add(TypeTimeout, binary.BigEndian.AppendUint32(nil, *m.Timeout))
	}
	if m.Connectivity != nil {
		add(TypeConnectivity, m.Connectivity.AppendTo(nil))
	}
	if m.Route64 != nil {
		add(TypeRoute64, m.Route64.AppendTo(nil))
	}
	if m.LeaderData != nil {
		add(TypeLeaderData, m.LeaderData.AppendTo(nil))
	}
	if m.NetworkData != nil {
		add(TypeNetworkData, m.NetworkData)
	}
	if m.IPv6Addresses != nil {
		add(TypeIPv6AddressList, appendAddrs(nil, m.IPv6Addresses))
	}
	if m.MacCounters != nil {
		add(TypeMacCounters, m.MacCounters.AppendTo(nil))
	}
	if m.BatteryLevel != nil {
		add(TypeBatteryLevel, []byte{*m.BatteryLevel})
	}
	if m.SupplyVoltage != nil {
		add(TypeSupplyVoltage, binary.BigEndian.AppendUint16(nil, *m.SupplyVoltage))
	}
	if m.ChildTable != nil {
		add(TypeChildTable, AppendChildTable(nil, m.ChildTable))
	}
	if m.ChannelPages != nil {
		add(TypeChannelPages, m.ChannelPages)
	}
	if m.TypeList != nil {
		v := make([]byte, len(m.TypeList))
		for i, t := range m.TypeList {
			v[i] = byte(t)
		}
		add(TypeTypeList, v)
	}
	if m.MaxChildTimeout != nil {
		add(TypeMaxChildTimeout, binary.BigEndian.AppendUint32(nil, *m.MaxChildTimeout))
	}
	if m.EUI64 != nil {
		add(TypeEUI64, append([]byte{}, m.EUI64[:]...))
	}
	if m.Version != nil {
		add(TypeVersion, binary.BigEndian.AppendUint16(nil, *m.Version))
	}
	for _, s := range []struct {
		t Type
		v *string
	}{{TypeVendorName, m.VendorName}, {TypeVendorModel, m.VendorModel}, {TypeVendorSWVersion, m.VendorSWVersion},
		{TypeThreadStackVersion, m.StackVersion}} {
		if s.v != nil {
			add(s.t, []byte(*s.v))
		}
	}
	for _, c := range m.Children {
		add(TypeChild, c.AppendTo(nil))
	}
	if m.ChildrenEnd {
		add(TypeChild, []byte{})
	}
	for _, c := range m.ChildIPv6 {
		add(TypeChildIPv6AddressList, c.AppendTo(nil))
	}
	if m.ChildIPv6End {
		add(TypeChildIPv6AddressList, []byte{})
	}
	for _, r := range m.RouterNeighbors {
		add(TypeRouterNeighbor, r.AppendTo(nil))
	}
	if m.RouterNeighborsEnd {
		add(TypeRouterNeighbor, []byte{})
	}
	if m.Answer != nil {
		add(TypeAnswer, m.Answer.AppendTo(nil))
	}
	if m.QueryID != nil {
		add(TypeQueryID, binary.BigEndian.AppendUint16(nil, *m.QueryID))
	}
	if m.MleCounters != nil {
		add(TypeMleCounters, m.MleCounters.AppendTo(nil))
	}
	if m.VendorAppURL != nil {
		add(TypeVendorAppURL, []byte(*m.VendorAppURL))
	}
	if m.NonPreferredChans != nil {
		add(TypeNonPreferredChannelsMask, AppendChannelMasks(nil, m.NonPreferredChans))
	}
	if m.EnhancedRoute != nil {
		add(TypeEnhancedRoute, m.EnhancedRoute.AppendTo(nil))
	}
	for _, u := range m.Unknown {
		if _, ok := queues[u.Type]; !ok {
			types = append(types, u.Type)
		}
		queues[u.Type] = append(queues[u.Type], TLV{Type: u.Type, Value: u.Value, Extended: u.Extended})
	}

	out := make([]TLV, 0, len(m.order)+len(types))
	for _, t := range m.order {
		if q := queues[t]; len(q) > 0 {
			out = append(out, q[0])
			queues[t] = q[1:]
		}
	}
	// Whatever the recorded order did not cover: canonical order.
	rank := func(t Type) int {
		switch t {
		case TypeQueryID:
			return -1
		case TypeAnswer:
			return 1000
		}
		return int(t)
	}
	sort.SliceStable(types, func(i, j int) bool { return rank(types[i]) < rank(types[j]) })
	for _, t := range types {
		out = append(out, queues[t]...)
	}
	return out
}

// AppendTo appends the encoded message to dst.
func (m *Message) AppendTo(dst []byte) []byte {
	for _, t := range m.TLVs() {
		dst = AppendTLV(dst, t)
	}
	return dst
}

// Encode returns the encoded message. For a decoded, unchanged message it
// returns exactly the decoded bytes.
func (m *Message) Encode() []byte { return m.AppendTo(nil) }
