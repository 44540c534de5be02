package mattersim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/threadmap/threadmap/matter/meshbuild"
	"github.com/threadmap/threadmap/matter/nodedump"
	"github.com/threadmap/threadmap/thread/topology"
)

// Plausible names for nodes the snapshot does not name.
var (
	vendors       = []string{"Eve Systems", "Nanoleaf", "IKEA of Sweden", "Aqara", "Onvis", "Meross"}
	routerProduct = []string{"Smart Plug", "Light Bulb", "Wall Switch", "Shutter Switch", "Light Strip"}
	childProduct  = []string{"Door Sensor", "Motion Sensor", "Thermostat", "Weather Sensor", "Leak Sensor"}
	rooms         = []string{"Kitchen", "Hallway", "Living Room", "Bedroom", "Office", "Garage", "Bathroom", "Porch", "Attic", "Cellar"}
)

// simNet is the network identity every Thread node reports.
type simNet struct {
	name      string
	extPanID  uint64
	panID     uint16
	channel   int
	mlp       [8]byte
	partition uint32
	leaderRID int
}

func networkOf(s *topology.Snapshot) (simNet, error) {
	n := simNet{name: s.Network.Name, channel: s.Network.Channel, partition: 1, leaderRID: -1}
	if n.name == "" {
		n.name = "threadmap-sim"
	}
	if n.channel == 0 {
		n.channel = 15
	}
	if s.Network.ExtPanID != "" {
		v, err := strconv.ParseUint(s.Network.ExtPanID, 16, 64)
		if err != nil {
			return n, fmt.Errorf("mattersim: ext PAN ID %q: %w", s.Network.ExtPanID, err)
		}
		n.extPanID = v
	} else {
		n.extPanID = 0xdead00beef00cafe
	}
	n.panID = 0x1234
	if s.Network.PanID != "" {
		v, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(s.Network.PanID), "0x"), 16, 16)
		if err != nil {
			return n, fmt.Errorf("mattersim: PAN ID %q: %w", s.Network.PanID, err)
		}
		n.panID = uint16(v)
	}
	n.mlp = [8]byte{0xfd, 0x00, 0x0d, 0xb8, 0, 0, 0, 0}
	if s.Network.MeshLocalPrefix != "" {
		p, err := netip.ParsePrefix(s.Network.MeshLocalPrefix)
		if err != nil || !p.Addr().Is6() {
			return n, fmt.Errorf("mattersim: mesh-local prefix %q: not an IPv6 prefix", s.Network.MeshLocalPrefix)
		}
		a := p.Addr().As16()
		copy(n.mlp[:], a[:8])
	}
	if s.Network.PartitionID != nil {
		n.partition = *s.Network.PartitionID
	}
	if s.Network.LeaderRouterID != nil {
		n.leaderRID = *s.Network.LeaderRouterID
	}
	for _, node := range s.Nodes {
		if node.Role == topology.RoleLeader && node.Rloc16 != nil && n.leaderRID < 0 {
			n.leaderRID = int(node.Rloc16.RouterID())
		}
	}
	if n.leaderRID < 0 {
		n.leaderRID = 63
	}
	return n, nil
}

// view is one router-router link from one end.
type view struct{ lqIn, lqOut, rssi int }

func lqOr(p *int, d int) int {
	if p == nil {
		return d
	}
	return *p
}

// rssiFor is a plausible average RSSI for a link quality.
func rssiFor(lq int) int {
	switch lq {
	case 3:
		return -55
	case 2:
		return -76
	case 1:
		return -88
	}
	return -98
}

