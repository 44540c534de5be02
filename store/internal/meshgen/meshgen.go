// Package meshgen builds realistic snapshots for the store's tests and
// benchmarks: generated meshes of any size and the real 8-node OpenThread
// capture from the shared fixtures.
package meshgen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// Generate builds a realistic normalized snapshot of a mesh with n nodes:
// up to 32 routers on a rough grid (neighbors within radio range, link
// quality falling with distance), the rest children spread over the
// routers (a third sleepy, some REEDs), every node with the addresses,
// mode, versions and counters a TMF crawl reports.
func Generate(rng *rand.Rand, n int, takenAt time.Time) *topology.Snapshot {
	s := topology.New(takenAt)
	s.Network = topology.Network{Name: "Bench Home", ExtPanID: "dead00beef00cafe", PanID: "0x1234", Channel: 15,
		MeshLocalPrefix: "fd11:22::/64", PartitionID: topology.Ptr(uint32(123456)), LeaderRouterID: topology.Ptr(0)}
	routers := n / 8
	if routers > 32 {
		routers = 32
	}
	if routers < 1 {
		routers = 1
	}
	seen := takenAt.Add(-time.Minute)
	type pos struct{ x, y float64 }
	at := make([]pos, routers)
	ext := func() string { return fmt.Sprintf("%016x", rng.Uint64()) }
	routerIDs := make([]string, routers)
	for i := 0; i < routers; i++ {
		at[i] = pos{float64(i%6) * 10, float64(i/6) * 10}
		id := ext()
		routerIDs[i] = id
		r := topology.RouterRloc16(uint8(i))
		s.Nodes = append(s.Nodes, topology.Node{
			ID: id, ExtAddr: id, Rloc16: topology.Ptr(r), Role: topology.RoleRouter,
			Mode:          &topology.Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true},
			BorderRouter:  i < 2,
			ThreadVersion: 4, MaxChildren: topology.Ptr(10), PartitionID: topology.Ptr(uint32(123456)),
			IPv6: []string{
				fmt.Sprintf("fd11:22::ff:fe00:%x", uint16(r)),
				fmt.Sprintf("fd11:22::%x:%x:%x:%x", rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint32()&0xffff),
				fmt.Sprintf("fe80::%x:%x:%x:%x", rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint32()&0xffff),
			},
			Connectivity: &topology.Connectivity{ParentPriority: 0, LinkQuality3: 3, LinkQuality2: 1, LeaderCost: 2, IDSequence: 77, ActiveRouters: routers},
			Counters: map[string]uint64{
				"if_in_unicast": rng.Uint64N(1 << 20), "if_out_unicast": rng.Uint64N(1 << 20),
				"if_in_broadcast": rng.Uint64N(1 << 16), "if_out_broadcast": rng.Uint64N(1 << 16),
				"if_in_errors": rng.Uint64N(100), "if_out_errors": rng.Uint64N(100),
			},
			Status: topology.StatusAnswered, Sources: []string{"tmf"}, FirstSeen: &seen, LastSeen: &takenAt,
		})
	}
	for i := 0; i < routers; i++ {
		for j := i + 1; j < routers; j++ {
			dx, dy := at[i].x-at[j].x, at[i].y-at[j].y
			d := dx*dx + dy*dy
			if d > 450 {
				continue
			}
			lq := func() int {
				q := 3 - int(d/150) - rng.IntN(2)
				if q < 0 {
					q = 0
				}
				return q
			}
			s.Links = append(s.Links, topology.Link{Kind: topology.LinkRouter, A: routerIDs[i], B: routerIDs[j],
				LQIn: topology.Ptr(lq()), LQOut: topology.Ptr(lq()), RouteCost: topology.Ptr(1 + rng.IntN(3)), Sources: []string{"tmf"}})
		}
	}
	next := make([]int, routers)
	for c := routers; c < n; c++ {
		p := c % routers
		next[p]++
		r := topology.Rloc16(uint16(topology.RouterRloc16(uint8(p))) | uint16(next[p]))
		mode := topology.Mode{RxOnWhenIdle: true}
		switch c % 3 {
		case 0:
			mode.RxOnWhenIdle = false
		case 1:
			mode.FullThreadDevice, mode.FullNetworkData = true, true
		}
		id := ext()
		s.Nodes = append(s.Nodes, topology.Node{
			ID: id, ExtAddr: id, Rloc16: topology.Ptr(r), Mode: &mode, Timeout: topology.Ptr(uint32(240)),
			ThreadVersion: 4, PartitionID: topology.Ptr(uint32(123456)),
			IPv6: []string{
				fmt.Sprintf("fd11:22::ff:fe00:%x", uint16(r)),
				fmt.Sprintf("fd11:22::%x:%x:%x:%x", rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint32()&0xffff),
			},
			Status: topology.StatusAnswered, Sources: []string{"tmf"}, FirstSeen: &seen, LastSeen: &takenAt,
		})
		s.Links = append(s.Links, topology.Link{Kind: topology.LinkChild, A: routerIDs[p], B: id,
			LQIn: topology.Ptr(1 + rng.IntN(3)), Timeout: topology.Ptr(uint32(240)), Age: topology.Ptr(uint32(rng.IntN(200))), Sources: []string{"tmf"}})
	}
	for i := range s.Nodes {
		if s.Nodes[i].Rloc16 != nil && s.Nodes[i].Rloc16.IsRouter() {
			s.Nodes[i].ChildTableKnown = true
		}
	}
	s.Scan.Sources = []topology.SourceReport{{Name: "tmf", Target: "fd11:22::ff:fe00:fc00", Queried: n, Answered: n, DurationMs: 840}}
	topology.Normalize(s)
	return s
}

// Jiggle changes a copy of s the way the next scan would: new time, some
// link qualities moved. It shares the node slice (read-only) with s.
func Jiggle(rng *rand.Rand, s *topology.Snapshot, takenAt time.Time) *topology.Snapshot {
	c := *s
	c.TakenAt = takenAt
	c.ID = ""
	c.Links = append([]topology.Link(nil), s.Links...)
	for i := 0; i < 5 && len(c.Links) > 0; i++ {
		j := rng.IntN(len(c.Links))
		c.Links[j].LQIn = topology.Ptr(rng.IntN(4))
	}
	return &c
}
