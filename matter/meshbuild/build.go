package meshbuild

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/threadmap/threadmap/matter/nodedump"
	"github.com/threadmap/threadmap/thread/topology"
)

// SourceName is the name recorded in Node.Sources and the scan report.
const SourceName = "matter"

// Input is one decoded node and when its data was taken.
type Input struct {
	Node *nodedump.Node
	// Origin names where it came from (file, server URL) for notes.
	Origin string
	// TakenAt orders views: a fresher view wins conflicts.
	TakenAt time.Time
}

// Result is the Matter view of every Thread network the nodes are on.
type Result struct {
	// Networks holds one normalized snapshot per Thread network (ext PAN
	// ID), the one with the most Matter nodes first.
	Networks []*topology.Snapshot
	// Notes lists, fabric-wide, devices not on any Thread map (Wi-Fi,
	// Ethernet, Thread devices whose network or identity is unknown) and
	// decode problems. Each network's scan report carries them too.
	Notes []string
}

// Largest returns the network with the most Matter nodes, or nil.
func (r *Result) Largest() *topology.Snapshot {
	if len(r.Networks) == 0 {
		return nil
	}
	return r.Networks[0]
}

// Network returns the network with ext PAN ID key (lower-case hex), or nil.
func (r *Result) Network(key string) *topology.Snapshot {
	for _, s := range r.Networks {
		if s.Network.Key() == strings.ToLower(key) {
			return s
		}
	}
	return nil
}

type member struct {
	in    Input
	id    Identity
	label string
}

// Build places every node on its Thread network and builds each network's
// topology from the nodes' own views. now stands in for a missing TakenAt.
func Build(inputs []Input, now time.Time) *Result {
	res := &Result{}
	sorted := make([]Input, 0, len(inputs))
	for _, in := range inputs {
		if in.Node == nil {
			continue
		}
		if in.TakenAt.IsZero() {
			in.TakenAt = now
		}
		sorted = append(sorted, in)
	}
	// Older views first: within a network, later parts win conflicts.
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].TakenAt.Before(sorted[j].TakenAt) })

	groups := map[string][]member{}
	prefixes := map[string]netip.Prefix{}
	names := map[string]string{}
	var pending []member
	for _, in := range sorted {
		m := member{in: in, id: Identify(in.Node), label: label(in)}
		for _, p := range in.Node.Problems {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: %s", m.label, p))
		}
		t := in.Node.Thread
		if t != nil && t.ExtendedPanID != nil {
			key := fmt.Sprintf("%016x", *t.ExtendedPanID)
			groups[key] = append(groups[key], m)
			if t.MeshLocalPrefix != nil {
				prefixes[key] = *t.MeshLocalPrefix
			}
			if t.NetworkName != "" && !nodedump.Redacted(t.NetworkName) {
				names[key] = t.NetworkName
			}
			continue
		}
		pending = append(pending, m)
	}
	// Nodes without a Thread Network Diagnostics cluster: place Thread
	// devices by their addresses or interface name, list the rest.
	for _, m := range pending {
		ti := m.in.Node.ThreadInterface()
		if ti == nil {
			kind := "no network interface reported"
			if len(m.in.Node.Interfaces) > 0 {
				var kinds []string
				for _, ni := range m.in.Node.Interfaces {
					kinds = append(kinds, ni.Type.String())
				}
				kind = strings.Join(kinds, ", ") + " device"
			}
			if m.in.Node.Thread != nil {
				kind = "Thread diagnostics without ext PAN ID"
			}
			res.Notes = append(res.Notes, fmt.Sprintf("%s: not on a Thread map (%s)", m.label, kind))
			continue
		}
		key := placeByAddress(ti, prefixes, names)
		if key == "" {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: Thread device without Thread Network Diagnostics; its network (interface %q) is not one of the networks seen", m.label, ti.Name))
			continue
		}
		groups[key] = append(groups[key], m)
	}

	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(groups[keys[i]]) != len(groups[keys[j]]) {
			return len(groups[keys[i]]) > len(groups[keys[j]])
		}
		return keys[i] < keys[j]
	})
	global := res.Notes
	for _, key := range keys {
		snap, notes := buildNetwork(key, groups[key])
		res.Notes = append(res.Notes, notes...)
		res.Networks = append(res.Networks, snap)
	}
	// Every network's report also names the fabric-wide notes: the devices
	// on no Thread map and the values that could not be decoded.
	for _, snap := range res.Networks {
		snap.Scan.Sources[0].Notes = append(snap.Scan.Sources[0].Notes, global...)
	}
	return res
}

