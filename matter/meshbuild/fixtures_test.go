package meshbuild

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/matter/nodedump"
	"github.com/threadmap/threadmap/thread/topology"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// fixtureDir holds the real node dumps (Home Assistant test fixtures).
var fixtureDir = topologytest.Fixtures("matter_nodes", "ha_core")

func i8(v int8) *int8 { return &v }

// nb and rt build expected entries in the file's field order.
func nb(ext uint64, age uint32, rloc uint16, lfc, mfc uint32, lqi uint8, avg, last int8, fer, mer uint8, rx, ftd, fnd, child bool) nodedump.NeighborEntry {
	return nodedump.NeighborEntry{ExtAddress: ext, Age: age, Rloc16: rloc, LinkFrameCounter: lfc, MleFrameCounter: mfc, LQI: lqi,
		AverageRssi: i8(avg), LastRssi: i8(last), FrameErrorRate: fer, MessageErrorRate: mer, RxOnWhenIdle: rx, FullThreadDevice: ftd, FullNetworkData: fnd, IsChild: child}
}

func rt(ext uint64, rloc uint16, rid, next, cost, lqin, lqout, age uint8, alloc, link bool) nodedump.RouteEntry {
	return nodedump.RouteEntry{ExtAddress: ext, Rloc16: rloc, RouterID: rid, NextHop: next, PathCost: cost, LQIIn: lqin, LQIOut: lqout, Age: age, Allocated: alloc, LinkEstablished: link}
}

// dumpCase is what one dump says, written by hand from the file.
type dumpCase struct {
	file      string
	nodeID    uint64
	ext       string // from 0/51/0 HardwareAddress (base64 → hex by hand)
	rloc      string // "" when the dump does not tell
	role      topology.Role
	extPanID  uint64
	partition uint32
	neighbors int
	routes    int
	nbAt      map[int]nodedump.NeighborEntry
	rtAt      map[int]nodedump.RouteEntry
	// routerLinks: "peer lqIn lqOut pathCost" as the node's RouteTable says
	// (LinkEstablished entries), LQ from the node's own view.
	routerLinks []string
	// nbQuality: "peer lqi avgRssi" from the NeighborTable.
	nbQuality []string
	children  []string // IsChild neighbors
	parent    string   // the child's parent node id
}

