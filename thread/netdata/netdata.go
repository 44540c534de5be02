// Package netdata reads Thread Network Data (Thread spec 5.18): the bytes
// the Network Data diagnostic TLV (7) carries (Decode, the one parser of
// them) and OpenThread's `netdata show` text (ParseShow), both into one
// NetworkData, which Model turns into the topology model. Which nodes are
// border routers is derived from that model, once, by topology.Normalize.
package netdata

import "fmt"

// Network Data TLV types (the type byte is type << 1 | stable bit).
const (
	TypeHasRoute     = 0
	TypePrefix       = 1
	TypeBorderRouter = 2
	TypeContext      = 3
	TypeCommission   = 4
	TypeService      = 5
	TypeServer       = 6
)

// Entry sizes of the sub-TLVs with fixed-size entries.
const (
	hasRouteEntryLen     = 3 // RLOC16 + flags
	borderRouterEntryLen = 4 // RLOC16 + 2 flag bytes
)

// Error names the TLV and byte offset where the data went wrong.
type Error struct {
	Type   int
	Offset int
	Msg    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("netdata: TLV type %d at byte %d: %s", e.Type, e.Offset, e.Msg)
}

// tlv is one element: its type (stable bit removed), the stable bit,
// value and offset.
type tlv struct {
	typ    int
	stable bool
	value  []byte
	offset int
}

func parse(b []byte, base int) ([]tlv, error) {
	var out []tlv
	for i := 0; i < len(b); {
		t := int(b[i] >> 1)
		if i+2 > len(b) {
			return nil, &Error{t, base + i, "truncated header"}
		}
		l := int(b[i+1])
		if i+2+l > len(b) {
			return nil, &Error{t, base + i, fmt.Sprintf("length %d runs past the end (%d bytes left)", l, len(b)-i-2)}
		}
		out = append(out, tlv{t, b[i]&1 != 0, b[i+2 : i+2+l], base + i})
		i += 2 + l
	}
	return out, nil
}
