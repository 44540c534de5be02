package topology

import (
	"bytes"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestChildRoleOf(t *testing.T) {
	yes, no := Ptr(true), Ptr(false)
	rdn := Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true}
	for _, tc := range []struct {
		mode     string
		eligible *bool
		want     Role
	}{
		{"rdn", nil, RoleFTDChild},
		{"rdn", yes, RoleREED},
		{"rdn", no, RoleFED},
		{"rd", no, RoleFED},
		{"rn", nil, RoleEndDevice},
		{"rn", no, RoleEndDevice}, // an FTD build running as a MED says Disabled
		{"-", no, RoleSleepyEndDevice},
		{"n", nil, RoleSleepyEndDevice},
	} {
		m, err := ParseMode(tc.mode)
		if err != nil {
			t.Fatal(err)
		}
		if got := ChildRoleOf(m, tc.eligible); got != tc.want {
			t.Errorf("ChildRoleOf(%s, %v) = %s, want %s", tc.mode, tc.eligible, got, tc.want)
		}
	}
	if ChildRole(rdn) != RoleFTDChild {
		t.Errorf("ChildRole(rdn) = %s, want the neutral %s", ChildRole(rdn), RoleFTDChild)
	}
	for _, r := range AllRoles() {
		want := r == RoleREED || r == RoleFED || r == RoleFTDChild || r == RoleEndDevice || r == RoleSleepyEndDevice
		if r.IsChildRole() != want {
			t.Errorf("%s.IsChildRole() = %v", r, r.IsChildRole())
		}
	}
}

// The FED n4 of the real capture, as the sources see it: its parent's
// child table (TMF: mode rdn, eligibility unknown), its own ot-cli
// transcript (routereligible Disabled), an OTBR device list with the
// mode bits wrong. The role follows the best evidence and names it.
func TestRoleFromEvidence(t *testing.T) {
	rdn := &Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true}
	parent := Node{ExtAddr: "ae983c48b31eb30a", Rloc16: Ptr(Rloc16(0x2400)), Sources: []string{"tmf"}}
	tmfView := Node{ID: "rloc:0x2402", Rloc16: Ptr(Rloc16(0x2402)), Mode: rdn, Role: ChildRole(*rdn), Sources: []string{"tmf"}}
	cliView := Node{ExtAddr: "bad7a8e7b2ca0b48", Rloc16: Ptr(Rloc16(0x2402)), Mode: rdn, RouterEligible: Ptr(false),
		Role: RoleFED, Sources: []string{"ot-cli"}, Status: StatusAnswered}
	// /api/devices: the mode bits of a FED reported as rx-off.
	inventory := Node{ExtAddr: "bad7a8e7b2ca0b48", Mode: &Mode{FullThreadDevice: true, FullNetworkData: true},
		Role: RoleSleepyEndDevice, Sources: []string{"otbr"}, Flags: []string{FlagInventoryOnly}}

	for _, tc := range []struct {
		name     string
		views    []Node
		role     Role
		roleFrom string
		mode     string
	}{
		{"tmf alone", []Node{parent, tmfView}, RoleFTDChild, "tmf", "rdn"},
		{"tmf and ot-cli", []Node{parent, tmfView, cliView}, RoleFED, "ot-cli", "rdn"},
		{"ot-cli then tmf", []Node{parent, cliView, tmfView}, RoleFED, "ot-cli", "rdn"},
		// Its own diagnostics failed: the child table's mode, not the device list's.
		{"inventory last", []Node{parent, tmfView, withRloc(inventory, 0x2402)}, RoleFTDChild, "tmf", "rdn"},
		{"inventory first", []Node{withRloc(inventory, 0x2402), parent, tmfView}, RoleFTDChild, "tmf", "rdn"},
		{"inventory without rloc16", []Node{inventory, parent, tmfView}, RoleFTDChild, "tmf", "rdn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(t0)
			s.Nodes = cloneNodes(tc.views)
			s.Links = []Link{{Kind: LinkChild, A: "rloc:0x2400", B: "rloc:0x2402", LQIn: Ptr(3), Sources: []string{"tmf"}}}
			Normalize(s)
			var child *Node
			for i := range s.Nodes {
				if s.Nodes[i].Rloc16 != nil && *s.Nodes[i].Rloc16 == 0x2402 {
					child = &s.Nodes[i]
				}
			}
			if child == nil {
				t.Fatalf("no node 0x2402: %+v", s.Nodes)
			}
			if child.Role != tc.role || child.FieldSources["role"] != tc.roleFrom || child.Mode.String() != tc.mode {
				t.Errorf("role %s (from %q) mode %s, want %s from %q mode %s", child.Role, child.FieldSources["role"],
					child.Mode, tc.role, tc.roleFrom, tc.mode)
			}
			if child.HasFlag(FlagRoleConflict) {
				t.Errorf("an inventory's wrong mode flagged a role conflict: %v", child.Flags)
			}
			if child.Parent == nil || *child.Parent != "ae983c48b31eb30a" {
				t.Errorf("parent %v", child.Parent)
			}
		})
	}

	// Matter: RoutingRole REED says eligible, without mode bits.
	s := New(t0)
	s.Nodes = []Node{{ExtAddr: "8601b706a1209fef", Rloc16: Ptr(Rloc16(0xd413)), Role: RoleREED, RouterEligible: Ptr(true),
		Sources: []string{"matter"}}}
	Normalize(s)
	if n := s.Node("8601b706a1209fef"); n.Role != RoleREED || n.FieldSources["role"] != "matter" {
		t.Errorf("matter REED: %s from %q", n.Role, n.FieldSources["role"])
	}
}

