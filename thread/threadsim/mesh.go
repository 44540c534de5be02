// Package threadsim is a simulated Thread mesh: a generated (or scenario
// file) topology whose every node answers TMF network diagnostics
// (DIAG_GET.req d/dg, DIAG_GET.qry d/dq → DIAG_GET.ans d/da, DIAG_RST d/dr)
// on its own UDP socket, with real TLV bytes shaped as OpenThread shapes
// them, a per-hop latency, a shared 250 kbit/s airtime budget and packet
// loss. The real TMF client and crawler (thread/tmf) are what gets tested
// against it; the OTBR REST and Matter simulators build on Truth().
//
// Three steps: Generate (or LoadScenario) makes a *Mesh; (*Mesh).Truth is
// its true topology in the model of thread/topology; (*Mesh).Start serves
// TMF on loopback (one 127.0.0.1 port per node) or on real mesh-local
// addresses inside a network namespace.
package threadsim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"sort"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// SourceName is the source name Truth records on every node ("sim").
const SourceName = "sim"

// Network is the simulated network's identity and leader data.
type Network struct {
	Name     string
	ExtPanID uint64
	PanID    uint16
	Channel  int
	// MeshLocalPrefix is the /64 mesh-local prefix (first 8 bytes).
	MeshLocalPrefix   [8]byte
	PartitionID       uint32
	Weighting         uint8
	DataVersion       uint8
	StableDataVersion uint8
	// IDSequence is the router ID sequence carried in Route64.
	IDSequence uint8
}

// MeshLocalPrefixString is the prefix as "fdxx:...::/64".
func (n Network) MeshLocalPrefixString() string {
	var a [16]byte
	copy(a[:8], n.MeshLocalPrefix[:])
	return netip.PrefixFrom(netip.AddrFrom16(a), 64).String()
}

// BorderRouter is what a simulated border router advertises over MeshCoP
// (_meshcop._udp: vn, mn, id, ...) and serves over REST; the simulators of
// those protocols read it from here.
type BorderRouter struct {
	// Vendor and Model are the MeshCoP vn / mn TXT values.
	Vendor string
	Model  string
	// Instance is the mDNS service instance name.
	Instance string
	// AgentID is the 16-byte Border Agent ID (TXT key id).
	AgentID [16]byte
	// ThreadVersion is the TXT tv value, e.g. "1.4.0".
	ThreadVersion string
	// OMRPrefix is the off-mesh-routable /64 prefix the router advertises.
	OMRPrefix [8]byte
}

// Node is one simulated Thread device.
type Node struct {
	ExtAddr topology.ExtAddress
	Rloc16  topology.Rloc16
	Mode    topology.Mode
	// Parent is the router a child is attached to (nil for routers).
	Parent *Node
	// Children of a router, in RLOC16 order.
	Children []*Node
	// BorderRouter is set on border routers (nil otherwise).
	BorderRouter *BorderRouter
	Name         string
	Vendor       string
	Model        string
	SWVersion    string
	// ThreadVersion is the Version TLV value (4 = Thread 1.3, 5 = 1.4).
	ThreadVersion int
	StackVersion  string
	EUI64         uint64
	// MLEID is the interface identifier of the node's ML-EID address.
	MLEID [8]byte
	// Timeout is a child's supervision timeout in seconds.
	Timeout uint32
	// LinkQuality is a child's link quality (1–3) as its parent hears it.
	LinkQuality int
	// LinkMargin is a child's link margin in dB (from LinkQuality).
	LinkMargin int
	// PollPeriod is a sleepy child's data poll period: it answers a request
	// only when it next polls.
	PollPeriod time.Duration
	// Battery is the battery level in percent (battery-powered nodes), or -1.
	Battery int
	// SupplyVoltage in mV.
	SupplyVoltage int
	// ConnectedFor is how long the child has been attached (Child TLV).
	ConnectedFor time.Duration
	// X, Y place the node in the house (metres); they decide link qualities.
	X, Y float64
}

// IsRouter reports whether the node is a router (child ID 0).
func (n *Node) IsRouter() bool { return n.Rloc16.IsRouter() }

// IsSleepy reports whether the node is a sleepy end device (rx-off).
func (n *Node) IsSleepy() bool { return !n.IsRouter() && !n.Mode.RxOnWhenIdle }

