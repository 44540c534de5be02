package topology

import (
	"bytes"
	"testing"
)

// FuzzNormalize: any canonical JSON that decodes normalizes without
// panicking, twice to the same bytes (Normalize is idempotent), with every
// node id once, no device both on the map and in not_seen, and no link
// naming a device not seen.
func FuzzNormalize(f *testing.F) {
	seeds := []*Snapshot{}
	for _, build := range []func() *Snapshot{
		func() *Snapshot { // an FTD child seen by a table, a transcript and an inventory
			s := New(t0)
			s.Nodes = []Node{
				{ExtAddr: "ae983c48b31eb30a", Rloc16: Ptr(Rloc16(0x2400)), Sources: []string{"tmf"}, ChildTableKnown: true},
				{ID: "rloc:0x2402", Rloc16: Ptr(Rloc16(0x2402)), Mode: &Mode{RxOnWhenIdle: true, FullThreadDevice: true}, Sources: []string{"tmf"}},
				{ExtAddr: "bad7a8e7b2ca0b48", Mode: &Mode{FullThreadDevice: true}, Flags: []string{FlagInventoryOnly}, Sources: []string{"otbr"}},
				{ExtAddr: "bad7a8e7b2ca0b48", Rloc16: Ptr(Rloc16(0x2402)), RouterEligible: Ptr(false), Sources: []string{"ot-cli"}, Status: StatusAnswered},
				{ExtAddr: "8888888888888888", Flags: []string{FlagInventoryOnly}, Sources: []string{"otbr"}, Status: StatusTimedOut},
			}
			s.Links = []Link{{Kind: LinkChild, A: "rloc:0x2400", B: "rloc:0x2402", Sources: []string{"tmf"}},
				{Kind: LinkChild, A: "rloc:0x2400", B: "8888888888888888"}}
			s.Network.NetworkData = &NetworkData{Prefixes: []NetDataPrefix{{Prefix: "fd00::/64",
				BorderRouters: []NetDataBorderRouter{{Rloc16: 0x2400}, {Rloc16: 0xc800}}}}}
			return s
		},
		func() *Snapshot { // two partitions, an inferred router of one
			s := New(t0)
			s.Nodes = []Node{
				{ExtAddr: "92983076cde4174b", Rloc16: Ptr(Rloc16(0x6800)), PartitionID: Ptr(uint32(1)), Sources: []string{"matter"}},
				{ID: "rloc:0x6800", Rloc16: Ptr(Rloc16(0x6800)), PartitionID: Ptr(uint32(2)), Flags: []string{FlagInferred}, Sources: []string{"matter"}},
				{ExtAddr: "8601b706a1209fef", Rloc16: Ptr(Rloc16(0x6813)), Role: RoleREED, RouterEligible: Ptr(true), PartitionID: Ptr(uint32(2)), Sources: []string{"matter"}},
			}
			s.NotSeen = []Node{{ID: "1111111111111111", ExtAddr: "1111111111111111", Sources: []string{"otbr"}}}
			return s
		},
	} {
		seeds = append(seeds, build())
	}
	for _, s := range seeds {
		b, err := s.JSON()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		Normalize(s)
		if b, err = s.JSON(); err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := DecodeJSON(bytes.NewReader(in))
		if err != nil {
			return
		}
		Normalize(s)
		first, err := s.JSON()
		if err != nil {
			return // e.g. a NaN error rate cannot be encoded
		}
		live := map[string]bool{}
		for _, n := range s.Nodes {
			if live[n.ID] {
				t.Fatalf("node %s twice", n.ID)
			}
			live[n.ID] = true
		}
		gone := map[string]bool{}
		for _, n := range s.NotSeen {
			if live[n.ID] {
				t.Fatalf("node %s both on the map and not seen", n.ID)
			}
			gone[n.ID] = true
		}
		for _, l := range s.Links {
			if gone[l.A] || gone[l.B] {
				t.Fatalf("link %s-%s names a device not seen", l.A, l.B)
			}
		}
		again, err := DecodeJSON(bytes.NewReader(first))
		if err != nil {
			t.Fatalf("own JSON does not decode: %v", err)
		}
		Normalize(again)
		if second, _ := again.JSON(); !bytes.Equal(first, second) {
			t.Fatalf("Normalize not idempotent:\n%s\n%s", first, second)
		}
	})
}
