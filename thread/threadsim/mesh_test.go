package threadsim

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/topology"
)

func TestGenerateShapes(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		routers int
		nodes   int
	}{
		{"default", Options{Seed: 1}, 5, 40},
		{"big", Options{Seed: 2, Nodes: 250, Routers: 32}, 32, 250},
		{"derived routers", Options{Seed: 3, Nodes: 300}, 32, 300},
		{"single router", Options{Seed: 4, Nodes: 1}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Generate(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Routers) != tt.routers || len(m.Nodes()) != tt.nodes {
				t.Fatalf("got %d routers / %d nodes, want %d / %d", len(m.Routers), len(m.Nodes()), tt.routers, tt.nodes)
			}
			brs := m.BorderRouters()
			if len(brs) < 1 || len(brs) > 3 {
				t.Errorf("%d border routers, want 1–3", len(brs))
			}
			for _, b := range brs {
				if b.BorderRouter.Vendor == "" || b.BorderRouter.Model == "" || b.BorderRouter.Instance == "" {
					t.Errorf("border router %s lacks vendor/model/instance: %+v", b.Rloc16, b.BorderRouter)
				}
			}
			for _, n := range m.Nodes() {
				if n.Name == "" || n.Vendor == "" {
					t.Errorf("node %s has no name/vendor", n.Rloc16)
				}
				if n.IsRouter() && n.Rloc16.RouterID() > topology.MaxRouterID {
					t.Errorf("router ID %d out of range", n.Rloc16.RouterID())
				}
			}
			truth := m.Truth()
			if len(truth.Nodes) != tt.nodes {
				t.Errorf("truth has %d nodes, want %d", len(truth.Nodes), tt.nodes)
			}
			sh := truth.Shape()
			if len(sh.Parents) != tt.nodes-tt.routers {
				t.Errorf("truth has %d parent-child pairs, want %d", len(sh.Parents), tt.nodes-tt.routers)
			}
			if len(sh.RouterLinks) != len(m.Links) {
				t.Errorf("truth has %d router links, want %d", len(sh.RouterLinks), len(m.Links))
			}
			leaders := 0
			for _, n := range truth.Nodes {
				if n.Role == topology.RoleLeader {
					leaders++
				}
				if n.HasFlag(topology.FlagInferred) || n.HasFlag(topology.FlagNotInParentTable) {
					t.Errorf("truth node %s flagged %v", n.ID, n.Flags)
				}
			}
			if leaders != 1 {
				t.Errorf("%d leaders in truth", leaders)
			}
		})
	}
}

