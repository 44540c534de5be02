package otbrsim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// device is one simulated Thread device, derived from the truth snapshot:
// what its Network Diagnostic answer would hold.
type device struct {
	node     topology.Node
	ext      string
	rloc     topology.Rloc16
	mode     topology.Mode
	router   bool
	leader   bool
	br       bool
	parent   *device
	children []*device
	// childLQ is the parent's link quality for this child.
	childLQ   int
	timeout   uint32
	neighbors []neighbor
	route     []routeEntry
	ipv6      []string
	mlEidIID  string
	omr       string
	eui       string
	// gone is when the device left the mesh (zero: it is there); graceful:
	// it detached (OpenThread's graceful detach tells its parent, or for a
	// router the leader and its neighbors, at once) rather than stopping.
	gone     time.Time
	graceful bool
	// released: a router whose router ID the leader no longer allocates.
	released bool
}

type neighbor struct {
	peer        *device
	lqIn, lqOut int
}

type routeEntry struct {
	id          uint8
	lqOut, lqIn int
	cost        int
}

// mesh is the simulated network behind the border router.
type mesh struct {
	net     topology.Network
	devices []*device
	byExt   map[string]*device
	self    *device
	pid     uint32
	leader  int
	version uint64 // leader data versions
	mlp     netip.Prefix
	// secrets the simulated dataset carries, as a real one does; the client
	// must never pass them on.
	networkKey, pskc string
	baID             string
}

// newMesh derives the border router's world from a truth snapshot. The
// border router is the device with ext address self when given, else the
// snapshot's first BorderRouter (by ext address), else the first node
// flagged border_router, else the leader, else the first router.
func newMesh(s *topology.Snapshot, self string) (*mesh, error) {
	m := &mesh{net: s.Network, byExt: map[string]*device{}}
	if s.Network.PartitionID != nil {
		m.pid = *s.Network.PartitionID
	} else {
		m.pid = 0x5eed
	}
	if s.Network.LeaderRouterID != nil {
		m.leader = *s.Network.LeaderRouterID
	} else {
		m.leader = -1
	}
	if p, err := netip.ParsePrefix(s.Network.MeshLocalPrefix); err == nil {
		m.mlp = p.Masked()
	} else {
		m.mlp = netip.MustParsePrefix("fd00:db8::/64")
	}
	for _, n := range s.Nodes {
		if n.ExtAddr == "" || n.Rloc16 == nil {
			continue // a device the truth knows only in part cannot answer
		}
		d := &device{node: n, ext: strings.ToLower(n.ExtAddr), rloc: *n.Rloc16, router: n.Rloc16.IsRouter(), br: n.BorderRouter}
		if n.Mode != nil {
			d.mode = *n.Mode
		} else if d.router {
			d.mode = topology.Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true}
		}
		d.leader = d.router && (n.Role == topology.RoleLeader || int(d.rloc.RouterID()) == m.leader)
		if d.leader && m.leader < 0 {
			m.leader = int(d.rloc.RouterID())
		}
		d.timeout = 240
		if n.Timeout != nil {
			d.timeout = *n.Timeout
		}
		d.eui = n.EUI64
		if d.eui == "" {
			h := sha256.Sum256([]byte("eui" + d.ext))
			d.eui = hex.EncodeToString(h[:8])
		}
		m.devices = append(m.devices, d)
		m.byExt[d.ext] = d
	}
	if len(m.devices) == 0 {
		return nil, fmt.Errorf("otbrsim: the snapshot has no device with both ext address and RLOC16")
	}
	sort.SliceStable(m.devices, func(i, j int) bool { return m.devices[i].rloc < m.devices[j].rloc })
	if self != "" {
		if m.self = m.byExt[self]; m.self == nil || !m.self.router {
			return nil, fmt.Errorf("otbrsim: border router %s is not a router of the snapshot", self)
		}
	}
	for _, br := range s.BorderRouters {
		if d := m.byExt[strings.ToLower(br.ExtAddr)]; d != nil && m.self == nil {
			m.self = d
		}
	}
	for _, d := range m.devices {
		if m.self == nil && d.br {
			m.self = d
		}
	}
	for _, d := range m.devices {
		if m.self == nil && d.leader {
			m.self = d
		}
	}
	for _, d := range m.devices {
		if m.self == nil && d.router {
			m.self = d
		}
	}
	if m.self == nil {
		return nil, fmt.Errorf("otbrsim: no router to play the border router")
	}
	m.self.br = true
	byRloc := map[topology.Rloc16]*device{}
	for _, d := range m.devices {
		if d.router {
			byRloc[d.rloc] = d
		}
	}
	// Children hang off the router their RLOC16 names (the truth's
	// parent pointer agrees after Normalize).
	childLQ := map[string]int{}
	for _, l := range s.Links {
		if l.Kind == topology.LinkChild && l.LQIn != nil {
			childLQ[l.B] = *l.LQIn
		}
	}
	for _, d := range m.devices {
		if d.router {
			continue
		}
		if p := byRloc[d.rloc.Parent()]; p != nil {
			d.parent = p
			p.children = append(p.children, d)
			d.childLQ = 3
			if lq, ok := childLQ[d.ext]; ok {
				d.childLQ = lq
			}
		}
	}
	for _, l := range s.Links {
		if l.Kind != topology.LinkRouter {
			continue
		}
		a, b := m.byExt[l.A], m.byExt[l.B]
		if a == nil || b == nil || !a.router || !b.router {
			continue
		}
		in, out := 3, 3
		if l.LQIn != nil {
			in = *l.LQIn
		}
		if l.LQOut != nil {
			out = *l.LQOut
		}
		a.neighbors = append(a.neighbors, neighbor{peer: b, lqIn: in, lqOut: out})
		b.neighbors = append(b.neighbors, neighbor{peer: a, lqIn: out, lqOut: in})
	}
	m.routes()
	for _, d := range m.devices {
		m.addresses(d)
	}
	h := sha256.Sum256([]byte("secrets" + m.net.ExtPanID + m.net.Name))
	m.networkKey = hex.EncodeToString(h[:16])
	m.pskc = hex.EncodeToString(h[16:32])
	ba := sha256.Sum256([]byte("baid" + m.self.ext))
	m.baID = hex.EncodeToString(ba[:16])
	// The border agent ID discovery announces (MeshCoP TXT "id"), when the
	// truth has it, so REST and discovery name the same border router.
	for _, br := range s.BorderRouters {
		if strings.EqualFold(br.ExtAddr, m.self.ext) {
			if b, err := hex.DecodeString(br.ID); err == nil && len(b) == 16 {
				m.baID = strings.ToLower(br.ID)
			}
		}
	}
	return m, nil
}

