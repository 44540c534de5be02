package tlv

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"sort"
	"unicode/utf8"

	"github.com/threadmap/threadmap/thread/meshcop"
)

// Message is a MeshCoP payload decoded: one field per TLV the commissioner
// uses (nil = absent), the rest raw.
type Message struct {
	Channel               *Channel
	PanID                 *uint16
	ExtPanID              *[8]byte
	NetworkName           *string
	NetworkKeySequence    *uint32
	MeshLocalPrefix       *[8]byte
	SteeringData          []byte // 1–16 bytes (a Bloom filter); nil = absent
	BorderAgentLocator    *uint16
	CommissionerID        *string
	CommissionerSessionID *uint16
	// Get lists the TLV types a MGMT_*_GET asks for; nil = absent (an
	// empty, present Get TLV decodes to an empty list).
	Get                 []Type
	ActiveTimestamp     *meshcop.Timestamp
	State               *State
	UDPEncapsulation    *UDPEncapsulation
	IPv6Address         *netip.Addr
	PendingTimestamp    *meshcop.Timestamp
	DelayTimer          *uint32
	CommissionerUDPPort *uint16
	// Secrets lists the secret TLVs the payload carried (PSKc, Network Key,
	// Joiner Router KEK) in wire order; their values were dropped.
	Secrets []Type
	// Unknown holds every other TLV raw, in wire order.
	Unknown []TLV

	// order is the wire order and length form of a decoded message.
	order []header
}

type header struct {
	t   Type
	ext bool
}

// Channel is the Channel TLV: channel page and channel number.
type Channel struct {
	Page    uint8
	Channel uint16
}

// State is the State TLV (Thread 8.10.3.3): a signed byte.
type State int8

// State values.
const (
	StateReject  State = -1
	StatePending State = 0
	StateAccept  State = 1
)

func (s State) String() string {
	switch s {
	case StateAccept:
		return "accept"
	case StateReject:
		return "reject"
	case StatePending:
		return "pending"
	}
	return fmt.Sprintf("state %d", int8(s))
}

// UDPEncapsulation is the UDP Encapsulation TLV of UDP_TX.ntf/UDP_RX.ntf:
// source port, destination port, then the UDP payload.
type UDPEncapsulation struct {
	SourcePort      uint16
	DestinationPort uint16
	Payload         []byte
}

// Decode parses a MeshCoP payload. A truncated TLV, a value of the wrong
// size or a second copy of a TLV this package decodes is an *Error naming the
// TLV and its byte offset.
func Decode(b []byte) (*Message, error) {
	tlvs, err := Split(b)
	if err != nil {
		return nil, err
	}
	m := &Message{}
	seen := map[Type]int{}
	for _, t := range tlvs {
		known := m.decodes(t.Type)
		if first, dup := seen[t.Type]; dup && known {
			return nil, errorf(t.Type, t.Offset, "duplicate TLV (first at byte %d)", first)
		}
		if _, ok := seen[t.Type]; !ok {
			seen[t.Type] = t.Offset
		}
		if err := m.set(t); err != nil {
			return nil, errorf(t.Type, t.Offset, "%v", err)
		}
		m.order = append(m.order, header{t.Type, t.Extended})
	}
	return m, nil
}

// decodes reports whether t has a field of its own (and so may appear once).
func (m *Message) decodes(t Type) bool {
	switch t {
	case TypeChannel, TypePanID, TypeExtPanID, TypeNetworkName, TypeNetworkKeySequence, TypeMeshLocalPrefix,
		TypeSteeringData, TypeBorderAgentLocator, TypeCommissionerID, TypeCommissionerSessionID, TypeGet,
		TypeActiveTimestamp, TypeState, TypeUDPEncapsulation, TypeIPv6Address, TypePendingTimestamp,
		TypeDelayTimer, TypeCommissionerUDPPort:
		return true
	}
	return t.Secret()
}

func wantLen(v []byte, n int) error {
	if len(v) != n {
		return fmt.Errorf("value is %d bytes, want %d", len(v), n)
	}
	return nil
}

func u16(v []byte) (*uint16, error) {
	if err := wantLen(v, 2); err != nil {
		return nil, err
	}
	x := binary.BigEndian.Uint16(v)
	return &x, nil
}

func u32(v []byte) (*uint32, error) {
	if err := wantLen(v, 4); err != nil {
		return nil, err
	}
	x := binary.BigEndian.Uint32(v)
	return &x, nil
}

