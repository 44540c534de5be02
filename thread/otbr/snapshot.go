package otbr

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// SourceName is the name this package records in Node.Sources and the scan report.
const SourceName = "otbr"

// Collected is everything one border router told us (or one set of saved
// answers holds). Build turns it into a partial snapshot.
type Collected struct {
	TakenAt     time.Time
	Diagnostics []Diagnostic
	Devices     []Device
	// Self is the border router's own node info, when known.
	Self    *NodeInfo
	Dataset *Dataset
	// RestURL is the base URL of the REST API (empty for imports).
	RestURL string
	Report  topology.SourceReport
}

// Build maps collected answers into a normalised partial snapshot: one node
// per device (ext address, RLOC16, mode, IPv6 addresses, counters,
// versions), router links from Route64 data (LQ in/out, route cost) and
// router-neighbor tables, child links from child tables (children listed
// only there appear as nodes under their parents) and from Child TLVs, and
// the network's identity. The border router itself is a node with
// BorderRouter set and a BorderRouter entry.
func Build(c Collected) *topology.Snapshot {
	taken := c.TakenAt
	if taken.IsZero() {
		taken = time.Now()
	}
	s := topology.New(taken)
	s.Scan.Sources = []topology.SourceReport{c.Report}
	if s.Scan.Sources[0].Name == "" {
		s.Scan.Sources[0].Name = SourceName
	}
	var net topology.Network
	if c.Dataset != nil {
		net.Name = c.Dataset.NetworkName
		net.ExtPanID = c.Dataset.ExtPanID
		if c.Dataset.PanID != nil {
			net.PanID = fmt.Sprintf("0x%04x", *c.Dataset.PanID)
		}
		net.Channel = c.Dataset.Channel
		net.MeshLocalPrefix = c.Dataset.MeshLocalPrefix
	}
	self := c.Self
	for _, d := range c.Devices {
		if d.Node == nil {
			continue
		}
		n := *d.Node
		if n.ExtAddr == nil {
			n.ExtAddr = topology.Ptr(d.ExtAddr)
		}
		if self == nil || (!self.Attached() && n.Attached()) {
			self = &n
		}
	}
	if self != nil {
		if net.Name == "" {
			net.Name = self.NetworkName
		}
		if net.ExtPanID == "" {
			net.ExtPanID = self.ExtPanID
		}
		if self.Attached() && self.LeaderData != nil {
			net.PartitionID = topology.Ptr(self.LeaderData.PartitionID)
			net.LeaderRouterID = topology.Ptr(self.LeaderData.LeaderRouterID)
		}
	}
	// The leader data most devices agree on names the partition.
	if net.PartitionID == nil {
		votes := map[[2]uint32]int{}
		for _, d := range c.Diagnostics {
			if d.LeaderData != nil {
				votes[[2]uint32{d.LeaderData.PartitionID, uint32(d.LeaderData.LeaderRouterID)}]++
			}
		}
		best, bestN := [2]uint32{}, 0
		for k, n := range votes {
			if n > bestN || (n == bestN && k[0] < best[0]) {
				best, bestN = k, n
			}
		}
		if bestN > 0 {
			net.PartitionID = topology.Ptr(best[0])
			net.LeaderRouterID = topology.Ptr(int(best[1]))
		}
	}
	s.Network = net

	b := builder{s: s, diagMode: map[string]bool{}}
	for _, d := range c.Diagnostics {
		b.addDiagnostic(d)
	}
	for _, d := range c.Devices {
		b.addDevice(d)
	}
	if self != nil && self.ExtAddr != nil {
		id := self.ExtAddr.String()
		n := topology.Node{ID: id, ExtAddr: id, BorderRouter: true, Sources: []string{SourceName}, Status: topology.StatusAnswered}
		if self.Attached() && self.Rloc16 != nil {
			n.Rloc16 = topology.Ptr(*self.Rloc16)
		}
		if self.LeaderData != nil && self.Attached() {
			n.PartitionID = topology.Ptr(self.LeaderData.PartitionID)
		}
		s.Nodes = append(s.Nodes, n)
		// Like discovery (MeshCoP TXT "id"), name the border router by its
		// border agent ID when it has one.
		brID := id
		if self.BaID != "" {
			brID = strings.ToLower(self.BaID)
		}
		br := topology.BorderRouter{
			ID: brID, ExtAddr: id, NetworkName: self.NetworkName, ExtPanID: self.ExtPanID,
			RestURL: c.RestURL, Sources: []string{SourceName}, LastSeen: topology.Ptr(taken.UTC()),
		}
		if self.State != "" {
			br.State = map[string]string{"thread_role": self.State}
		}
		if self.BaID != "" {
			if br.State == nil {
				br.State = map[string]string{}
			}
			br.State["border_agent_id"] = strings.ToLower(self.BaID)
		}
		s.BorderRouters = append(s.BorderRouters, br)
	}
	if s.Network.MeshLocalPrefix == "" {
		s.Network.MeshLocalPrefix = meshLocalPrefix(c.Diagnostics)
	}
	topology.Normalize(s)
	// Border routers that announce themselves in their diagnostics.
	for i := range s.BorderRouters {
		if n := s.Node(s.BorderRouters[i].ExtAddr); n != nil && n.ThreadVersion != 0 && s.BorderRouters[i].ThreadVersion == "" {
			s.BorderRouters[i].ThreadVersion = threadVersionName(n.ThreadVersion)
		}
	}
	return s
}