// routes fills every router's Route64: one entry per router, LQ from the
// direct link, cost of the best path (Floyd–Warshall over link costs).
func (m *mesh) routes() {
	var rs []*device
	for _, d := range m.devices {
		if d.router && !d.released {
			rs = append(rs, d)
		}
	}
	const inf = 1 << 20
	n := len(rs)
	idx := map[*device]int{}
	for i, r := range rs {
		idx[r] = i
	}
	cost := make([][]int, n)
	for i := range cost {
		cost[i] = make([]int, n)
		for j := range cost[i] {
			if i != j {
				cost[i][j] = inf
			}
		}
		for _, nb := range rs[i].neighbors {
			c := topology.LinkCost(min(nb.lqIn, nb.lqOut))
			if c < cost[i][idx[nb.peer]] {
				cost[i][idx[nb.peer]] = c
			}
		}
	}
	for k := 0; k < n; k++ {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if c := cost[i][k] + cost[k][j]; c < cost[i][j] {
					cost[i][j] = c
				}
			}
		}
	}
	for i, r := range rs {
		r.route = nil
		for j, o := range rs {
			e := routeEntry{id: o.rloc.RouterID()}
			switch {
			case i == j:
				e.cost = 1
			case cost[i][j] >= inf:
				e.cost = 0
			default:
				e.cost = min(cost[i][j], 15)
			}
			for _, nb := range r.neighbors {
				if nb.peer == o {
					e.lqIn, e.lqOut = nb.lqIn, nb.lqOut
				}
			}
			r.route = append(r.route, e)
		}
		sort.Slice(r.route, func(a, b int) bool { return r.route[a].id < r.route[b].id })
	}
}