func label(in Input) string {
	n := in.Node
	name := n.Basic.NodeLabel
	if name == "" {
		name = strings.TrimSpace(n.Basic.VendorName + " " + n.Basic.ProductName)
	}
	s := fmt.Sprintf("matter node %d", n.NodeID)
	if name != "" {
		s += " (" + name + ")"
	}
	if in.Origin != "" {
		s += " [" + in.Origin + "]"
	}
	return s
}

// placeByAddress finds the network whose mesh-local prefix holds one of
// the interface's addresses, else whose name the interface carries.
func placeByAddress(ti *nodedump.NetworkInterface, prefixes map[string]netip.Prefix, names map[string]string) string {
	var keys []string
	for k := range prefixes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, a := range ti.IPv6 {
			if prefixes[k].Contains(a) {
				return k
			}
		}
	}
	var match []string
	for k, name := range names {
		if name == ti.Name {
			match = append(match, k)
		}
	}
	if len(match) == 1 {
		return match[0]
	}
	return ""
}

// buildNetwork merges the members' views into one snapshot.
func buildNetwork(key string, members []member) (*topology.Snapshot, []string) {
	var parts []*topology.Snapshot
	var notes []string
	answered := 0
	for _, m := range members {
		p, pn := nodeView(key, m)
		notes = append(notes, pn...)
		if p != nil {
			parts = append(parts, p)
		}
		if m.in.Node.Available {
			answered++
		}
	}
	crossCheck(members, parts, &notes)
	snap := topology.Merge(parts...)
	if snap.Network.ExtPanID == "" {
		snap.Network.ExtPanID = key
	}
	snap.Scan.Sources = []topology.SourceReport{{Name: SourceName, Queried: len(members), Answered: answered, Notes: append([]string(nil), notes...)}}
	return snap, notes
}

// modelCounters are the model's names (topology.Counter*) of the Thread
// Network Diagnostics counter attributes, indexed by attribute ID (14–55):
// the MLE counts are OpenThread's otMleCounters (TMF's MLE Counters TLV),
// the MAC counts its otMacCounters.
var modelCounters = [...]string{
	14: topology.CounterMLEDetachedRole, 15: topology.CounterMLEChildRole, 16: topology.CounterMLERouterRole,
	17: topology.CounterMLELeaderRole, 18: topology.CounterMLEAttachAttempts, 19: topology.CounterMLEPartitionIDChanges,
	20: topology.CounterMLEBetterPartitionAttachAttempt, 21: topology.CounterMLEParentChanges,
	22: topology.CounterMACTxTotal, 23: topology.CounterMACTxUnicast, 24: topology.CounterMACTxBroadcast,
	25: topology.CounterMACTxAckRequested, 26: topology.CounterMACTxAcked, 27: topology.CounterMACTxNoAckRequested,
	28: topology.CounterMACTxData, 29: topology.CounterMACTxDataPoll, 30: topology.CounterMACTxBeacon,
	31: topology.CounterMACTxBeaconRequest, 32: topology.CounterMACTxOther, 33: topology.CounterMACTxRetry,
	34: topology.CounterMACTxDirectMaxRetryExpiry, 35: topology.CounterMACTxIndirectMaxRetryExpiry,
	36: topology.CounterMACTxErrCca, 37: topology.CounterMACTxErrAbort, 38: topology.CounterMACTxErrBusyChannel,
	39: topology.CounterMACRxTotal, 40: topology.CounterMACRxUnicast, 41: topology.CounterMACRxBroadcast,
	42: topology.CounterMACRxData, 43: topology.CounterMACRxDataPoll, 44: topology.CounterMACRxBeacon,
	45: topology.CounterMACRxBeaconRequest, 46: topology.CounterMACRxOther, 47: topology.CounterMACRxAddressFiltered,
	48: topology.CounterMACRxDestAddrFiltered, 49: topology.CounterMACRxDuplicated, 50: topology.CounterMACRxErrNoFrame,
	51: topology.CounterMACRxErrUnknownNeighbor, 52: topology.CounterMACRxErrInvalidSrcAddr, 53: topology.CounterMACRxErrSec,
	54: topology.CounterMACRxErrFcs, 55: topology.CounterMACRxErrOther,
}

