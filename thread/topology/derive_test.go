package topology

import (
	"bytes"
	"net/netip"
	"testing"
	"time"
)

func TestRloc16Arithmetic(t *testing.T) {
	for _, tc := range []struct {
		r      Rloc16
		router uint8
		child  uint16
		parent Rloc16
	}{
		{0x4400, 17, 0, 0x4400},
		{0x4401, 17, 1, 0x4400},
		{0xf002, 60, 2, 0xf000},
		{0x25ff, 9, 0x1ff, 0x2400},
	} {
		if tc.r.RouterID() != tc.router || tc.r.ChildID() != tc.child || tc.r.Parent() != tc.parent {
			t.Errorf("%s: got router %d child %d parent %s", tc.r, tc.r.RouterID(), tc.r.ChildID(), tc.r.Parent())
		}
	}
	if r, err := ParseRloc16("f002"); err != nil || r != 0xf002 {
		t.Errorf("ParseRloc16(f002) = %v, %v", r, err)
	}
	if _, err := ParseRloc16("12345"); err == nil {
		t.Error("ParseRloc16 accepted 5 digits")
	}
}

func TestModeRoundTrip(t *testing.T) {
	for _, s := range []string{"rdn", "rn", "-", "r", "dn"} {
		m, err := ParseMode(s)
		if err != nil {
			t.Fatal(err)
		}
		if ModeFromByte(m.Byte()).String() != s {
			t.Errorf("mode %q round trip gave %q", s, ModeFromByte(m.Byte()).String())
		}
	}
	if _, err := ParseMode("rx"); err == nil {
		t.Error("ParseMode accepted x")
	}
}

// A mesh seen from two sources: RLOC16-only links resolve to ext ids,
// children get parents and links from the mask, roles follow mode.
func TestMergeAndDerive(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	a := New(t0)
	a.Network = Network{Name: "Home", ExtPanID: "DEAD00BEEF00CAFE", LeaderRouterID: Ptr(17)}
	a.Nodes = []Node{
		{ExtAddr: "1111111111111111", Rloc16: Ptr(Rloc16(0x4400)), Sources: []string{"tmf"}, ChildTableKnown: true},
		{ExtAddr: "2222222222222222", Rloc16: Ptr(Rloc16(0x0400)), Sources: []string{"tmf"}},
		{Rloc16: Ptr(Rloc16(0x4401)), Mode: &Mode{}, Sources: []string{"tmf"}},
		{Rloc16: Ptr(Rloc16(0x0402)), Mode: &Mode{RxOnWhenIdle: true}, Sources: []string{"tmf"}},
	}
	a.Links = []Link{
		{Kind: LinkRouter, A: "rloc:0x4400", B: "rloc:0x0400", LQIn: Ptr(2), LQOut: Ptr(3)},
		{Kind: LinkChild, A: "rloc:0x4400", B: "rloc:0x4401", LQIn: Ptr(3)},
	}
	b := New(t0.Add(time.Second))
	b.Nodes = []Node{{ExtAddr: "3333333333333333", Rloc16: Ptr(Rloc16(0x4401)), Name: "Door", Vendor: "Eve", Sources: []string{"matter"}}}
	s := Merge(a, b)

	if len(s.Nodes) != 4 {
		t.Fatalf("nodes: %d, want 4: %+v", len(s.Nodes), s.Nodes)
	}
	want := Shape{
		Nodes: map[string]string{
			"1111111111111111": "0x4400 leader",
			"2222222222222222": "0x0400 router",
			"3333333333333333": "0x4401 sleepy-end-device",
			"rloc:0x0402":      "0x0402 end-device",
		},
		Parents:     map[string]string{"3333333333333333": "1111111111111111", "rloc:0x0402": "2222222222222222"},
		RouterLinks: map[string]bool{"1111111111111111 2222222222222222": true},
	}
	if d := want.Diff(s.Shape()); len(d) > 0 {
		t.Fatalf("shape differs: %v", d)
	}
	door := s.Node("3333333333333333")
	if door.Name != "Door" || len(door.Sources) != 2 || door.FieldSources["name"] != "matter" {
		t.Errorf("door merged wrong: %+v", door)
	}
	for _, l := range s.Links {
		if l.Kind == LinkRouter {
			// Swapped into A<B order: A is 1111 (was rloc:0x4400), so no swap of LQ.
			if *l.LQIn != 2 || *l.LQOut != 3 || *l.Cost != 2 {
				t.Errorf("router link %+v", l)
			}
		}
		if l.Kind == LinkChild && l.B == "rloc:0x0402" && !l.Derived {
			t.Error("mask-derived child link not marked derived")
		}
	}
	// The child-table link exists for the door; the rloc-only child of a
	// router whose table was not read is not flagged.
	if door.HasFlag(FlagNotInParentTable) {
		t.Error("door flagged though listed")
	}
	// JSON round trip is exact.
	js, err := s.JSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	js2, _ := back.JSON()
	if !bytes.Equal(js, js2) {
		t.Errorf("json round trip differs:\n%s\n%s", js, js2)
	}
	// Normalize is idempotent.
	Normalize(back)
	js3, _ := back.JSON()
	if !bytes.Equal(js, js3) {
		t.Errorf("normalize not idempotent:\n%s\n%s", js, js3)
	}
}

