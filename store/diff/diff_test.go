package diff

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/threadmap/threadmap/store/internal/meshgen"
	"github.com/threadmap/threadmap/thread/topology"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

const (
	r1 = "1111111111111111"
	r2 = "2222222222222222"
	c3 = "3333333333333333"
	s4 = "4444444444444444"
	e5 = "5555555555555555"
)

type nodeSpec struct {
	ext  string
	rloc topology.Rloc16
	mode string
	br   bool
}

type linkSpec struct {
	a, b      string
	lqIn, lqO int
}

// mesh builds a normalized snapshot: router 1 leads.
func mesh(id string, nodes []nodeSpec, links []linkSpec, brs ...topology.BorderRouter) *topology.Snapshot {
	s := topology.New(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	s.ID = id
	s.Network.LeaderRouterID = topology.Ptr(1)
	for _, n := range nodes {
		m, err := topology.ParseMode(n.mode)
		if err != nil {
			panic(err)
		}
		// Router-eligible: an rdn child is a REED.
		s.Nodes = append(s.Nodes, topology.Node{ID: n.ext, ExtAddr: n.ext, Rloc16: topology.Ptr(n.rloc), Mode: &m, RouterEligible: topology.Ptr(true),
			BorderRouter: n.br, Sources: []string{"test"}})
	}
	for _, l := range links {
		s.Links = append(s.Links, topology.Link{Kind: topology.LinkRouter, A: l.a, B: l.b, LQIn: topology.Ptr(l.lqIn), LQOut: topology.Ptr(l.lqO)})
	}
	s.BorderRouters = brs
	topology.Normalize(s)
	return s
}

func TestDiffReedPromoted(t *testing.T) {
	from := mesh("7", []nodeSpec{{r1, 0x0400, "rdn", false}, {r2, 0x0800, "rdn", true}, {c3, 0x0401, "rdn", false}, {s4, 0x0802, "-", false}},
		[]linkSpec{{r1, r2, 3, 3}})
	to := mesh("9", []nodeSpec{{r1, 0x0400, "rdn", false}, {r2, 0x0800, "rdn", false}, {c3, 0x0c00, "rdn", false}, {s4, 0x0c01, "-", false}, {e5, 0x0402, "rn", false}},
		[]linkSpec{{r2, r1, 1, 3}, {c3, r1, 2, 2}}, topology.BorderRouter{ID: "otbr-kitchen", ExtAddr: r1})
	want := `{"from":"7","to":"9",
	"nodes_added":["5555555555555555"],"nodes_removed":[],
	"rloc16_changed":[{"id":"3333333333333333","from":"0x0401","to":"0x0c00"},{"id":"4444444444444444","from":"0x0802","to":"0x0c01"}],
	"role_changed":[{"id":"3333333333333333","from":"reed","to":"router"}],
	"parent_changed":[{"id":"3333333333333333","from":"1111111111111111","to":null},{"id":"4444444444444444","from":"2222222222222222","to":"3333333333333333"}],
	"links_added":[{"kind":"router","a":"1111111111111111","b":"3333333333333333"},{"kind":"child","a":"1111111111111111","b":"5555555555555555"},{"kind":"child","a":"3333333333333333","b":"4444444444444444"}],
	"links_removed":[{"kind":"child","a":"1111111111111111","b":"3333333333333333"},{"kind":"child","a":"2222222222222222","b":"4444444444444444"}],
	"links_changed":[{"kind":"router","a":"1111111111111111","b":"2222222222222222","lq_out":{"from":3,"to":1},"cost":{"from":1,"to":4}}],
	"border_routers_added":["1111111111111111"],"border_routers_removed":["2222222222222222"]}`
	got, err := json.Marshal(Diff(from, to))
	if err != nil {
		t.Fatal(err)
	}
	var w bytes.Buffer
	if err := json.Compact(&w, []byte(want)); err != nil {
		t.Fatal(err)
	}
	if string(got) != w.String() {
		t.Errorf("diff JSON\n got %s\nwant %s", got, w.String())
	}
	back := Diff(to, from)
	if len(back.NodesRemoved) != 1 || back.NodesRemoved[0] != e5 || len(back.RoleChanged) != 1 || back.RoleChanged[0].To != "reed" {
		t.Errorf("reverse diff %+v", back)
	}
}

func TestDiffCases(t *testing.T) {
	small, err := meshgen.Fixture(topologytest.OpenThread("small"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		from, to *topology.Snapshot
		empty    bool
		check    func(*Result) bool
	}{
		{"same snapshot", small, small, true, nil},
		{"both nil", nil, nil, true, nil},
		{"from nothing", nil, small, false, func(r *Result) bool {
			return len(r.NodesAdded) == len(small.Nodes) && len(r.LinksAdded) == len(small.Links)
		}},
		{"to nothing", small, nil, false, func(r *Result) bool {
			return len(r.NodesRemoved) == len(small.Nodes) && len(r.LinksRemoved) == len(small.Links)
		}},
		{"child link quality", mesh("", []nodeSpec{{r1, 0x0400, "rdn", false}, {c3, 0x0401, "rn", false}}, nil),
			func() *topology.Snapshot {
				s := mesh("", []nodeSpec{{r1, 0x0400, "rdn", false}, {c3, 0x0401, "rn", false}}, nil)
				s.Links[0].LQIn = topology.Ptr(1)
				return s
			}(), false, func(r *Result) bool {
				return len(r.LinksChanged) == 1 && r.LinksChanged[0].LQIn != nil && r.LinksChanged[0].LQIn.From == nil && *r.LinksChanged[0].LQIn.To == 1 && r.LinksChanged[0].Cost == nil
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Diff(c.from, c.to)
			if r.Empty() != c.empty || (c.check != nil && !c.check(r)) {
				b, _ := json.Marshal(r)
				t.Errorf("diff %s", b)
			}
		})
	}
}