var dumpCases = []dumpCase{
	{
		file: "eve_energy_20ecn4101.json", nodeID: 199, ext: "2e466e52243a02dd", rloc: "0xb800", role: topology.RoleRouter,
		extPanID: 17277589289082308718, partition: 1615974939, neighbors: 21, routes: 31,
		nbAt: map[int]nodedump.NeighborEntry{
			0:  nb(15188750886080278579, 0, 47150, 41193, 81, 3, -65, -66, 34, 8, false, false, false, true),
			5:  nb(5086511412530643128, 15, 5120, 336500, 12734, 3, -65, -66, 89, 21, true, true, true, false),
			20: nb(17750557866087337571, 51, 61440, 14533, 4780, 1, -93, -94, 22, 0, true, true, true, false),
		},
		rtAt: map[int]nodedump.RouteEntry{
			0:  rt(5086511412530643128, 5120, 5, 32, 2, 3, 2, 16, true, true),
			13: rt(0, 36864, 36, 5, 1, 0, 0, 218, true, false),
			21: rt(3334473873188586205, 47104, 46, 63, 0, 0, 0, 0, true, false),
			30: rt(438305107144379357, 62464, 61, 32, 2, 0, 0, 4, true, false),
		},
		routerLinks: []string{
			"4696eb2e21dc00b8 3 2 2", "a2f71da6fa730c6d 2 3 1", "561fc94d3821bc5a 2 0 1", "d2708310fc70acbc 3 1 1",
			"5aebf616571f4314 3 1 2", "f61c45fed7ada044 2 1 1", "9ef9406cffbe7e0a 2 0 2", "128d374b3860f84e 3 1 2",
			"1af8c3188418faca 2 1 1", "12854d6b45bc174e 2 1 1", "2a75a620fd656031 3 3 2", "0609272ac6c90024 1 0 2",
			"424a0e0a2e5518a1 2 2 2", "7632e38020824baf 2 1 1", "ce3e9bffc0f5dc63 2 0 2", "f656a6552d26ce63 1 0 1",
		},
		nbQuality: []string{"4696eb2e21dc00b8 3 -65", "0609272ac6c90024 1 -89", "f656a6552d26ce63 1 -93", "2a75a620fd656031 3 -62"},
		children:  []string{"d2c948751ab6f033", "563b59649adf586f", "3214d91599872e70", "d2bd908850f323ae", "1e0536b5f12b5d8b"},
	},
	{
		file: "eve_energy_plug.json", nodeID: 61, ext: "ca6b4a23f6f8bbee", rloc: "0xd400", role: topology.RoleRouter,
		extPanID: 8211480967175688173, partition: 1828774034, neighbors: 8, routes: 13,
		nbAt: map[int]nodedump.NeighborEntry{
			0: nb(13418684826835773064, 9, 3072, 56455, 84272, 1, -89, -88, 16, 0, true, true, true, false),
			7: nb(9121696247933828996, 48, 53248, 651530, 161559, 3, -70, -71, 15, 0, true, true, true, false),
		},
		rtAt: map[int]nodedump.RouteEntry{
			0:  rt(13418684826835773064, 3072, 3, 15, 1, 1, 1, 9, true, true),
			1:  rt(0, 7168, 7, 21, 1, 0, 0, 76, true, false),
			12: rt(14585833336497290222, 54272, 53, 63, 0, 0, 0, 0, true, false),
		},
		routerLinks: []string{
			"ba38bec138786688 1 1 1", "2a631c4d083c1dd8 3 3 1", "32a918af964ef8d5 3 3 1", "a61704a782beea65 3 2 1",
			"ee17cbb02894230c 1 0 1", "f6c7389650c5e067 2 2 1", "72db6271837baf7a 2 2 1", "7e96c6689f1bff84 3 3 1",
		},
		nbQuality: []string{"32a918af964ef8d5 3 -17", "ee17cbb02894230c 1 -92"},
	},
	{
		file: "aqara_thermostat_w500.json", nodeID: 100, ext: "92983076cde4174b", rloc: "0x6800", role: topology.RoleRouter,
		extPanID: 12054125955590472924, partition: 1938283056, neighbors: 10, routes: 11,
		nbAt: map[int]nodedump.NeighborEntry{
			0: nb(12864791528929066571, 11, 11264, 2233726, 118884, 3, -42, -42, 31, 0, true, true, true, false),
			1: nb(13438285129078731668, 96, 16384, 655698, 143904, 0, -104, -103, 0, 0, true, true, true, false),
			9: nb(10848996971365580420, 18, 60416, 2657635, 129706, 3, -72, -73, 16, 0, true, true, true, false),
		},
		rtAt: map[int]nodedump.RouteEntry{
			0:  rt(12864791528929066571, 11264, 11, 27, 1, 3, 3, 11, true, true),
			4:  rt(10563246212816049995, 26624, 26, 63, 0, 0, 0, 0, true, false),
			10: rt(10848996971365580420, 60416, 59, 11, 1, 3, 3, 18, true, true),
		},
		routerLinks: []string{
			"b288ebbc27457e4b 3 3 1", "ba7e61203526f394 0 2 2", "7a9b5db7f2339496 3 3 1", "72b3de9b6e9770d2 1 3 1",
			"c6b5e43153b3d517 3 3 1", "0ac6542c9fc3241c 3 3 1", "3ec8bd3cb2e287da 0 2 1", "1e905140a7b51123 3 3 1",
			"3a5ed4534c024024 1 2 1", "968f6143d788be84 3 3 1",
		},
		nbQuality: []string{"ba7e61203526f394 0 -104", "3ec8bd3cb2e287da 0 -98", "b288ebbc27457e4b 3 -42"},
	},
	{
		file: "eve_shutter.json", nodeID: 148, ext: "5a2e7ff293f479d6", rloc: "0xa000", role: topology.RoleRouter,
		extPanID: 12054125955590472924, partition: 1938283056, neighbors: 8, routes: 9,
		nbAt: map[int]nodedump.NeighborEntry{
			0: nb(12864791528929066571, 28, 11264, 411672, 11555, 3, -53, -53, 44, 0, true, true, true, false),
			4: nb(2202349555917590819, 22, 45056, 86183, 25554, 3, -78, -85, 3, 0, true, true, true, false),
			7: nb(10848996971365580420, 17, 60416, 318410, 10506, 3, -61, -62, 43, 0, true, true, true, false),
		},
		rtAt: map[int]nodedump.RouteEntry{
			0: rt(12864791528929066571, 11264, 11, 27, 1, 3, 3, 28, true, true),
			4: rt(6498271992183290326, 40960, 40, 63, 0, 0, 0, 0, true, false),
			8: rt(10848996971365580420, 60416, 59, 11, 1, 3, 3, 17, true, true),
		},
		routerLinks: []string{
			"b288ebbc27457e4b 3 3 1", "ba7e61203526f394 1 2 1", "72b3de9b6e9770d2 2 3 1", "c6b5e43153b3d517 3 3 1",
			"1e905140a7b51123 3 2 1", "3a5ed4534c024024 3 3 1", "6253edc59d155d04 3 3 2", "968f6143d788be84 3 3 1",
		},
		nbQuality: []string{"b288ebbc27457e4b 3 -53", "ba7e61203526f394 1 -89"},
	},
	{
		file: "ikea_air_quality_monitor.json", nodeID: 37, ext: "96eebeb3817f032d", rloc: "0x5800", role: topology.RoleRouter,
		extPanID: 9392522397644302862, partition: 1480351908, neighbors: 3, routes: 4,
		nbAt: map[int]nodedump.NeighborEntry{
			0: nb(5108332922748889228, 8, 12288, 6551, 8526, 3, -62, -62, 0, 0, true, true, true, false),
			2: nb(16001855347709553818, 2, 49152, 140736, 16260, 3, -75, -75, 36, 1, true, true, true, false),
		},
		rtAt: map[int]nodedump.RouteEntry{
			1: rt(0, 22528, 22, 63, 0, 0, 0, 0, true, false),
			3: rt(16001855347709553818, 49152, 48, 37, 1, 3, 2, 2, true, true),
		},
		routerLinks: []string{"46e471ba66e1688c 3 3 1", "de5837360b723ead 3 3 1", "de1202a84369ac9a 3 2 1"},
		nbQuality:   []string{"de1202a84369ac9a 3 -75"},
	},
	{
		// A REED: three router neighbors (not mesh links of a child), and
		// its parent 0xd400 known only by RLOC16 (ext 0 in its RouteTable).
		file: "aqara_shutter_switch_h2.json", nodeID: 193, ext: "8601b706a1209fef", rloc: "0xd413", role: topology.RoleREED,
		extPanID: 12054125955590472924, partition: 831392105, neighbors: 3, routes: 10,
		nbAt: map[int]nodedump.NeighborEntry{
			0: nb(7684895770532068360, 11, 13312, 345810, 17279, 3, -73, -73, 0, 0, true, true, true, false),
			2: nb(4206032556233211940, 22, 53248, 232648, 45717, 2, -80, -80, 0, 0, true, true, true, false),
		},
		rtAt: map[int]nodedump.RouteEntry{
			0: rt(7684895770532068360, 13312, 13, 53, 1, 3, 3, 11, true, true),
			9: rt(0, 54272, 53, 63, 0, 0, 0, 182, true, false),
		},
		parent: "rloc:0xd400",
	},
	{
		// Older dump (interview_version 4): structs keyed by field name; no
		// RLOC16 anywhere, so the single neighbor names the parent.
		file: "eve_contact_sensor.json", nodeID: 9, ext: "62d9971c527f7619", role: topology.RoleSleepyEndDevice,
		extPanID: 5980345540157460411, partition: 2040160480, neighbors: 1, routes: 1,
		nbAt:      map[int]nodedump.NeighborEntry{0: nb(12872547289273451492, 654, 1024, 738, 418, 3, -50, -51, 5, 0, true, true, true, false)},
		rtAt:      map[int]nodedump.RouteEntry{0: rt(12872547289273451492, 1024, 1, 0, 0, 3, 3, 142, true, true)},
		nbQuality: []string{"b2a4798ed38fc3e4 3 -50"},
		parent:    "b2a4798ed38fc3e4",
	},
	{
		file: "eve_thermo_v5.json", nodeID: 12, ext: "de33f946aea695cc", rloc: "0x2c03", role: topology.RoleSleepyEndDevice,
		extPanID: 12054125955590472924, partition: 1775826714, neighbors: 1, routes: 1,
		nbAt:      map[int]nodedump.NeighborEntry{0: nb(12864791528929066571, 12, 11264, 1787623, 77786, 3, -50, -51, 28, 0, true, true, true, false)},
		rtAt:      map[int]nodedump.RouteEntry{0: rt(12864791528929066571, 11264, 11, 0, 0, 3, 0, 12, true, true)},
		nbQuality: []string{"b288ebbc27457e4b 3 -50"},
		parent:    "b288ebbc27457e4b",
	},
	{
		file: "zemismart_mt25b.json", nodeID: 122, ext: "b659edf83108ff0d", role: topology.RoleSleepyEndDevice,
		extPanID: 12054125955590472924, partition: 1005735192, neighbors: 1, routes: 1,
		nbAt:      map[int]nodedump.NeighborEntry{0: nb(12864791528929066571, 63, 11264, 827766, 15637, 3, -24, -24, 38, 0, true, true, true, false)},
		rtAt:      map[int]nodedump.RouteEntry{0: rt(12864791528929066571, 11264, 11, 0, 0, 3, 3, 63, true, true)},
		nbQuality: []string{"b288ebbc27457e4b 3 -24"},
		parent:    "b288ebbc27457e4b",
	},
}

