package topology

import (
	"sort"
	"strings"
)

// Merge joins partial snapshots (from several sources, or several nodes'
// views) into one normalized snapshot. Later snapshots (by TakenAt) win
// conflicts; nothing is dropped: every node, link, border router and scan
// report of every part is kept, duplicates folded together.
func Merge(parts ...*Snapshot) *Snapshot {
	ordered := make([]*Snapshot, 0, len(parts))
	for _, p := range parts {
		if p != nil {
			ordered = append(ordered, p)
		}
	}
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].TakenAt.Before(ordered[j].TakenAt) })
	out := &Snapshot{Schema: Schema, Nodes: []Node{}, Links: []Link{}}
	for _, p := range ordered {
		if p.TakenAt.After(out.TakenAt) {
			out.TakenAt = p.TakenAt
		}
		mergeNetwork(&out.Network, p.Network)
		out.Nodes = append(out.Nodes, cloneNodes(p.Nodes)...)
		out.Links = append(out.Links, p.Links...)
		out.BorderRouters = append(out.BorderRouters, p.BorderRouters...)
		out.Scan.Sources = append(out.Scan.Sources, p.Scan.Sources...)
	}
	Normalize(out)
	return out
}

func cloneNodes(in []Node) []Node {
	out := make([]Node, len(in))
	for i, n := range in {
		out[i] = n
		out[i].Sources = append([]string(nil), n.Sources...)
		out[i].Flags = append([]string(nil), n.Flags...)
		out[i].IPv6 = append([]string(nil), n.IPv6...)
		if n.FieldSources != nil {
			out[i].FieldSources = make(map[string]string, len(n.FieldSources))
			for k, v := range n.FieldSources {
				out[i].FieldSources[k] = v
			}
		}
		if n.Counters != nil {
			out[i].Counters = make(map[string]uint64, len(n.Counters))
			for k, v := range n.Counters {
				out[i].Counters[k] = v
			}
		}
	}
	return out
}

// mergeNetwork fills dst from src; src (fresher) wins where both are set.
func mergeNetwork(dst *Network, src Network) {
	if src.Name != "" {
		dst.Name = src.Name
	}
	if src.ExtPanID != "" {
		dst.ExtPanID = strings.ToLower(src.ExtPanID)
	}
	if src.PanID != "" {
		dst.PanID = src.PanID
	}
	if src.Channel != 0 {
		dst.Channel = src.Channel
	}
	if src.MeshLocalPrefix != "" {
		dst.MeshLocalPrefix = src.MeshLocalPrefix
	}
	if src.PartitionID != nil {
		dst.PartitionID = src.PartitionID
	}
	if src.LeaderRouterID != nil {
		dst.LeaderRouterID = src.LeaderRouterID
	}
	if src.NetworkData != nil {
		dst.NetworkData = src.NetworkData.Clone()
	}
	for _, p := range src.Partitions {
		found := false
		for _, q := range dst.Partitions {
			found = found || p == q
		}
		if !found {
			dst.Partitions = append(dst.Partitions, p)
		}
	}
}

// Normalize folds duplicate nodes together, gives every node its canonical
// id, derives router IDs, roles and parents from RLOC16s, adds the
// parent-child links the RLOC16 mask implies, cross-checks them against
// child tables, folds duplicate links and sorts everything. It is
// idempotent.
func Normalize(s *Snapshot) {
	if s.Schema == "" {
		s.Schema = Schema
	}
	rename := foldNodes(s)
	for i := range s.Links {
		if r, ok := rename[s.Links[i].A]; ok {
			s.Links[i].A = r
		}
		if r, ok := rename[s.Links[i].B]; ok {
			s.Links[i].B = r
		}
	}
	deriveLeader(s)
	for i := range s.Nodes {
		deriveNode(&s.Nodes[i], s.Network)
	}
	deriveParents(s)
	foldLinks(s)
	parentFromChildLinks(s)
	crossCheckChildren(s)
	collectPartitions(s)
	sortSnapshot(s)
	resolveNetData(s)
}

