package threadsim

import (
	"encoding/binary"
	"hash/fnv"
	"net/netip"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/topology"
)

// answer builds node n's answer to a request for types, TLV by TLV as
// OpenThread's NetworkDiagnostic::AppendDiagTlv does: a type the node has
// no value for is left out (Route64 only on routers, Timeout only on
// sleepy children, ...). Child (29), Child IPv6 (30) and Router Neighbor
// (31) lists end with an empty TLV.
func (m *Mesh) answer(n *Node, types []diag.Type) *diag.Message {
	out := &diag.Message{}
	for _, t := range types {
		m.fill(out, n, t)
	}
	return out
}

func (m *Mesh) fill(out *diag.Message, n *Node, t diag.Type) {
	switch t {
	case diag.TypeExtMacAddress:
		out.ExtAddress = (*diag.ExtAddr)(topology.Ptr(n.ExtAddr.Bytes()))
	case diag.TypeAddress16:
		out.Address16 = topology.Ptr(n.Rloc16)
	case diag.TypeMode:
		out.Mode = topology.Ptr(diag.DeviceMode(modeByte(n.Mode)))
	case diag.TypeTimeout:
		if n.IsSleepy() {
			out.Timeout = topology.Ptr(n.Timeout)
		}
	case diag.TypeConnectivity:
		if n.Mode.FullThreadDevice {
			out.Connectivity = topology.Ptr(m.connectivity(n))
		}
	case diag.TypeRoute64:
		if n.Mode.FullThreadDevice {
			out.Route64 = topology.Ptr(m.route64(n))
		}
	case diag.TypeLeaderData:
		out.LeaderData = &diag.LeaderData{PartitionID: m.Network.PartitionID, Weighting: m.Network.Weighting,
			DataVersion: m.Network.DataVersion, StableDataVersion: m.Network.StableDataVersion,
			LeaderRouterID: m.Leader.Rloc16.RouterID()}
	case diag.TypeNetworkData:
		out.NetworkData = m.networkData()
	case diag.TypeIPv6AddressList:
		for _, a := range m.Addresses(n) {
			out.IPv6Addresses = append(out.IPv6Addresses, netip.MustParseAddr(a))
		}
	case diag.TypeMacCounters:
		out.MacCounters = macCountersTLV(m.Counters(n))
	case diag.TypeBatteryLevel:
		if n.Battery >= 0 {
			out.BatteryLevel = topology.Ptr(uint8(n.Battery))
		}
	case diag.TypeSupplyVoltage:
		if n.SupplyVoltage > 0 {
			out.SupplyVoltage = topology.Ptr(uint16(n.SupplyVoltage))
		}
	case diag.TypeChildTable:
		if n.IsRouter() {
			out.ChildTable = []diag.ChildTableEntry{}
			for _, c := range n.Children {
				out.ChildTable = append(out.ChildTable, diag.ChildTableEntry{TimeoutExp: timeoutExp(c.Timeout),
					LinkQuality: uint8(c.LinkQuality), ChildID: c.Rloc16.ChildID(), Mode: diag.DeviceMode(modeByte(c.Mode))})
			}
		}
	case diag.TypeChannelPages:
		out.ChannelPages = diag.HexBytes{0}
	case diag.TypeMaxChildTimeout:
		if n.IsRouter() && len(n.Children) > 0 {
			var max uint32
			for _, c := range n.Children {
				max = maxU32(max, c.Timeout)
			}
			out.MaxChildTimeout = topology.Ptr(max)
		}
	case diag.TypeEUI64:
		var e diag.ExtAddr
		binary.BigEndian.PutUint64(e[:], n.EUI64)
		out.EUI64 = &e
	case diag.TypeVersion:
		out.Version = topology.Ptr(uint16(n.ThreadVersion))
	case diag.TypeVendorName:
		out.VendorName = topology.Ptr(cut(n.Vendor, 32))
	case diag.TypeVendorModel:
		out.VendorModel = topology.Ptr(cut(n.Model, 32))
	case diag.TypeVendorSWVersion:
		out.VendorSWVersion = topology.Ptr(cut(n.SWVersion, 16))
	case diag.TypeThreadStackVersion:
		out.StackVersion = topology.Ptr(cut(n.StackVersion, 64))
	case diag.TypeChild:
		if n.IsRouter() {
			for _, c := range n.Children {
				out.Children = append(out.Children, m.childInfo(c))
			}
			out.ChildrenEnd = true
		}
	case diag.TypeChildIPv6AddressList:
		if n.IsRouter() {
			for _, c := range n.Children {
				var a [16]byte
				copy(a[:8], m.Network.MeshLocalPrefix[:])
				copy(a[8:], c.MLEID[:])
				out.ChildIPv6 = append(out.ChildIPv6, diag.ChildIPv6Addresses{Rloc16: c.Rloc16,
					Addresses: []netip.Addr{netip.AddrFrom16(a)}})
			}
			out.ChildIPv6End = true
		}
	case diag.TypeRouterNeighbor:
		if n.IsRouter() {
			for _, r := range m.Routers {
				if r == n || m.LinkQuality(n, r) == 0 {
					continue
				}
				lq := m.LinkQuality(n, r)
				rs := seeded(r, 2)
				out.RouterNeighbors = append(out.RouterNeighbors, diag.RouterNeighbor{
					Flags: diag.RouterNeighborFlagErrorRates, Rloc16: r.Rloc16,
					ExtAddress: diag.ExtAddr(r.ExtAddr.Bytes()), Version: uint16(r.ThreadVersion),
					ConnectionTime: 3600 + rs[0]%86400, LinkMargin: uint8(5 + 10*lq),
					AverageRSSI: int8(-100 + 5 + 10*lq), LastRSSI: int8(-100 + 5 + 10*lq - int(rs[1]%4)),
					FrameErrorRate: uint16(rs[0] % 0x800), MessageErrorRate: uint16(rs[1] % 0x200)})
			}
			out.RouterNeighborsEnd = true
		}
	case diag.TypeMleCounters:
		out.MleCounters = mleCountersTLV(m.Counters(n))
	case diag.TypeEnhancedRoute:
		if n.IsRouter() {
			out.EnhancedRoute = topology.Ptr(m.enhancedRoute(n))
		}
	}
}