// addresses gives a device its IPv6 addresses (the truth's when it has
// them, else ML-EID, RLOC and link-local) and picks its ML-EID IID and OMR
// address for /api/devices.
func (m *mesh) addresses(d *device) {
	var prefix [8]byte
	a16 := m.mlp.Addr().As16()
	copy(prefix[:], a16[:8])
	rloc := netip.AddrFrom16(topology.RlocAddress(prefix, d.rloc))
	d.ipv6 = append([]string(nil), d.node.IPv6...)
	if len(d.ipv6) == 0 {
		h := sha256.Sum256([]byte("mleid" + d.ext))
		var ml [16]byte
		copy(ml[:8], prefix[:])
		copy(ml[8:], h[:8])
		var ll [16]byte
		ll[0], ll[1] = 0xfe, 0x80
		e, _ := topology.ParseExtAddress(d.ext)
		eb := e.Bytes()
		copy(ll[8:], eb[:])
		ll[8] ^= 0x02
		d.ipv6 = []string{netip.AddrFrom16(ml).String(), rloc.String(), netip.AddrFrom16(ll).String()}
		if d.leader {
			d.ipv6 = append(d.ipv6, netip.AddrFrom16(topology.RlocAddress(prefix, topology.LeaderAloc16)).String())
		}
	}
	d.mlEidIID = "0000000000000000"
	d.omr = "::"
	for _, s := range d.ipv6 {
		ip, err := netip.ParseAddr(s)
		if err != nil || !ip.Is6() {
			continue
		}
		b := ip.As16()
		_, isLocator := topology.LocatorOf(ip)
		switch {
		case m.mlp.Contains(ip) && !isLocator:
			d.mlEidIID = hex.EncodeToString(b[8:])
		case !m.mlp.Contains(ip) && !ip.IsLinkLocalUnicast() && d.omr == "::":
			d.omr = ip.String()
		}
	}
}

// How long the mesh takes to notice a router that stopped without
// detaching, as measured on the lab (OpenThread 3e6568b6): its neighbors
// drop the link when its age passes kMaxNeighborAge (100 s; the link went
// at 96 s), and the leader released its router ID after about 255 s.
const (
	neighborAge     = 100 * time.Second
	routerIDRelease = 255 * time.Second
)

// activeRouters counts the routers whose IDs are allocated.
func (m *mesh) activeRouters() int {
	n := 0
	for _, d := range m.devices {
		if d.router && !d.released {
			n++
		}
	}
	return n
}

// leave takes d out of the mesh at time at. A graceful detach is seen at
// once: a child's parent drops it from its child table (measured: at
// once), a router's ID is released and its neighbors drop it (measured:
// gone from every router table at once). A device that just stops is
// noticed only as time passes (refresh).
func (m *mesh) leave(d *device, at time.Time, graceful bool) {
	d.gone, d.graceful = at, graceful
	if !graceful {
		return
	}
	if d.router {
		m.dropLinks(d)
		d.released = true
		m.routes()
		return
	}
	if d.parent != nil {
		d.parent.children = without(d.parent.children, d)
	}
}

// attach makes child d (back) a child of router p with a fresh RLOC16;
// its former parent drops it at once (measured: a re-attached child was
// gone from its old parent's table when it reached the new one).
func (m *mesh) attach(d, p *device) {
	if d.parent != nil {
		d.parent.children = without(d.parent.children, d)
	}
	used := map[uint16]bool{}
	for _, c := range p.children {
		used[c.rloc.ChildID()] = true
	}
	id := uint16(1)
	for used[id] {
		id++
	}
	d.rloc = p.rloc.Parent() | topology.Rloc16(id)
	d.parent, d.gone, d.graceful = p, time.Time{}, false
	d.childLQ = 3
	p.children = append(p.children, d)
	m.addresses(d)
}

// refresh applies what time did to devices that stopped: their parents
// drop stopped children after the child timeout, neighbors drop a stopped
// router's links after neighborAge, the leader releases its ID after
// routerIDRelease.
func (m *mesh) refresh(at time.Time) {
	changed := false
	for _, d := range m.devices {
		if d.gone.IsZero() || d.graceful || at.Before(d.gone) {
			continue
		}
		switch {
		case d.router:
			if !at.Before(d.gone.Add(neighborAge)) && m.dropLinks(d) {
				changed = true
			}
			if !at.Before(d.gone.Add(routerIDRelease)) && !d.released {
				d.released, changed = true, true
			}
		case d.parent != nil && !at.Before(d.gone.Add(time.Duration(d.timeout)*time.Second)):
			d.parent.children = without(d.parent.children, d)
			d.parent = nil
		}
	}
	if changed {
		m.routes()
	}
}

// dropLinks removes every router link of d; it reports whether there were any.
func (m *mesh) dropLinks(d *device) bool {
	if len(d.neighbors) == 0 {
		return false
	}
	for _, nb := range d.neighbors {
		var keep []neighbor
		for _, x := range nb.peer.neighbors {
			if x.peer != d {
				keep = append(keep, x)
			}
		}
		nb.peer.neighbors = keep
	}
	d.neighbors = nil
	return true
}

func without(list []*device, d *device) []*device {
	var out []*device
	for _, x := range list {
		if x != d {
			out = append(out, x)
		}
	}
	return out
}