// foldNodes merges nodes that are the same device: same ext address, or an
// RLOC16-only node and the one node with that RLOC16 (in the same partition).
// It returns old id → new id for link rewriting.
func foldNodes(s *Snapshot) map[string]string {
	rename := map[string]string{}
	var out []Node
	byExt := map[string]int{}
	for _, n := range s.Nodes {
		oldID := n.ID
		n.ExtAddr = strings.ToLower(n.ExtAddr)
		if n.ExtAddr == "0000000000000000" {
			n.ExtAddr = ""
		}
		if n.ExtAddr != "" {
			n.ID = n.ExtAddr
		} else if n.Rloc16 != nil {
			n.ID = RlocID(*n.Rloc16)
		}
		if oldID != "" && oldID != n.ID {
			rename[oldID] = n.ID
		}
		if n.ExtAddr != "" {
			if j, ok := byExt[n.ExtAddr]; ok {
				mergeNode(&out[j], &n, true)
				continue
			}
			byExt[n.ExtAddr] = len(out)
		}
		fresh := Node{ID: n.ID, ExtAddr: n.ExtAddr, Sources: []string{}}
		mergeNode(&fresh, &n, true)
		out = append(out, fresh)
	}
	// RLOC16-only nodes fold into the unique ext-addressed node with that RLOC16.
	var kept []Node
	for i := range out {
		n := out[i]
		if n.ExtAddr == "" && n.Rloc16 != nil {
			target := -1
			count := 0
			for j := range out {
				m := &out[j]
				if m.ExtAddr != "" && m.Rloc16 != nil && *m.Rloc16 == *n.Rloc16 && samePartition(m, &n) {
					target, count = j, count+1
				}
			}
			if count == 1 {
				rename[n.ID] = out[target].ID
				// The ext-addressed view keeps its values; the RLOC16-only
				// view fills what it lacks.
				mergeNode(&out[target], &n, false)
				out[i].ID = "" // folded
				continue
			}
		}
	}
	byID := map[string]int{}
	for _, n := range out {
		if n.ID == "" {
			continue
		}
		if j, ok := byID[n.ID]; ok { // two RLOC16-only views of one node
			mergeNode(&kept[j], &n, true)
			continue
		}
		byID[n.ID] = len(kept)
		kept = append(kept, n)
	}
	if kept == nil {
		kept = []Node{}
	}
	// Links may name an ext-addressed node by its RLOC16 ("rloc:0x4400")
	// when the source did not know the ext address; resolve those too,
	// unless two nodes claim the RLOC16.
	rlocOwners := map[Rloc16][]string{}
	for _, n := range kept {
		if n.ExtAddr != "" && n.Rloc16 != nil {
			rlocOwners[*n.Rloc16] = append(rlocOwners[*n.Rloc16], n.ID)
		}
	}
	for r, ids := range rlocOwners {
		if len(ids) == 1 {
			rename[RlocID(r)] = ids[0]
		}
	}
	s.Nodes = kept
	return rename
}

func samePartition(a, b *Node) bool {
	return a.PartitionID == nil || b.PartitionID == nil || *a.PartitionID == *b.PartitionID
}

