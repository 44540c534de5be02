// Package meshbuild turns decoded Matter nodes into threadmap topology:
// each node's Thread identity (ext address, RLOC16), its own view of the
// mesh (NeighborTable, RouteTable) as partial snapshots, one merged
// topology per Thread network (ext PAN ID). The partial snapshots carry
// Sources "matter" and names, vendors and Matter node IDs, so
// topology.Merge joins them onto nodes other sources found by ext address.
package meshbuild

import (
	"fmt"
	"net/netip"

	"github.com/threadmap/threadmap/matter/nodedump"
	"github.com/threadmap/threadmap/thread/topology"
)

// Node flags this package sets (topology.Node.Flags).
const (
	// FlagExtAddressConflict: the node's ext address sources disagree
	// (cluster ExtAddress, interface HardwareAddress, link-local address).
	FlagExtAddressConflict = "matter-ext-address-conflict"
	// FlagRloc16Conflict: the node's RLOC16 sources disagree, or a
	// neighbor in the same partition lists it under another RLOC16.
	FlagRloc16Conflict = "matter-rloc16-conflict"
	// FlagNoThreadDiagnostics: a Thread device whose dump has no Thread
	// Network Diagnostics cluster (its place comes from its addresses).
	FlagNoThreadDiagnostics = "no-thread-diagnostics"
)

// Identity is a node's Thread identity and where each part came from.
type Identity struct {
	ExtAddr   topology.ExtAddress // 0 when unknown
	ExtFrom   string
	Rloc16    *topology.Rloc16
	RlocFrom  string
	Conflicts []string
}

// Identify works out the node's ext address and RLOC16. Ext address:
// cluster attribute 63 (revision 3), then the Thread interface's
// HardwareAddress; the Thread link-local address (IID = ext address with
// the U/L bit flipped) cross-checks them. RLOC16: attribute 64, then the
// RouteTable entry carrying the node's own ext address, then an RLOC IPv6
// address (mesh-local prefix + 0:ff:fe00:RLOC16), then — for a router —
// the one RouteTable entry with next hop 63 and path cost 0 (its own).
// Disagreements are listed in Conflicts; the first source wins.
func Identify(n *nodedump.Node) Identity {
	var id Identity
	t := n.Thread
	type extCand struct {
		v    uint64
		from string
	}
	var exts []extCand
	if t != nil && t.ExtAddress != nil && *t.ExtAddress != 0 {
		exts = append(exts, extCand{*t.ExtAddress, "ExtAddress 0/53/63"})
	}
	ti := n.ThreadInterface()
	if ti != nil && len(ti.HardwareAddress) == 8 {
		e, _ := topology.ExtAddressFromBytes(ti.HardwareAddress)
		if e != 0 {
			exts = append(exts, extCand{uint64(e), "HardwareAddress 0/51/0"})
		}
	}
	if ti != nil {
		for _, a := range ti.IPv6 {
			if a.Is6() && a.IsLinkLocalUnicast() {
				b := a.As16()
				e, _ := topology.ExtAddressFromBytes(b[8:])
				exts = append(exts, extCand{uint64(e) ^ 0x0200000000000000, "link-local address " + a.String()})
			}
		}
	}
	for i, c := range exts {
		if i == 0 {
			id.ExtAddr, id.ExtFrom = topology.ExtAddress(c.v), c.from
			continue
		}
		if c.v != uint64(id.ExtAddr) {
			id.Conflicts = append(id.Conflicts, fmt.Sprintf("ext address: %s says %016x, %s says %016x", id.ExtFrom, uint64(id.ExtAddr), c.from, c.v))
		}
	}

	type rlocCand struct {
		v    topology.Rloc16
		from string
	}
	var rlocs []rlocCand
	if t != nil && t.Rloc16 != nil {
		rlocs = append(rlocs, rlocCand{topology.Rloc16(*t.Rloc16), "Rloc16 0/53/64"})
	}
	if t != nil && id.ExtAddr != 0 {
		for _, e := range t.RouteTable {
			if e.ExtAddress == uint64(id.ExtAddr) {
				rlocs = append(rlocs, rlocCand{topology.Rloc16(e.Rloc16), "own RouteTable entry"})
				break
			}
		}
	}
	var mlp *netip.Prefix
	if t != nil {
		mlp = t.MeshLocalPrefix
	}
	for _, ni := range n.Interfaces {
		if ni.Type != nodedump.InterfaceThread {
			continue
		}
		for _, a := range ni.IPv6 {
			if r, ok := RlocFromAddress(a, mlp); ok {
				rlocs = append(rlocs, rlocCand{r, "RLOC address " + a.String()})
			}
		}
	}
	if t != nil && t.RoutingRole != nil && (*t.RoutingRole == nodedump.RoleRouter || *t.RoutingRole == nodedump.RoleLeader) {
		var own []nodedump.RouteEntry
		for _, e := range t.RouteTable {
			if e.NextHop == nodedump.NoNextHop && e.PathCost == 0 && !e.LinkEstablished && (e.ExtAddress == 0 || e.ExtAddress == uint64(id.ExtAddr)) {
				own = append(own, e)
			}
		}
		if len(own) == 1 {
			rlocs = append(rlocs, rlocCand{topology.Rloc16(own[0].Rloc16), "RouteTable entry without next hop"})
		}
	}
	for i, c := range rlocs {
		if i == 0 {
			r := c.v
			id.Rloc16, id.RlocFrom = &r, c.from
			continue
		}
		if c.v != *id.Rloc16 {
			id.Conflicts = append(id.Conflicts, fmt.Sprintf("RLOC16: %s says %s, %s says %s", id.RlocFrom, id.Rloc16, c.from, c.v))
		}
	}
	return id
}

// RlocFromAddress reads the RLOC16 from an RLOC IPv6 address: IID
// 0000:00ff:fe00:RLOC16 (not an ALOC, 0xfc00–0xfcff), inside the
// mesh-local prefix when it is known.
func RlocFromAddress(a netip.Addr, mlp *netip.Prefix) (topology.Rloc16, bool) {
	r, ok := topology.LocatorOf(a) // an IPv4-mapped address never has the locator IID
	if !ok {
		return 0, false
	}
	if r >= 0xfc00 {
		return 0, false // ALOC
	}
	if mlp != nil && !mlp.Contains(a) {
		return 0, false
	}
	if mlp == nil && !(a.As16()[0]&0xfe == 0xfc) {
		return 0, false // without the prefix, only ULA (mesh-local prefixes are fd00::/8)
	}
	return r, true
}

// Role maps RoutingRoleEnum onto threadmap's roles.
func Role(r nodedump.RoutingRole) topology.Role {
	switch r {
	case nodedump.RoleUnassigned:
		return topology.RoleDetached
	case nodedump.RoleSleepyEndDevice:
		return topology.RoleSleepyEndDevice
	case nodedump.RoleEndDevice:
		return topology.RoleEndDevice
	case nodedump.RoleREED:
		return topology.RoleREED
	case nodedump.RoleRouter:
		return topology.RoleRouter
	case nodedump.RoleLeader:
		return topology.RoleLeader
	}
	return topology.RoleUnknown
}
