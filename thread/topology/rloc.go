// Package topology is threadmap's one model of a Thread mesh: nodes keyed by
// extended address, router-router and parent-child links, the network's
// identity and a per-source scan report. Every source produces a partial
// Snapshot; Merge joins partial snapshots and Normalize derives what the
// RLOC16 arithmetic implies (router IDs, parents, roles, missing links).
//
// The canonical JSON (schema "threadmap.topology/v1") is the encoding of
// Snapshot with encoding/json; there is no second encoder.
package topology

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Rloc16 is a Thread routing locator: router ID in bits 15–10, child ID in
// bits 8–0 (Thread spec 5.2.2.1). A router's child ID is 0.
type Rloc16 uint16

// InvalidRloc16 is the value OpenThread uses for "no RLOC16".
const InvalidRloc16 Rloc16 = 0xfffe

// MaxRouterID is the highest router ID (62); 63 means "no router".
const MaxRouterID = 62

// RouterID is rloc16 >> 10.
func (r Rloc16) RouterID() uint8 { return uint8(r >> 10) }

// ChildID is rloc16 & 0x1FF.
func (r Rloc16) ChildID() uint16 { return uint16(r & 0x01ff) }

// IsRouter reports whether this is a router's RLOC16 (child ID 0).
func (r Rloc16) IsRouter() bool { return r.ChildID() == 0 }

// Parent is the RLOC16 of the router a child with this RLOC16 is attached to.
func (r Rloc16) Parent() Rloc16 { return r & 0xfc00 }

// RouterRloc16 is the RLOC16 of router id.
func RouterRloc16(id uint8) Rloc16 { return Rloc16(uint16(id) << 10) }

// String is the canonical "0x%04x" form.
func (r Rloc16) String() string { return fmt.Sprintf("0x%04x", uint16(r)) }

// MarshalJSON writes the canonical "0x%04x" string.
func (r Rloc16) MarshalJSON() ([]byte, error) { return []byte(`"` + r.String() + `"`), nil }

// UnmarshalJSON accepts the canonical string, a bare hex string ("f000") or a
// JSON number (the legacy OTBR REST API writes RLOC16 as a decimal number).
func (r *Rloc16) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		v, err := ParseRloc16(str)
		if err != nil {
			return err
		}
		*r = v
		return nil
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return fmt.Errorf("rloc16: %q is not a 16-bit number", s)
	}
	*r = Rloc16(n)
	return nil
}

// ParseRloc16 reads "0x2400", "2400" (hex, as ot-cli prints it) or "rloc:0x2400".
func ParseRloc16(s string) (Rloc16, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "rloc:")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if s == "" || len(s) > 4 {
		return 0, fmt.Errorf("rloc16: %q is not 1-4 hex digits", s)
	}
	v, err := strconv.ParseUint(s, 16, 16)
	if err != nil {
		return 0, fmt.Errorf("rloc16: %q is not hex", s)
	}
	return Rloc16(v), nil
}

// ExtAddress is an IEEE 802.15.4 extended address (64 bits), the stable key
// of a node.
type ExtAddress uint64

// String is 16 lower-case hex digits.
func (e ExtAddress) String() string { return fmt.Sprintf("%016x", uint64(e)) }

// Bytes is the big-endian (over-the-air display order) form.
func (e ExtAddress) Bytes() [8]byte {
	var b [8]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(uint64(e) >> (56 - 8*i))
	}
	return b
}

// ExtAddressFromBytes reads 8 big-endian bytes.
func ExtAddressFromBytes(b []byte) (ExtAddress, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("ext address: %d bytes, want 8", len(b))
	}
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return ExtAddress(v), nil
}

// extSeparators drops the separators ParseExtAddress allows (built once:
// building a Replacer per call dominated big imports).
var extSeparators = strings.NewReplacer(":", "", "-", "", " ", "")

// ParseExtAddress reads 16 hex digits (any case, optional 0x and ':' or '-'
// separators).
func ParseExtAddress(s string) (ExtAddress, error) {
	t := extSeparators.Replace(strings.TrimSpace(s))
	t = strings.TrimPrefix(strings.TrimPrefix(t, "0x"), "0X")
	if len(t) != 16 {
		return 0, fmt.Errorf("ext address: %q is not 16 hex digits", s)
	}
	v, err := strconv.ParseUint(t, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("ext address: %q is not hex", s)
	}
	return ExtAddress(v), nil
}

// NodeID is the canonical id of a node: the lower-case hex ext address when
// known, else "rloc:0x%04x".
func NodeID(ext ExtAddress, rloc Rloc16) string {
	if ext != 0 {
		return ext.String()
	}
	return "rloc:" + rloc.String()
}

// RlocID is the id of a node known only by its RLOC16.
func RlocID(rloc Rloc16) string { return "rloc:" + rloc.String() }

// RlocAddress is the RLOC IPv6 address for rloc in the mesh-local /64 prefix
// (8 bytes): prefix + 0000:00ff:fe00:RLOC16.
func RlocAddress(prefix [8]byte, rloc Rloc16) [16]byte {
	var a [16]byte
	copy(a[:8], prefix[:])
	a[11], a[12], a[13] = 0xff, 0xfe, 0x00
	a[14], a[15] = byte(rloc>>8), byte(rloc)
	return a
}

// LocatorOf reads the locator from an RLOC or ALOC IPv6 address: the
// interface identifier 0000:00ff:fe00:XXXX gives XXXX (an RLOC16, or an
// ALOC16 from 0xfc00). ok is false for any other address.
func LocatorOf(a netip.Addr) (loc Rloc16, ok bool) {
	if !a.Is6() {
		return 0, false
	}
	b := a.As16()
	if b[8]|b[9]|b[10]|b[13] != 0 || b[11] != 0xff || b[12] != 0xfe {
		return 0, false
	}
	return Rloc16(uint16(b[14])<<8 | uint16(b[15])), true
}

// LeaderAloc16 is the leader's anycast locator (ALOC16 0xfc00).
const LeaderAloc16 Rloc16 = 0xfc00

// LinkCost is the one-hop cost for a link quality (Thread spec 5.7.2.2:
// LQ 3 → 1, 2 → 2, 1 → 4, 0 → infinite, written as 16).
func LinkCost(lq int) int {
	switch lq {
	case 3:
		return 1
	case 2:
		return 2
	case 1:
		return 4
	}
	return 16
}
