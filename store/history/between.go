package history

import (
	"fmt"
	"strconv"

	"github.com/threadmap/threadmap/store/diff"
	"github.com/threadmap/threadmap/thread/topology"
)

// Between lists what changed from snapshot a (older) to b (newer), from
// store/diff, in a stable order: devices that came and went, parents,
// roles and RLOC16s, link quality, router links, border routers. A link's
// quality is the worse of its two directions; a change of one direction
// that leaves the worse one as it was is not reported. Child links that
// came or went are the parent changes and appearances already listed.
func Between(a, b *topology.Snapshot) []Change {
	d := diff.Diff(a, b)
	lb := labeller{a: a, b: b}
	var out []Change
	add := func(kind, node string, from, to *string, link *diff.LinkRef, detail string) {
		out = append(out, Change{At: b.TakenAt, SnapshotID: b.ID, PrevSnapshotID: a.ID, Kind: kind, Node: node,
			From: from, To: to, Link: link, Detail: detail})
	}
	for _, id := range d.NodesAdded {
		n := b.Node(id)
		add(NodeAppeared, id, nil, ptr(string(n.Role)), nil, "appeared as "+lb.describe(n))
	}
	for _, id := range d.NodesRemoved {
		n := a.Node(id)
		add(NodeDisappeared, id, ptr(string(n.Role)), nil, nil, "disappeared (was "+lb.describe(n)+")")
	}
	for _, c := range d.ParentChanged {
		add(ParentChanged, c.ID, c.From, c.To, nil, "parent "+lb.parent(c.From, a)+" → "+lb.parent(c.To, b))
	}
	for _, c := range d.RoleChanged {
		add(RoleChanged, c.ID, ptr(c.From), ptr(c.To), nil, "role "+c.From+" → "+c.To)
	}
	for _, c := range d.Rloc16Changed {
		add(Rloc16Changed, c.ID, ptr(c.From), ptr(c.To), nil, "RLOC16 "+c.From+" → "+c.To+" (re-attached)")
	}
	for _, c := range d.LinksChanged {
		before, okA := worse(pick(c.LQIn, false), pick(c.LQOut, false))
		after, okB := worse(pick(c.LQIn, true), pick(c.LQOut, true))
		if !okA || !okB || before == after {
			continue
		}
		kind := LQDropped
		if after > before {
			kind = LQRecovered
		}
		ref := diff.LinkRef{Kind: c.Kind, A: c.A, B: c.B}
		node, what := "", "router link "+lb.name(c.A)+" ↔ "+lb.name(c.B)
		if c.Kind == topology.LinkChild {
			node, what = c.B, "link to parent "+lb.name(c.A)
		}
		add(kind, node, ptr(strconv.Itoa(before)), ptr(strconv.Itoa(after)), &ref,
			fmt.Sprintf("%s: link quality %d → %d%s", what, before, after, directions(c)))
	}
	for _, l := range d.LinksAdded {
		if l.Kind == topology.LinkRouter {
			l := l
			add(RouterLinkAdded, "", nil, nil, &l, "router link "+lb.name(l.A)+" ↔ "+lb.name(l.B)+" appeared")
		}
	}
	for _, l := range d.LinksRemoved {
		if l.Kind == topology.LinkRouter {
			l := l
			add(RouterLinkRemoved, "", nil, nil, &l, "router link "+lb.name(l.A)+" ↔ "+lb.name(l.B)+" gone")
		}
	}
	for _, id := range d.BorderRoutersAdded {
		add(BorderRouterAdded, id, nil, nil, nil, "border router "+lb.name(id)+" appeared")
	}
	for _, id := range d.BorderRoutersRemoved {
		add(BorderRouterRemoved, id, nil, nil, nil, "border router "+lb.name(id)+" gone")
	}
	return out
}

func ptr(s string) *string { return &s }

// pick is one side of a metric change (the newer when after).
func pick(c *diff.IntChange, after bool) *int {
	if c == nil {
		return nil
	}
	if after {
		return c.To
	}
	return c.From
}

// worse is the lower of the known values.
func worse(a, b *int) (int, bool) {
	switch {
	case a != nil && b != nil:
		return min(*a, *b), true
	case a != nil:
		return *a, true
	case b != nil:
		return *b, true
	}
	return 0, false
}

// directions spells out which direction changed.
func directions(c diff.LinkChange) string {
	s := ""
	for _, d := range []struct {
		name string
		c    *diff.IntChange
	}{{"in", c.LQIn}, {"out", c.LQOut}} {
		if d.c == nil || d.c.From == nil || d.c.To == nil {
			continue
		}
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("%s %d → %d", d.name, *d.c.From, *d.c.To)
	}
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// labeller names devices in details by what the snapshots say of them.
type labeller struct{ a, b *topology.Snapshot }

// name is a device's own name and RLOC16, else its RLOC16, else its id.
func (l labeller) name(id string) string {
	n := l.b.Node(id)
	if n == nil {
		n = l.a.Node(id)
	}
	if n == nil {
		return id
	}
	return Label(n)
}

// Label names a node in words: its name (a user's, else its own) with its
// RLOC16, else "router 0x4400" / "child 0x4401" / its id.
func Label(n *topology.Node) string {
	name := n.UserName
	if name == "" {
		name = n.Name
	}
	r := ""
	if n.Rloc16 != nil {
		r = n.Rloc16.String()
	}
	switch {
	case name != "" && r != "":
		return name + " (" + r + ")"
	case name != "":
		return name
	case r != "" && n.Role.IsRouterRole():
		return "router " + r
	case r != "" && !n.Rloc16.IsRouter():
		return "child " + r
	case r != "":
		return r
	}
	return n.ID
}

func (l labeller) describe(n *topology.Node) string {
	s := string(n.Role)
	if n.Rloc16 != nil {
		s += " " + n.Rloc16.String()
	}
	if name := n.Name; name != "" {
		s = name + ", " + s
	}
	return s
}

func (l labeller) parent(id *string, s *topology.Snapshot) string {
	if id == nil {
		return "none"
	}
	if n := s.Node(*id); n != nil {
		return Label(n)
	}
	return l.name(*id)
}
