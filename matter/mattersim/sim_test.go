package mattersim_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/matter/matterclient"
	"github.com/threadmap/threadmap/matter/mattersim"
	"github.com/threadmap/threadmap/matter/mattersim/mattersimtest"
	"github.com/threadmap/threadmap/matter/nodedump"
	"github.com/threadmap/threadmap/matter/wsapi"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/topology"
)

var taken = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func ext(i int) string {
	return fmt.Sprintf("%016x", uint64(0x1a2b3c4d00000000)+uint64(i)*0x0101010101)
}

// handMesh is a small mesh written out by hand: four routers (router 1 the
// leader), four children of every kind, names on some nodes.
func handMesh() *topology.Snapshot {
	s := topology.New(taken)
	s.Network = topology.Network{Name: "SimHome", ExtPanID: "dead00beef00cafe", PanID: "0x1234", Channel: 15,
		MeshLocalPrefix: "fd11:22:0:0::/64", PartitionID: topology.Ptr(uint32(123456)), LeaderRouterID: topology.Ptr(1)}
	router := func(i int, rloc uint16, name string) topology.Node {
		return topology.Node{ID: ext(i), ExtAddr: ext(i), Rloc16: topology.Ptr(topology.Rloc16(rloc)), Role: topology.RoleRouter,
			Mode: &topology.Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true}, Name: name, Sources: []string{"truth"}}
	}
	child := func(i int, rloc uint16, m topology.Mode, name, vendor string) topology.Node {
		return topology.Node{ID: ext(i), ExtAddr: ext(i), Rloc16: topology.Ptr(topology.Rloc16(rloc)), Role: topology.ChildRole(m),
			Mode: &m, Name: name, Vendor: vendor, Sources: []string{"truth"}}
	}
	s.Nodes = []topology.Node{
		router(1, 0x0400, "Kitchen plug"), router(2, 0x0800, ""), router(3, 0x0c00, "Hall light"), router(4, 0x1000, ""),
		child(5, 0x0401, topology.Mode{}, "Front door", "Eve Systems"),
		child(6, 0x0802, topology.Mode{RxOnWhenIdle: true}, "", ""),
		child(7, 0x0c01, topology.Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true}, "Blind", "Aqara"),
		child(8, 0x1001, topology.Mode{FullNetworkData: true}, "", ""),
	}
	link := func(a, b, in, out int) topology.Link {
		return topology.Link{Kind: topology.LinkRouter, A: ext(a), B: ext(b), LQIn: topology.Ptr(in), LQOut: topology.Ptr(out)}
	}
	s.Links = []topology.Link{link(1, 2, 3, 3), link(1, 3, 3, 2), link(2, 3, 2, 2), link(3, 4, 1, 2)}
	topology.Normalize(s)
	return s
}

