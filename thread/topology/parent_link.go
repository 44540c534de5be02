package topology

// parentFromChildLinks gives a child whose RLOC16 is unknown the parent
// that exactly one table-listed (not derived) child link names. A sleepy
// device's Matter dump often lacks its own RLOC16 while its neighbor table
// names its parent; without this the parent would be known only as a link.
func parentFromChildLinks(s *Snapshot) {
	parents := map[string][]string{}
	for _, l := range s.Links {
		if l.Kind == LinkChild && !l.Derived {
			parents[l.B] = addUnique(parents[l.B], l.A)
		}
	}
	for i := range s.Nodes {
		n := &s.Nodes[i]
		if n.Rloc16 != nil && *n.Rloc16 != InvalidRloc16 {
			continue // the RLOC16 mask decides
		}
		if n.Parent != nil || n.Role == RoleDetached || n.Role.IsRouterRole() {
			continue
		}
		if ps := parents[n.ID]; len(ps) == 1 && s.Node(ps[0]) != nil {
			n.Parent = Ptr(ps[0])
		}
	}
}
