// Package netdata reads Thread Network Data (Thread spec 5.18), the bytes
// the Network Data diagnostic TLV (7) carries, far enough to say which
// routers are border routers: the RLOC16s in the Border Router and Has
// Route sub-TLVs of every Prefix TLV. Other TLVs are skipped by length.
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

// Entry sizes of the sub-TLVs read here.
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

// BorderRouters lists the RLOC16s (in order of appearance, each once) that
// publish an on-mesh prefix (Border Router sub-TLV) or an external route
// (Has Route sub-TLV).
func BorderRouters(b []byte) ([]uint16, error) {
	top, err := parse(b, 0)
	if err != nil {
		return nil, err
	}
	seen := map[uint16]bool{}
	var out []uint16
	add := func(r uint16) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, p := range top {
		if p.typ != TypePrefix {
			continue
		}
		if len(p.value) < 2 {
			return nil, &Error{p.typ, p.offset, "prefix TLV shorter than domain ID + prefix length"}
		}
		plen := int(p.value[1])
		if plen > 128 {
			return nil, &Error{p.typ, p.offset, fmt.Sprintf("prefix length %d bits", plen)}
		}
		nb := (plen + 7) / 8
		if 2+nb > len(p.value) {
			return nil, &Error{p.typ, p.offset, fmt.Sprintf("%d-bit prefix runs past the TLV", plen)}
		}
		subs, err := parse(p.value[2+nb:], p.offset+2+2+nb)
		if err != nil {
			return nil, err
		}
		for _, s := range subs {
			size := 0
			switch s.typ {
			case TypeBorderRouter:
				size = borderRouterEntryLen
			case TypeHasRoute:
				size = hasRouteEntryLen
			default:
				continue
			}
			if len(s.value)%size != 0 {
				return nil, &Error{s.typ, s.offset, fmt.Sprintf("%d bytes, not a multiple of the %d-byte entry", len(s.value), size)}
			}
			for i := 0; i < len(s.value); i += size {
				add(uint16(s.value[i])<<8 | uint16(s.value[i+1]))
			}
		}
	}
	return out, nil
}