func withRloc(n Node, r Rloc16) Node {
	n.Rloc16 = Ptr(r)
	return n
}

// A device only an inventory lists (OTBR /api/devices after it left) is
// not on the map: it moves to NotSeen with its last-seen time and its
// links go; the same device seen by a later source comes back.
func TestNotSeen(t *testing.T) {
	last := t0.Add(-time.Hour)
	s := New(t0)
	s.Nodes = []Node{
		{ExtAddr: "1111111111111111", Rloc16: Ptr(Rloc16(0x0400)), Sources: []string{"otbr"}, Status: StatusAnswered},
		{ExtAddr: "2222222222222222", Rloc16: Ptr(Rloc16(0x0403)), Mode: &Mode{RxOnWhenIdle: true}, Sources: []string{"otbr"},
			Flags: []string{FlagInventoryOnly}, Status: StatusTimedOut, LastSeen: &last},
		// Status-only view of the task that timed out: an inventory's too.
		{ExtAddr: "2222222222222222", Sources: []string{"otbr"}, Flags: []string{FlagInventoryOnly}, Status: StatusTimedOut,
			StatusDetail: "diagnostic task timed out"},
	}
	s.Links = []Link{{Kind: LinkChild, A: "1111111111111111", B: "2222222222222222", Derived: true}}
	Normalize(s)
	if s.Node("2222222222222222") != nil {
		t.Fatalf("departed device still on the map: %+v", s.Nodes)
	}
	if len(s.NotSeen) != 1 || s.NotSeen[0].ID != "2222222222222222" || s.NotSeen[0].LastSeen == nil ||
		!s.NotSeen[0].LastSeen.Equal(last) || s.NotSeen[0].Parent != nil {
		t.Fatalf("not seen: %+v", s.NotSeen)
	}
	for _, l := range s.Links {
		if l.B == "2222222222222222" {
			t.Errorf("link to a device not seen kept: %+v", l)
		}
	}
	js, err := s.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(js, []byte(`"not_seen": [`)) {
		t.Errorf("JSON lacks not_seen:\n%s", js)
	}
	back, err := DecodeJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	Normalize(back)
	if js2, _ := back.JSON(); !bytes.Equal(js, js2) {
		t.Errorf("Normalize not idempotent:\n%s\n%s", js, js2)
	}

	// A later scan whose parent's child table lists it: seen again.
	later := New(t0.Add(time.Minute))
	later.Nodes = []Node{
		{ExtAddr: "1111111111111111", Rloc16: Ptr(Rloc16(0x0400)), Sources: []string{"tmf"}, ChildTableKnown: true},
		{ExtAddr: "2222222222222222", Rloc16: Ptr(Rloc16(0x0403)), Mode: &Mode{RxOnWhenIdle: true}, Sources: []string{"tmf"}},
	}
	later.Links = []Link{{Kind: LinkChild, A: "1111111111111111", B: "2222222222222222", Sources: []string{"tmf"}}}
	m := Merge(s, later)
	if n := m.Node("2222222222222222"); n == nil || n.HasFlag(FlagInventoryOnly) || n.Parent == nil {
		t.Errorf("seen again: %+v", n)
	}
	if len(m.NotSeen) != 0 {
		t.Errorf("still not seen: %+v", m.NotSeen)
	}
}

