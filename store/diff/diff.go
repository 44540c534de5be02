// Package diff compares two topology snapshots: which nodes came and went,
// which changed RLOC16, role or parent, which links appeared, disappeared
// or changed quality, which border routers appeared or disappeared. The
// JSON form is the API's "Diff JSON" (docs/API.md).
package diff

import (
	"sort"

	"github.com/threadmap/threadmap/thread/topology"
)

// Result is how the "to" snapshot differs from the "from" snapshot. Every
// list is sorted and never nil, so the JSON has [] rather than null.
type Result struct {
	From                 string         `json:"from"`
	To                   string         `json:"to"`
	NodesAdded           []string       `json:"nodes_added"`
	NodesRemoved         []string       `json:"nodes_removed"`
	Rloc16Changed        []ValueChange  `json:"rloc16_changed"`
	RoleChanged          []ValueChange  `json:"role_changed"`
	ParentChanged        []ParentChange `json:"parent_changed"`
	LinksAdded           []LinkRef      `json:"links_added"`
	LinksRemoved         []LinkRef      `json:"links_removed"`
	LinksChanged         []LinkChange   `json:"links_changed"`
	BorderRoutersAdded   []string       `json:"border_routers_added"`
	BorderRoutersRemoved []string       `json:"border_routers_removed"`
}

// ValueChange is a node's RLOC16 ("0x2401") or role ("reed") before and after.
type ValueChange struct {
	ID   string `json:"id"`
	From string `json:"from"`
	To   string `json:"to"`
}

// ParentChange is a child's parent before and after; nil when it had none
// (a router, or a node not attached).
type ParentChange struct {
	ID   string  `json:"id"`
	From *string `json:"from"`
	To   *string `json:"to"`
}

// LinkRef names a link: for a router link A < B, for a child link A is the parent.
type LinkRef struct {
	Kind topology.LinkKind `json:"kind"`
	A    string            `json:"a"`
	B    string            `json:"b"`
}

// IntChange is one link metric before and after; nil where unknown.
type IntChange struct {
	From *int `json:"from"`
	To   *int `json:"to"`
}

// LinkChange is a link present in both snapshots whose link quality (in or
// out) or cost changed; only the changed metrics are set.
type LinkChange struct {
	Kind  topology.LinkKind `json:"kind"`
	A     string            `json:"a"`
	B     string            `json:"b"`
	LQIn  *IntChange        `json:"lq_in,omitempty"`
	LQOut *IntChange        `json:"lq_out,omitempty"`
	Cost  *IntChange        `json:"cost,omitempty"`
}

// Empty reports whether nothing changed.
func (r *Result) Empty() bool {
	return len(r.NodesAdded)+len(r.NodesRemoved)+len(r.Rloc16Changed)+len(r.RoleChanged)+len(r.ParentChanged)+
		len(r.LinksAdded)+len(r.LinksRemoved)+len(r.LinksChanged)+len(r.BorderRoutersAdded)+len(r.BorderRoutersRemoved) == 0
}

