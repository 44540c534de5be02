// Package diag is the Thread Network Diagnostic TLV codec (Thread 1.4 spec
// chapter 10.11, OpenThread src/core/thread/network_diagnostic_tlvs.hpp):
// the bytes carried in DIAG_GET.req/.rsp, DIAG_GET.qry/.ans and DIAG_RST
// payloads, decoded and encoded side by side.
//
// The API, in three layers:
//
//   - Framing. ParseTLVs(b) ([]TLV, error) splits a payload; AppendTLV(dst,
//     TLV) []byte writes one TLV. TLV{Type, Value, Extended, Offset}: 1-byte
//     type, 1-byte length; length 255 means an extended TLV whose real
//     length follows in 2 bytes (big-endian). Type has a constant for every
//     type OpenThread defines (TypeExtMacAddress = 0 … TypeEnhancedRoute =
//     37), String/Name/Known, and AllTypes().
//   - Values. One Go type per structured value, its decoder beside its
//     encoder: DeviceMode, Connectivity (DecodeConnectivity), Route64 +
//     RouteEntry (DecodeRoute64), LeaderData, MacCounters, ChildTableEntry
//     (DecodeChildTable/AppendChildTable), ChildInfo (TLV 29, DecodeChild),
//     ChildIPv6Addresses (30), RouterNeighbor (31), Answer (32),
//     MleCounters (34), ChannelMask (36, DecodeChannelMasks,
//     AppendChannelMasks), EnhancedRoute + EnhancedRouteEntry (37),
//     DecodeIPv6AddressList; ExtAddr (8 bytes, JSON hex) and HexBytes. Each
//     struct has AppendTo(dst) []byte.
//   - Messages. Decode(b) (*Message, error) turns a whole payload into a
//     Message with one typed field per TLV (nil = absent) and lists for the
//     TLVs that repeat (Children 29, ChildIPv6 30, RouterNeighbors 31, with
//     ChildrenEnd/ChildIPv6End/RouterNeighborsEnd for the empty TLV that
//     ends a list); unknown TLVs stay raw in Message.Unknown.
//     (*Message).Encode() / AppendTo(dst) / TLVs() write it back: exactly
//     the decoded bytes, in the original order, for a decoded message;
//     Query ID first, ascending types, Answer last for a built one.
//
// Decoders never panic and never read past the buffer: a truncated TLV, a
// value of the wrong size or a second copy of a single-valued TLV is an
// *Error{Type, Offset, Msg} naming the TLV and the byte offset of its
// header ("diag: Route64(5) at byte 14: value is 3 bytes, want at least 9").
//
// (*Message).AddTo(snapshot, source, sender) and ToSnapshot(source,
// takenAt, msgs, senders...) are the one conversion from diagnostic
// answers to the topology model, shared by the TMF crawler and the ot-cli
// importer.
package diag

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Type is a Network Diagnostic TLV type.
type Type uint8

// Network Diagnostic TLV types (Thread 1.4 table 10-x, OpenThread's
// OT_NETWORK_DIAGNOSTIC_TLV_* constants).
const (
	TypeExtMacAddress            Type = 0
	TypeAddress16                Type = 1
	TypeMode                     Type = 2
	TypeTimeout                  Type = 3
	TypeConnectivity             Type = 4
	TypeRoute64                  Type = 5
	TypeLeaderData               Type = 6
	TypeNetworkData              Type = 7
	TypeIPv6AddressList          Type = 8
	TypeMacCounters              Type = 9
	TypeBatteryLevel             Type = 14
	TypeSupplyVoltage            Type = 15
	TypeChildTable               Type = 16
	TypeChannelPages             Type = 17
	TypeTypeList                 Type = 18
	TypeMaxChildTimeout          Type = 19
	TypeLDevIDSubjectPubKeyInfo  Type = 20 // Thread 1.4; kept raw
	TypeIDevIDCertificate        Type = 21 // Thread 1.4; kept raw
	TypeEUI64                    Type = 23
	TypeVersion                  Type = 24
	TypeVendorName               Type = 25
	TypeVendorModel              Type = 26
	TypeVendorSWVersion          Type = 27
	TypeThreadStackVersion       Type = 28
	TypeChild                    Type = 29
	TypeChildIPv6AddressList     Type = 30
	TypeRouterNeighbor           Type = 31
	TypeAnswer                   Type = 32
	TypeQueryID                  Type = 33
	TypeMleCounters              Type = 34
	TypeVendorAppURL             Type = 35
	TypeNonPreferredChannelsMask Type = 36
	TypeEnhancedRoute            Type = 37
)