// route64 is router n's Route64: every allocated router in ascending ID,
// LQ out/in where a direct link exists (0/0 otherwise), the least route
// cost, and OpenThread's own-entry byte (LQ 0/0, cost 1) for itself.
//
// A REED child (an FTD) answers too, as OpenThread FEDs do: no direct
// links, each cost through its parent.
func (m *Mesh) route64(n *Node) diag.Route64 {
	r := diag.Route64{IDSequence: m.Network.IDSequence}
	for _, o := range m.Routers {
		e := diag.RouteEntry{RouterID: o.Rloc16.RouterID()}
		if !n.IsRouter() {
			e.Cost = uint8(min(topology.LinkCost(n.LinkQuality)+m.RouteCost(n.Parent, o), 15))
		} else if o == n {
			e.Cost = 1
		} else {
			e.LQIn, e.LQOut = uint8(m.LinkQuality(n, o)), uint8(m.LinkQuality(o, n))
			e.Cost = uint8(min(m.RouteCost(n, o), 15))
		}
		r.Routes = append(r.Routes, e)
	}
	return r
}

func (m *Mesh) enhancedRoute(n *Node) diag.EnhancedRoute {
	var er diag.EnhancedRoute
	for _, o := range m.Routers {
		e := diag.EnhancedRouteEntry{RouterID: o.Rloc16.RouterID(), NextHop: 63}
		if o == n {
			e.IsSelf = true
			er.Routes = append(er.Routes, e)
			continue
		}
		if lq := m.LinkQuality(n, o); lq != 0 {
			e.HasLink, e.LQIn, e.LQOut = true, uint8(lq), uint8(m.LinkQuality(o, n))
		}
		// The best route through another router (what OpenThread's router
		// table shows as next hop, even beside a direct link).
		best := unreachable
		for _, nh := range m.Routers {
			if nh == n || nh == o || m.LinkQuality(n, nh) == 0 {
				continue
			}
			c := topology.LinkCost(min(m.LinkQuality(n, nh), m.LinkQuality(nh, n))) + m.RouteCost(nh, o)
			if c < best {
				best, e.NextHop, e.NextHopCost = c, nh.Rloc16.RouterID(), uint8(min(m.RouteCost(nh, o), 15))
			}
		}
		er.Routes = append(er.Routes, e)
	}
	return er
}

func (m *Mesh) connectivity(n *Node) diag.Connectivity {
	c := diag.Connectivity{IDSequence: m.Network.IDSequence, ActiveRouters: uint8(len(m.Routers)),
		HasSEDFields: true, SEDBufferSize: 1280, SEDDatagramCount: 1}
	r := n
	if !n.IsRouter() {
		r = n.Parent
		c.LeaderCost = uint8(min(m.RouteCost(r, m.Leader)+topology.LinkCost(n.LinkQuality), 255))
		switch n.LinkQuality { // its one link, to the parent
		case 3:
			c.LinkQuality3 = 1
		case 2:
			c.LinkQuality2 = 1
		case 1:
			c.LinkQuality1 = 1
		}
	} else {
		c.LeaderCost = uint8(min(m.RouteCost(r, m.Leader), 255))
		for _, o := range m.Routers {
			switch m.LinkQuality(n, o) {
			case 3:
				c.LinkQuality3++
			case 2:
				c.LinkQuality2++
			case 1:
				c.LinkQuality1++
			}
		}
	}
	return c
}