func TestChildMissingFromParentTableIsFlaggedNotDropped(t *testing.T) {
	s := New(time.Unix(0, 0))
	s.Nodes = []Node{
		{ExtAddr: "1111111111111111", Rloc16: Ptr(Rloc16(0x4400)), ChildTableKnown: true, Sources: []string{"tmf"}},
		{ExtAddr: "4444444444444444", Rloc16: Ptr(Rloc16(0x4405)), Mode: &Mode{RxOnWhenIdle: true, FullThreadDevice: true}, Sources: []string{"tmf"}},
	}
	Normalize(s)
	c := s.Node("4444444444444444")
	if c == nil || !c.HasFlag(FlagNotInParentTable) || c.Parent == nil || *c.Parent != "1111111111111111" || c.Role != RoleFTDChild {
		t.Fatalf("child: %+v", c)
	}
}

func TestInferredParent(t *testing.T) {
	s := New(time.Unix(0, 0))
	s.Nodes = []Node{{ExtAddr: "4444444444444444", Rloc16: Ptr(Rloc16(0x4405)), Sources: []string{"matter"}}}
	Normalize(s)
	p := s.Node("rloc:0x4400")
	if p == nil || !p.HasFlag(FlagInferred) || p.Role != RoleRouter {
		t.Fatalf("inferred parent: %+v", s.Nodes)
	}
}

func TestLocatorOf(t *testing.T) {
	for _, tc := range []struct {
		addr string
		loc  Rloc16
		ok   bool
	}{
		{"fd00:5a11::ff:fe00:f002", 0xf002, true},
		{"fd00:5a11:0:0:0:ff:fe00:fc00", 0xfc00, true}, // leader ALOC
		{"fe80::ff:fe00:2400", 0x2400, true},
		{"fd00:5a11::1:ff:fe00:2400", 0, false}, // not 0000:00ff:fe00
		{"fd00:5a11::662e:cfe4:bae1:5eb4", 0, false},
		{"::ffff:10.0.0.1", 0, false},
		{"10.0.0.1", 0, false},
	} {
		loc, ok := LocatorOf(netip.MustParseAddr(tc.addr))
		if loc != tc.loc || ok != tc.ok {
			t.Errorf("LocatorOf(%s) = %s, %v; want %s, %v", tc.addr, loc, ok, tc.loc, tc.ok)
		}
	}
	// RlocAddress and LocatorOf are inverses.
	a := netip.AddrFrom16(RlocAddress([8]byte{0xfd, 0, 0x5a, 0x11}, 0x3801))
	if loc, ok := LocatorOf(a); !ok || loc != 0x3801 {
		t.Errorf("LocatorOf(RlocAddress(0x3801)) = %s, %v", loc, ok)
	}
}
