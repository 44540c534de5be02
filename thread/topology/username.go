package topology

// WithUserNames returns s as it is served: every node whose ext address
// names holds (16 lower-case hex digits → name) carries that name as
// UserName, every other node none. s itself is left alone (its nodes are
// copied when a name changes), so a cached or stored snapshot can be served
// with the names of the moment.
func WithUserNames(s *Snapshot, names map[string]string) *Snapshot {
	if s == nil {
		return nil
	}
	changed := false
	for i := range s.Nodes {
		if s.Nodes[i].UserName != names[s.Nodes[i].ExtAddr] {
			changed = true
			break
		}
	}
	if !changed {
		return s
	}
	c := *s
	c.Nodes = append([]Node(nil), s.Nodes...)
	for i := range c.Nodes {
		c.Nodes[i].UserName = names[c.Nodes[i].ExtAddr]
	}
	return &c
}