// A departed child still in its old parent's child table (RLOC16 only,
// until its timeout) and the device list's entry of it by ext address are
// one device, and a router's table listing makes it seen.
func TestStaleChildTableEntryIsOneDevice(t *testing.T) {
	s := New(t0)
	s.Nodes = []Node{
		{ExtAddr: "1111111111111111", Rloc16: Ptr(Rloc16(0x0000)), Sources: []string{"otbr"}, Status: StatusAnswered,
			ChildTableKnown: true, PartitionID: Ptr(uint32(7))},
		{ID: "rloc:0x0002", Rloc16: Ptr(Rloc16(0x0002)), Mode: &Mode{RxOnWhenIdle: true}, Sources: []string{"otbr"},
			PartitionID: Ptr(uint32(7)), Status: StatusNotQueried},
		{ExtAddr: "8888888888888888", Rloc16: Ptr(Rloc16(0x0002)), Mode: &Mode{FullThreadDevice: true}, Sources: []string{"otbr"},
			Flags: []string{FlagInventoryOnly}},
	}
	s.Links = []Link{{Kind: LinkChild, A: "1111111111111111", B: "rloc:0x0002", Sources: []string{"otbr"}}}
	Normalize(s)
	if len(s.Nodes) != 2 || len(s.NotSeen) != 0 {
		t.Fatalf("want 2 live nodes: %+v / not seen %+v", s.Nodes, s.NotSeen)
	}
	n := s.Node("8888888888888888")
	if n == nil || n.Role != RoleEndDevice || n.Parent == nil || *n.Parent != "1111111111111111" || n.HasFlag(FlagInventoryOnly) {
		t.Fatalf("child: %+v", n)
	}
	// Another partition's 0x0002 is another device.
	s2 := New(t0)
	s2.Nodes = []Node{
		{ID: "rloc:0x0002", Rloc16: Ptr(Rloc16(0x0002)), Sources: []string{"tmf"}, PartitionID: Ptr(uint32(7))},
		{ExtAddr: "8888888888888888", Rloc16: Ptr(Rloc16(0x0002)), Sources: []string{"tmf"}, PartitionID: Ptr(uint32(9))},
	}
	Normalize(s2)
	if s2.Node("rloc:0x0002") == nil || s2.Node("8888888888888888") == nil {
		t.Errorf("children of two partitions folded: %v", s2.Shape().Nodes)
	}
}

// Matter dumps read in different partitions: one router's own dump (ext
// address, RLOC16 0x6800) and another partition's route table naming
// router 0x6800 without an ext address are one router.
func TestInferredRouterOfAnotherPartitionFolds(t *testing.T) {
	s := New(t0)
	s.Nodes = []Node{
		{ExtAddr: "92983076cde4174b", Rloc16: Ptr(Rloc16(0x6800)), Role: RoleRouter, PartitionID: Ptr(uint32(1938283056)),
			Sources: []string{"matter"}, Status: StatusAnswered},
		{ID: "rloc:0x6800", Rloc16: Ptr(Rloc16(0x6800)), Role: RoleRouter, PartitionID: Ptr(uint32(831392105)),
			Sources: []string{"matter"}, Flags: []string{FlagInferred}},
		// A child RLOC16 is not folded across partitions: child IDs are not kept.
		{ExtAddr: "3333333333333333", Rloc16: Ptr(Rloc16(0x6801)), PartitionID: Ptr(uint32(1938283056)), Sources: []string{"matter"}},
		{ID: "rloc:0x6801", Rloc16: Ptr(Rloc16(0x6801)), PartitionID: Ptr(uint32(831392105)), Sources: []string{"matter"},
			Flags: []string{FlagInferred}},
	}
	Normalize(s)
	if s.Node("rloc:0x6800") != nil {
		t.Errorf("router 0x6800 drawn twice: %v", s.Shape().Nodes)
	}
	if s.Node("rloc:0x6801") == nil {
		t.Errorf("child RLOC16 of another partition folded: %v", s.Shape().Nodes)
	}
}