func eight(v []byte) (*[8]byte, error) {
	if err := wantLen(v, 8); err != nil {
		return nil, err
	}
	var x [8]byte
	copy(x[:], v)
	return &x, nil
}

func timestamp(v []byte) (*meshcop.Timestamp, error) {
	ts, err := meshcop.DecodeTimestamp(v)
	if err != nil {
		return nil, err
	}
	return &ts, nil
}

// text decodes a UTF-8 string of at most max bytes.
func text(v []byte, max int) (*string, error) {
	if len(v) > max {
		return nil, fmt.Errorf("string is %d bytes, at most %d allowed", len(v), max)
	}
	if !utf8.Valid(v) {
		return nil, fmt.Errorf("string %q is not UTF-8", v)
	}
	s := string(v)
	return &s, nil
}

// Limits of string TLVs (Thread 8.10.1.3, 8.10.3.1).
const (
	MaxNetworkName    = 16
	MaxCommissionerID = 64
	maxSteeringData   = 16
)

// set decodes one TLV into m.
func (m *Message) set(t TLV) error {
	v := t.Value
	var err error
	switch t.Type {
	case TypeChannel:
		if err = wantLen(v, 3); err == nil {
			m.Channel = &Channel{Page: v[0], Channel: binary.BigEndian.Uint16(v[1:])}
		}
	case TypePanID:
		m.PanID, err = u16(v)
	case TypeExtPanID:
		m.ExtPanID, err = eight(v)
	case TypeNetworkName:
		m.NetworkName, err = text(v, MaxNetworkName)
	case TypeNetworkKeySequence:
		m.NetworkKeySequence, err = u32(v)
	case TypeMeshLocalPrefix:
		m.MeshLocalPrefix, err = eight(v)
	case TypeSteeringData:
		if len(v) < 1 || len(v) > maxSteeringData {
			return fmt.Errorf("value is %d bytes, want 1 to %d", len(v), maxSteeringData)
		}
		m.SteeringData = append([]byte{}, v...)
	case TypeBorderAgentLocator:
		m.BorderAgentLocator, err = u16(v)
	case TypeCommissionerID:
		m.CommissionerID, err = text(v, MaxCommissionerID)
	case TypeCommissionerSessionID:
		m.CommissionerSessionID, err = u16(v)
	case TypeGet:
		m.Get = make([]Type, len(v))
		for i, x := range v {
			m.Get[i] = Type(x)
		}
	case TypeActiveTimestamp:
		m.ActiveTimestamp, err = timestamp(v)
	case TypePendingTimestamp:
		m.PendingTimestamp, err = timestamp(v)
	case TypeDelayTimer:
		m.DelayTimer, err = u32(v)
	case TypeCommissionerUDPPort:
		m.CommissionerUDPPort, err = u16(v)
	case TypeState:
		if err = wantLen(v, 1); err == nil {
			s := State(int8(v[0]))
			m.State = &s
		}
	case TypeUDPEncapsulation:
		if len(v) < 4 {
			return fmt.Errorf("value is %d bytes, want at least 4 (source and destination ports)", len(v))
		}
		m.UDPEncapsulation = &UDPEncapsulation{SourcePort: binary.BigEndian.Uint16(v), DestinationPort: binary.BigEndian.Uint16(v[2:]),
			Payload: append([]byte{}, v[4:]...)}
	case TypeIPv6Address:
		if err = wantLen(v, 16); err == nil {
			a := netip.AddrFrom16([16]byte(v))
			m.IPv6Address = &a
		}
	default:
		if t.Type.Secret() {
			m.Secrets = append(m.Secrets, t.Type)
			return nil
		}
		m.Unknown = append(m.Unknown, TLV{Type: t.Type, Value: append([]byte{}, v...), Extended: t.Extended, Offset: t.Offset})
	}
	return err
}