// buildNodes makes the Matter nodes of a snapshot: every Thread node with
// an ext address and RLOC16 becomes a node with clusters 0x28, 0x33 and
// 0x35 (the tables as a real device reports them), plus one Wi-Fi device.
// nodeID gives each device (by ext address; "wifi" for the Wi-Fi one) its
// Matter node ID, stable across updates of the mesh.
func buildNodes(s *topology.Snapshot, nodeIDFor func(key string) uint64) ([]*nodedump.NodeData, error) {
	net, err := networkOf(s)
	if err != nil {
		return nil, err
	}
	var nodes []topology.Node
	for _, n := range s.Nodes {
		if n.ExtAddr != "" && n.Rloc16 != nil && *n.Rloc16 != topology.InvalidRloc16 {
			nodes = append(nodes, n)
		}
	}
	sort.Slice(nodes, func(i, j int) bool { return *nodes[i].Rloc16 < *nodes[j].Rloc16 })
	byID := map[string]*topology.Node{}
	ext := map[string]uint64{}
	for i := range nodes {
		n := &nodes[i]
		e, err := topology.ParseExtAddress(n.ExtAddr)
		if err != nil {
			return nil, fmt.Errorf("mattersim: node %s: %w", n.ID, err)
		}
		byID[n.ID] = n
		ext[n.ID] = uint64(e)
	}
	isRouter := func(n *topology.Node) bool { return n.Rloc16.IsRouter() }
	// Router adjacency, each end's view.
	adj := map[string]map[string]view{}
	addView := func(a, b string, v view) {
		if adj[a] == nil {
			adj[a] = map[string]view{}
		}
		adj[a][b] = v
	}
	children := map[string][]string{}
	for _, l := range s.Links {
		a, b := byID[l.A], byID[l.B]
		if a == nil || b == nil {
			continue
		}
		switch l.Kind {
		case topology.LinkRouter:
			if !isRouter(a) || !isRouter(b) {
				continue
			}
			in, out := lqOr(l.LQIn, 3), lqOr(l.LQOut, 3)
			rssi := rssiFor(in)
			if l.RSSI != nil {
				rssi = *l.RSSI
			}
			addView(l.A, l.B, view{in, out, rssi})
			addView(l.B, l.A, view{out, in, rssiFor(out)})
		}
	}
	for i := range nodes {
		n := &nodes[i]
		if !isRouter(n) {
			p := topology.RlocID(n.Rloc16.Parent())
			for _, m := range nodes {
				if *m.Rloc16 == n.Rloc16.Parent() {
					p = m.ID
				}
			}
			if byID[p] != nil {
				children[p] = append(children[p], n.ID)
			}
		}
	}
	// Path costs between routers (Thread link cost from the worse LQ).
	var routers []*topology.Node
	for i := range nodes {
		if isRouter(&nodes[i]) {
			routers = append(routers, &nodes[i])
		}
	}
	cost, next := shortestPaths(routers, adj)

	var out []*nodedump.NodeData
	for i := range nodes {
		n := &nodes[i]
		nodeID := nodeIDFor(n.ExtAddr)
		a := attrs{}
		vendor, product := n.Vendor, n.Model
		if vendor == "" {
			vendor = vendors[i%len(vendors)]
		}
		if product == "" {
			if isRouter(n) {
				product = routerProduct[i%len(routerProduct)]
			} else {
				product = childProduct[i%len(childProduct)]
			}
			if n.BorderRouter {
				product = "Thread Border Router"
			}
		}
		name := n.Name
		if name == "" {
			name = rooms[i%len(rooms)] + " " + product
		}
		a.basic(vendor, product, name, nodeID)
		e := ext[n.ID]
		rloc := uint16(*n.Rloc16)
		var eb [8]byte
		for k := 0; k < 8; k++ {
			eb[k] = byte(e >> (56 - 8*k))
		}
		ll := netip.AddrFrom16([16]byte{0xfe, 0x80, 8: eb[0] ^ 0x02, 9: eb[1], 10: eb[2], 11: eb[3], 12: eb[4], 13: eb[5], 14: eb[6], 15: eb[7]})
		rl := topology.RlocAddress(net.mlp, *n.Rloc16)
		mleid := net.mlp
		var ml [16]byte
		copy(ml[:8], mleid[:])
		for k := 8; k < 16; k++ {
			ml[k] = byte(e>>(8*(k-8))) ^ 0x5a
		}
		a.set("0/51/0", []any{map[string]any{
			"0": "ieee802154", "1": true, "2": nil, "3": nil, "4": b64(eb[:]), "5": []any{},
			"6": []any{b64(ll.AsSlice()), b64(rl[:]), b64(ml[:])}, "7": int(nodedump.InterfaceThread),
		}})
		// Cluster revision 3 (ExtAddress, Rloc16 attributes) on every other
		// node; the rest identify themselves like older firmware does.
		rev := 2
		if i%2 == 0 {
			rev = 3
			a.set("0/53/63", e)
			a.set("0/53/64", rloc)
		}
		role := routingRole(n)
		a.set("0/53/0", net.channel)
		a.set("0/53/1", role)
		a.set("0/53/2", net.name)
		a.set("0/53/3", net.panID)
		a.set("0/53/4", net.extPanID)
		a.set("0/53/5", b64(append([]byte{64}, net.mlp[:]...)))
		a.set("0/53/6", 0)
		var nt, rt []any
		if isRouter(n) {
			var peers []string
			for p := range adj[n.ID] {
				peers = append(peers, p)
			}
			sort.Slice(peers, func(x, y int) bool { return *byID[peers[x]].Rloc16 < *byID[peers[y]].Rloc16 })
			for k, p := range peers {
				v := adj[n.ID][p]
				nt = append(nt, neighbor(ext[p], uint16(*byID[p].Rloc16), v.lqIn, v.rssi, k, topology.Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true}, false))
			}
			for k, c := range children[n.ID] {
				cn := byID[c]
				nt = append(nt, neighbor(ext[c], uint16(*cn.Rloc16), 3, -60, k, childMode(cn), true))
			}
			for _, r := range routers {
				rid := uint8(r.Rloc16.RouterID())
				switch {
				case r.ID == n.ID:
					rt = append(rt, route(e, uint16(*r.Rloc16), rid, 63, 0, 0, 0, false))
				case adjHas(adj, n.ID, r.ID):
					v := adj[n.ID][r.ID]
					rt = append(rt, route(ext[r.ID], uint16(*r.Rloc16), rid, nextHop(next, n.ID, r.ID, byID), cost[n.ID][r.ID], v.lqIn, v.lqOut, true))
				default:
					rt = append(rt, route(0, uint16(*r.Rloc16), rid, nextHop(next, n.ID, r.ID, byID), cost[n.ID][r.ID], 0, 0, false))
				}
			}
		} else if p := parentOf(nodes, n); p != nil {
			nt = append(nt, neighbor(ext[p.ID], uint16(*p.Rloc16), 3, -58, 0, topology.Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true}, false))
			rt = append(rt, route(ext[p.ID], uint16(*p.Rloc16), uint8(p.Rloc16.RouterID()), 0, 0, 3, 3, true))
		}
		if nt == nil {
			nt = []any{}
		}
		if rt == nil {
			rt = []any{}
		}
		a.set("0/53/7", nt)
		a.set("0/53/8", rt)
		a.set("0/53/9", net.partition)
		a.set("0/53/10", 64)
		a.set("0/53/11", 120)
		a.set("0/53/12", 200)
		a.set("0/53/13", net.leaderRID)
		// Counters as the node counts them (threadsim's plausible ones in the
		// demo), under the attribute each model counter name comes from.
		for id := 14; id <= 55; id++ {
			if v, ok := n.Counters[meshbuild.ModelCounter(id)]; ok {
				a.set(fmt.Sprintf("0/53/%d", id), v)
			}
		}
		a.set("0/53/56", 1)
		a.set("0/53/59", map[string]any{"0": 672, "1": 8335})
		a.set("0/53/60", "AB//4A==")
		a.set("0/53/62", []any{})
		a.set("0/53/65532", 15)
		a.set("0/53/65533", rev)
		out = append(out, &nodedump.NodeData{NodeID: nodeID, DateCommissioned: "2026-11-01T10:00:00.000000",
			LastInterview: "2026-11-25T08:00:00.000000", InterviewVersion: 6, Available: true, Attributes: a.raw()})
	}
	// A Wi-Fi device: on the fabric, not on the Thread mesh.
	w := attrs{}
	wifiID := nodeIDFor("wifi")
	w.basic("Nabu Casa", "Wi-Fi Smart Plug", "Desk Lamp Plug", wifiID)
	w.set("0/51/0", []any{map[string]any{"0": "WIFI_STA_DEF", "1": true, "2": nil, "3": nil, "4": b64([]byte{0x60, 0x55, 0xf9, 0x57, 0x48, 0xec}),
		"5": []any{b64([]byte{192, 0, 2, 35})}, "6": []any{b64(netip.MustParseAddr("fe80::6255:f9ff:fe57:48ec").AsSlice())}, "7": int(nodedump.InterfaceWiFi)}})
	out = append(out, &nodedump.NodeData{NodeID: wifiID, DateCommissioned: "2026-11-01T10:00:00.000000",
		LastInterview: "2026-11-25T08:00:00.000000", InterviewVersion: 6, Available: true, Attributes: w.raw()})
	return out, nil
}