// ModelCounter is the model's name (topology.Counter*) of Thread Network
// Diagnostics counter attribute id (14–55), or "" for any other id.
func ModelCounter(id int) string {
	if id < 0 || id >= len(modelCounters) {
		return ""
	}
	return modelCounters[id]
}

func ptrInt[T ~uint8 | ~int8 | ~uint16 | ~uint32](v T) *int { x := int(v); return &x }

// nodeView is one node's own view: itself, the neighbors and routers it
// lists, and the links it reports.
func nodeView(key string, m member) (*topology.Snapshot, []string) {
	n := m.in.Node
	t := n.Thread
	var notes []string
	for _, c := range m.id.Conflicts {
		notes = append(notes, fmt.Sprintf("%s: %s", m.label, c))
	}
	if m.id.ExtAddr == 0 && m.id.Rloc16 == nil {
		notes = append(notes, fmt.Sprintf("%s: Thread device whose dump names neither its ext address nor its RLOC16 — not on the map", m.label))
	}
	p := topology.New(m.in.TakenAt)
	p.Network = networkOf(key, t)
	var partition *uint32
	if t != nil {
		partition = t.PartitionID
	}
	taken := m.in.TakenAt
	self := topology.Node{
		ExtAddr: extString(m.id.ExtAddr), Rloc16: m.id.Rloc16, Role: topology.RoleUnknown,
		Name: n.Basic.NodeLabel, Vendor: n.Basic.VendorName, Model: n.Basic.ProductName,
		SWVersion: n.Basic.SoftwareVersionString, MatterNodeID: n.NodeID,
		PartitionID: partition, Sources: []string{SourceName}, Status: topology.StatusAnswered,
		LastSeen: &taken,
	}
	if self.Name == "" {
		self.Name = n.Basic.ProductName
	}
	if !n.Available {
		self.Status, self.StatusDetail = topology.StatusTimedOut, "unavailable at the Matter server; attributes are the last values it read"
	}
	self.ID = topology.NodeID(m.id.ExtAddr, val(m.id.Rloc16))
	if len(m.id.Conflicts) > 0 {
		for _, c := range m.id.Conflicts {
			if strings.HasPrefix(c, "ext address") {
				self.AddFlag(FlagExtAddressConflict)
			} else {
				self.AddFlag(FlagRloc16Conflict)
			}
		}
	}
	if ti := n.ThreadInterface(); ti != nil {
		for _, a := range ti.IPv6 {
			self.IPv6 = append(self.IPv6, a.String())
		}
	}
	if t == nil {
		self.AddFlag(FlagNoThreadDiagnostics)
	} else {
		if t.RoutingRole != nil {
			self.Role = Role(*t.RoutingRole)
			// RoutingRole says router eligibility: the Matter SDK reports
			// an rx-on child as REED only when OpenThread says it is router
			// eligible, else as EndDevice; routers and the leader are
			// eligible. So EndDevice is "not eligible": with the FTD mode a
			// parent's neighbor table shows, a FED; with rx-on MTD mode a
			// MED as before. A sleepy end device's role says nothing.
			switch *t.RoutingRole {
			case nodedump.RoleREED, nodedump.RoleRouter, nodedump.RoleLeader:
				self.RouterEligible = topology.Ptr(true)
			case nodedump.RoleEndDevice:
				self.RouterEligible = topology.Ptr(false)
			}
		}
		for id := range modelCounters {
			name := ModelCounter(id)
			if name == "" {
				continue
			}
			if v, ok := t.Counters[nodedump.CounterName(id)]; ok {
				if self.Counters == nil {
					self.Counters = map[string]uint64{}
				}
				self.Counters[name] = v
			}
		}
	}
	if self.ExtAddr == "" && self.Rloc16 == nil {
		return nil, notes
	}
	selfIsRouter := self.Role.IsRouterRole() || (self.Rloc16 != nil && self.Rloc16.IsRouter() && self.Role == topology.RoleUnknown)
	if t != nil && t.NeighborTable != nil && selfIsRouter {
		self.ChildTableKnown = true
	}

	// Neighbors and routers this node lists: seen by it, not themselves.
	seen := func(ext uint64, rloc topology.Rloc16) *topology.Node {
		nb := topology.Node{
			ExtAddr: extString(topology.ExtAddress(ext)), Rloc16: topology.Ptr(rloc), Role: topology.RoleUnknown,
			PartitionID: partition, Sources: []string{SourceName}, Flags: []string{topology.FlagInferred},
		}
		nb.ID = topology.NodeID(topology.ExtAddress(ext), rloc)
		if rloc.IsRouter() {
			nb.Role = topology.RoleRouter
		}
		p.Nodes = append(p.Nodes, nb)
		return &p.Nodes[len(p.Nodes)-1]
	}
	if t != nil {
		var parentRloc *topology.Rloc16
		if self.Rloc16 != nil && !self.Rloc16.IsRouter() {
			parentRloc = topology.Ptr(self.Rloc16.Parent())
		}
		// A child whose RLOC16 is unknown: its one router neighbor is its parent.
		if parentRloc == nil && self.Role.IsChildRole() {
			var routers []nodedump.NeighborEntry
			for _, e := range t.NeighborTable {
				if !e.IsChild && topology.Rloc16(e.Rloc16).IsRouter() {
					routers = append(routers, e)
				}
			}
			if len(routers) == 1 {
				parentRloc = topology.Ptr(topology.Rloc16(routers[0].Rloc16))
			}
		}
		for _, e := range t.NeighborTable {
			rloc := topology.Rloc16(e.Rloc16)
			if e.ExtAddress != 0 && e.ExtAddress == uint64(m.id.ExtAddr) {
				continue
			}
			nb := seen(e.ExtAddress, rloc)
			mode := topology.Mode{RxOnWhenIdle: e.RxOnWhenIdle, FullThreadDevice: e.FullThreadDevice, FullNetworkData: e.FullNetworkData}
			nb.Mode = &mode
			if !rloc.IsRouter() {
				nb.Role = topology.ChildRole(mode)
			}
			nbID := nb.ID
			link := topology.Link{
				LQI: ptrInt(e.LQI), FrameErrorRate: topology.Ptr(float64(e.FrameErrorRate)),
				MessageErrorRate: topology.Ptr(float64(e.MessageErrorRate)), Age: topology.Ptr(e.Age),
				Sources: []string{SourceName},
			}
			if e.AverageRssi != nil {
				link.RSSI = ptrInt(*e.AverageRssi)
			}
			if e.LastRssi != nil {
				link.LastRSSI = ptrInt(*e.LastRssi)
			}
			switch {
			case e.IsChild:
				// The parent's view: LQI is its link quality in (0–3).
				link.Kind, link.A, link.B = topology.LinkChild, self.ID, nbID
				link.LQIn = ptrInt(e.LQI)
			case selfIsRouter && rloc.IsRouter():
				link.Kind, link.A, link.B = topology.LinkRouter, self.ID, nbID
				link.LQIn = ptrInt(e.LQI) // the RouteTable's LQIIn, when listed, is the same measure
			case self.Role.IsChildRole() && parentRloc != nil && rloc == *parentRloc:
				link.Kind, link.A, link.B = topology.LinkChild, nbID, self.ID
			default:
				continue // a child's non-parent neighbor: known, but not a mesh link
			}
			p.Links = append(p.Links, link)
		}
		for _, e := range t.RouteTable {
			rloc := topology.Rloc16(e.Rloc16)
			if (e.ExtAddress != 0 && e.ExtAddress == uint64(m.id.ExtAddr)) || (self.Rloc16 != nil && rloc == *self.Rloc16) {
				continue
			}
			if e.ExtAddress == 0 && e.NextHop == nodedump.NoNextHop && e.PathCost == 0 && selfIsRouter {
				continue // the router's own entry
			}
			nb := seen(e.ExtAddress, rloc)
			nbID := nb.ID
			if !e.LinkEstablished {
				continue
			}
			switch {
			case selfIsRouter:
				l := topology.Link{Kind: topology.LinkRouter, A: self.ID, B: nbID,
					LQIn: ptrInt(e.LQIIn), LQOut: ptrInt(e.LQIOut), RouteCost: ptrInt(e.PathCost),
					Sources: []string{SourceName}}
				p.Links = append(p.Links, l)
			case self.Role.IsChildRole() && parentRloc != nil && rloc == *parentRloc:
				// The child's view of its parent link: the parent's LQ out is
				// what the child hears (LQIIn); 0 means "not known".
				l := topology.Link{Kind: topology.LinkChild, A: nbID, B: self.ID, Sources: []string{SourceName}}
				if e.LQIOut > 0 {
					l.LQIn = ptrInt(e.LQIOut)
				}
				if e.LQIIn > 0 {
					l.LQOut = ptrInt(e.LQIIn)
				}
				p.Links = append(p.Links, l)
			}
		}
	}
	p.Nodes = append(p.Nodes, self) // last: the node's own view of itself wins
	return p, notes
}