// RouterLink is a router-router radio link with the link quality each end
// measures (LQ 1–3; both ends must hear each other for a Thread link).
type RouterLink struct {
	A, B *Node
	// LQA is the link quality at A of frames from B; LQB at B of frames from A.
	LQA, LQB int
}

// Mesh is a simulated Thread network: identity, nodes and radio links.
type Mesh struct {
	Network Network
	// Routers in RLOC16 order; Leader is one of them.
	Routers []*Node
	Leader  *Node
	// Children of all routers, in RLOC16 order.
	Children []*Node
	Links    []RouterLink
	// Radio is the radio model the scenario asks for; Start uses it unless
	// its options override it.
	Radio Radio

	byRloc map[topology.Rloc16]*Node
	// links[a][b] for router IDs: LQ at a of frames from b, 0 = no link.
	lq [64][64]int
	// pathCost[a][b] is the least route cost between routers a and b;
	// hops[a][b] its hop count.
	pathCost [64][64]int
	hops     [64][64]int
}

// Nodes lists routers then children, each in RLOC16 order.
func (m *Mesh) Nodes() []*Node {
	out := make([]*Node, 0, len(m.Routers)+len(m.Children))
	out = append(out, m.Routers...)
	return append(out, m.Children...)
}

// Node returns the node with RLOC16 r, or nil.
func (m *Mesh) Node(r topology.Rloc16) *Node { return m.byRloc[r] }

// BorderRouters lists the border routers in RLOC16 order.
func (m *Mesh) BorderRouters() []*Node {
	var out []*Node
	for _, r := range m.Routers {
		if r.BorderRouter != nil {
			out = append(out, r)
		}
	}
	return out
}

// LinkQuality is the link quality at router a of frames from router b (0 =
// no link).
func (m *Mesh) LinkQuality(a, b *Node) int {
	return m.lq[a.Rloc16.RouterID()][b.Rloc16.RouterID()]
}

// RouteCost is the least route cost from router a to router b (0 to itself,
// 16 or more when unreachable).
func (m *Mesh) RouteCost(a, b *Node) int {
	return m.pathCost[a.Rloc16.RouterID()][b.Rloc16.RouterID()]
}

// Hops is the number of radio hops between any two nodes along the least
// cost route (a child adds one hop to its parent).
func (m *Mesh) Hops(a, b *Node) int {
	if a == b {
		return 0
	}
	extra := 0
	ra, rb := a, b
	if a.Parent != nil {
		ra, extra = a.Parent, extra+1
	}
	if b.Parent != nil {
		rb, extra = b.Parent, extra+1
	}
	if ra == rb {
		return extra
	}
	return m.hops[ra.Rloc16.RouterID()][rb.Rloc16.RouterID()] + extra
}

// Depth is the largest hop count from node from to any node of the mesh.
func (m *Mesh) Depth(from *Node) int {
	d := 0
	for _, n := range m.Nodes() {
		if h := m.Hops(from, n); h > d {
			d = h
		}
	}
	return d
}

// Options shape a generated mesh. Zero values pick realistic defaults.
type Options struct {
	// Seed makes the mesh deterministic.
	Seed int64
	// Nodes is the total number of nodes (routers + children); default 40.
	Nodes int
	// Routers is the number of routers (1–32); default Nodes/8 rounded up,
	// at most 32.
	Routers int
	// BorderRouters is how many routers are border routers (1–3); default
	// 1 below 6 routers, 2 below 16, else 3.
	BorderRouters int
	// SleepyFraction of the children are sleepy end devices; default 0.45.
	SleepyFraction float64
	// FEDFraction of the children are full Thread devices (REEDs); default 0.1.
	FEDFraction float64
	// NetworkName overrides the generated name.
	NetworkName string
}

// MaxRouters is the most active routers a Thread partition has.
const MaxRouters = 32

// MaxNodes is the most nodes a partition can hold: 32 routers with 511
// children each.
const MaxNodes = MaxRouters * 512