// genMesh is a larger random mesh: a chain of routers (so it is
// connected) plus random extra links, and children under random routers.
func genMesh(seed uint64, routers, children int) *topology.Snapshot {
	r := rand.New(rand.NewPCG(seed, 7))
	s := topology.New(taken)
	s.Network = topology.Network{Name: "GenHome", ExtPanID: "0011223344556677", PanID: "0xface", Channel: 20,
		MeshLocalPrefix: "fd00:abcd::/64", PartitionID: topology.Ptr(uint32(99)), LeaderRouterID: topology.Ptr(1)}
	rids := r.Perm(62)[:routers]
	rids[0] = 1
	for i, rid := range rids {
		if i > 0 && rid == 1 {
			rids[i] = 62
		}
	}
	for i, rid := range rids {
		s.Nodes = append(s.Nodes, topology.Node{ID: ext(100 + i), ExtAddr: ext(100 + i), Rloc16: topology.Ptr(topology.RouterRloc16(uint8(rid))),
			Role: topology.RoleRouter, Sources: []string{"truth"}})
		if i > 0 {
			j := r.IntN(i)
			s.Links = append(s.Links, topology.Link{Kind: topology.LinkRouter, A: ext(100 + j), B: ext(100 + i), LQIn: topology.Ptr(1 + r.IntN(3)), LQOut: topology.Ptr(1 + r.IntN(3))})
		}
	}
	for k := 0; k < routers; k++ {
		a, b := r.IntN(routers), r.IntN(routers)
		if a != b {
			s.Links = append(s.Links, topology.Link{Kind: topology.LinkRouter, A: ext(100 + a), B: ext(100 + b), LQIn: topology.Ptr(1 + r.IntN(3)), LQOut: topology.Ptr(1 + r.IntN(3))})
		}
	}
	modes := []topology.Mode{{}, {RxOnWhenIdle: true}, {RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true}}
	used := map[topology.Rloc16]bool{}
	for c := 0; c < children; c++ {
		p := rids[r.IntN(routers)]
		var rloc topology.Rloc16
		for {
			rloc = topology.RouterRloc16(uint8(p)) | topology.Rloc16(1+r.IntN(500))
			if !used[rloc] {
				break
			}
		}
		used[rloc] = true
		m := modes[r.IntN(len(modes))]
		s.Nodes = append(s.Nodes, topology.Node{ID: ext(1000 + c), ExtAddr: ext(1000 + c), Rloc16: topology.Ptr(rloc), Role: topology.ChildRole(m), Mode: &m, Sources: []string{"truth"}})
	}
	topology.Normalize(s)
	return s
}

func serve(t testing.TB, truth *topology.Snapshot) (*mattersim.Sim, string) {
	t.Helper()
	sim, addr := mattersimtest.Serve(t, truth)
	return sim, "ws://" + addr + "/ws"
}