func val[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func extString(e topology.ExtAddress) string {
	if e == 0 {
		return ""
	}
	return e.String()
}

// networkOf is the network identity one node reports.
func networkOf(key string, t *nodedump.ThreadNetworkDiagnostics) topology.Network {
	net := topology.Network{ExtPanID: key}
	if t == nil {
		return net
	}
	if !nodedump.Redacted(t.NetworkName) {
		net.Name = t.NetworkName
	}
	if t.PanID != nil {
		net.PanID = fmt.Sprintf("0x%04x", *t.PanID)
	}
	if t.Channel != nil {
		net.Channel = *t.Channel
	}
	if t.MeshLocalPrefix != nil {
		net.MeshLocalPrefix = t.MeshLocalPrefix.String()
	}
	net.PartitionID = t.PartitionID
	net.LeaderRouterID = t.LeaderRouterID
	return net
}

// crossCheck compares each node's own RLOC16 with what neighbors in the
// same partition list for its ext address, flagging (never dropping)
// disagreements.
func crossCheck(members []member, parts []*topology.Snapshot, notes *[]string) {
	type view struct {
		rloc topology.Rloc16
		by   string
	}
	views := map[[2]uint64][]view{} // {partition, ext} → views
	for _, m := range members {
		t := m.in.Node.Thread
		if t == nil || t.PartitionID == nil {
			continue
		}
		for _, e := range t.NeighborTable {
			if e.ExtAddress != 0 {
				k := [2]uint64{uint64(*t.PartitionID), e.ExtAddress}
				views[k] = append(views[k], view{topology.Rloc16(e.Rloc16), m.label})
			}
		}
		for _, e := range t.RouteTable {
			if e.ExtAddress != 0 && e.ExtAddress != uint64(m.id.ExtAddr) {
				k := [2]uint64{uint64(*t.PartitionID), e.ExtAddress}
				views[k] = append(views[k], view{topology.Rloc16(e.Rloc16), m.label})
			}
		}
	}
	for i, m := range members {
		t := m.in.Node.Thread
		if t == nil || t.PartitionID == nil || m.id.ExtAddr == 0 || m.id.Rloc16 == nil {
			continue
		}
		for _, v := range views[[2]uint64{uint64(*t.PartitionID), uint64(m.id.ExtAddr)}] {
			if v.rloc == *m.id.Rloc16 {
				continue
			}
			*notes = append(*notes, fmt.Sprintf("%s: says RLOC16 %s (%s), %s lists it as %s", m.label, m.id.Rloc16, m.id.RlocFrom, v.by, v.rloc))
			for _, p := range parts {
				for j := range p.Nodes {
					if p.Nodes[j].ExtAddr == m.id.ExtAddr.String() && p.Nodes[j].MatterNodeID == members[i].in.Node.NodeID {
						p.Nodes[j].AddFlag(FlagRloc16Conflict)
					}
				}
			}
		}
	}
}