// value is the encoded value of m's field for type t (ok false: absent).
func (m *Message) value(t Type) ([]byte, bool) {
	be16 := func(p *uint16) ([]byte, bool) {
		if p == nil {
			return nil, false
		}
		return binary.BigEndian.AppendUint16(nil, *p), true
	}
	be32 := func(p *uint32) ([]byte, bool) {
		if p == nil {
			return nil, false
		}
		return binary.BigEndian.AppendUint32(nil, *p), true
	}
	ts := func(p *meshcop.Timestamp) ([]byte, bool) {
		if p == nil {
			return nil, false
		}
		return p.Bytes(), true
	}
	switch t {
	case TypeChannel:
		if m.Channel == nil {
			return nil, false
		}
		return binary.BigEndian.AppendUint16([]byte{m.Channel.Page}, m.Channel.Channel), true
	case TypePanID:
		return be16(m.PanID)
	case TypeExtPanID:
		if m.ExtPanID == nil {
			return nil, false
		}
		return append([]byte{}, m.ExtPanID[:]...), true
	case TypeNetworkName:
		if m.NetworkName == nil {
			return nil, false
		}
		return []byte(*m.NetworkName), true
	case TypeNetworkKeySequence:
		return be32(m.NetworkKeySequence)
	case TypeMeshLocalPrefix:
		if m.MeshLocalPrefix == nil {
			return nil, false
		}
		return append([]byte{}, m.MeshLocalPrefix[:]...), true
	case TypeSteeringData:
		return m.SteeringData, m.SteeringData != nil
	case TypeBorderAgentLocator:
		return be16(m.BorderAgentLocator)
	case TypeCommissionerID:
		if m.CommissionerID == nil {
			return nil, false
		}
		return []byte(*m.CommissionerID), true
	case TypeCommissionerSessionID:
		return be16(m.CommissionerSessionID)
	case TypeGet:
		if m.Get == nil {
			return nil, false
		}
		out := make([]byte, len(m.Get))
		for i, x := range m.Get {
			out[i] = byte(x)
		}
		return out, true
	case TypeActiveTimestamp:
		return ts(m.ActiveTimestamp)
	case TypePendingTimestamp:
		return ts(m.PendingTimestamp)
	case TypeDelayTimer:
		return be32(m.DelayTimer)
	case TypeCommissionerUDPPort:
		return be16(m.CommissionerUDPPort)
	case TypeState:
		if m.State == nil {
			return nil, false
		}
		return []byte{byte(*m.State)}, true
	case TypeUDPEncapsulation:
		u := m.UDPEncapsulation
		if u == nil {
			return nil, false
		}
		out := binary.BigEndian.AppendUint16(make([]byte, 0, 4+len(u.Payload)), u.SourcePort)
		out = binary.BigEndian.AppendUint16(out, u.DestinationPort)
		return append(out, u.Payload...), true
	case TypeIPv6Address:
		if m.IPv6Address == nil {
			return nil, false
		}
		a := m.IPv6Address.As16()
		return a[:], true
	}
	return nil, false
}

// fieldTypes are the types with a field, in ascending order.
var fieldTypes = []Type{TypeChannel, TypePanID, TypeExtPanID, TypeNetworkName, TypeNetworkKeySequence,
	TypeMeshLocalPrefix, TypeSteeringData, TypeBorderAgentLocator, TypeCommissionerID, TypeCommissionerSessionID,
	TypeGet, TypeActiveTimestamp, TypeCommissionerUDPPort, TypeState, TypeUDPEncapsulation, TypeIPv6Address,
	TypePendingTimestamp, TypeDelayTimer}

// TLVs returns the message as TLVs (secrets, whose values were dropped, are
// left out): in the order and length form Decode saw for a decoded message,
// else fields in ascending type order followed by Unknown.
func (m *Message) TLVs() []TLV {
	var out []TLV
	if m.order != nil {
		unknown := m.Unknown
		done := map[Type]bool{}
		for _, h := range m.order {
			if h.t.Secret() {
				continue
			}
			if m.decodes(h.t) {
				if v, ok := m.value(h.t); ok && !done[h.t] {
					out = append(out, TLV{Type: h.t, Value: v, Extended: h.ext})
					done[h.t] = true
				}
				continue
			}
			if len(unknown) > 0 {
				out = append(out, unknown[0])
				unknown = unknown[1:]
			}
		}
		// Fields set after decoding go after what was decoded.
		for _, t := range fieldTypes {
			if v, ok := m.value(t); ok && !done[t] {
				out = append(out, TLV{Type: t, Value: v})
			}
		}
		return append(out, unknown...)
	}
	for _, t := range fieldTypes {
		if v, ok := m.value(t); ok {
			out = append(out, TLV{Type: t, Value: v})
		}
	}
	unk := append([]TLV{}, m.Unknown...)
	sort.SliceStable(unk, func(i, j int) bool { return unk[i].Type < unk[j].Type })
	return append(out, unk...)
}

// AppendTo appends the encoded message to dst.
func (m *Message) AppendTo(dst []byte) []byte {
	for _, t := range m.TLVs() {
		dst = Append(dst, t)
	}
	return dst
}

// Encode is the message's wire form.
func (m *Message) Encode() []byte { return m.AppendTo(nil) }