// Generate makes a realistic home mesh: routers spread over a house with
// mixed link qualities and several hops, a leader, border routers from the
// usual vendors, and children (REEDs, MEDs, SEDs) named like real devices.
// The same options always give the same mesh.
func Generate(opts Options) (*Mesh, error) {
	if opts.Nodes == 0 {
		opts.Nodes = 40
	}
	if opts.Nodes < 1 || opts.Nodes > MaxNodes {
		return nil, fmt.Errorf("threadsim: %d nodes: want 1–%d", opts.Nodes, MaxNodes)
	}
	if opts.Routers == 0 {
		opts.Routers = (opts.Nodes + 7) / 8
		if opts.Routers > MaxRouters {
			opts.Routers = MaxRouters
		}
	}
	if opts.Routers < 1 || opts.Routers > MaxRouters {
		return nil, fmt.Errorf("threadsim: %d routers: want 1–%d", opts.Routers, MaxRouters)
	}
	if opts.Routers > opts.Nodes {
		return nil, fmt.Errorf("threadsim: %d routers but only %d nodes", opts.Routers, opts.Nodes)
	}
	if opts.BorderRouters == 0 {
		switch {
		case opts.Routers < 6:
			opts.BorderRouters = 1
		case opts.Routers < 16:
			opts.BorderRouters = 2
		default:
			opts.BorderRouters = 3
		}
		if opts.BorderRouters > opts.Routers {
			opts.BorderRouters = opts.Routers
		}
	}
	if opts.BorderRouters < 1 || opts.BorderRouters > 3 || opts.BorderRouters > opts.Routers {
		return nil, fmt.Errorf("threadsim: %d border routers: want 1–3 and at most the %d routers", opts.BorderRouters, opts.Routers)
	}
	if opts.SleepyFraction == 0 {
		opts.SleepyFraction = 0.45
	}
	if opts.FEDFraction == 0 {
		opts.FEDFraction = 0.1
	}
	if opts.SleepyFraction < 0 || opts.FEDFraction < 0 || opts.SleepyFraction+opts.FEDFraction > 1 {
		return nil, fmt.Errorf("threadsim: sleepy fraction %.2f + FED fraction %.2f: want fractions summing to at most 1", opts.SleepyFraction, opts.FEDFraction)
	}
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x7468726561646d61))
	g := &generator{rng: rng, names: map[string]int{}, exts: map[topology.ExtAddress]bool{}}
	m := &Mesh{Network: g.network(opts.NetworkName)}

	// Routers: distinct router IDs, placed one by one near an existing
	// router so the mesh is connected but several hops deep.
	ids := rng.Perm(topology.MaxRouterID + 1)[:opts.Routers]
	sort.Ints(ids)
	order := rng.Perm(opts.Routers) // placement order
	for i, idx := range order {
		r := &Node{Rloc16: topology.RouterRloc16(uint8(ids[idx])), Mode: topology.Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true}}
		if i == 0 {
			r.X, r.Y = 0, 0
		} else {
			anchor := m.Routers[rng.IntN(len(m.Routers))]
			ang := rng.Float64() * 2 * math.Pi
			d := 5 + rng.Float64()*7 // metres; radio range ~15 m indoors
			r.X, r.Y = anchor.X+d*math.Cos(ang), anchor.Y+d*math.Sin(ang)
		}
		m.Routers = append(m.Routers, r)
	}
	sort.Slice(m.Routers, func(i, j int) bool { return m.Routers[i].Rloc16 < m.Routers[j].Rloc16 })
	// Radio links from distance, with some asymmetry.
	for i, a := range m.Routers {
		for _, b := range m.Routers[i+1:] {
			base := lqForDistance(math.Hypot(a.X-b.X, a.Y-b.Y))
			if base == 0 {
				continue
			}
			la, lb := base, base
			if rng.Float64() < 0.2 {
				if rng.IntN(2) == 0 {
					la = clampLQ(la - 1)
				} else {
					lb = clampLQ(lb - 1)
				}
			}
			m.Links = append(m.Links, RouterLink{A: a, B: b, LQA: la, LQB: lb})
		}
	}
	m.Leader = m.Routers[rng.IntN(len(m.Routers))]
	// Border routers: prefer routers other than the leader, as homes do
	// (the leader is wherever the partition formed).
	brs := rng.Perm(len(m.Routers))[:opts.BorderRouters]
	for i, idx := range brs {
		g.makeBorderRouter(m.Routers[idx], i, m.Network)
	}
	for _, r := range m.Routers {
		if r.BorderRouter == nil {
			g.describe(r, routerKinds)
		}
		g.common(r)
	}
	// Children, each near a random router.
	nChildren := opts.Nodes - opts.Routers
	nextChild := map[topology.Rloc16]uint16{}
	for i := 0; i < nChildren; i++ {
		p := m.Routers[rng.IntN(len(m.Routers))]
		nextChild[p.Rloc16]++
		if nextChild[p.Rloc16] > 0x1ff {
			return nil, fmt.Errorf("threadsim: router %s has more than 511 children", p.Rloc16)
		}
		c := &Node{Rloc16: p.Rloc16 | topology.Rloc16(nextChild[p.Rloc16]), Parent: p}
		x := rng.Float64()
		switch {
		case x < opts.SleepyFraction:
			c.Mode = topology.Mode{}
			c.PollPeriod = time.Duration(5+rng.IntN(26)) * time.Second
			g.describe(c, sleepyKinds)
		case x < opts.SleepyFraction+opts.FEDFraction:
			c.Mode = topology.Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true}
			g.describe(c, routerKinds)
		default:
			c.Mode = topology.Mode{RxOnWhenIdle: true, FullNetworkData: true}
			g.describe(c, medKinds)
		}
		c.Timeout = 240
		c.LinkQuality = 1 + rng.IntN(3)
		if rng.Float64() < 0.5 {
			c.LinkQuality = 3
		}
		c.LinkMargin = 5 + 10*c.LinkQuality + rng.IntN(10)
		c.ConnectedFor = time.Duration(60+rng.IntN(7*24*3600)) * time.Second
		ang := rng.Float64() * 2 * math.Pi
		c.X, c.Y = p.X+3*math.Cos(ang), p.Y+3*math.Sin(ang)
		g.common(c)
		p.Children = append(p.Children, c)
		m.Children = append(m.Children, c)
	}
	sort.Slice(m.Children, func(i, j int) bool { return m.Children[i].Rloc16 < m.Children[j].Rloc16 })
	if err := m.finish(); err != nil {
		return nil, err
	}
	return m, nil
}