func loadOne(t *testing.T, file string) *nodedump.Node {
	t.Helper()
	dumps, err := nodedump.ReadPath(context.Background(), filepath.Join(fixtureDir, file))
	if err != nil {
		t.Fatal(err)
	}
	if len(dumps) != 1 {
		t.Fatalf("%s: %d nodes, want 1", file, len(dumps))
	}
	n, err := nodedump.Decode(dumps[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFixtureTablesAndLinks(t *testing.T) {
	for _, c := range dumpCases {
		t.Run(c.file, func(t *testing.T) {
			n := loadOne(t, c.file)
			if n.NodeID != c.nodeID {
				t.Errorf("node id %d, want %d", n.NodeID, c.nodeID)
			}
			th := n.Thread
			if th == nil {
				t.Fatal("no Thread Network Diagnostics decoded")
			}
			if th.ExtendedPanID == nil || *th.ExtendedPanID != c.extPanID {
				t.Errorf("ext PAN ID %v, want %d", th.ExtendedPanID, c.extPanID)
			}
			if th.PartitionID == nil || *th.PartitionID != c.partition {
				t.Errorf("partition %v, want %d", th.PartitionID, c.partition)
			}
			if len(th.NeighborTable) != c.neighbors || len(th.RouteTable) != c.routes {
				t.Fatalf("tables %d/%d entries, want %d/%d", len(th.NeighborTable), len(th.RouteTable), c.neighbors, c.routes)
			}
			for i, want := range c.nbAt {
				if got := th.NeighborTable[i]; !reflect.DeepEqual(got, want) {
					t.Errorf("neighbor %d:\n got %+v\nwant %+v", i, got, want)
				}
			}
			for i, want := range c.rtAt {
				if got := th.RouteTable[i]; got != want {
					t.Errorf("route %d:\n got %+v\nwant %+v", i, got, want)
				}
			}
			id := Identify(n)
			if id.ExtAddr.String() != c.ext {
				t.Errorf("ext %s (%s), want %s", id.ExtAddr, id.ExtFrom, c.ext)
			}
			gotRloc := ""
			if id.Rloc16 != nil {
				gotRloc = id.Rloc16.String()
			}
			if gotRloc != c.rloc {
				t.Errorf("rloc16 %q (%s), want %q", gotRloc, id.RlocFrom, c.rloc)
			}
			if len(id.Conflicts) != 0 {
				t.Errorf("identity conflicts: %v", id.Conflicts)
			}

			res := Build([]Input{{Node: n, Origin: c.file, TakenAt: n.LastInterview}}, time.Now())
			if len(res.Networks) != 1 {
				t.Fatalf("%d networks, want 1", len(res.Networks))
			}
			s := res.Networks[0]
			if s.Network.ExtPanID != fmt.Sprintf("%016x", c.extPanID) {
				t.Errorf("network ext PAN ID %s", s.Network.ExtPanID)
			}
			self := s.Node(c.ext)
			if self == nil {
				t.Fatalf("node %s missing", c.ext)
			}
			if self.Role != c.role {
				t.Errorf("role %s, want %s", self.Role, c.role)
			}
			if self.MatterNodeID != c.nodeID || self.Vendor == "" || self.Model == "" {
				t.Errorf("matter node id %d vendor %q model %q", self.MatterNodeID, self.Vendor, self.Model)
			}
			// Router links: exactly the LinkEstablished routes, with the
			// node's own LQ in/out (and path cost where the link keeps it).
			var gotLinks []string
			for _, l := range s.Links {
				if l.Kind != topology.LinkRouter {
					continue
				}
				if l.A != c.ext && l.B != c.ext {
					t.Errorf("router link %s-%s not from the reporting node", l.A, l.B)
					continue
				}
				peer, in, out := l.B, l.LQIn, l.LQOut
				if l.B == c.ext {
					peer, in, out = l.A, l.LQOut, l.LQIn
				}
				cost := "-"
				if l.RouteCost != nil {
					cost = fmt.Sprint(*l.RouteCost)
				}
				gotLinks = append(gotLinks, fmt.Sprintf("%s %d %d %s", peer, deref(in), deref(out), cost))
			}
			var wantLinks []string
			for _, w := range c.routerLinks {
				f := strings.Fields(w)
				if c.ext > f[0] { // the canonical link is (peer, self): the route cost is self's, not kept reversed
					f[3] = "-"
				}
				wantLinks = append(wantLinks, strings.Join(f, " "))
			}
			sort.Strings(gotLinks)
			sort.Strings(wantLinks)
			if !reflect.DeepEqual(gotLinks, wantLinks) {
				t.Errorf("router links:\n got %v\nwant %v", gotLinks, wantLinks)
			}
			for _, w := range c.nbQuality {
				f := strings.Fields(w)
				l := findLink(s, c.ext, f[0])
				if l == nil {
					t.Errorf("no link to %s", f[0])
					continue
				}
				if got := fmt.Sprintf("%s %d %d", f[0], deref(l.LQI), deref(l.RSSI)); got != w {
					t.Errorf("neighbor link quality %q, want %q", got, w)
				}
			}
			var gotChildren []string
			for _, l := range s.Links {
				if l.Kind == topology.LinkChild && l.A == c.ext && !l.Derived {
					gotChildren = append(gotChildren, l.B)
				}
			}
			sort.Strings(gotChildren)
			wantChildren := append([]string(nil), c.children...)
			sort.Strings(wantChildren)
			if !reflect.DeepEqual(gotChildren, wantChildren) {
				t.Errorf("children %v, want %v", gotChildren, wantChildren)
			}
			for _, ch := range c.children {
				if cn := s.Node(ch); cn == nil || cn.Parent == nil || *cn.Parent != c.ext || cn.Role != topology.RoleSleepyEndDevice {
					t.Errorf("child %s: %+v", ch, cn)
				}
				// All five children have LQI 3 in the file.
				if l := findLink(s, c.ext, ch); l == nil || deref(l.LQIn) != 3 {
					t.Errorf("child link %s: %+v", ch, l)
				}
			}
			gotParent := ""
			if self.Parent != nil {
				gotParent = *self.Parent
			}
			if gotParent != c.parent {
				t.Errorf("parent %q, want %q", gotParent, c.parent)
			}
		})
	}
}

func deref(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

func findLink(s *topology.Snapshot, a, b string) *topology.Link {
	for i := range s.Links {
		l := &s.Links[i]
		if (l.A == a && l.B == b) || (l.A == b && l.B == a) {
			return l
		}
	}
	return nil
}
