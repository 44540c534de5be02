package meshgen

import (
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// Fixture reads the ground truth of a real OpenThread capture
// (topologytest testdata: openthread/<dir>/summary.json) as a normalized snapshot.
func Fixture(dir string) (*topology.Snapshot, error) {
	path := filepath.Join(dir, "summary.json")
	sm, err := topologytest.ReadSummary(path)
	if err != nil {
		return nil, err
	}
	at, err := time.Parse("2006-01-02T15:04:05-0700", sm.Captured)
	if err != nil {
		return nil, fmt.Errorf("%s: captured: %w", path, err)
	}
	s := topology.New(at)
	s.Network = topology.Network{Name: sm.Dataset.NetworkName, ExtPanID: sm.Dataset.ExtPanID, PanID: sm.Dataset.PanID,
		Channel: sm.Dataset.Channel, MeshLocalPrefix: sm.Dataset.MeshLocalPrefix + "/64"}
	byRloc := map[string]string{}
	for _, n := range sm.Nodes {
		r, err := topology.ParseRloc16(n.Rloc16)
		if err != nil {
			return nil, fmt.Errorf("%s: node %s: %w", path, n.ExtAddr, err)
		}
		byRloc[n.Rloc16] = n.ExtAddr
		node := topology.Node{ID: n.ExtAddr, ExtAddr: n.ExtAddr, Rloc16: topology.Ptr(r), EUI64: n.EUI64,
			IPv6: []string{n.MLEID, n.RlocAddr, n.LinkLocal}, BorderRouter: n.BorderRouter,
			Status: topology.StatusAnswered, Sources: []string{"ot-cli"}}
		if m, err := topology.ParseMode(n.Mode); err == nil {
			node.Mode = &m
		}
		if n.Role == "leader" {
			node.Role = topology.RoleLeader
		}
		if n.PartitionID != nil {
			p, err := strconv.ParseUint(*n.PartitionID, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("%s: node %s: partition: %w", path, n.ExtAddr, err)
			}
			node.PartitionID = topology.Ptr(uint32(p))
		}
		if r.IsRouter() {
			node.ChildTableKnown = true
		}
		if n.LeaderRouterID != nil {
			s.Network.LeaderRouterID = n.LeaderRouterID
		}
		s.Nodes = append(s.Nodes, node)
	}
	for _, l := range sm.RouterLinks {
		s.Links = append(s.Links, topology.Link{Kind: topology.LinkRouter, A: l.AExt, B: l.BExt,
			LQIn: topology.Ptr(l.LQIn), LQOut: topology.Ptr(l.LQOut), Cost: topology.Ptr(l.Cost), Sources: []string{"ot-cli"}})
	}
	for _, c := range sm.ChildEntries {
		lq, _ := strconv.Atoi(c.LQIn)
		to, _ := strconv.ParseUint(c.Timeout, 10, 32)
		s.Links = append(s.Links, topology.Link{Kind: topology.LinkChild, A: byRloc[c.Parent], B: c.Child,
			LQIn: topology.Ptr(lq), Timeout: topology.Ptr(uint32(to)), Sources: []string{"ot-cli"}})
	}
	s.Scan.Sources = []topology.SourceReport{{Name: "ot-cli", Queried: len(sm.Nodes), Answered: len(sm.Nodes)}}
	topology.Normalize(s)
	return s, nil
}
