package meshbuild

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/matter/nodedump"
	"github.com/threadmap/threadmap/thread/topology"
)

func loadAll(t testing.TB) []Input {
	t.Helper()
	dumps, err := nodedump.ReadPath(context.Background(), fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	var ins []Input
	for _, d := range dumps {
		n, err := nodedump.Decode(d.Data)
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, Input{Node: n, Origin: filepath.Base(d.Origin), TakenAt: n.LastInterview})
	}
	return ins
}

// The whole directory: one topology per ext PAN ID; the sleepy sensors'
// dumps and the routers' dumps meet on the same parent.
func TestDirectoryMergesPerNetwork(t *testing.T) {
	res := Build(loadAll(t), time.Now())
	var keys []string
	for _, s := range res.Networks {
		keys = append(keys, s.Network.Key())
	}
	// Seven dumps share ext PAN ID 12054125955590472924 (a748dbb0ecc944dc);
	// the other four networks have one dump each.
	if len(res.Networks) != 5 || keys[0] != "a748dbb0ecc944dc" {
		t.Fatalf("networks %v", keys)
	}
	home := res.Largest()
	if home.Network.Name != "MyHome" || home.Network.PanID != "0x1234" || home.Network.Channel != 25 || home.Network.MeshLocalPrefix != "fd00:db8:a0::/64" {
		t.Errorf("network %+v", home.Network)
	}
	// Router 12864791528929066571 = b288ebbc27457e4b (RLOC16 0x2c00) has no
	// dump of its own: the thermostat and the shutter list it as a router
	// neighbor, Eve Thermo (0x2c03) and the Zemismart motor as their parent.
	for _, child := range []string{"de33f946aea695cc", "b659edf83108ff0d"} {
		n := home.Node(child)
		if n == nil || n.Parent == nil || *n.Parent != "b288ebbc27457e4b" {
			t.Errorf("child %s: %+v", child, n)
		}
	}
	for _, r := range []string{"92983076cde4174b", "5a2e7ff293f479d6"} {
		if findLink(home, r, "b288ebbc27457e4b") == nil {
			t.Errorf("no router link %s - b288ebbc27457e4b", r)
		}
	}
	if n := home.Node("de33f946aea695cc"); n.Name != "Eve Thermo 20ECD1701" || n.Vendor != "Eve Systems" || n.MatterNodeID != 12 {
		t.Errorf("names: %+v", n)
	}
	// Aqara P2 has no cluster 53: placed by its RLOC address inside the
	// network's mesh-local prefix (fd00:db8:a0::ff:fe00:7405).
	p2 := home.Node("4e98d503c57d26e4")
	if p2 == nil || p2.Rloc16 == nil || *p2.Rloc16 != 0x7405 || !p2.HasFlag(FlagNoThreadDiagnostics) || p2.Parent == nil || *p2.Parent != "rloc:0x7400" {
		t.Errorf("aqara p2: %+v", p2)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{
		"matter node 20 (Aqara Aqara Smart Lock U200)",      // Thread, network unknown
		"matter node 33 (Eve Systems Eve Thermo 20EBP1701)", // no ext address, no RLOC16
		"matter node 29 (Eve Systems Eve Weather)",
		"0/53/5: mesh-local prefix",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if got := home.Scan.Sources[0]; got.Name != SourceName || got.Queried != 8 || got.Answered != 8 {
		t.Errorf("report %+v", got)
	}
	// The contact sensor's network: its parent known from its neighbor table only.
	door := res.Network("52fe7495632d4fbb")
	if door == nil {
		t.Fatal("network 52fe7495632d4fbb missing")
	}
	if n := door.Node("62d9971c527f7619"); n == nil || n.Parent == nil || *n.Parent != "b2a4798ed38fc3e4" {
		t.Errorf("eve door: %+v", n)
	}
	if n := door.Node("b2a4798ed38fc3e4"); n == nil || n.Role != topology.RoleLeader {
		t.Errorf("leader (router id 1 = leader router id 1): %+v", n)
	}
}

// TestEachDeviceOnce (issue 14): the home network's dumps were read in
// different partitions; the thermostat's own dump is router 0x6800, the
// shutter's route table names router 0xd400 with its ext address, and the
// shutter switch's (another partition) names routers 0x6800 and 0xd400
// without one. Those are the same two routers, drawn once each; no
// RLOC16 is on the map twice.
func TestEachDeviceOnce(t *testing.T) {
	home := Build(loadAll(t), time.Now()).Largest()
	seen := map[topology.Rloc16]string{}
	for _, n := range home.Nodes {
		if n.Rloc16 == nil {
			continue
		}
		if other, dup := seen[*n.Rloc16]; dup {
			t.Errorf("RLOC16 %s twice: %s and %s", n.Rloc16, other, n.ID)
		}
		seen[*n.Rloc16] = n.ID
	}
	for rloc, want := range map[topology.Rloc16]string{0x6800: "92983076cde4174b", 0xd400: "6253edc59d155d04"} {
		if seen[rloc] != want {
			t.Errorf("router %s is %q, want %s", rloc, seen[rloc], want)
		}
	}
	// The shutter switch: a REED by its own RoutingRole, child of 0xd400.
	sw := home.Node("8601b706a1209fef")
	if sw == nil || sw.Role != topology.RoleREED || sw.RouterEligible == nil || !*sw.RouterEligible ||
		sw.Parent == nil || *sw.Parent != "6253edc59d155d04" {
		t.Errorf("shutter switch: %+v", sw)
	}
	// Counters under the model's names, whatever Matter calls them.
	th := home.Node("92983076cde4174b")
	if _, ok := th.Counters[topology.CounterMLEChildRole]; !ok || th.Counters["child_role_count"] != 0 {
		t.Errorf("thermostat counters %v", th.Counters)
	}
	if th.Counters[topology.CounterMACTxTotal] < th.Counters[topology.CounterMACTxAcked] {
		t.Errorf("tx total %d < acked %d", th.Counters[topology.CounterMACTxTotal], th.Counters[topology.CounterMACTxAcked])
	}
}

// A Wi-Fi device (Home Assistant's device_diagnostics shape: 0/51/0 type 1,
// every 0/53 attribute null) is listed, not mapped.
func TestWiFiDeviceListed(t *testing.T) {
	doc := `{"node_id": 5, "available": true, "attributes": {"0/40/1": "Nabu Casa", "0/40/3": "M5STAMP Lighting App",
	  "0/51/0": [{"0": "WIFI_STA_DEF", "1": true, "2": null, "3": null, "4": "YFX5V0js", "5": ["wKgBIw=="], "6": ["/oAAAAAAAABiVfn//ldI7A=="], "7": 1}],
	  "0/53/0": null, "0/53/4": null, "0/53/7": null, "0/53/65533": 1}}`
	d, err := nodedump.ParseDocument([]byte(doc), "wifi.json")
	if err != nil {
		t.Fatal(err)
	}
	n, _ := nodedump.Decode(d[0].Data)
	if n.Thread != nil {
		t.Fatalf("all-null cluster decoded as present")
	}
	ins := append(loadAll(t), Input{Node: n, Origin: "wifi.json"})
	res := Build(ins, time.Now())
	if !strings.Contains(strings.Join(res.Largest().Scan.Sources[0].Notes, "\n"), "matter node 5 (Nabu Casa M5STAMP Lighting App) [wifi.json]: not on a Thread map (Wi-Fi device)") {
		t.Errorf("notes %v", res.Notes)
	}
	for _, s := range res.Networks {
		for _, node := range s.Nodes {
			if node.MatterNodeID == 5 {
				t.Errorf("Wi-Fi device on the Thread map: %+v", node)
			}
		}
	}
}

func FuzzBuild(f *testing.F) {
	entries, _ := os.ReadDir(fixtureDir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(fixtureDir, e.Name()))
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dumps, err := nodedump.ParseDocument(b, "fuzz")
		if err != nil {
			return
		}
		var ins []Input
		for _, d := range dumps {
			n, err := nodedump.Decode(d.Data)
			if err != nil {
				t.Fatal(err)
			}
			ins = append(ins, Input{Node: n})
		}
		res := Build(ins, time.Unix(0, 0))
		for _, s := range res.Networks {
			if _, err := s.JSON(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestRoutingRoleSaysEligibility: the Matter SDK reports an rx-on child as
// REED only when it is router eligible, else as EndDevice. With the FTD
// mode its parent's neighbor table shows, EndDevice is a FED, REED a REED;
// a child with no dump of its own stays the neutral ftd-child.
func TestRoutingRoleSaysEligibility(t *testing.T) {
	xp := uint64(0x1111222233334444)
	part := uint32(42)
	thread := func(role nodedump.RoutingRole, ext uint64, rloc uint16, nbs ...nodedump.NeighborEntry) *nodedump.Node {
		r := role
		e, rl := ext, rloc
		return &nodedump.Node{NodeID: ext, Available: true, Thread: &nodedump.ThreadNetworkDiagnostics{RoutingRole: &r,
			ExtendedPanID: &xp, PartitionID: &part, ExtAddress: &e, Rloc16: &rl, NeighborTable: nbs}}
	}
	ftdChild := func(ext uint64, rloc uint16) nodedump.NeighborEntry {
		return nodedump.NeighborEntry{ExtAddress: ext, Rloc16: rloc, LQI: 3, RxOnWhenIdle: true, FullThreadDevice: true,
			FullNetworkData: true, IsChild: true}
	}
	router := thread(nodedump.RoleLeader, 0xa0, 0x0400, ftdChild(0xb1, 0x0401), ftdChild(0xb2, 0x0402), ftdChild(0xb3, 0x0403))
	res := Build([]Input{{Node: router}, {Node: thread(nodedump.RoleEndDevice, 0xb1, 0x0401)},
		{Node: thread(nodedump.RoleREED, 0xb2, 0x0402)}}, time.Unix(0, 0))
	s := res.Largest()
	for ext, want := range map[uint64]topology.Role{0xb1: topology.RoleFED, 0xb2: topology.RoleREED, 0xb3: topology.RoleFTDChild} {
		n := s.Node(topology.ExtAddress(ext).String())
		if n == nil || n.Role != want || n.Parent == nil {
			t.Errorf("child %x: %+v, want %s", ext, n, want)
		}
	}
}
