package health

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// mesh is a tiny mesh description: routers by router ID (the first leads),
// router links "a-b" or "a-b:lqin/lqout", children "parentRID.childNo[:mode]".
type mesh struct {
	routers  []int
	links    []string
	children []string
	edit     func(s *topology.Snapshot)
}

func rid(r int) string              { return fmt.Sprintf("%016x", 0x1000+r) }
func cid(r, c int) string           { return fmt.Sprintf("%016x", 0x2000+r*64+c) }
func rloc(r, c int) topology.Rloc16 { return topology.Rloc16(r<<10 | c) }

func (m mesh) build() *topology.Snapshot {
	s := topology.New(t0)
	s.Network.LeaderRouterID = topology.Ptr(m.routers[0])
	for _, r := range m.routers {
		s.Nodes = append(s.Nodes, topology.Node{ID: rid(r), ExtAddr: rid(r), Rloc16: topology.Ptr(rloc(r, 0)),
			Mode: &topology.Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true}, Sources: []string{"test"}, Status: topology.StatusAnswered})
	}
	for _, l := range m.links {
		var a, b, in, out int
		in, out = 3, 3
		if strings.Contains(l, ":") {
			fmt.Sscanf(l, "%d-%d:%d/%d", &a, &b, &in, &out)
		} else {
			fmt.Sscanf(l, "%d-%d", &a, &b)
		}
		s.Links = append(s.Links, topology.Link{Kind: topology.LinkRouter, A: rid(a), B: rid(b), LQIn: topology.Ptr(in), LQOut: topology.Ptr(out)})
	}
	for _, c := range m.children {
		var p, n int
		mode := "rn"
		spec, md, ok := strings.Cut(c, ":")
		if ok {
			mode = md
		}
		fmt.Sscanf(spec, "%d.%d", &p, &n)
		md2, _ := topology.ParseMode(mode)
		s.Nodes = append(s.Nodes, topology.Node{ID: cid(p, n), ExtAddr: cid(p, n), Rloc16: topology.Ptr(rloc(p, n)), Mode: &md2, Sources: []string{"test"}, Status: topology.StatusAnswered})
		s.Links = append(s.Links, topology.Link{Kind: topology.LinkChild, A: rid(p), B: cid(p, n), LQIn: topology.Ptr(3)})
	}
	if m.edit != nil {
		m.edit(s)
	}
	topology.Normalize(s)
	return s
}

func kinds(in []Insight, kind string) []Insight {
	var out []Insight
	for _, i := range in {
		if i.Kind == kind {
			out = append(out, i)
		}
	}
	return out
}

type want struct {
	sev   Severity
	nodes []string // exact, in order
}