func (m *Mesh) childInfo(c *Node) diag.ChildInfo {
	var flags uint8 = diag.ChildFlagErrorRates
	if c.Mode.RxOnWhenIdle {
		flags |= diag.ChildFlagRxOnWhenIdle
	}
	if c.Mode.FullThreadDevice {
		flags |= diag.ChildFlagFTD
	}
	if c.Mode.FullNetworkData {
		flags |= diag.ChildFlagFullNetworkData
	}
	r := seeded(c, 3)
	age := r[0] % 30
	if c.IsSleepy() {
		age = r[0] % uint32(max(1, c.PollPeriod.Milliseconds()/1000))
	}
	rssi := int8(-100 + c.LinkMargin)
	return diag.ChildInfo{Flags: flags, Rloc16: c.Rloc16, ExtAddress: diag.ExtAddr(c.ExtAddr.Bytes()),
		Version: uint16(c.ThreadVersion), Timeout: c.Timeout, Age: age,
		ConnectionTime: uint32(c.ConnectedFor.Seconds()), SupervisionInterval: 129,
		LinkMargin: uint8(c.LinkMargin), AverageRSSI: rssi, LastRSSI: rssi - int8(r[1]%4),
		FrameErrorRate: uint16(r[2] % 0x400), MessageErrorRate: uint16(r[1] % 0x100)}
}

// networkData is a plausible Thread Network Data: one Prefix TLV per border
// router's OMR prefix with a Border Router sub-TLV (Thread spec 5.18).
func (m *Mesh) networkData() diag.HexBytes {
	var nd []byte
	for _, br := range m.BorderRouters() {
		sub := []byte{0x05, 4, byte(br.Rloc16 >> 8), byte(br.Rloc16), 0x31, 0x00} // stable Border Router: R, P_preferred|slaac|on-mesh
		val := append([]byte{0, 64}, br.BorderRouter.OMRPrefix[:]...)
		val = append(val, sub...)
		nd = append(nd, 0x03, byte(len(val)))
		nd = append(nd, val...)
	}
	return nd
}

// queryAnswers splits node n's answer to a query into DIAG_GET.ans payloads
// as OpenThread does: each starts with the Query ID TLV (when the query had
// one) and ends with an Answer TLV (index, last bit); a message is closed
// once it passes 800 bytes, between TLVs.
func (m *Mesh) queryAnswers(n *Node, types []diag.Type, qid *uint16) [][]byte {
	tlvs := m.answer(n, types).TLVs()
	var out [][]byte
	var cur []byte
	flush := func(last bool) {
		var b []byte
		if qid != nil {
			b = diag.AppendTLV(b, diag.TLV{Type: diag.TypeQueryID, Value: binary.BigEndian.AppendUint16(nil, *qid)})
		}
		b = append(b, cur...)
		b = diag.AppendTLV(b, diag.TLV{Type: diag.TypeAnswer, Value: diag.Answer{Last: last, Index: uint16(len(out))}.AppendTo(nil)})
		out = append(out, b)
		cur = nil
	}
	for i, t := range tlvs {
		cur = diag.AppendTLV(cur, t)
		if len(cur) >= answerLimit && i < len(tlvs)-1 {
			flush(false)
		}
	}
	flush(true)
	return out
}

// modeByte is the Mode TLV byte as OpenThread sends it: the three mode
// bits plus the reserved bit 0x04, which OpenThread always sets (a real
// SED answers 0x04, a MED 0x0d, routers and REEDs 0x0f).
func modeByte(m topology.Mode) byte { return m.Byte() | 0x04 }

// timeoutExp is the Child Table timeout field: ceil(log2(timeout)) + 4.
func timeoutExp(t uint32) uint8 {
	e := uint8(0)
	for e < 27 && uint32(1)<<e < t {
		e++
	}
	return min(e+4, 31)
}

// seeded gives k stable pseudo-random numbers for a node (counters, ages).
func seeded(n *Node, k int) []uint32 {
	h := fnv.New64a()
	b := n.ExtAddr.Bytes()
	h.Write(b[:])
	v := h.Sum64()
	out := make([]uint32, k)
	for i := range out {
		v ^= v << 13
		v ^= v >> 7
		v ^= v << 17
		out[i] = uint32(v >> 16)
	}
	return out
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func maxU32(a, b uint32) uint32 {
	if a > b {
		return a
	}
	return b
}