// mergeNode folds src into dst. With overwrite, src is the fresher view and
// wins where both are set; without, it only fills what dst lacks. Every
// scalar field src sets records src's first source.
func mergeNode(dst, src *Node, overwrite bool) {
	from := ""
	if len(src.Sources) > 0 {
		from = src.Sources[0]
	}
	note := func(field string) {
		by := from
		if v := src.FieldSources[field]; v != "" {
			by = v // already attributed by an earlier merge
		}
		if by == "" {
			return
		}
		if dst.FieldSources == nil {
			dst.FieldSources = map[string]string{}
		}
		dst.FieldSources[field] = by
	}
	str := func(field string, d *string, v string) {
		if v != "" && v != *d && (overwrite || *d == "") {
			*d = v
			note(field)
		}
	}
	take := func(field string, isSet, dstSet bool) bool {
		if isSet && (overwrite || !dstSet) {
			note(field)
			return true
		}
		return false
	}
	if dst.ExtAddr == "" && src.ExtAddr != "" {
		dst.ExtAddr, dst.ID = src.ExtAddr, src.ExtAddr
	}
	if take("rloc16", src.Rloc16 != nil, dst.Rloc16 != nil) {
		dst.Rloc16 = src.Rloc16
	}
	known := func(r Role) bool { return r != "" && r != RoleUnknown }
	if known(src.Role) {
		if known(dst.Role) && dst.Role != src.Role && !(dst.Role.IsRouterRole() && src.Role.IsRouterRole()) {
			dst.AddFlag(FlagRoleConflict)
		}
		// Roles are re-derived from RLOC16 and mode, so they carry no field source.
		if (overwrite || !known(dst.Role)) && !(dst.Role == RoleLeader && src.Role == RoleRouter) {
			dst.Role = src.Role
		}
	}
	if take("mode", src.Mode != nil, dst.Mode != nil) {
		dst.Mode = src.Mode
	}
	dst.BorderRouter = dst.BorderRouter || src.BorderRouter
	str("name", &dst.Name, src.Name)
	str("vendor", &dst.Vendor, src.Vendor)
	str("model", &dst.Model, src.Model)
	str("sw_version", &dst.SWVersion, src.SWVersion)
	str("stack_version", &dst.StackVersion, src.StackVersion)
	str("eui64", &dst.EUI64, src.EUI64)
	if take("thread_version", src.ThreadVersion != 0, dst.ThreadVersion != 0) {
		dst.ThreadVersion = src.ThreadVersion
	}
	dst.IPv6 = addUnique(dst.IPv6, src.IPv6...)
	if take("timeout", src.Timeout != nil, dst.Timeout != nil) {
		dst.Timeout = src.Timeout
	}
	if take("max_children", src.MaxChildren != nil, dst.MaxChildren != nil) {
		dst.MaxChildren = src.MaxChildren
	}
	if take("battery_level", src.Battery != nil, dst.Battery != nil) {
		dst.Battery = src.Battery
	}
	if take("supply_voltage_mv", src.SupplyVoltage != nil, dst.SupplyVoltage != nil) {
		dst.SupplyVoltage = src.SupplyVoltage
	}
	if take("connectivity", src.Connectivity != nil, dst.Connectivity != nil) {
		dst.Connectivity = src.Connectivity
	}
	if take("partition_id", src.PartitionID != nil, dst.PartitionID != nil) {
		dst.PartitionID = src.PartitionID
	}
	for k, v := range src.Counters {
		if dst.Counters == nil {
			dst.Counters = map[string]uint64{}
		}
		if _, had := dst.Counters[k]; overwrite || !had {
			dst.Counters[k] = v
		}
	}
	if take("matter_node_id", src.MatterNodeID != 0, dst.MatterNodeID != 0) {
		dst.MatterNodeID = src.MatterNodeID
	}
	dst.ChildTableKnown = dst.ChildTableKnown || src.ChildTableKnown
	if statusRank(src.Status) >= statusRank(dst.Status) {
		dst.Status, dst.StatusDetail = src.Status, src.StatusDetail
	}
	// A node seen directly by any source is no longer only inferred.
	if !src.HasFlag(FlagInferred) && len(src.Sources) > 0 {
		var fl []string
		for _, f := range dst.Flags {
			if f != FlagInferred {
				fl = append(fl, f)
			}
		}
		dst.Flags = fl
	}
	for _, f := range src.Flags {
		if f == FlagInferred && !dst.HasFlag(FlagInferred) && len(dst.Sources) > 0 {
			continue
		}
		dst.AddFlag(f)
	}
	dst.Sources = addUnique(dst.Sources, src.Sources...)
	if src.FirstSeen != nil && (dst.FirstSeen == nil || src.FirstSeen.Before(*dst.FirstSeen)) {
		dst.FirstSeen = src.FirstSeen
	}
	if src.LastSeen != nil && (dst.LastSeen == nil || src.LastSeen.After(*dst.LastSeen)) {
		dst.LastSeen = src.LastSeen
	}
}

func statusRank(s NodeStatus) int {
	switch s {
	case StatusAnswered:
		return 4
	case StatusError:
		return 3
	case StatusTimedOut:
		return 2
	case StatusNotQueried:
		return 1
	}
	return 0
}

// deriveLeader sets the network's leader router ID from a node that says it
// is the leader, when no leader data said so.
func deriveLeader(s *Snapshot) {
	if s.Network.LeaderRouterID != nil {
		return
	}
	for _, n := range s.Nodes {
		if n.Role == RoleLeader && n.Rloc16 != nil {
			s.Network.LeaderRouterID = Ptr(int(n.Rloc16.RouterID()))
			return
		}
	}
}