var typeNames = map[Type]string{
	TypeExtMacAddress:            "ExtMacAddress",
	TypeAddress16:                "Address16",
	TypeMode:                     "Mode",
	TypeTimeout:                  "Timeout",
	TypeConnectivity:             "Connectivity",
	TypeRoute64:                  "Route64",
	TypeLeaderData:               "LeaderData",
	TypeNetworkData:              "NetworkData",
	TypeIPv6AddressList:          "IPv6AddressList",
	TypeMacCounters:              "MacCounters",
	TypeBatteryLevel:             "BatteryLevel",
	TypeSupplyVoltage:            "SupplyVoltage",
	TypeChildTable:               "ChildTable",
	TypeChannelPages:             "ChannelPages",
	TypeTypeList:                 "TypeList",
	TypeMaxChildTimeout:          "MaxChildTimeout",
	TypeLDevIDSubjectPubKeyInfo:  "LDevIDSubjectPubKeyInfo",
	TypeIDevIDCertificate:        "IDevIDCertificate",
	TypeEUI64:                    "EUI64",
	TypeVersion:                  "Version",
	TypeVendorName:               "VendorName",
	TypeVendorModel:              "VendorModel",
	TypeVendorSWVersion:          "VendorSWVersion",
	TypeThreadStackVersion:       "ThreadStackVersion",
	TypeChild:                    "Child",
	TypeChildIPv6AddressList:     "ChildIPv6AddressList",
	TypeRouterNeighbor:           "RouterNeighbor",
	TypeAnswer:                   "Answer",
	TypeQueryID:                  "QueryID",
	TypeMleCounters:              "MleCounters",
	TypeVendorAppURL:             "VendorAppURL",
	TypeNonPreferredChannelsMask: "NonPreferredChannelsMask",
	TypeEnhancedRoute:            "EnhancedRoute",
}

// String is the TLV's name, e.g. "Route64(5)", or "Type(99)" when unknown.
func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return fmt.Sprintf("%s(%d)", n, uint8(t))
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// Name is the bare TLV name ("Route64"), or "" when the type is unknown.
func (t Type) Name() string { return typeNames[t] }

// Known reports whether t is a type this package names.
func (t Type) Known() bool { _, ok := typeNames[t]; return ok }

// AllTypes lists every TLV type this package names, ascending.
func AllTypes() []Type {
	out := make([]Type, 0, len(typeNames))
	for t := 0; t < 256; t++ {
		if Type(t).Known() {
			out = append(out, Type(t))
		}
	}
	return out
}

// TLV is one Type-Length-Value element. Value aliases the parsed buffer.
type TLV struct {
	Type  Type
	Value []byte
	// Extended: the TLV used (or must use) the extended length form. On
	// encode a value longer than 254 bytes is always written extended.
	Extended bool
	// Offset is the byte offset of the TLV header in the parsed buffer
	// (informational; ignored by AppendTLV).
	Offset int
}

// MarshalJSON writes {"type", "name", "offset", "extended", "value_hex"}.
func (t TLV) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type     uint8  `json:"type"`
		Name     string `json:"name,omitempty"`
		Offset   int    `json:"offset"`
		Extended bool   `json:"extended,omitempty"`
		ValueHex string `json:"value_hex"`
	}{uint8(t.Type), t.Type.Name(), t.Offset, t.Extended, hex.EncodeToString(t.Value)})
}

// Error is a decode error naming the TLV and the byte offset of its header.
type Error struct {
	Type   Type
	Offset int
	Msg    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("diag: %s at byte %d: %s", e.Type, e.Offset, e.Msg)
}

func errAt(t Type, off int, format string, a ...any) *Error {
	return &Error{Type: t, Offset: off, Msg: fmt.Sprintf(format, a...)}
}

// ParseTLVs splits b into TLVs. It never reads past b: a header or value
// running past the end is an *Error.
func ParseTLVs(b []byte) ([]TLV, error) {
	var out []TLV
	for i := 0; i < len(b); {
		t := Type(b[i])
		if i+2 > len(b) {
			return out, errAt(t, i, "truncated header: 1 of 2 bytes")
		}
		l := int(b[i+1])
		hdr := 2
		ext := false
		if l == 255 {
			if i+4 > len(b) {
				return out, errAt(t, i, "truncated extended length: %d of 4 header bytes", len(b)-i)
			}
			l = int(binary.BigEndian.Uint16(b[i+2:]))
			hdr, ext = 4, true
		}
		if i+hdr+l > len(b) {
			return out, errAt(t, i, "length %d runs past the end (%d bytes left)", l, len(b)-i-hdr)
		}
		out = append(out, TLV{Type: t, Value: b[i+hdr : i+hdr+l : i+hdr+l], Extended: ext, Offset: i})
		i += hdr + l
	}
	return out, nil
}

// AppendTLV appends t's header and value to dst. Values longer than 254
// bytes (or t.Extended) use the extended form; values longer than 65535
// bytes are cut to 65535 (no TLV can carry more).
func AppendTLV(dst []byte, t TLV) []byte {
	v := t.Value
	if len(v) > 0xffff {
		v = v[:0xffff]
	}
	if len(v) >= 255 || t.Extended {
		dst = append(dst, byte(t.Type), 255, byte(len(v)>>8), byte(len(v)))
	} else {
		dst = append(dst, byte(t.Type), byte(len(v)))
	}
	return append(dst, v...)
}
