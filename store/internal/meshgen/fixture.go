package meshgen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// summary is the ground-truth file of a shared/fixtures/openthread capture.
type summary struct {
	Captured string `json:"captured"`
	Dataset  struct {
		NetworkName     string `json:"networkname"`
		PanID           string `json:"panid"`
		ExtPanID        string `json:"extpanid"`
		Channel         int    `json:"channel"`
		MeshLocalPrefix string `json:"meshlocalprefix"`
	} `json:"dataset"`
	Nodes []struct {
		ExtAddr        string  `json:"extaddr"`
		Rloc16         string  `json:"rloc16"`
		Role           string  `json:"role"`
		Mode           string  `json:"mode"`
		MLEID          string  `json:"ml_eid"`
		RlocAddr       string  `json:"rloc_addr"`
		LinkLocal      string  `json:"link_local"`
		EUI64          string  `json:"eui64"`
		PartitionID    *string `json:"partition_id"`
		LeaderRouterID *int    `json:"leader_router_id"`
		BorderRouter   bool    `json:"is_border_router"`
	} `json:"nodes"`
	RouterLinks []struct {
		AExt  string `json:"a_extaddr"`
		BExt  string `json:"b_extaddr"`
		LQIn  int    `json:"link_quality_in"`
		LQOut int    `json:"link_quality_out"`
		Cost  int    `json:"link_cost"`
	} `json:"router_links"`
	Children []struct {
		Parent  string `json:"parent"`
		ChildEx string `json:"child_extaddr"`
		LQIn    string `json:"lq_in"`
		Timeout string `json:"timeout"`
	} `json:"child_table_entries"`
}

// Fixture reads the ground truth of a real OpenThread capture
// (shared/fixtures/openthread/<dir>/summary.json) as a normalized snapshot.
func Fixture(dir string) (*topology.Snapshot, error) {
	path := filepath.Join(dir, "summary.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var sm summary
	if err := json.Unmarshal(b, &sm); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
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
	for _, c := range sm.Children {
		lq, _ := strconv.Atoi(c.LQIn)
		to, _ := strconv.ParseUint(c.Timeout, 10, 32)
		s.Links = append(s.Links, topology.Link{Kind: topology.LinkChild, A: byRloc[c.Parent], B: c.ChildEx,
			LQIn: topology.Ptr(lq), Timeout: topology.Ptr(uint32(to)), Sources: []string{"ot-cli"}})
	}
	s.Scan.Sources = []topology.SourceReport{{Name: "ot-cli", Queried: len(sm.Nodes), Answered: len(sm.Nodes)}}
	topology.Normalize(s)
	return s, nil
}