// deriveNode applies the RLOC16 arithmetic to one node.
func deriveNode(n *Node, net Network) {
	if n.Sources == nil {
		n.Sources = []string{}
	}
	if n.Rloc16 == nil || *n.Rloc16 == InvalidRloc16 {
		if n.Role == "" {
			n.Role = RoleUnknown
		}
		n.RouterID, n.Parent = nil, nil
		return
	}
	r := *n.Rloc16
	if r.IsRouter() {
		n.RouterID = Ptr(int(r.RouterID()))
		n.Parent = nil
		switch {
		case net.LeaderRouterID != nil && *net.LeaderRouterID == int(r.RouterID()) && samePartitionAsNetwork(n, net):
			n.Role = RoleLeader
		case n.Role == RoleLeader:
			// A node that says it leads another partition keeps that.
		default:
			n.Role = RoleRouter
		}
		return
	}
	n.RouterID = nil
	if n.Mode != nil {
		n.Role = ChildRole(*n.Mode)
	} else if !n.Role.IsChildRole() {
		// A child without mode: an end device of unknown kind.
		n.Role = RoleEndDevice
	}
}

func samePartitionAsNetwork(n *Node, net Network) bool {
	return n.PartitionID == nil || net.PartitionID == nil || *n.PartitionID == *net.PartitionID
}

// deriveParents points every child at the router its RLOC16 names, adding
// an inferred router node when none is known, and a derived child link
// when no table gave one.
func deriveParents(s *Snapshot) {
	byRloc := map[Rloc16]string{}
	for _, n := range s.Nodes {
		if n.Rloc16 != nil && n.Rloc16.IsRouter() {
			byRloc[*n.Rloc16] = n.ID
		}
	}
	have := map[[2]string]bool{}
	for _, l := range s.Links {
		if l.Kind == LinkChild {
			have[[2]string{l.A, l.B}] = true
		}
	}
	n0 := len(s.Nodes)
	for i := 0; i < n0; i++ {
		n := &s.Nodes[i]
		if n.Rloc16 == nil || n.Rloc16.IsRouter() || *n.Rloc16 == InvalidRloc16 || n.Role == RoleDetached {
			continue
		}
		pr := n.Rloc16.Parent()
		pid, ok := byRloc[pr]
		if !ok {
			pid = RlocID(pr)
			s.Nodes = append(s.Nodes, Node{
				ID: pid, Rloc16: Ptr(pr), Role: RoleRouter, RouterID: Ptr(int(pr.RouterID())),
				Flags: []string{FlagInferred}, Sources: []string{}, PartitionID: s.Nodes[i].PartitionID,
			})
			n = &s.Nodes[i]
			if s.Network.LeaderRouterID != nil && *s.Network.LeaderRouterID == int(pr.RouterID()) {
				s.Nodes[len(s.Nodes)-1].Role = RoleLeader
			}
			byRloc[pr] = pid
		}
		n.Parent = Ptr(pid)
		if !have[[2]string{pid, n.ID}] {
			s.Links = append(s.Links, Link{Kind: LinkChild, A: pid, B: n.ID, Derived: true})
			have[[2]string{pid, n.ID}] = true
		}
	}
}

// foldLinks puts router links in A<B order, folds duplicates (two ends'
// views of one link, several sources), fills link cost, and drops nothing
// but exact duplicates.
func foldLinks(s *Snapshot) {
	type key struct {
		kind LinkKind
		a, b string
	}
	idx := map[key]int{}
	var out []Link
	for _, l := range s.Links {
		if l.A == l.B {
			continue // a node is not its own neighbor
		}
		if l.Kind == LinkRouter && l.B < l.A {
			l.A, l.B = l.B, l.A
			l.LQIn, l.LQOut = l.LQOut, l.LQIn
			l.RouteCost = nil // A's advertised route cost does not apply reversed
		}
		k := key{l.Kind, l.A, l.B}
		if j, ok := idx[k]; ok {
			mergeLink(&out[j], l)
			continue
		}
		idx[k] = len(out)
		l.Sources = append([]string(nil), l.Sources...)
		l.Flags = append([]string(nil), l.Flags...)
		out = append(out, l)
	}
	for i := range out {
		l := &out[i]
		if l.Kind == LinkRouter && l.Cost == nil && l.LQIn != nil && l.LQOut != nil {
			m := *l.LQIn
			if *l.LQOut < m {
				m = *l.LQOut
			}
			l.Cost = Ptr(LinkCost(m))
		}
		if len(l.Sources) == 0 {
			l.Sources = nil
		}
		if len(l.Flags) == 0 {
			l.Flags = nil
		}
	}
	if out == nil {
		out = []Link{}
	}
	s.Links = out
}

