package topology

import (
	"net/netip"
	"sort"
	"strconv"
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
		out.NotSeen = append(out.NotSeen, cloneNodes(p.NotSeen)...)
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
	if src.NetworkData != nil && (dst.NetworkData == nil || !src.NetworkData.Elided() || dst.NetworkData.Elided()) {
		// A sleepy child's stable-only copy (RLOC16s elided) never
		// replaces a full copy.
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
// id, moves the devices this scan did not see to NotSeen, derives router
// IDs, roles and parents from RLOC16s (roles from the best evidence:
// RLOC16, mode and router eligibility, each with its field source), adds
// the parent-child links the RLOC16 mask implies, cross-checks them against
// child tables, folds duplicate links, marks the border routers the
// network data names and sorts everything. It is idempotent.
//
// Not seen: a node whose every view carries FlagInventoryOnly (no table of
// this scan lists it — child table, Route64, router or neighbor table,
// network data — and it did not answer) is no live node on the map; it is
// kept in NotSeen with what the sources knew (LastSeen among it) and the
// links that named it are dropped.
//
// Border routers: Node.BorderRouter is set here and only here, from the
// network data (a Border Router or Has Route entry of a Prefix TLV names
// the node's RLOC16); without network data the flags are left as they
// are. A network data RLOC16 no node has gets an inferred node.
func Normalize(s *Snapshot) {
	if s.Schema == "" {
		s.Schema = Schema
	}
	// Devices not seen before rejoin the fold: a view here may see them.
	for _, n := range s.NotSeen {
		n.AddFlag(FlagInventoryOnly)
		s.Nodes = append(s.Nodes, n)
	}
	s.NotSeen = nil
	rename := foldNodes(s)
	resolve := func(id string) string {
		// Follow chains (an id renamed to an rloc: id that folded into an
		// ext-addressed node), at most once per entry.
		for range len(rename) {
			r, ok := rename[id]
			if !ok || r == id {
				break
			}
			id = r
		}
		return id
	}
	for i := range s.Links {
		s.Links[i].A, s.Links[i].B = resolve(s.Links[i].A), resolve(s.Links[i].B)
	}
	splitNotSeen(s)
	addNetDataNodes(s)
	deriveLeader(s)
	for i := range s.Nodes {
		deriveNode(&s.Nodes[i], s.Network)
	}
	for i := range s.NotSeen {
		deriveNode(&s.NotSeen[i], s.Network)
	}
	deriveParents(s)
	foldLinks(s)
	parentFromChildLinks(s)
	crossCheckChildren(s)
	collectPartitions(s)
	sortSnapshot(s)
	resolveNetData(s)
	markBorderRouters(s)
	for i := range s.Nodes {
		s.Nodes[i].modeFromInventory = false
	}
	for i := range s.NotSeen {
		s.NotSeen[i].modeFromInventory = false
	}
}

// splitNotSeen moves the nodes every view of which was an inventory entry
// (and that did not answer) to s.NotSeen, with the links that name them.
// A node the network data names by its RLOC16 is seen: the leader lists it.
func splitNotSeen(s *Snapshot) {
	inNetData := netDataRlocs(s.Network.NetworkData, true)
	claimed := map[Rloc16]bool{}
	for _, n := range s.Nodes {
		if n.Rloc16 != nil && !n.HasFlag(FlagInventoryOnly) {
			claimed[*n.Rloc16] = true
		}
	}
	var live []Node
	gone := map[string]bool{}
	for _, n := range s.Nodes {
		if n.HasFlag(FlagInventoryOnly) {
			seen := n.Status == StatusAnswered ||
				(n.Rloc16 != nil && inNetData[*n.Rloc16] && !claimed[*n.Rloc16])
			if !seen {
				n.RouterID, n.Parent = nil, nil
				s.NotSeen = append(s.NotSeen, n)
				gone[n.ID] = true
				continue
			}
			n.Flags = removeFlag(n.Flags, FlagInventoryOnly)
		}
		live = append(live, n)
	}
	if len(gone) == 0 {
		return
	}
	if live == nil {
		live = []Node{}
	}
	s.Nodes = live
	var links []Link
	for _, l := range s.Links {
		if !gone[l.A] && !gone[l.B] {
			links = append(links, l)
		}
	}
	s.Links = links
}

func removeFlag(flags []string, f string) []string {
	var out []string
	for _, x := range flags {
		if x != f {
			out = append(out, x)
		}
	}
	return out
}

// netDataRlocs is the set of RLOC16s the network data names in Border
// Router and Has Route entries (a border router publishes an on-mesh
// prefix or an external route) and, with servers, as service servers;
// without the elided 0xfffe.
func netDataRlocs(nd *NetworkData, servers bool) map[Rloc16]bool {
	out := map[Rloc16]bool{}
	nd.eachRloc(servers, func(r Rloc16) { out[r] = true })
	delete(out, InvalidRloc16)
	return out
}

// addNetDataNodes gives every border router RLOC16 of the network data
// that no node has an inferred node: the leader's data says it exists.
func addNetDataNodes(s *Snapshot) {
	nd := s.Network.NetworkData
	if nd == nil {
		return
	}
	have := map[Rloc16]bool{}
	for _, n := range s.Nodes {
		if n.Rloc16 != nil {
			have[*n.Rloc16] = true
		}
	}
	for r := range netDataRlocs(nd, false) {
		if have[r] {
			continue
		}
		have[r] = true
		s.Nodes = append(s.Nodes, Node{ID: RlocID(r), Rloc16: Ptr(r), Role: RoleUnknown,
			Flags: []string{FlagInferred}, Sources: []string{}, PartitionID: s.Network.PartitionID})
	}
}

// markBorderRouters sets Node.BorderRouter from the network data: the one
// place the flag is derived.
func markBorderRouters(s *Snapshot) {
	nd := s.Network.NetworkData
	if nd == nil {
		return
	}
	brs := netDataRlocs(nd, false)
	for i := range s.Nodes {
		n := &s.Nodes[i]
		n.BorderRouter = n.Rloc16 != nil && brs[*n.Rloc16]
	}
	for i := range s.NotSeen {
		s.NotSeen[i].BorderRouter = false
	}
}

// foldNodes merges nodes that are the same device: same ext address, or an
// RLOC16-only node and the one node with that RLOC16 (in the same
// partition), else the one that shares a device address with it.
// It returns old id → new id for link rewriting.
func foldNodes(s *Snapshot) map[string]string {
	rename := map[string]string{}
	var out []Node
	byExt := map[string]int{}
	for _, n := range s.Nodes {
		oldID := n.ID
		// The canonical form: 16 lower-case hex digits; zero and anything
		// that is no ext address mean "unknown" (an id must not collide
		// with an "rloc:" one).
		if x, err := ParseExtAddress(n.ExtAddr); err == nil && x != 0 {
			n.ExtAddr = x.String()
		} else {
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
		key := n.ExtAddr
		if key == "" && n.Rloc16 != nil {
			// RLOC16-only views of one partition: one node before folding
			// (a child table's view and a Child IPv6 Address List's).
			key = n.ID + "@" + partitionKey(n.PartitionID)
		}
		if key != "" {
			if j, ok := byExt[key]; ok {
				mergeNode(&out[j], &n, true)
				continue
			}
			byExt[key] = len(out)
		}
		fresh := Node{ID: n.ID, ExtAddr: n.ExtAddr, Sources: []string{}}
		if n.HasFlag(FlagInventoryOnly) {
			fresh.Flags = []string{FlagInventoryOnly} // so far, every view is an inventory's
		}
		mergeNode(&fresh, &n, true)
		out = append(out, fresh)
	}
	// RLOC16-only nodes fold into the unique ext-addressed node with that
	// RLOC16 in their partition. An inferred router known only by its
	// RLOC16 (an allocated router ID in some node's Route64 or route table)
	// also folds into the one ext-addressed node anywhere with that router
	// RLOC16 when its own partition has none: views taken in different
	// partitions (Matter dumps read months apart, a partition that
	// re-formed) name the same router, which asks for its previous router
	// ID when it re-attaches.
	var kept []Node
	for i := range out {
		n := out[i]
		if n.ExtAddr == "" && n.Rloc16 != nil {
			target, count := -1, 0
			anyTarget, anyCount := -1, 0
			for j := range out {
				m := &out[j]
				if m.ExtAddr == "" || m.Rloc16 == nil || *m.Rloc16 != *n.Rloc16 {
					continue
				}
				if samePartition(m, &n) {
					target, count = j, count+1
				}
				anyTarget, anyCount = j, anyCount+1
			}
			if count == 0 && anyCount == 1 && n.Rloc16.IsRouter() && n.HasFlag(FlagInferred) {
				target, count = anyTarget, 1
			}
			if count != 1 {
				// No RLOC16 match: the one ext-addressed node of the
				// partition sharing one of its addresses (ML-EID, OMR) —
				// a child known by RLOC16 from its parent's tables and by
				// ext address from an inventory that lacks its RLOC16.
				target, count = addressOwner(out, &n)
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
	for i := range kept {
		attributeSourceless(&kept[i])
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
	keptIDs := map[string]bool{}
	for _, n := range kept {
		keptIDs[n.ID] = true
	}
	for r, ids := range rlocOwners {
		// Not while a node of that id stays (one of another partition).
		if len(ids) == 1 && !keptIDs[RlocID(r)] {
			rename[RlocID(r)] = ids[0]
		}
	}
	s.Nodes = kept
	return rename
}

// partitionKey names a partition for grouping ("" when unknown).
func partitionKey(p *uint32) string {
	if p == nil {
		return ""
	}
	return strconv.FormatUint(uint64(*p), 10)
}

// addressOwner finds the ext-addressed nodes of n's partition that share an
// address identifying one device with n (not link-local, not an RLOC or
// ALOC, not multicast): the index of the one, and how many there are.
func addressOwner(nodes []Node, n *Node) (int, int) {
	mine := map[netip.Addr]bool{}
	for _, a := range n.IPv6 {
		if ip, err := netip.ParseAddr(a); err == nil && deviceAddr(ip) {
			mine[ip] = true
		}
	}
	if len(mine) == 0 {
		return -1, 0
	}
	target, count := -1, 0
	for j := range nodes {
		m := &nodes[j]
		if m.ExtAddr == "" || !samePartition(m, n) {
			continue
		}
		for _, a := range m.IPv6 {
			if ip, err := netip.ParseAddr(a); err == nil && mine[ip] {
				target, count = j, count+1
				break
			}
		}
	}
	return target, count
}

// deviceAddr reports whether a names one device: unicast, not link-local
// (derived from the ext address, which it would have to match anyway),
// not an RLOC or ALOC (those follow the RLOC16).
func deviceAddr(a netip.Addr) bool {
	if !a.IsValid() || a.IsMulticast() || a.IsLinkLocalUnicast() || a.IsUnspecified() || a.IsLoopback() {
		return false
	}
	_, loc := LocatorOf(a)
	return !loc
}

// sourceless marks a field set by a view without sources until
// attributeSourceless gives it the node's first source.
const sourceless = "\x00"

// attributeSourceless gives the fields set by views without sources the
// node's first source (sorted), or drops their attribution when the node
// has none: what Normalize of the folded node would record.
func attributeSourceless(n *Node) {
	first := ""
	for _, s := range n.Sources {
		if first == "" || s < first {
			first = s
		}
	}
	for f, by := range n.FieldSources {
		if by != sourceless {
			continue
		}
		if first == "" {
			delete(n.FieldSources, f)
		} else {
			n.FieldSources[f] = first
		}
	}
	if len(n.FieldSources) == 0 {
		n.FieldSources = nil
	}
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
			// A view without sources (an inferred one): the field is
			// attributed to the node's first source once the fold is done
			// (attributeSourceless), as a second Normalize would.
			by = sourceless
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
	// An inventory's view (FlagInventoryOnly: a device list, a stale
	// record) never overrides what a table or the node itself said about
	// mode and role, and is overridden by it (OTBR's /api/devices gets the
	// mode bits wrong); dst is still inventory-only while every view merged
	// into it so far was.
	srcInv, dstInv := src.HasFlag(FlagInventoryOnly), dst.HasFlag(FlagInventoryOnly)
	known := func(r Role) bool { return r != "" && r != RoleUnknown }
	// The neutral ftd-child agrees with reed and fed: it only knows less.
	neutral := func(a, b Role) bool { return a == RoleFTDChild && b.IsFTDChildRole() }
	if known(src.Role) && !(srcInv && !dstInv && known(dst.Role)) {
		if known(dst.Role) && dst.Role != src.Role && !(dst.Role.IsRouterRole() && src.Role.IsRouterRole()) &&
			!neutral(src.Role, dst.Role) && !neutral(dst.Role, src.Role) && !srcInv && !dstInv {
			dst.AddFlag(FlagRoleConflict)
		}
		better := !srcInv && dstInv
		if (overwrite || better || !known(dst.Role)) && !(dst.Role == RoleLeader && src.Role == RoleRouter) &&
			!(neutral(src.Role, dst.Role) && !better) {
			dst.Role = src.Role
			note("role") // Normalize re-derives it, naming its evidence
		}
	}
	if src.Mode != nil {
		srcWeak := srcInv || src.modeFromInventory
		switch {
		case dst.Mode == nil, !srcWeak && dst.modeFromInventory, overwrite && (!srcWeak || dst.modeFromInventory):
			dst.Mode, dst.modeFromInventory = src.Mode, srcWeak
			note("mode")
		}
	}
	if take("router_eligible", src.RouterEligible != nil && !srcInv, dst.RouterEligible != nil) {
		dst.RouterEligible = src.RouterEligible
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
	// A view that is not an inventory's clears FlagInventoryOnly; an
	// inventory's view does not set it on a node something else saw.
	if !srcInv && dstInv {
		dst.Flags = removeFlag(dst.Flags, FlagInventoryOnly)
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
		if f == FlagInventoryOnly && !dstInv {
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

// deriveNode applies the RLOC16 arithmetic to one node and derives its
// role from the best evidence, naming that evidence's source in
// FieldSources["role"]: a router's RLOC16 (leader when the leader data
// names its router ID); a child's mode refined by its router eligibility.
func deriveNode(n *Node, net Network) {
	if n.Sources == nil {
		n.Sources = []string{}
	}
	roleFrom := func(fields ...string) {
		for _, f := range fields {
			if src := n.FieldSources[f]; src != "" {
				n.FieldSources["role"] = src // n.FieldSources is not nil here
				return
			}
		}
	}
	if n.Rloc16 == nil || *n.Rloc16 == InvalidRloc16 {
		if n.Role == "" {
			n.Role = RoleUnknown
		}
		if n.Mode != nil && n.Role.IsChildRole() {
			n.Role = ChildRoleOf(*n.Mode, n.RouterEligible)
			roleFrom("router_eligible", "mode")
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
		roleFrom("rloc16")
		return
	}
	n.RouterID = nil
	switch {
	case n.Role == RoleDetached:
		// A detached node keeps its last RLOC16 but has no parent.
	case n.Mode != nil:
		n.Role = ChildRoleOf(*n.Mode, n.RouterEligible)
		if n.Role.IsFTDChildRole() {
			roleFrom("router_eligible", "mode")
		} else {
			roleFrom("mode")
		}
	case n.RouterEligible != nil && n.Role.IsFTDChildRole():
		// No mode, but a source said it is an FTD child (Matter RoutingRole
		// REED) and eligibility is known.
		n.Role = ChildRoleOf(Mode{RxOnWhenIdle: true, FullThreadDevice: true}, n.RouterEligible)
		roleFrom("router_eligible")
	case !n.Role.IsChildRole():
		// A child without mode: an end device of unknown kind.
		n.Role = RoleEndDevice
		roleFrom("rloc16")
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