// lqForDistance maps metres to a link quality (0 = out of range).
func lqForDistance(d float64) int {
	switch {
	case d < 7:
		return 3
	case d < 11:
		return 2
	case d < 14:
		return 1
	}
	return 0
}

func clampLQ(v int) int {
	if v < 1 {
		return 1
	}
	if v > 3 {
		return 3
	}
	return v
}

// finish indexes the mesh, checks it and computes routes. Used by Generate
// and LoadScenario.
func (m *Mesh) finish() error {
	m.byRloc = map[topology.Rloc16]*Node{}
	exts := map[topology.ExtAddress]*Node{}
	if len(m.Routers) == 0 {
		return fmt.Errorf("threadsim: mesh has no router")
	}
	if len(m.Routers) > MaxRouters {
		return fmt.Errorf("threadsim: %d routers: a partition has at most %d", len(m.Routers), MaxRouters)
	}
	for _, n := range m.Nodes() {
		if n.IsRouter() && n.Rloc16.RouterID() > topology.MaxRouterID {
			return fmt.Errorf("threadsim: node %s: router ID %d out of range 0–62", n.Rloc16, n.Rloc16.RouterID())
		}
		if o := m.byRloc[n.Rloc16]; o != nil {
			return fmt.Errorf("threadsim: RLOC16 %s used twice", n.Rloc16)
		}
		if n.ExtAddr == 0 {
			return fmt.Errorf("threadsim: node %s has no ext address", n.Rloc16)
		}
		if o := exts[n.ExtAddr]; o != nil {
			return fmt.Errorf("threadsim: ext address %s used by %s and %s", n.ExtAddr, o.Rloc16, n.Rloc16)
		}
		exts[n.ExtAddr] = n
		m.byRloc[n.Rloc16] = n
	}
	for _, c := range m.Children {
		if c.IsRouter() {
			return fmt.Errorf("threadsim: child %s has a router RLOC16", c.Rloc16)
		}
		if c.Parent == nil || c.Parent.Rloc16 != c.Rloc16.Parent() {
			return fmt.Errorf("threadsim: child %s: parent must be router %s", c.Rloc16, c.Rloc16.Parent())
		}
	}
	if m.Leader == nil || m.byRloc[m.Leader.Rloc16] != m.Leader {
		return fmt.Errorf("threadsim: mesh has no leader among its routers")
	}
	m.lq = [64][64]int{}
	for _, l := range m.Links {
		if !l.A.IsRouter() || !l.B.IsRouter() || l.A == l.B {
			return fmt.Errorf("threadsim: link %s–%s must join two routers", l.A.Rloc16, l.B.Rloc16)
		}
		if l.LQA < 1 || l.LQA > 3 || l.LQB < 1 || l.LQB > 3 {
			return fmt.Errorf("threadsim: link %s–%s: link qualities %d/%d, want 1–3", l.A.Rloc16, l.B.Rloc16, l.LQA, l.LQB)
		}
		a, b := l.A.Rloc16.RouterID(), l.B.Rloc16.RouterID()
		if m.lq[a][b] != 0 {
			return fmt.Errorf("threadsim: link %s–%s listed twice", l.A.Rloc16, l.B.Rloc16)
		}
		m.lq[a][b], m.lq[b][a] = l.LQA, l.LQB
	}
	m.routes()
	for _, r := range m.Routers {
		if m.pathCost[m.Leader.Rloc16.RouterID()][r.Rloc16.RouterID()] >= unreachable {
			return fmt.Errorf("threadsim: router %s cannot reach the leader %s: the mesh is split", r.Rloc16, m.Leader.Rloc16)
		}
	}
	for _, r := range m.Routers {
		r.Children = r.Children[:0]
	}
	for _, c := range m.Children {
		c.Parent.Children = append(c.Parent.Children, c)
	}
	return nil
}

