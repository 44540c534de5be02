package otbrsim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"sort"
	"strings"

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
	routers int
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
		if d.router {
			m.routers++
		}
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
		if d.router {
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
