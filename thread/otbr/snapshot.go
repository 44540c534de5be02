package otbr

import (
	"fmt"
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
	Diagnostics []Answer
	Devices     []Device
	// Self is the border router's own node info, when known.
	Self    *NodeInfo
	Dataset *Dataset
	// RestURL is the base URL of the REST API (empty for imports).
	RestURL string
	Report  topology.SourceReport
	// Outcomes says, by ext address (lower-case hex), how each device this
	// scan asked for its diagnostics fared when it gave no answer:
	// timed-out (no answer within its deadline), error (the task failed) or
	// not-queried (the scan's budget ran out before its turn). Answered
	// devices and devices never asked are not in it.
	Outcomes map[string]Outcome
}

// Outcome is how one device's diagnostics request ended without an answer.
type Outcome struct {
	Status topology.NodeStatus
	Detail string
}

// Build maps collected answers into a normalised partial snapshot. Every
// diagnostic answer goes through the one Network Diagnostic model
// ((*diag.Message).AddTo, as TMF answers do): the answering node, its
// router links (Route64), its children (child table and Child TLVs, with
// their addresses) and router neighbors. /api/devices adds what only it
// knows (host names, EUI-64, OMR addresses) as inventory views: a device
// there that no router lists and that did not answer is not a live node.
// The border router's own /node gives the network's identity and a
// BorderRouter entry.
func Build(c Collected) *topology.Snapshot {
	taken := c.TakenAt
	if taken.IsZero() {
		taken = time.Now()
	}
	s := topology.New(taken)
	rep := c.Report
	if rep.Name == "" {
		rep.Name = SourceName
	}
	s.Scan.Sources = []topology.SourceReport{rep}
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
	for _, a := range c.Diagnostics {
		first := len(s.Nodes)
		firstLink := len(s.Links)
		a.Message.AddTo(s, SourceName, nil)
		addAnswerExtras(s, a, first, firstLink)
	}
	s.Network = network(c, self, s.Network)
	for _, d := range c.Devices {
		s.Nodes = append(s.Nodes, deviceView(d, c.Outcomes))
	}
	if self != nil && self.ExtAddr != nil {
		s.Nodes = append(s.Nodes, selfView(*self))
		s.BorderRouters = append(s.BorderRouters, borderRouter(*self, c.RestURL, taken))
	}
	for i := range s.Nodes {
		n := &s.Nodes[i]
		n.Sources = []string{SourceName}
		if n.Status == "" {
			// Known from a router's table or Route64, not asked itself.
			n.Status = topology.StatusNotQueried
		}
	}
	for i := range s.Links {
		s.Links[i].Sources = []string{SourceName}
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

// addAnswerExtras adds to what AddTo made of a (nodes from first, links
// from firstLink on) what only the REST API says: the border router's own
// counters, and that a legacy child table had no link quality.
func addAnswerExtras(s *topology.Snapshot, a Answer, first, firstLink int) {
	m := a.Message
	var sender string
	if m.ExtAddress != nil {
		sender = m.ExtAddress.String()
	} else if m.Address16 != nil {
		sender = topology.RlocID(*m.Address16)
	}
	if len(a.BRCounters) > 0 {
		for i := first; i < len(s.Nodes); i++ {
			if n := &s.Nodes[i]; n.ID == sender {
				if n.Counters == nil {
					n.Counters = map[string]uint64{}
				}
				for k, v := range a.BRCounters {
					n.Counters[k] = v
				}
				break
			}
		}
	}
	if a.ChildLQUnknown {
		for i := firstLink; i < len(s.Links); i++ {
			if l := &s.Links[i]; l.Kind == topology.LinkChild && l.A == sender {
				l.LQIn = nil
			}
		}
	}
}

// network is the network's identity: the active dataset first, then the
// border router's own node info, then what the answers said (base).
func network(c Collected, self *NodeInfo, base topology.Network) topology.Network {
	net := base
	if c.Dataset != nil {
		net.Name = c.Dataset.NetworkName
		net.ExtPanID = c.Dataset.ExtPanID
		if c.Dataset.PanID != nil {
			net.PanID = fmt.Sprintf("0x%04x", *c.Dataset.PanID)
		}
		net.Channel = c.Dataset.Channel
		if c.Dataset.MeshLocalPrefix != "" {
			net.MeshLocalPrefix = c.Dataset.MeshLocalPrefix
		}
	}
	if self != nil {
		if net.Name == "" {
			net.Name = self.NetworkName
		}
		if net.ExtPanID == "" {
			net.ExtPanID = self.ExtPanID
		}
	}
	// The leader data most answers agree on names the partition; the
	// border router's own, when it is attached, wins.
	votes := map[[2]uint32]int{}
	for _, a := range c.Diagnostics {
		if ld := a.Message.LeaderData; ld != nil {
			votes[[2]uint32{ld.PartitionID, uint32(ld.LeaderRouterID)}]++
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
	if self != nil && self.Attached() && self.LeaderData != nil {
		net.PartitionID = topology.Ptr(self.LeaderData.PartitionID)
		net.LeaderRouterID = topology.Ptr(int(self.LeaderData.LeaderRouterID))
	}
	return net
}

// deviceView is what /api/devices says of one device: an inventory view
// (FlagInventoryOnly: the list keeps devices that left, so Normalize keeps
// a device no table of this scan lists and that did not answer off the
// map, in Snapshot.NotSeen), with the outcome of asking it.
func deviceView(d Device, outcomes map[string]Outcome) topology.Node {
	id := d.ExtAddr.String()
	n := topology.Node{ExtAddr: id, EUI64: d.EUI64, Name: d.Hostname, Flags: []string{topology.FlagInventoryOnly}}
	// The children's mode bits arrive swapped; undone here. A mode from an
	// answer or a router's table wins over this one.
	n.Mode = d.TrueMode()
	if n.Mode != nil && d.Role == "child" {
		n.Role = topology.ChildRole(*n.Mode)
	}
	n.IPv6 = append(n.IPv6, d.OMR...)
	if d.LastSeen != nil {
		n.LastSeen = topology.Ptr(d.LastSeen.UTC())
	}
	if o, ok := outcomes[id]; ok {
		n.Status, n.StatusDetail = o.Status, o.Detail
	}
	return n
}

// selfView is the border router's own node (GET /node).
func selfView(self NodeInfo) topology.Node {
	id := self.ExtAddr.String()
	n := topology.Node{ID: id, ExtAddr: id, Status: topology.StatusAnswered}
	if self.Attached() && self.Rloc16 != nil {
		n.Rloc16 = topology.Ptr(*self.Rloc16)
	}
	if self.LeaderData != nil && self.Attached() {
		n.PartitionID = topology.Ptr(self.LeaderData.PartitionID)
	}
	return n
}

// borderRouter is the border router entry a REST API gives: named, like
// discovery (MeshCoP TXT "id"), by its border agent ID when it has one.
func borderRouter(self NodeInfo, restURL string, taken time.Time) topology.BorderRouter {
	id := self.ExtAddr.String()
	brID := id
	if self.BaID != "" {
		brID = strings.ToLower(self.BaID)
	}
	br := topology.BorderRouter{
		ID: brID, ExtAddr: id, NetworkName: self.NetworkName, ExtPanID: self.ExtPanID,
		RestURL: restURL, Sources: []string{SourceName}, LastSeen: topology.Ptr(taken.UTC()),
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
	return br
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