func threadVersionName(v int) string {
	switch v {
	case 2:
		return "1.1"
	case 3:
		return "1.2"
	case 4:
		return "1.3.0"
	case 5:
		return "1.4.0"
	}
	return fmt.Sprintf("version %d", v)
}

type builder struct {
	s *topology.Snapshot
	// diagMode: ext ids whose mode came from a diagnostic (trusted over /api/devices).
	diagMode map[string]bool
}

// node adds n and returns its id.
func (b *builder) node(n topology.Node) string {
	n.Sources = []string{SourceName}
	if n.ExtAddr != "" {
		n.ID = n.ExtAddr
	} else if n.Rloc16 != nil {
		n.ID = topology.RlocID(*n.Rloc16)
	}
	b.s.Nodes = append(b.s.Nodes, n)
	return n.ID
}

func (b *builder) link(l topology.Link) {
	l.Sources = []string{SourceName}
	b.s.Links = append(b.s.Links, l)
}

func (b *builder) addDiagnostic(d Diagnostic) {
	n := topology.Node{Status: topology.StatusAnswered}
	if d.ExtAddr != nil {
		n.ExtAddr = d.ExtAddr.String()
	}
	if d.Rloc16 != nil {
		n.Rloc16 = topology.Ptr(*d.Rloc16)
	}
	if d.Mode != nil {
		n.Mode = topology.Ptr(*d.Mode)
		if n.ExtAddr != "" {
			b.diagMode[n.ExtAddr] = true
		}
	}
	if d.IsLeader != nil && *d.IsLeader {
		n.Role = topology.RoleLeader
	}
	if d.IsBorderRouter != nil && *d.IsBorderRouter {
		n.BorderRouter = true
	}
	if d.LeaderData != nil {
		n.PartitionID = topology.Ptr(d.LeaderData.PartitionID)
	}
	if d.Timeout != nil && (d.Mode == nil || !d.Mode.RxOnWhenIdle) {
		n.Timeout = topology.Ptr(*d.Timeout)
	}
	if d.Connectivity != nil {
		n.Connectivity = topology.Ptr(d.Connectivity.Connectivity)
	}
	n.IPv6 = append([]string(nil), d.IPv6...)
	n.EUI64 = d.EUI64
	n.ThreadVersion = d.ThreadVersion
	n.Vendor = d.VendorName
	n.Model = d.VendorModel
	n.SWVersion = d.VendorSWVersion
	n.StackVersion = d.StackVersion
	n.Battery = d.BatteryLevel
	n.SupplyVoltage = d.SupplyVoltage
	for prefix, m := range map[string]map[string]uint64{"mac.": d.MACCounters, "mle.": d.MLECounters, "br.": d.BRCounters} {
		for k, v := range m {
			if n.Counters == nil {
				n.Counters = map[string]uint64{}
			}
			n.Counters[prefix+k] = v
		}
	}
	if d.ChildTable != nil && d.Rloc16 != nil && d.Rloc16.IsRouter() {
		n.ChildTableKnown = true
	}
	selfID := b.node(n)
	isRouter := d.Rloc16 != nil && d.Rloc16.IsRouter()
	var pid *uint32
	if d.LeaderData != nil {
		pid = topology.Ptr(d.LeaderData.PartitionID)
	}

	if d.Route != nil && isRouter {
		own := d.Rloc16.RouterID()
		for _, e := range d.Route.Entries {
			if e.RouterID == own {
				continue
			}
			peer := topology.RouterRloc16(e.RouterID)
			// Every router in the Route64 exists in the partition.
			b.node(topology.Node{Rloc16: topology.Ptr(peer), Role: topology.RoleRouter, PartitionID: pid,
				Flags: []string{topology.FlagInferred}, Status: topology.StatusNotQueried})
			if e.LQIn == 0 && e.LQOut == 0 {
				continue
			}
			b.link(topology.Link{Kind: topology.LinkRouter, A: selfID, B: topology.RlocID(peer),
				LQIn: topology.Ptr(e.LQIn), LQOut: topology.Ptr(e.LQOut), RouteCost: topology.Ptr(e.Cost)})
		}
	}
	if isRouter {
		for _, ct := range d.ChildTable {
			r := *d.Rloc16 | topology.Rloc16(ct.ChildID)
			mode := ct.Mode
			b.node(topology.Node{Rloc16: topology.Ptr(r), Mode: &mode, Role: topology.ChildRole(mode), PartitionID: pid,
				Status: topology.StatusNotQueried})
			l := topology.Link{Kind: topology.LinkChild, A: selfID, B: topology.RlocID(r), LQIn: ct.LinkQuality}
			if t := ct.TimeoutSeconds(); t != 0 {
				l.Timeout = topology.Ptr(t)
			}
			b.link(l)
		}
		for _, ch := range d.Children {
			id := ch.ExtAddr.String()
			mode := ch.Mode
			b.node(topology.Node{ExtAddr: id, Rloc16: topology.Ptr(ch.Rloc16), Mode: &mode, Role: topology.ChildRole(mode),
				ThreadVersion: ch.ThreadVersion, Timeout: ch.Timeout, PartitionID: pid, Status: topology.StatusNotQueried})
			b.diagMode[id] = true
			b.link(topology.Link{Kind: topology.LinkChild, A: selfID, B: id, Timeout: ch.Timeout, Age: ch.Age,
				LinkMargin: ch.LinkMargin, RSSI: ch.AverageRSSI, LastRSSI: ch.LastRSSI,
				FrameErrorRate: ch.FrameErrorRate, MessageErrorRate: ch.MessageErrorRate})
		}
		for _, ci := range d.ChildIPv6 {
			b.node(topology.Node{Rloc16: topology.Ptr(ci.Rloc16), IPv6: append([]string(nil), ci.IPv6...), PartitionID: pid,
				Status: topology.StatusNotQueried})
		}
		for _, nb := range d.RouterNeighbors {
			id := nb.ExtAddr.String()
			b.node(topology.Node{ExtAddr: id, Rloc16: topology.Ptr(nb.Rloc16), ThreadVersion: nb.ThreadVersion,
				PartitionID: pid, Status: topology.StatusNotQueried})
			b.link(topology.Link{Kind: topology.LinkRouter, A: selfID, B: id, LinkMargin: nb.LinkMargin,
				RSSI: nb.AverageRSSI, LastRSSI: nb.LastRSSI, FrameErrorRate: nb.FrameErrorRate,
				MessageErrorRate: nb.MessageErrorRate, Age: nb.LinkAge})
		}
	}
}

