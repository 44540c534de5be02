package diag

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/threadmap/threadmap/thread/netdata"
	"github.com/threadmap/threadmap/thread/topology"
)

// AddTo adds what m says to s, as source (recorded in Node.Sources and
// Link.Sources): the answering node (from its Ext MAC Address / Address16,
// else sender, the RLOC16 the answer came from; nil when unknown), its
// router links from Route64 and Enhanced Route (entries with LQ in and out
// both 0 are "no direct link" and skipped; the node's own entry too), its
// children from the Child Table (16) and Child (29) TLVs, their addresses
// from Child IPv6 Address List (30), its router neighbors from Router
// Neighbor (31), the partition and leader from Leader Data, and the decoded
// Network Data (7) as s.Network.NetworkData (undecodable data is left raw
// in m.NetworkData only).
//
// Nodes known only by RLOC16 get "rloc:0x...." ids; topology.Normalize (run
// by ToSnapshot and topology.Merge) folds them into the ext-addressed nodes.
func (m *Message) AddTo(s *topology.Snapshot, source string, sender *topology.Rloc16) {
	rloc := m.Address16
	if rloc == nil {
		rloc = sender
	}
	var ext topology.ExtAddress
	if m.ExtAddress != nil {
		ext = m.ExtAddress.Topology()
	}
	selfID := ""
	if ext != 0 || rloc != nil {
		var r topology.Rloc16
		if rloc != nil {
			r = *rloc
		}
		selfID = topology.NodeID(ext, r)
	}
	if selfID != "" && m.describesSender() {
		n := topology.Node{ID: selfID, Sources: []string{source}, Role: topology.RoleUnknown}
		if ext != 0 {
			n.ExtAddr = ext.String()
		}
		if rloc != nil {
			n.Rloc16 = topology.Ptr(*rloc)
			if rloc.IsRouter() {
				n.Role = topology.RoleRouter
			}
		}
		m.fillNode(&n, s)
		s.Nodes = append(s.Nodes, n)
	}
	if m.LeaderData != nil {
		s.Network.PartitionID = topology.Ptr(m.LeaderData.PartitionID)
		s.Network.LeaderRouterID = topology.Ptr(int(m.LeaderData.LeaderRouterID))
	}
	if nd, err := m.DecodedNetworkData(); err == nil && nd != nil {
		// A sleepy child's stable-only copy (server RLOC16s elided) never
		// replaces a full copy another answer gave.
		if md := nd.Model(source); s.Network.NetworkData == nil || !md.Elided() {
			s.Network.NetworkData = md
		}
	}
	if selfID == "" {
		return // nothing below can be placed without knowing who said it
	}
	var ownRouterID = -1
	if rloc != nil && rloc.IsRouter() {
		ownRouterID = int(rloc.RouterID())
	}
	routerNode := func(id uint8) string {
		r := topology.RouterRloc16(id)
		nid := topology.RlocID(r)
		s.Nodes = append(s.Nodes, topology.Node{ID: nid, Rloc16: topology.Ptr(r), Role: topology.RoleRouter,
			Flags: []string{topology.FlagInferred}, Sources: []string{}, PartitionID: m.partition()})
		return nid
	}
	if m.Route64 != nil {
		for _, e := range m.Route64.Routes {
			if int(e.RouterID) == ownRouterID {
				continue
			}
			peer := routerNode(e.RouterID) // every allocated router exists
			if !e.HasLink() {
				continue
			}
			s.Links = append(s.Links, topology.Link{Kind: topology.LinkRouter, A: selfID, B: peer,
				LQIn: topology.Ptr(int(e.LQIn)), LQOut: topology.Ptr(int(e.LQOut)),
				RouteCost: topology.Ptr(int(e.Cost)), Sources: []string{source}})
		}
	}
	if m.EnhancedRoute != nil {
		for _, e := range m.EnhancedRoute.Routes {
			if e.IsSelf || int(e.RouterID) == ownRouterID {
				continue
			}
			peer := routerNode(e.RouterID)
			if !e.HasLink {
				continue
			}
			s.Links = append(s.Links, topology.Link{Kind: topology.LinkRouter, A: selfID, B: peer,
				LQIn: topology.Ptr(int(e.LQIn)), LQOut: topology.Ptr(int(e.LQOut)), Sources: []string{source}})
		}
	}
	if rloc == nil {
		return // children are placed by their parent's RLOC16
	}
	parent := rloc.Parent()
	for _, e := range m.ChildTable {
		cr := e.Rloc16(parent)
		mode := e.Mode.Topology()
		s.Nodes = append(s.Nodes, topology.Node{ID: topology.RlocID(cr), Rloc16: topology.Ptr(cr),
			Mode: &mode, Role: topology.ChildRole(mode), Sources: []string{source}, PartitionID: m.partition()})
		l := topology.Link{Kind: topology.LinkChild, A: selfID, B: topology.RlocID(cr),
			LQIn: topology.Ptr(int(e.LinkQuality)), Sources: []string{source}}
		if t, ok := ChildTimeout(int(e.TimeoutExp)); ok {
			l.Timeout = topology.Ptr(t)
		}
		s.Links = append(s.Links, l)
	}
	childID := map[topology.Rloc16]string{}
	for _, c := range m.Children {
		mode := c.Mode()
		x := c.ExtAddress.Topology()
		id := topology.NodeID(x, c.Rloc16)
		childID[c.Rloc16] = id
		n := topology.Node{ID: id, Rloc16: topology.Ptr(c.Rloc16), Mode: &mode, Role: topology.ChildRole(mode),
			Timeout: topology.Ptr(c.Timeout), Sources: []string{source}, PartitionID: m.partition()}
		if x != 0 {
			n.ExtAddr = x.String()
		}
		if c.Version != 0 {
			n.ThreadVersion = int(c.Version)
		}
		s.Nodes = append(s.Nodes, n)
		l := topology.Link{Kind: topology.LinkChild, A: selfID, B: id, Timeout: topology.Ptr(c.Timeout),
			Age: topology.Ptr(c.Age), LinkMargin: topology.Ptr(int(c.LinkMargin)), Sources: []string{source}}
		setRSSI(&l, c.AverageRSSI, c.LastRSSI)
		if c.Flags&ChildFlagErrorRates != 0 {
			l.FrameErrorRate = topology.Ptr(float64(c.FrameErrorRate) / 0xffff)
			l.MessageErrorRate = topology.Ptr(float64(c.MessageErrorRate) / 0xffff)
		}
		s.Links = append(s.Links, l)
	}
	for _, c := range m.ChildIPv6 {
		id := childID[c.Rloc16]
		if id == "" {
			id = topology.RlocID(c.Rloc16)
		}
		s.Nodes = append(s.Nodes, topology.Node{ID: id, Rloc16: topology.Ptr(c.Rloc16), Role: topology.RoleUnknown,
			IPv6: addrStrings(c.Addresses), Sources: []string{source}, PartitionID: m.partition()})
	}
	for _, r := range m.RouterNeighbors {
		x := r.ExtAddress.Topology()
		id := topology.NodeID(x, r.Rloc16)
		n := topology.Node{ID: id, Rloc16: topology.Ptr(r.Rloc16), Role: topology.RoleRouter,
			Sources: []string{source}, PartitionID: m.partition()}
		if x != 0 {
			n.ExtAddr = x.String()
		}
		if r.Version != 0 {
			n.ThreadVersion = int(r.Version)
		}
		s.Nodes = append(s.Nodes, n)
		l := topology.Link{Kind: topology.LinkRouter, A: selfID, B: id, LinkMargin: topology.Ptr(int(r.LinkMargin)),
			Sources: []string{source}}
		setRSSI(&l, r.AverageRSSI, r.LastRSSI)
		if r.Flags&RouterNeighborFlagErrorRates != 0 {
			l.FrameErrorRate = topology.Ptr(float64(r.FrameErrorRate) / 0xffff)
			l.MessageErrorRate = topology.Ptr(float64(r.MessageErrorRate) / 0xffff)
		}
		s.Links = append(s.Links, l)
	}
}

