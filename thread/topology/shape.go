package topology

import "sort"

// Shape is the part of a snapshot that ground truth speaks about: which
// nodes exist with which RLOC16 and role, who is whose parent, and which
// routers share a link. Tests compare shapes; the diff in store uses them too.
type Shape struct {
	// Nodes maps node id → "rloc16 role".
	Nodes map[string]string
	// Parents maps child id → parent id.
	Parents map[string]string
	// RouterLinks holds "a b" for every router link, a < b.
	RouterLinks map[string]bool
}

// Shape extracts the snapshot's shape.
func (s *Snapshot) Shape() Shape {
	sh := Shape{Nodes: map[string]string{}, Parents: map[string]string{}, RouterLinks: map[string]bool{}}
	for _, n := range s.Nodes {
		r := "-"
		if n.Rloc16 != nil {
			r = n.Rloc16.String()
		}
		sh.Nodes[n.ID] = r + " " + string(n.Role)
		if n.Parent != nil {
			sh.Parents[n.ID] = *n.Parent
		}
	}
	for _, l := range s.Links {
		if l.Kind == LinkRouter {
			a, b := l.A, l.B
			if b < a {
				a, b = b, a
			}
			sh.RouterLinks[a+" "+b] = true
		}
	}
	return sh
}

// Diff lists, in words, how other differs from sh (empty when equal).
func (sh Shape) Diff(other Shape) []string {
	var out []string
	for id, v := range sh.Nodes {
		if w, ok := other.Nodes[id]; !ok {
			out = append(out, "node "+id+" ("+v+") missing")
		} else if w != v {
			out = append(out, "node "+id+": want "+v+", got "+w)
		}
	}
	for id, v := range other.Nodes {
		if _, ok := sh.Nodes[id]; !ok {
			out = append(out, "node "+id+" ("+v+") unexpected")
		}
	}
	for c, p := range sh.Parents {
		if q := other.Parents[c]; q != p {
			out = append(out, "parent of "+c+": want "+p+", got "+q)
		}
	}
	for c, q := range other.Parents {
		if _, ok := sh.Parents[c]; !ok {
			out = append(out, "parent of "+c+": unexpected "+q)
		}
	}
	for l := range sh.RouterLinks {
		if !other.RouterLinks[l] {
			out = append(out, "router link "+l+" missing")
		}
	}
	for l := range other.RouterLinks {
		if !sh.RouterLinks[l] {
			out = append(out, "router link "+l+" unexpected")
		}
	}
	sort.Strings(out)
	return out
}