// Diff compares from (older) with to (newer). Nodes are matched by id (the
// ext address when known), links by kind and ends. From and To in the
// result are the snapshots' ids.
func Diff(from, to *topology.Snapshot) *Result {
	r := &Result{
		NodesAdded: []string{}, NodesRemoved: []string{}, Rloc16Changed: []ValueChange{}, RoleChanged: []ValueChange{},
		ParentChanged: []ParentChange{}, LinksAdded: []LinkRef{}, LinksRemoved: []LinkRef{}, LinksChanged: []LinkChange{},
		BorderRoutersAdded: []string{}, BorderRoutersRemoved: []string{},
	}
	if from == nil {
		from = &topology.Snapshot{}
	}
	if to == nil {
		to = &topology.Snapshot{}
	}
	r.From, r.To = from.ID, to.ID

	before := map[string]*topology.Node{}
	for i := range from.Nodes {
		before[from.Nodes[i].ID] = &from.Nodes[i]
	}
	after := map[string]*topology.Node{}
	for i := range to.Nodes {
		n := &to.Nodes[i]
		after[n.ID] = n
		o, ok := before[n.ID]
		if !ok {
			r.NodesAdded = append(r.NodesAdded, n.ID)
			continue
		}
		if o.Rloc16 != nil && n.Rloc16 != nil && *o.Rloc16 != *n.Rloc16 {
			r.Rloc16Changed = append(r.Rloc16Changed, ValueChange{ID: n.ID, From: o.Rloc16.String(), To: n.Rloc16.String()})
		}
		if o.Role != n.Role {
			r.RoleChanged = append(r.RoleChanged, ValueChange{ID: n.ID, From: string(o.Role), To: string(n.Role)})
		}
		if !sameString(o.Parent, n.Parent) {
			r.ParentChanged = append(r.ParentChanged, ParentChange{ID: n.ID, From: o.Parent, To: n.Parent})
		}
	}
	for _, n := range from.Nodes {
		if _, ok := after[n.ID]; !ok {
			r.NodesRemoved = append(r.NodesRemoved, n.ID)
		}
	}

	oldLinks := map[LinkRef]*topology.Link{}
	for i := range from.Links {
		oldLinks[ref(from.Links[i])] = &from.Links[i]
	}
	newLinks := map[LinkRef]bool{}
	for _, l := range to.Links {
		k := ref(l)
		newLinks[k] = true
		o, ok := oldLinks[k]
		if !ok {
			r.LinksAdded = append(r.LinksAdded, k)
			continue
		}
		c := LinkChange{Kind: k.Kind, A: k.A, B: k.B, LQIn: intChange(o.LQIn, l.LQIn), LQOut: intChange(o.LQOut, l.LQOut), Cost: intChange(o.Cost, l.Cost)}
		if c.LQIn != nil || c.LQOut != nil || c.Cost != nil {
			r.LinksChanged = append(r.LinksChanged, c)
		}
	}
	for k := range oldLinks {
		if !newLinks[k] {
			r.LinksRemoved = append(r.LinksRemoved, k)
		}
	}

	oldBR, newBR := BorderRouters(from), BorderRouters(to)
	for id := range newBR {
		if !oldBR[id] {
			r.BorderRoutersAdded = append(r.BorderRoutersAdded, id)
		}
	}
	for id := range oldBR {
		if !newBR[id] {
			r.BorderRoutersRemoved = append(r.BorderRoutersRemoved, id)
		}
	}
	r.sort()
	return r
}

// BorderRouters is the set of a snapshot's border routers by id: the node
// id for nodes flagged border_router and for discovered border routers
// whose ext address names a node, else the discovered border router's id.
func BorderRouters(s *topology.Snapshot) map[string]bool {
	out := map[string]bool{}
	for _, n := range s.Nodes {
		if n.BorderRouter {
			out[n.ID] = true
		}
	}
	for _, br := range s.BorderRouters {
		if br.ExtAddr != "" && s.Node(br.ExtAddr) != nil {
			out[br.ExtAddr] = true
		} else {
			out[br.ID] = true
		}
	}
	return out
}

// ref is a link's identity; router links are normalized A < B.
func ref(l topology.Link) LinkRef {
	if l.Kind == topology.LinkRouter && l.B < l.A {
		l.A, l.B = l.B, l.A
	}
	return LinkRef{Kind: l.Kind, A: l.A, B: l.B}
}

func sameString(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func intChange(a, b *int) *IntChange {
	if a == nil && b == nil {
		return nil
	}
	if a != nil && b != nil && *a == *b {
		return nil
	}
	return &IntChange{From: a, To: b}
}

func (r *Result) sort() {
	sort.Strings(r.NodesAdded)
	sort.Strings(r.NodesRemoved)
	sort.Strings(r.BorderRoutersAdded)
	sort.Strings(r.BorderRoutersRemoved)
	sort.Slice(r.Rloc16Changed, func(i, j int) bool { return r.Rloc16Changed[i].ID < r.Rloc16Changed[j].ID })
	sort.Slice(r.RoleChanged, func(i, j int) bool { return r.RoleChanged[i].ID < r.RoleChanged[j].ID })
	sort.Slice(r.ParentChanged, func(i, j int) bool { return r.ParentChanged[i].ID < r.ParentChanged[j].ID })
	less := func(a, b LinkRef) bool {
		if a.Kind != b.Kind {
			return a.Kind == topology.LinkRouter
		}
		if a.A != b.A {
			return a.A < b.A
		}
		return a.B < b.B
	}
	sort.Slice(r.LinksAdded, func(i, j int) bool { return less(r.LinksAdded[i], r.LinksAdded[j]) })
	sort.Slice(r.LinksRemoved, func(i, j int) bool { return less(r.LinksRemoved[i], r.LinksRemoved[j]) })
	sort.Slice(r.LinksChanged, func(i, j int) bool {
		return less(LinkRef{r.LinksChanged[i].Kind, r.LinksChanged[i].A, r.LinksChanged[i].B}, LinkRef{r.LinksChanged[j].Kind, r.LinksChanged[j].A, r.LinksChanged[j].B})
	})
}