func adjHas(adj map[string]map[string]view, a, b string) bool { _, ok := adj[a][b]; return ok }

func parentOf(nodes []topology.Node, n *topology.Node) *topology.Node {
	for i := range nodes {
		if *nodes[i].Rloc16 == n.Rloc16.Parent() {
			return &nodes[i]
		}
	}
	return nil
}

func routingRole(n *topology.Node) int {
	switch n.Role {
	case topology.RoleLeader:
		return int(nodedump.RoleLeader)
	case topology.RoleRouter:
		return int(nodedump.RoleRouter)
	case topology.RoleREED:
		return int(nodedump.RoleREED)
	case topology.RoleEndDevice:
		return int(nodedump.RoleEndDevice)
	case topology.RoleSleepyEndDevice:
		return int(nodedump.RoleSleepyEndDevice)
	case topology.RoleDetached:
		return int(nodedump.RoleUnassigned)
	}
	if n.Rloc16.IsRouter() {
		return int(nodedump.RoleRouter)
	}
	return int(nodedump.RoleUnspecified)
}

// childMode is the mode a parent's neighbor table shows for a child.
func childMode(n *topology.Node) topology.Mode {
	if n.Mode != nil {
		return *n.Mode
	}
	switch n.Role {
	case topology.RoleREED:
		return topology.Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true}
	case topology.RoleEndDevice:
		return topology.Mode{RxOnWhenIdle: true}
	}
	return topology.Mode{}
}