func TestAnalyze(t *testing.T) {
	cases := []struct {
		name string
		mesh mesh
		kind string
		want []want
	}{
		{"chain: middle router cuts off the far one and its children",
			mesh{routers: []int{1, 2, 3}, links: []string{"1-2", "2-3"}, children: []string{"3.1", "3.2", "1.1"}},
			KindArticulationPoint, []want{{Warning, []string{rid(2), rid(3), cid(3, 1), cid(3, 2)}}}},
		{"triangle: no single point of failure",
			mesh{routers: []int{1, 2, 3}, links: []string{"1-2", "2-3", "1-3"}, children: []string{"3.1"}},
			KindArticulationPoint, nil},
		{"star around the leader: the largest group stays, the others are cut off",
			mesh{routers: []int{1, 2, 3, 4, 5}, links: []string{"1-2", "1-3", "1-4", "4-5"}},
			KindArticulationPoint, []want{{Warning, []string{rid(1), rid(2), rid(3)}}, {Warning, []string{rid(4), rid(5)}}}},
		{"a link of quality 0 carries nothing",
			mesh{routers: []int{1, 2, 3}, links: []string{"1-2", "2-3", "1-3:0/3"}},
			KindArticulationPoint, []want{{Warning, []string{rid(2), rid(3)}}}},
		{"weak links either way, child links too",
			mesh{routers: []int{1, 2, 3}, links: []string{"1-2:3/1", "2-3:0/2", "1-3:2/2"}, children: []string{"1.1"},
				edit: func(s *topology.Snapshot) { s.Links[len(s.Links)-1].LQIn = topology.Ptr(1) }},
			KindWeakLink, []want{{Critical, []string{rid(2), rid(3)}}, {Warning, []string{rid(1), rid(2)}}, {Warning, []string{rid(1), cid(1, 1)}}}},
		{"child capacity: default 10, 8 children is near",
			mesh{routers: []int{1}, children: []string{"1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8"}},
			KindChildCapacity, []want{{Warning, []string{rid(1), cid(1, 1), cid(1, 2), cid(1, 3), cid(1, 4), cid(1, 5), cid(1, 6), cid(1, 7), cid(1, 8)}}}},
		{"child capacity: 7 of 10 is fine",
			mesh{routers: []int{1}, children: []string{"1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"}},
			KindChildCapacity, nil},
		{"child capacity: the router's own maximum",
			mesh{routers: []int{1}, children: []string{"1.1", "1.2"}, edit: func(s *topology.Snapshot) { s.Nodes[0].MaxChildren = topology.Ptr(2) }},
			KindChildCapacity, []want{{Critical, []string{rid(1), cid(1, 1), cid(1, 2)}}}},
		{"two partitions",
			mesh{routers: []int{1, 2}, edit: func(s *topology.Snapshot) {
				s.Network.PartitionID = topology.Ptr(uint32(7))
				s.Nodes[0].PartitionID = topology.Ptr(uint32(7))
				s.Nodes[1].PartitionID = topology.Ptr(uint32(9))
			}},
			KindPartitions, []want{{Critical, []string{rid(2)}}}},
		{"one partition",
			mesh{routers: []int{1, 2}, links: []string{"1-2"}}, KindPartitions, nil},
		{"router count: a few",
			mesh{routers: []int{1, 2}, links: []string{"1-2"}}, KindRouterCount, []want{{Info, []string{rid(1), rid(2)}}}},
		{"inferred parent",
			mesh{routers: []int{1}, children: []string{"1.1"}, edit: func(s *topology.Snapshot) {
				s.Nodes = append(s.Nodes, topology.Node{ID: cid(5, 1), ExtAddr: cid(5, 1), Rloc16: topology.Ptr(rloc(5, 1)), Sources: []string{"test"}})
			}},
			KindFlagged + ":" + topology.FlagInferred, []want{{Info, []string{topology.RlocID(rloc(5, 0))}}}},
		{"not in the parent's child table",
			mesh{routers: []int{1}, children: []string{"1.1"}, edit: func(s *topology.Snapshot) {
				s.Nodes[0].ChildTableKnown = true
				s.Nodes = append(s.Nodes, topology.Node{ID: cid(1, 2), ExtAddr: cid(1, 2), Rloc16: topology.Ptr(rloc(1, 2)), Sources: []string{"test"}})
			}},
			KindFlagged + ":" + topology.FlagNotInParentTable, []want{{Warning, []string{cid(1, 2)}}}},
		{"unanswered sleepy child only",
			mesh{routers: []int{1}, children: []string{"1.1:-"}, edit: func(s *topology.Snapshot) { s.Nodes[1].Status = topology.StatusTimedOut }},
			KindUnanswered, []want{{Info, []string{cid(1, 1)}}}},
		{"a device only an inventory lists is not seen, not unanswered",
			mesh{routers: []int{1}, children: []string{"1.1"}, edit: func(s *topology.Snapshot) {
				s.Nodes = append(s.Nodes, topology.Node{ID: cid(1, 9), ExtAddr: cid(1, 9), Name: "Hall sensor", Status: topology.StatusTimedOut,
					Flags: []string{topology.FlagInventoryOnly}, Sources: []string{"otbr"}})
			}},
			KindNotSeen, []want{{Info, []string{cid(1, 9)}}}},
		{"unanswered router",
			mesh{routers: []int{1, 2}, links: []string{"1-2"}, edit: func(s *topology.Snapshot) { s.Nodes[1].Status = topology.StatusError }},
			KindUnanswered, []want{{Warning, []string{rid(2)}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			all := Analyze(c.mesh.build())
			got := kinds(all, c.kind)
			if len(got) != len(c.want) {
				b, _ := json.MarshalIndent(all, "", " ")
				t.Fatalf("%d %s insights, want %d:\n%s", len(got), c.kind, len(c.want), b)
			}
			for i, w := range c.want {
				if got[i].Severity != w.sev || !reflect.DeepEqual(got[i].Nodes, w.nodes) || got[i].Message == "" {
					t.Errorf("insight %d: %s %v %q; want %s %v", i, got[i].Severity, got[i].Nodes, got[i].Message, w.sev, w.nodes)
				}
			}
		})
	}
}

func TestRouterLimit(t *testing.T) {
	for _, c := range []struct {
		n   int
		sev Severity
	}{{27, Info}, {28, Warning}, {32, Warning}} {
		var rs []int
		for i := 0; i < c.n; i++ {
			rs = append(rs, i)
		}
		got := kinds(Analyze(mesh{routers: rs}.build()), KindRouterCount)
		if len(got) != 1 || got[0].Severity != c.sev || len(got[0].Nodes) != c.n || !strings.HasPrefix(got[0].Message, fmt.Sprintf("%d of at most 32", c.n)) {
			t.Errorf("%d routers: %+v", c.n, got)
		}
	}
}

func TestParentChurn(t *testing.T) {
	base := mesh{routers: []int{1, 2}, links: []string{"1-2"}}
	at := func(parent, minutes int) *topology.Snapshot {
		m := base
		m.children = []string{fmt.Sprintf("%d.1", parent)}
		s := m.build()
		s.TakenAt = t0.Add(time.Duration(minutes) * time.Minute)
		// The child keeps its ext address while it moves.
		for i := range s.Nodes {
			if s.Nodes[i].ID == cid(parent, 1) {
				s.Nodes[i].ID, s.Nodes[i].ExtAddr = "c0ffee0000000001", "c0ffee0000000001"
			}
		}
		for i := range s.Links {
			if s.Links[i].B == cid(parent, 1) {
				s.Links[i].B = "c0ffee0000000001"
			}
		}
		topology.Normalize(s)
		return s
	}
	// Out of order on purpose: ParentChurn sorts by time.
	hist := []*topology.Snapshot{at(2, 1), at(1, 0), at(1, 2), at(2, 3)}
	got := ParentChurn(hist, 3)
	if len(got) != 1 || got[0].Nodes[0] != "c0ffee0000000001" || got[0].Severity != Warning || !strings.Contains(got[0].Message, "3 times in the last 4 snapshots") {
		t.Fatalf("churn %+v", got)
	}
	if got := ParentChurn(hist[:3], 3); len(got) != 0 {
		t.Errorf("2 changes reported: %+v", got)
	}
	all := AnalyzeWithHistory(hist[3], hist)
	if len(kinds(all, KindParentChanges)) != 1 {
		t.Errorf("AnalyzeWithHistory: %+v", all)
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].Severity.rank() > all[i].Severity.rank() {
			t.Errorf("not sorted by severity: %+v", all)
		}
	}
}

func TestJSONShape(t *testing.T) {
	in := Analyze(mesh{routers: []int{1}}.build())
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"kind":"router-count","severity":"info","message":"1 of at most 32 routers","nodes":["0000000000001001"],"links":[]}]`; string(b) != want {
		t.Errorf("json %s\nwant %s", b, want)
	}
	if got := Analyze(nil); got == nil || len(got) != 0 {
		t.Errorf("Analyze(nil) = %v", got)
	}
}