func TestGenerateRealistic(t *testing.T) {
	m, err := Generate(Options{Seed: 42, Nodes: 250, Routers: 32})
	if err != nil {
		t.Fatal(err)
	}
	if d := m.Depth(m.Leader); d < 3 {
		t.Errorf("depth from the leader %d: want a multi-hop mesh", d)
	}
	lqs := map[int]int{}
	for _, l := range m.Links {
		lqs[l.LQA]++
		lqs[l.LQB]++
	}
	if len(lqs) < 3 {
		t.Errorf("link qualities %v: want a mix of 1, 2 and 3", lqs)
	}
	roles := map[topology.Role]int{}
	for _, n := range m.Truth().Nodes {
		roles[n.Role]++
	}
	// rx-on FTD children are ftd-child: the truth is what the wire
	// protocols the simulator speaks (TMF, OTBR REST) can know.
	for _, r := range []topology.Role{topology.RoleFTDChild, topology.RoleEndDevice, topology.RoleSleepyEndDevice} {
		if roles[r] == 0 {
			t.Errorf("no %s in %v", r, roles)
		}
	}
	// Every router reaches every other.
	for _, a := range m.Routers {
		for _, b := range m.Routers {
			if m.RouteCost(a, b) >= unreachable {
				t.Fatalf("%s cannot reach %s", a.Rloc16, b.Rloc16)
			}
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	a, err := Generate(Options{Seed: 9, Nodes: 80})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate(Options{Seed: 9, Nodes: 80})
	c, _ := Generate(Options{Seed: 10, Nodes: 80})
	ja, _ := a.Truth().JSON()
	jb, _ := b.Truth().JSON()
	jc, _ := c.Truth().JSON()
	strip := func(b []byte) string { return string(b[strings.Index(string(b), `"network"`):]) }
	if strip(ja) != strip(jb) {
		t.Error("same seed gave different meshes")
	}
	if strip(ja) == strip(jc) {
		t.Error("different seeds gave the same mesh")
	}
}

func TestGenerateErrors(t *testing.T) {
	for _, o := range []Options{
		{Nodes: -1},
		{Nodes: 10, Routers: 33},
		{Nodes: 3, Routers: 5},
		{Nodes: 10, Routers: 2, BorderRouters: 3},
		{Nodes: 10, SleepyFraction: 0.8, FEDFraction: 0.5},
	} {
		if _, err := Generate(o); err == nil {
			t.Errorf("Generate(%+v): no error", o)
		}
	}
}

func TestLoadScenario(t *testing.T) {
	m, err := LoadScenario(filepath.Join("testdata", "home.json"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Network.Name != "MyHome" || m.Network.PanID != 0x1234 || m.Network.Channel != 15 ||
		m.Network.ExtPanID != 0xdead00beef00cafe || m.Network.PartitionID != 123456 {
		t.Errorf("network %+v", m.Network)
	}
	if got := m.Network.MeshLocalPrefixString(); got != "fd11:22::/64" {
		t.Errorf("prefix %s", got)
	}
	if m.Leader.Rloc16 != 0x0400 || m.Leader.BorderRouter == nil || m.Leader.BorderRouter.Model != "HomePod mini" {
		t.Errorf("leader %+v", m.Leader)
	}
	sh := m.Truth().Shape()
	wantParents := map[string]string{}
	for _, c := range m.Children {
		wantParents[c.ExtAddr.String()] = c.Parent.ExtAddr.String()
	}
	if !reflect.DeepEqual(sh.Parents, wantParents) {
		t.Errorf("parents %v, want %v", sh.Parents, wantParents)
	}
	wantLinks := map[string]bool{
		"1a2b3c4d5e6f7081 22aa33bb44cc55dd": true,
		"1a2b3c4d5e6f7081 3366aa55ff110022": true,
		"3366aa55ff110022 4a5b6c7d8e9f0011": true,
	}
	if !reflect.DeepEqual(sh.RouterLinks, wantLinks) {
		t.Errorf("router links %v", sh.RouterLinks)
	}
	if got := sh.Nodes["1a2b3c4d5e6f7081"]; got != "0x0400 leader" {
		t.Errorf("leader shape %q", got)
	}
	if m.Hops(m.Leader, m.Node(0xc801)) != 3 {
		t.Errorf("hops leader→0xc801 = %d, want 3", m.Hops(m.Leader, m.Node(0xc801)))
	}
	if m.Radio.HopLatency.Milliseconds() != 5 {
		t.Errorf("radio %+v", m.Radio)
	}
}

func TestParseScenarioErrors(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"empty", `{}`, "nothing to simulate"},
		{"unknown field", `{"bogus": 1}`, "unknown field"},
		{"both", `{"generate": {"nodes": 3}, "routers": [{"rloc16": "0x0400", "leader": true}]}`, "not both"},
		{"no leader", `{"routers": [{"rloc16": "0x0400"}]}`, "leader"},
		{"child rloc as router", `{"routers": [{"rloc16": "0x0401", "leader": true}]}`, "not a router"},
		{"orphan", `{"routers": [{"rloc16": "0x0400", "leader": true}], "children": [{"rloc16": "0x0801"}]}`, "parent router 0x0800"},
		{"split", `{"routers": [{"rloc16": "0x0400", "leader": true}, {"rloc16": "0x0800"}]}`, "split"},
		{"bad lq", `{"routers": [{"rloc16": "0x0400", "leader": true}, {"rloc16": "0x0800"}], "links": [{"a": "0x0400", "b": "0x0800", "lq_a": 4, "lq_b": 1}]}`, "link qualities"},
		{"bad mode", `{"routers": [{"rloc16": "0x0400", "leader": true}], "children": [{"rloc16": "0x0401", "mode": "x"}]}`, "mode"},
		{"bad prefix", `{"network": {"mesh_local_prefix": "fd00::/48"}, "generate": {"nodes": 3}}`, "mesh_local_prefix"},
		{"bad loss", `{"generate": {"nodes": 3}, "radio": {"loss": 1.5}}`, "loss"},
		{"dup rloc", `{"routers": [{"rloc16": "0x0400", "leader": true}, {"rloc16": "0x0400"}]}`, "used twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseScenario([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestAirtime(t *testing.T) {
	// One full frame: (80 + 47) × 8 / 250 kbit/s = 4.064 ms; 81 bytes take two frames: (81 + 94) × 8 / 250k = 5.6 ms.
	if got := Airtime(80, 250000); got.Microseconds() != 4064 {
		t.Errorf("Airtime(80) = %v", got)
	}
	if got := Airtime(81, 250000); got.Microseconds() != 5600 {
		t.Errorf("Airtime(81) = %v", got)
	}
	if Airtime(100, -1) != 0 {
		t.Error("negative bit rate must disable airtime")
	}
}