func mergeLink(dst *Link, src Link) {
	setInt := func(d **int, v *int) {
		if v != nil {
			*d = v
		}
	}
	setInt(&dst.LQIn, src.LQIn)
	setInt(&dst.LQOut, src.LQOut)
	setInt(&dst.Cost, src.Cost)
	setInt(&dst.RouteCost, src.RouteCost)
	setInt(&dst.RSSI, src.RSSI)
	setInt(&dst.LastRSSI, src.LastRSSI)
	setInt(&dst.LQI, src.LQI)
	setInt(&dst.LinkMargin, src.LinkMargin)
	if src.FrameErrorRate != nil {
		dst.FrameErrorRate = src.FrameErrorRate
	}
	if src.MessageErrorRate != nil {
		dst.MessageErrorRate = src.MessageErrorRate
	}
	if src.Timeout != nil {
		dst.Timeout = src.Timeout
	}
	if src.Age != nil {
		dst.Age = src.Age
	}
	dst.Derived = dst.Derived && src.Derived
	dst.Flags = addUnique(dst.Flags, src.Flags...)
	dst.Sources = addUnique(dst.Sources, src.Sources...)
}

// crossCheckChildren flags children whose parent's child table was read and
// does not list them, and child-table links that contradict the RLOC16.
func crossCheckChildren(s *Snapshot) {
	byID := make(map[string]*Node, len(s.Nodes)) // a lookup per link would be quadratic
	for i := range s.Nodes {
		byID[s.Nodes[i].ID] = &s.Nodes[i]
	}
	listed := map[[2]string]bool{}
	for i := range s.Links {
		l := &s.Links[i]
		if l.Kind != LinkChild {
			continue
		}
		if !l.Derived {
			listed[[2]string{l.A, l.B}] = true
		}
		child := byID[l.B]
		if child != nil && child.Parent != nil && *child.Parent != l.A {
			l.AddFlag(FlagParentMismatch)
			child.AddFlag(FlagParentMismatch)
		}
	}
	for i := range s.Nodes {
		n := &s.Nodes[i]
		if n.Parent == nil {
			continue
		}
		p := byID[*n.Parent]
		if p != nil && p.ChildTableKnown && !listed[[2]string{p.ID, n.ID}] {
			n.AddFlag(FlagNotInParentTable)
		}
	}
}

func collectPartitions(s *Snapshot) {
	for _, n := range s.Nodes {
		if n.PartitionID == nil {
			continue
		}
		found := false
		for _, p := range s.Network.Partitions {
			found = found || p == *n.PartitionID
		}
		if !found {
			s.Network.Partitions = append(s.Network.Partitions, *n.PartitionID)
		}
	}
	sort.Slice(s.Network.Partitions, func(i, j int) bool { return s.Network.Partitions[i] < s.Network.Partitions[j] })
	if len(s.Network.Partitions) == 1 && s.Network.PartitionID == nil {
		s.Network.PartitionID = Ptr(s.Network.Partitions[0])
	}
}

func sortSnapshot(s *Snapshot) {
	rl := func(n Node) uint32 {
		if n.Rloc16 == nil {
			return 1 << 20
		}
		return uint32(*n.Rloc16)
	}
	sort.SliceStable(s.Nodes, func(i, j int) bool {
		a, b := s.Nodes[i], s.Nodes[j]
		if rl(a) != rl(b) {
			return rl(a) < rl(b)
		}
		return a.ID < b.ID
	})
	sort.SliceStable(s.Links, func(i, j int) bool {
		a, b := s.Links[i], s.Links[j]
		if a.Kind != b.Kind {
			return a.Kind == LinkRouter
		}
		if a.A != b.A {
			return a.A < b.A
		}
		return a.B < b.B
	})
	for i := range s.Nodes {
		sort.Strings(s.Nodes[i].Sources)
	}
	for i := range s.Links {
		sort.Strings(s.Links[i].Sources)
	}
}