const unreachable = 1 << 20

// routes computes least-cost routes (Floyd–Warshall over at most 32
// routers), with OpenThread's link cost from min(LQ in, LQ out).
func (m *Mesh) routes() {
	for i := range m.pathCost {
		for j := range m.pathCost[i] {
			m.pathCost[i][j], m.hops[i][j] = unreachable, unreachable
		}
		m.pathCost[i][i], m.hops[i][i] = 0, 0
	}
	for _, l := range m.Links {
		a, b := l.A.Rloc16.RouterID(), l.B.Rloc16.RouterID()
		c := topology.LinkCost(min(l.LQA, l.LQB))
		m.pathCost[a][b], m.pathCost[b][a] = c, c
		m.hops[a][b], m.hops[b][a] = 1, 1
	}
	ids := make([]uint8, len(m.Routers))
	for i, r := range m.Routers {
		ids[i] = r.Rloc16.RouterID()
	}
	for _, k := range ids {
		for _, i := range ids {
			for _, j := range ids {
				c := m.pathCost[i][k] + m.pathCost[k][j]
				h := m.hops[i][k] + m.hops[k][j]
				if c < m.pathCost[i][j] || (c == m.pathCost[i][j] && h < m.hops[i][j]) {
					m.pathCost[i][j], m.hops[i][j] = c, h
				}
			}
		}
	}
}