func TestMatterOnlyTopologyEqualsTruth(t *testing.T) {
	meshes := map[string]*topology.Snapshot{
		"hand":            handMesh(),
		"generated 24+60": genMesh(42, 24, 60),
		"generated 32+90": genMesh(7, 32, 90),
	}
	for _, nodes := range []int{40, 150} {
		m, err := threadsim.Generate(threadsim.Options{Seed: int64(nodes), Nodes: nodes})
		if err != nil {
			t.Fatal(err)
		}
		meshes[fmt.Sprintf("threadsim %d nodes", nodes)] = m.Truth()
	}
	home, err := threadsim.LoadScenario(filepath.Join("..", "..", "thread", "threadsim", "testdata", "home.json"))
	if err != nil {
		t.Fatal(err)
	}
	meshes["threadsim scenario home.json"] = home.Truth()
	for name, truth := range meshes {
		t.Run(name, func(t *testing.T) {
			sim, url := serve(t, truth)
			src, err := matterclient.NewSource(url, matterclient.Options{RequestTimeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			part, err := src.Collect(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got := topology.Merge(part)
			if diff := truth.Shape().Diff(got.Shape()); len(diff) > 0 {
				t.Fatalf("Matter-only topology differs from truth:\n%s", strings.Join(diff, "\n"))
			}
			if got.Network.Key() != truth.Network.Key() || got.Network.Name != truth.Network.Name {
				t.Errorf("network %+v", got.Network)
			}
			rep := got.Scan.Sources[0]
			if rep.Name != "matter" || rep.Queried != len(truth.Nodes) || !strings.Contains(strings.Join(rep.Notes, "\n"), "not on a Thread map (Wi-Fi device)") {
				t.Errorf("report %+v", rep)
			}

			// Names land on the right ext addresses when the Matter view
			// joins a Thread view without names.
			thread := topology.New(taken)
			thread.Network = truth.Network
			for _, n := range truth.Nodes {
				n.Name, n.Vendor, n.Sources = "", "", []string{"tmf"}
				thread.Nodes = append(thread.Nodes, n)
			}
			thread.Links = append(thread.Links, truth.Links...)
			merged := topology.Merge(thread, part)
			if diff := truth.Shape().Diff(merged.Shape()); len(diff) > 0 {
				t.Fatalf("merged topology differs from truth:\n%s", strings.Join(diff, "\n"))
			}
			simNames := labels(t, sim)
			for _, tn := range truth.Nodes {
				want := tn.Name
				if want == "" {
					want = simNames[tn.ExtAddr]
				}
				m := merged.Node(tn.ID)
				if m == nil || m.Name != want || want == "" || m.MatterNodeID == 0 || m.Vendor == "" {
					t.Errorf("node %s: name %q vendor %q matter id %d, want name %q", tn.ID, m.Name, m.Vendor, m.MatterNodeID, want)
				}
				if tn.Vendor != "" && m.Vendor != tn.Vendor {
					t.Errorf("node %s: vendor %q, want %q", tn.ID, m.Vendor, tn.Vendor)
				}
				if len(m.Sources) != 2 {
					t.Errorf("node %s sources %v", tn.ID, m.Sources)
				}
			}
		})
	}
}

// labels reads the node labels the simulator serves, by ext address.
func labels(t *testing.T, sim *mattersim.Sim) map[string]string {
	out := map[string]string{}
	for _, nd := range sim.Nodes() {
		n, err := nodedump.Decode(nd)
		if err != nil {
			t.Fatal(err)
		}
		if ti := n.ThreadInterface(); ti != nil {
			e, _ := topology.ExtAddressFromBytes(ti.HardwareAddress)
			out[e.String()] = n.Basic.NodeLabel
		}
	}
	return out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Run follows events (attribute_updated, node_removed) and reconnects.
func TestFollowEventsAndReconnect(t *testing.T) {
	truth := handMesh()
	sim, url := serve(t, truth)
	changes := make(chan struct{}, 100)
	src, err := matterclient.NewSource(url, matterclient.Options{MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		PingInterval: 30 * time.Millisecond,
		OnChange: func() {
			select {
			case changes <- struct{}{}:
			default:
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- src.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-runDone; err != context.Canceled {
			t.Errorf("Run returned %v", err)
		}
	}()
	waitFor(t, "sync", src.Synced)
	time.Sleep(150 * time.Millisecond) // several pings, answered
	if !src.Synced() || src.LastError() != nil {
		t.Fatalf("connection dropped while idle: %v", src.LastError())
	}
	id, ok := sim.NodeID(ext(2))
	if !ok {
		t.Fatal("no node for router 2")
	}
	if err := sim.SetAttribute(id, "0/40/5", "Garage plug"); err != nil {
		t.Fatal(err)
	}
	name := func(e string) string {
		s, err := src.Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n := topology.Merge(s).Node(e); n != nil {
			return n.Name
		}
		return ""
	}
	waitFor(t, "attribute_updated", func() bool { return name(ext(2)) == "Garage plug" })

	// The server drops the connection: Run reconnects and re-reads.
	sim.Disconnect()
	waitFor(t, "resync after disconnect", func() bool { return src.Synced() && src.LastError() != nil })
	if err := sim.SetAttribute(id, "0/40/5", "Shed plug"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "event after reconnect", func() bool { return name(ext(2)) == "Shed plug" })

	// node_removed: the Front door's own view disappears (its parent
	// still lists it, without a name).
	door, _ := sim.NodeID(ext(5))
	sim.RemoveNode(door)
	waitFor(t, "node_removed", func() bool { return name(ext(5)) == "" })
	if len(changes) == 0 {
		t.Error("OnChange never called")
	}
}

func TestClientErrors(t *testing.T) {
	sim, url := serve(t, handMesh())
	ctx := context.Background()

	// No server at all.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "ws://" + ln.Addr().String() + "/ws"
	ln.Close()
	if _, err := matterclient.Dial(ctx, dead, matterclient.Options{DialTimeout: time.Second}); err == nil || !strings.Contains(err.Error(), "cannot connect") {
		t.Errorf("absent server: %v", err)
	}

	// A request the server never answers times out.
	sim.Stall(wsapi.CommandGetNodes, true)
	src, _ := matterclient.NewSource(url, matterclient.Options{RequestTimeout: 200 * time.Millisecond})
	if _, err := src.Collect(ctx); err == nil || !strings.Contains(err.Error(), "get_nodes: no answer within 200ms") {
		t.Errorf("stalled server: %v", err)
	}
	sim.Stall(wsapi.CommandGetNodes, false)

	// Error answers come back as ServerError, matched by message_id.
	c, err := matterclient.Dial(ctx, url, matterclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Request(ctx, "no_such_command", nil)
	var se *matterclient.ServerError
	if !errorsAs(err, &se) || se.Code != wsapi.ErrorInvalidCommand {
		t.Errorf("unknown command: %v", err)
	}
	if _, err := c.Request(ctx, wsapi.CommandGetNode, map[string]any{"node_id": 999}); !errorsAs(err, &se) || se.Code != wsapi.ErrorNodeNotExists {
		t.Errorf("unknown node: %v", err)
	}
	if c.ServerInfo().SchemaVersion != wsapi.ClientSchemaVersion {
		t.Errorf("server info %+v", c.ServerInfo())
	}
	c.Close()
	if _, err := c.GetNodes(ctx); err == nil {
		t.Error("request on a closed connection succeeded")
	}

	// Schema versions.
	for _, c := range []struct {
		info wsapi.ServerInfo
		want string
	}{
		{wsapi.ServerInfo{SchemaVersion: 20, MinSupportedSchemaVersion: 15, SDKVersion: "x"}, "needs clients of schema >= 15"},
		{wsapi.ServerInfo{SchemaVersion: 0, SDKVersion: "x"}, "schema_version 0"},
	} {
		sim.SetServerInfo(c.info)
		if _, err := matterclient.Dial(ctx, url, matterclient.Options{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("schema %+v: %v, want %q", c.info, err, c.want)
		}
	}
	// A newer server that still supports our schema is fine.
	sim.SetServerInfo(wsapi.ServerInfo{SchemaVersion: 14, MinSupportedSchemaVersion: 9, SDKVersion: "x"})
	if c, err := matterclient.Dial(ctx, url, matterclient.Options{}); err != nil {
		t.Errorf("newer compatible server: %v", err)
	} else {
		c.Close()
	}
}

// Update turns a changed mesh into node_added / node_updated /
// node_removed events; Matter node IDs stay with their devices.
func TestUpdateFollowsMesh(t *testing.T) {
	truth := handMesh()
	sim, url := serve(t, truth)
	src, err := matterclient.NewSource(url, matterclient.Options{MinBackoff: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = src.Run(ctx) }()
	waitFor(t, "sync", src.Synced)
	idBefore, _ := sim.NodeID(ext(3))

	next := handMesh()
	var kept []topology.Node
	for _, n := range next.Nodes {
		switch n.ID {
		case ext(6): // the MED leaves
			continue
		case ext(3):
			n.Name = "Stair light"
		}
		kept = append(kept, n)
	}
	kept = append(kept, topology.Node{ID: ext(9), ExtAddr: ext(9), Rloc16: topology.Ptr(topology.Rloc16(0x0402)),
		Role: topology.RoleSleepyEndDevice, Mode: &topology.Mode{}, Name: "Leak sensor", Sources: []string{"truth"}})
	next.Nodes, next.Links = kept, nil
	for _, l := range handMesh().Links {
		if l.Kind == topology.LinkRouter {
			next.Links = append(next.Links, l)
		}
	}
	topology.Normalize(next)
	if err := sim.Update(next); err != nil {
		t.Fatal(err)
	}
	if id, _ := sim.NodeID(ext(3)); id != idBefore {
		t.Errorf("node id of %s changed %d → %d", ext(3), idBefore, id)
	}
	var got *topology.Snapshot
	waitFor(t, "events", func() bool {
		p, err := src.Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got = topology.Merge(p)
		n3, n9 := got.Node(ext(3)), got.Node(ext(9))
		return n3 != nil && n3.Name == "Stair light" && n9 != nil && n9.Name == "Leak sensor" && got.Node(ext(6)) == nil
	})
	if diff := next.Shape().Diff(got.Shape()); len(diff) > 0 {
		t.Errorf("after update:\n%s", strings.Join(diff, "\n"))
	}
}