func (b *builder) addDevice(d Device) {
	id := d.ExtAddr.String()
	n := topology.Node{ExtAddr: id, EUI64: d.EUI64, Name: d.Hostname, Status: topology.StatusNotQueried}
	if !b.diagMode[id] {
		// Only when no diagnostic said better: undo the children's swapped bits.
		n.Mode = d.TrueMode()
		if n.Mode != nil && d.Role == "child" {
			n.Role = topology.ChildRole(*n.Mode)
		}
	}
	if d.Type == "threadBorderRouter" {
		n.BorderRouter = true
	}
	n.IPv6 = append(n.IPv6, d.OMR...)
	b.node(n)
}

// meshLocalPrefix finds the /64 in which some answering node has its RLOC
// address (prefix + 0:ff:fe00:RLOC16).
func meshLocalPrefix(diags []Diagnostic) string {
	counts := map[string]int{}
	for _, d := range diags {
		if d.Rloc16 == nil {
			continue
		}
		for _, a := range d.IPv6 {
			ip, err := netip.ParseAddr(a)
			if err != nil || !ip.Is6() {
				continue
			}
			if loc, ok := topology.LocatorOf(ip); ok && loc == *d.Rloc16 {
				p, err := ip.Prefix(64)
				if err == nil {
					counts[p.String()]++
				}
			}
		}
	}
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}