// Truth is the mesh's true topology in threadmap's model: every node (ext
// address, RLOC16, role, mode, parent, border-router flag, names), every
// router link with the link quality each end measures and every
// parent-child link, normalized. Tests compare a crawl's Shape with it.
func (m *Mesh) Truth() *topology.Snapshot {
	s := topology.New(time.Now())
	s.Network = topology.Network{
		Name:            m.Network.Name,
		ExtPanID:        fmt.Sprintf("%016x", m.Network.ExtPanID),
		PanID:           fmt.Sprintf("0x%04x", m.Network.PanID),
		Channel:         m.Network.Channel,
		MeshLocalPrefix: m.Network.MeshLocalPrefixString(),
		PartitionID:     topology.Ptr(m.Network.PartitionID),
		LeaderRouterID:  topology.Ptr(int(m.Leader.Rloc16.RouterID())),
	}
	for _, n := range m.Nodes() {
		tn := topology.Node{
			ID:            n.ExtAddr.String(),
			ExtAddr:       n.ExtAddr.String(),
			Rloc16:        topology.Ptr(n.Rloc16),
			Mode:          topology.Ptr(n.Mode),
			BorderRouter:  n.BorderRouter != nil,
			Name:          n.Name,
			Vendor:        n.Vendor,
			Model:         n.Model,
			SWVersion:     n.SWVersion,
			ThreadVersion: n.ThreadVersion,
			StackVersion:  n.StackVersion,
			EUI64:         fmt.Sprintf("%016x", n.EUI64),
			IPv6:          m.Addresses(n),
			PartitionID:   topology.Ptr(m.Network.PartitionID),
			Sources:       []string{SourceName},
			Status:        topology.StatusAnswered,
		}
		if n.IsRouter() {
			tn.Role = topology.RoleRouter
			if n == m.Leader {
				tn.Role = topology.RoleLeader
			}
			tn.ChildTableKnown = true
		} else {
			tn.Role = topology.ChildRole(n.Mode)
			tn.Timeout = topology.Ptr(n.Timeout)
		}
		if n.Battery >= 0 {
			tn.Battery = topology.Ptr(n.Battery)
		}
		tn.Counters = m.Counters(n)
		s.Nodes = append(s.Nodes, tn)
	}
	for _, l := range m.Links {
		s.Links = append(s.Links, topology.Link{
			Kind: topology.LinkRouter, A: l.A.ExtAddr.String(), B: l.B.ExtAddr.String(),
			LQIn: topology.Ptr(l.LQA), LQOut: topology.Ptr(l.LQB),
			Cost:    topology.Ptr(topology.LinkCost(min(l.LQA, l.LQB))),
			Sources: []string{SourceName},
		})
	}
	for _, c := range m.Children {
		s.Links = append(s.Links, topology.Link{
			Kind: topology.LinkChild, A: c.Parent.ExtAddr.String(), B: c.ExtAddr.String(),
			LQIn: topology.Ptr(c.LinkQuality), Timeout: topology.Ptr(c.Timeout),
			Sources: []string{SourceName},
		})
	}
	for _, r := range m.BorderRouters() {
		br := r.BorderRouter
		s.BorderRouters = append(s.BorderRouters, topology.BorderRouter{
			ID: fmt.Sprintf("%x", br.AgentID), Instance: br.Instance, Vendor: br.Vendor, Model: br.Model,
			NetworkName: m.Network.Name, ExtPanID: fmt.Sprintf("%016x", m.Network.ExtPanID),
			ExtAddr: r.ExtAddr.String(), ThreadVersion: br.ThreadVersion, Sources: []string{SourceName},
		})
	}
	topology.Normalize(s)
	return s
}

// RlocAddr is the node's RLOC IPv6 address (mesh-local prefix +
// 0:ff:fe00:RLOC16).
func (m *Mesh) RlocAddr(r topology.Rloc16) netip.Addr {
	return netip.AddrFrom16(topology.RlocAddress(m.Network.MeshLocalPrefix, r))
}

// Addresses lists the node's IPv6 addresses as OpenThread's IPv6 Address
// List TLV would: ML-EID, RLOC, the leader ALOC on the leader, link-local,
// and an OMR address on border routers.
func (m *Mesh) Addresses(n *Node) []string {
	var out []string
	var mleid [16]byte
	copy(mleid[:8], m.Network.MeshLocalPrefix[:])
	copy(mleid[8:], n.MLEID[:])
	out = append(out, netip.AddrFrom16(mleid).String(), m.RlocAddr(n.Rloc16).String())
	if n == m.Leader {
		out = append(out, m.RlocAddr(topology.LeaderAloc16).String())
	}
	var ll [16]byte
	ll[0], ll[1] = 0xfe, 0x80
	e := n.ExtAddr.Bytes()
	copy(ll[8:], e[:])
	ll[8] ^= 0x02
	out = append(out, netip.AddrFrom16(ll).String())
	if n.BorderRouter != nil {
		var omr [16]byte
		copy(omr[:8], n.BorderRouter.OMRPrefix[:])
		copy(omr[8:], n.MLEID[:])
		omr[15] ^= 0x5a
		out = append(out, netip.AddrFrom16(omr).String())
	}
	return out
}