// The border-router flag comes from the network data only: the RLOC16s of
// Border Router and Has Route entries; an RLOC16 no node has becomes an
// inferred node; a stable-only copy never replaces a full one.
func TestBorderRoutersFromNetworkData(t *testing.T) {
	full := &NetworkData{Source: "tmf", Prefixes: []NetDataPrefix{
		{Prefix: "fd95::/64", BorderRouters: []NetDataBorderRouter{{Rloc16: 0xc800, OnMesh: true}}},
		{Prefix: "fc00::/7", Routes: []NetDataRoute{{Rloc16: 0x1c00}}},
	}, Services: []NetDataService{{Servers: []NetDataServer{{Rloc16: 0x0400}}}}}
	elided := &NetworkData{Source: "ot-cli", Prefixes: []NetDataPrefix{
		{Prefix: "fd95::/64", BorderRouters: []NetDataBorderRouter{{Rloc16: InvalidRloc16}}}}}
	a := New(t0)
	a.Network.NetworkData = full
	a.Nodes = []Node{
		{ExtAddr: "1111111111111111", Rloc16: Ptr(Rloc16(0xc800)), Sources: []string{"tmf"}},
		{ExtAddr: "2222222222222222", Rloc16: Ptr(Rloc16(0x0400)), Sources: []string{"tmf"}, BorderRouter: true},
	}
	b := New(t0.Add(time.Second)) // fresher, but a sleepy child's copy
	b.Network.NetworkData = elided
	s := Merge(a, b)
	if s.Network.NetworkData.Source != "tmf" {
		t.Fatalf("an elided copy replaced the full network data: %+v", s.Network.NetworkData)
	}
	brs := map[string]bool{}
	for _, n := range s.Nodes {
		if n.BorderRouter {
			brs[n.ID] = true
		}
	}
	want := map[string]bool{"1111111111111111": true, "rloc:0x1c00": true}
	if len(brs) != len(want) || !brs["1111111111111111"] || !brs["rloc:0x1c00"] {
		t.Errorf("border routers %v, want %v (a server is not a border router; the flag a source set is not kept)", brs, want)
	}
	if n := s.Node("rloc:0x1c00"); n == nil || !n.HasFlag(FlagInferred) || n.Role != RoleRouter {
		t.Errorf("border router known only from the network data: %+v", n)
	}
}

// An inventory knows a child by ext address and addresses (ML-EID, OMR)
// but not its RLOC16; its parent's Child IPv6 Address List knows the same
// addresses by RLOC16. One device, on the map (its parent lists it), with
// the child table's mode; a link-local or RLOC address proves nothing.
func TestChildKnownByAddressIsOneDevice(t *testing.T) {
	mleid := "fd00:5a11::b0dc:e0c3:386b:b90"
	s := New(t0)
	s.Nodes = []Node{
		{ExtAddr: "ae983c48b31eb30a", Rloc16: Ptr(Rloc16(0x2400)), Sources: []string{"otbr"}, Status: StatusAnswered, ChildTableKnown: true},
		{ID: "rloc:0x2402", Rloc16: Ptr(Rloc16(0x2402)), Mode: &Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true},
			Sources: []string{"otbr"}, Status: StatusNotQueried},
		{ID: "rloc:0x2402", Rloc16: Ptr(Rloc16(0x2402)), IPv6: []string{mleid, "fd00:5a11::ff:fe00:2402"}, Sources: []string{"otbr"}},
		{ExtAddr: "bad7a8e7b2ca0b48", IPv6: []string{mleid}, Mode: &Mode{FullThreadDevice: true},
			Flags: []string{FlagInventoryOnly}, Sources: []string{"otbr"}},
		// Shares only an RLOC address: not the same device.
		{ExtAddr: "cccccccccccccccc", IPv6: []string{"fd00:5a11::ff:fe00:2402", "fe80::1"}, Flags: []string{FlagInventoryOnly}, Sources: []string{"otbr"}},
	}
	s.Links = []Link{{Kind: LinkChild, A: "ae983c48b31eb30a", B: "rloc:0x2402", LQIn: Ptr(3), Sources: []string{"otbr"}}}
	Normalize(s)
	n := s.Node("bad7a8e7b2ca0b48")
	if n == nil || n.Rloc16 == nil || *n.Rloc16 != 0x2402 || n.Role != RoleFTDChild || n.Parent == nil {
		t.Fatalf("child: %+v (nodes %v)", n, s.Shape().Nodes)
	}
	if s.Node("rloc:0x2402") != nil {
		t.Errorf("the child is on the map twice: %v", s.Shape().Nodes)
	}
	if len(s.NotSeen) != 1 || s.NotSeen[0].ID != "cccccccccccccccc" {
		t.Errorf("not seen %+v", s.NotSeen)
	}
}