func neighbor(ext uint64, rloc uint16, lqi, rssi, k int, m topology.Mode, child bool) map[string]any {
	return map[string]any{"0": ext, "1": 5 + k*3, "2": rloc, "3": 10000 + k*977, "4": 2000 + k*131, "5": lqi,
		"6": rssi, "7": rssi - 1, "8": 0, "9": 0, "10": m.RxOnWhenIdle, "11": m.FullThreadDevice, "12": m.FullNetworkData, "13": child}
}

func route(ext uint64, rloc uint16, rid, next uint8, cost, lqin, lqout int, link bool) map[string]any {
	return map[string]any{"0": ext, "1": rloc, "2": rid, "3": next, "4": cost, "5": lqin, "6": lqout, "7": 10, "8": true, "9": link}
}

func nextHop(next map[string]map[string]string, from, to string, byID map[string]*topology.Node) uint8 {
	h, ok := next[from][to]
	if !ok || byID[h] == nil {
		return 63
	}
	return byID[h].Rloc16.RouterID()
}

// shortestPaths runs Dijkstra from every router over the router links,
// each link costing LinkCost(min(LQ in, LQ out)).
func shortestPaths(routers []*topology.Node, adj map[string]map[string]view) (map[string]map[string]int, map[string]map[string]string) {
	cost := map[string]map[string]int{}
	next := map[string]map[string]string{}
	for _, src := range routers {
		dist := map[string]int{src.ID: 0}
		first := map[string]string{}
		done := map[string]bool{}
		for {
			u, best := "", math.MaxInt
			for _, r := range routers {
				if d, ok := dist[r.ID]; ok && !done[r.ID] && d < best {
					u, best = r.ID, d
				}
			}
			if u == "" {
				break
			}
			done[u] = true
			for v, vw := range adj[u] {
				lq := vw.lqIn
				if vw.lqOut < lq {
					lq = vw.lqOut
				}
				d := best + topology.LinkCost(lq)
				if old, ok := dist[v]; !ok || d < old {
					dist[v] = d
					if u == src.ID {
						first[v] = v
					} else {
						first[v] = first[u]
					}
				}
			}
		}
		cost[src.ID] = map[string]int{}
		for id, d := range dist {
			if d > 255 {
				d = 255
			}
			cost[src.ID][id] = d
		}
		next[src.ID] = first
	}
	return cost, next
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// attrs builds an attribute map with values as the server encodes them.
type attrs map[string]any

func (a attrs) set(path string, v any) { a[path] = v }

func (a attrs) basic(vendor, product, label string, nodeID uint64) {
	a.set("0/40/0", 17)
	a.set("0/40/1", vendor)
	a.set("0/40/2", 0xfff1)
	a.set("0/40/3", product)
	a.set("0/40/4", 0x8000+int(nodeID))
	a.set("0/40/5", label)
	a.set("0/40/9", 1)
	a.set("0/40/10", "1.0.0")
	a.set("0/40/15", fmt.Sprintf("SIM%06d", nodeID))
}

func (a attrs) raw() map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(a))
	for k, v := range a {
		b, err := json.Marshal(v)
		if err != nil {
			b = []byte("null") // every value above is plain JSON
		}
		out[k] = b
	}
	return out
}