// rssiUnknown is what OpenThread sends when it has no RSSI.
const rssiUnknown = 127

func setRSSI(l *topology.Link, avg, last int8) {
	if avg != rssiUnknown {
		l.RSSI = topology.Ptr(int(avg))
	}
	if last != rssiUnknown {
		l.LastRSSI = topology.Ptr(int(last))
	}
}

// describesSender reports whether m carries anything about its sender
// beyond lists of children and neighbors (a query answer holding only
// Child TLVs says nothing new about the parent itself).
func (m *Message) describesSender() bool {
	return m.ExtAddress != nil || m.Address16 != nil || m.Mode != nil || m.Route64 != nil ||
		m.LeaderData != nil || m.IPv6Addresses != nil || m.ChildTable != nil || m.Connectivity != nil ||
		m.MacCounters != nil || m.MleCounters != nil || m.Version != nil || m.EUI64 != nil ||
		m.VendorName != nil || m.VendorModel != nil || m.StackVersion != nil || m.Timeout != nil ||
		m.ChildrenEnd || m.EnhancedRoute != nil || m.BatteryLevel != nil || m.SupplyVoltage != nil
}

func (m *Message) partition() *uint32 {
	if m.LeaderData == nil {
		return nil
	}
	return topology.Ptr(m.LeaderData.PartitionID)
}

// fillNode copies the sender's own TLVs into n.
func (m *Message) fillNode(n *topology.Node, s *topology.Snapshot) {
	if m.Mode != nil {
		mode := m.Mode.Topology()
		n.Mode = &mode
		if n.Rloc16 != nil && !n.Rloc16.IsRouter() {
			n.Role = topology.ChildRole(mode)
		}
	}
	if m.Timeout != nil {
		n.Timeout = topology.Ptr(*m.Timeout)
	}
	if m.Connectivity != nil {
		n.Connectivity = m.Connectivity.Topology()
	}
	n.PartitionID = m.partition()
	if m.IPv6Addresses != nil {
		n.IPv6 = addrStrings(m.IPv6Addresses)
		if n.Rloc16 != nil && s.Network.MeshLocalPrefix == "" {
			if p, ok := meshLocalPrefix(m.IPv6Addresses, *n.Rloc16); ok {
				s.Network.MeshLocalPrefix = p
			}
		}
	}
	if m.MacCounters != nil || m.MleCounters != nil {
		n.Counters = map[string]uint64{}
		if m.MacCounters != nil {
			for k, v := range m.MacCounters.Map() {
				n.Counters[k] = v
			}
		}
		if m.MleCounters != nil {
			for k, v := range m.MleCounters.Map() {
				n.Counters[k] = v
			}
		}
	}
	if m.BatteryLevel != nil {
		n.Battery = topology.Ptr(int(*m.BatteryLevel))
	}
	if m.SupplyVoltage != nil {
		n.SupplyVoltage = topology.Ptr(int(*m.SupplyVoltage))
	}
	if m.ChildTable != nil || m.ChildrenEnd {
		n.ChildTableKnown = true
	}
	if m.EUI64 != nil {
		n.EUI64 = m.EUI64.String()
	}
	if m.Version != nil {
		n.ThreadVersion = int(*m.Version)
	}
	if m.VendorName != nil {
		n.Vendor = *m.VendorName
	}
	if m.VendorModel != nil {
		n.Model = *m.VendorModel
	}
	if m.VendorSWVersion != nil {
		n.SWVersion = *m.VendorSWVersion
	}
	if m.StackVersion != nil {
		n.StackVersion = *m.StackVersion
	}
	n.Status = topology.StatusAnswered
}

func addrStrings(a []netip.Addr) []string {
	out := make([]string, len(a))
	for i, x := range a {
		out[i] = x.String()
	}
	return out
}

// meshLocalPrefix finds the RLOC address (prefix + 0000:00ff:fe00:RLOC16)
// among addrs and returns its /64 prefix.
func meshLocalPrefix(addrs []netip.Addr, rloc topology.Rloc16) (string, bool) {
	for _, a := range addrs {
		if loc, ok := topology.LocatorOf(a); ok && loc == rloc && a.As16()[0]&0xfe == 0xfc {
			p := netip.PrefixFrom(a, 64).Masked()
			return p.String(), true
		}
	}
	return "", false
}

// ToSnapshot builds a normalized partial snapshot from diagnostic answers,
// all from one source, taken at takenAt. senders[i], when given and not
// nil, is the RLOC16 msgs[i] came from (used when the message carries no
// Address16 TLV).
func ToSnapshot(source string, takenAt time.Time, msgs []*Message, senders ...*topology.Rloc16) *topology.Snapshot {
	s := topology.New(takenAt)
	for i, m := range msgs {
		if m == nil {
			continue
		}
		var from *topology.Rloc16
		if i < len(senders) {
			from = senders[i]
		}
		m.AddTo(s, source, from)
	}
	topology.Normalize(s)
	return s
}

// DecodedNetworkData decodes the Network Data TLV (7); nil, nil when the
// message has none. A decode error leaves the raw bytes in m.NetworkData.
func (m *Message) DecodedNetworkData() (*netdata.NetworkData, error) {
	if m.NetworkData == nil {
		return nil, nil
	}
	nd, err := netdata.Decode(m.NetworkData)
	if err != nil {
		return nil, fmt.Errorf("diag network data TLV: %w", err)
	}
	return nd, nil
}

// String is a one-line summary for logs.
func (m *Message) String() string {
	id := "?"
	if m.Address16 != nil {
		id = m.Address16.String()
	}
	if m.ExtAddress != nil {
		id += "/" + m.ExtAddress.String()
	}
	return fmt.Sprintf("diag message from %s (%d TLVs)", id, len(m.TLVs()))
}
