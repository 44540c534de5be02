package tmf_test

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// startSim runs a generated mesh on loopback and returns it with a client
// pointed at it.
func startSim(t testing.TB, opts threadsim.Options, radio threadsim.Radio, serve threadsim.ServeOptions) (*threadsim.Sim, *tmf.Client) {
	t.Helper()
	m, err := threadsim.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	serve.Radio = &radio
	if serve.AckTimeout == 0 {
		serve.AckTimeout = 150 * time.Millisecond
	}
	sim, err := m.Start(context.Background(), serve)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	cl, err := tmf.NewClient(tmf.ClientConfig{Resolver: sim, AckTimeout: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return sim, cl
}

func crawl(t testing.TB, cfg tmf.Config) *topology.Snapshot {
	t.Helper()
	c, err := tmf.NewCrawler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	snap, err := c.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// The must-show: a 32-router / 250-node mesh with 5% packet loss crawls to
// exactly the simulator's truth.
func TestCrawlMatchesTruthWithLoss(t *testing.T) {
	sim, cl := startSim(t, threadsim.Options{Seed: 2026, Nodes: 250, Routers: 32},
		threadsim.Radio{HopLatency: 200 * time.Microsecond, Loss: 0.05, BitRate: -1, Seed: 5}, threadsim.ServeOptions{})
	var mu sync.Mutex
	var last tmf.Progress
	calls := 0
	snap := crawl(t, tmf.Config{Transport: cl, Timeout: 2 * time.Second, Backoff: 20 * time.Millisecond, Retries: 5,
		Progress: func(p tmf.Progress) { mu.Lock(); last, calls = p, calls+1; mu.Unlock() }})
	truth := sim.Mesh().Truth()
	if diff := truth.Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("crawl differs from truth in %d ways:\n%s", len(diff), strings.Join(diff[:min(len(diff), 30)], "\n"))
	}
	st := sim.Stats()
	if st.Lost == 0 {
		t.Errorf("the loss model dropped nothing (stats %+v): the test did not exercise retries", st)
	}
	rep := snap.Scan.Sources[0]
	if rep.Name != "tmf" || rep.Answered != 32 || rep.Queried != 32 {
		t.Errorf("report %+v, want 32 routers queried and answered", rep)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls == 0 || last.Phase != "done" || last.Answered != 32 {
		t.Errorf("progress: %d calls, last %+v", calls, last)
	}
	// Link qualities and identity carried through.
	if snap.Network.PartitionID == nil || *snap.Network.PartitionID != sim.Mesh().Network.PartitionID {
		t.Errorf("partition %v", snap.Network.PartitionID)
	}
	if snap.Network.MeshLocalPrefix != sim.Mesh().Network.MeshLocalPrefixString() {
		t.Errorf("prefix %q", snap.Network.MeshLocalPrefix)
	}
	for _, l := range truth.Links {
		if l.Kind != topology.LinkRouter {
			continue
		}
		var got *topology.Link
		for i := range snap.Links {
			if snap.Links[i].Kind == l.Kind && snap.Links[i].A == l.A && snap.Links[i].B == l.B {
				got = &snap.Links[i]
			}
		}
		if got == nil || got.LQIn == nil || got.LQOut == nil || *got.LQIn != *l.LQIn || *got.LQOut != *l.LQOut {
			t.Errorf("router link %s–%s: got %+v, want LQ in %d out %d", l.A, l.B, got, *l.LQIn, *l.LQOut)
		}
	}
	for _, n := range snap.Nodes {
		if n.HasFlag(topology.FlagNotInParentTable) || n.HasFlag(topology.FlagInferred) {
			t.Errorf("node %s flagged %v", n.ID, n.Flags)
		}
		// Border routers, from the leader's Network Data.
		if want := truth.Node(n.ID).BorderRouter; n.BorderRouter != want {
			t.Errorf("node %s border router %v, want %v", n.ID, n.BorderRouter, want)
		}
	}
}

func TestCrawlSequentialAndChildren(t *testing.T) {
	sim, cl := startSim(t, threadsim.Options{Seed: 3, Nodes: 30, Routers: 5},
		threadsim.Radio{HopLatency: 100 * time.Microsecond, SleepyPoll: 30 * time.Millisecond}, threadsim.ServeOptions{})
	snap := crawl(t, tmf.Config{Transport: cl, Parallel: 1, Timeout: time.Second, Children: tmf.ChildrenAll})
	truth := sim.Mesh().Truth()
	if diff := truth.Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("diff: %v", diff)
	}
	rep := snap.Scan.Sources[0]
	if rep.Queried != 30 || rep.Answered != 30 {
		t.Errorf("report %+v, want all 30 nodes asked and answering", rep)
	}
	// Children asked directly carry their vendor and status.
	for _, c := range sim.Mesh().Children {
		n := snap.Node(c.ExtAddr.String())
		if n == nil || n.Vendor != c.Vendor || n.Model != c.Model || n.Status != topology.StatusAnswered {
			t.Errorf("child %s: got %+v", c.Rloc16, n)
		}
	}
}

func TestCrawlPartialWhenRoutersSilent(t *testing.T) {
	sim, cl := startSim(t, threadsim.Options{Seed: 4, Nodes: 40, Routers: 6}, threadsim.Radio{BitRate: -1}, threadsim.ServeOptions{})
	m := sim.Mesh()
	var silent *threadsim.Node
	for _, r := range m.Routers {
		if r != m.Leader {
			silent = r
			break
		}
	}
	sim.Silence(silent.Rloc16, true)
	snap := crawl(t, tmf.Config{Transport: cl, Timeout: 400 * time.Millisecond, Retries: 1, Backoff: 10 * time.Millisecond})
	n := snap.Node(silent.ExtAddr.String())
	if n == nil {
		t.Fatalf("silent router %s vanished; nodes %v", silent.Rloc16, snap.Shape().Nodes)
	}
	if n.Status != topology.StatusTimedOut {
		t.Errorf("silent router status %q, want timed-out", n.Status)
	}
	// One layer retries: the silent router was sent one request per attempt
	// (1 + Retries) — no CoAP retransmissions under them, no probe after.
	if got := sim.Dropped(silent.Rloc16); got != 2 {
		t.Errorf("the silent router was sent %d messages, want 2 (a request and one retry)", got)
	}
	rep := snap.Scan.Sources[0]
	if rep.TimedOut != 1 || rep.Answered != len(m.Routers)-1 {
		t.Errorf("report %+v", rep)
	}
	// Its neighbours still describe its links; its children are only
	// known by RLOC16 from nowhere, so they are missing — but every other
	// router's children are there.
	for _, c := range m.Children {
		if c.Parent == silent {
			continue
		}
		if snap.Node(c.ExtAddr.String()) == nil {
			t.Errorf("child %s of an answering router missing", c.Rloc16)
		}
	}
}

func TestCrawlChunksWhenPeerFailsOnBigRequests(t *testing.T) {
	sim, cl := startSim(t, threadsim.Options{Seed: 5, Nodes: 40, Routers: 6}, threadsim.Radio{BitRate: -1},
		threadsim.ServeOptions{MaxResponse: 250})
	snap := crawl(t, tmf.Config{Transport: cl, Timeout: 300 * time.Millisecond, Retries: 1, Backoff: 5 * time.Millisecond})
	if diff := sim.Mesh().Truth().Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("diff with chunked requests: %v", diff)
	}
	// Every router failed the full request and was asked in pieces.
	if got, routers := sim.Stats().Requests["d/dg"], len(sim.Mesh().Routers); got < 3*routers {
		t.Errorf("%d DIAG_GET.req for %d routers: the requests were not split", got, routers)
	}
	for _, r := range sim.Mesh().Routers {
		n := snap.Node(r.ExtAddr.String())
		if n == nil || n.Vendor != r.Vendor || n.Status != topology.StatusAnswered {
			t.Errorf("router %s: %+v", r.Rloc16, n)
		}
	}
}

func TestCrawlNothingAnswers(t *testing.T) {
	sim, cl := startSim(t, threadsim.Options{Seed: 6, Nodes: 3, Routers: 1}, threadsim.Radio{BitRate: -1}, threadsim.ServeOptions{})
	sim.Silence(sim.Mesh().Leader.Rloc16, true)
	c, _ := tmf.NewCrawler(tmf.Config{Transport: cl, Timeout: 100 * time.Millisecond, Retries: 1, Backoff: time.Millisecond})
	_, err := c.Collect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no start node answered") {
		t.Fatalf("err %v", err)
	}
}

func TestClientRequests(t *testing.T) {
	sim, cl := startSim(t, threadsim.Options{Seed: 8, Nodes: 40, Routers: 3}, threadsim.Radio{BitRate: -1}, threadsim.ServeOptions{})
	m := sim.Mesh()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// DIAG_GET.req to the leader ALOC.
	got, err := cl.Get(ctx, topology.LeaderAloc16, []diag.Type{diag.TypeAddress16, diag.TypeRoute64, diag.TypeLeaderData})
	if err != nil {
		t.Fatal(err)
	}
	if got.Address16 == nil || *got.Address16 != m.Leader.Rloc16 || got.Route64 == nil || len(got.Route64.Routes) != 3 {
		t.Fatalf("leader answer %+v", got)
	}

	// DIAG_GET.qry with a big answer: several d/da messages.
	var big *threadsim.Node
	for _, r := range m.Routers {
		if big == nil || len(r.Children) > len(big.Children) {
			big = r
		}
	}
	ans, err := cl.Query(ctx, big.Rloc16, []diag.Type{diag.TypeChild, diag.TypeChildIPv6AddressList, diag.TypeRouterNeighbor})
	if err != nil {
		t.Fatal(err)
	}
	if len(ans) < 2 {
		t.Errorf("%d answer messages for %d children: want the answer split", len(ans), len(big.Children))
	}
	children, ended := 0, false
	for _, a := range ans {
		children += len(a.Children)
		ended = ended || a.ChildrenEnd
		if a.QueryID != nil || a.Answer != nil {
			t.Errorf("bookkeeping TLVs left in %v", a)
		}
	}
	if children != len(big.Children) || !ended {
		t.Errorf("%d Child TLVs (end %v), want %d", children, ended, len(big.Children))
	}

	// DIAG_RST.
	if err := cl.Reset(ctx, big.Rloc16, []diag.Type{diag.TypeMacCounters}); err != nil {
		t.Fatal(err)
	}
	if sim.Resets(big.Rloc16) != 1 {
		t.Errorf("resets %d", sim.Resets(big.Rloc16))
	}
	after, err := cl.Get(ctx, big.Rloc16, []diag.Type{diag.TypeMacCounters})
	if err != nil || after.MacCounters == nil || *after.MacCounters != (diag.MacCounters{}) {
		t.Errorf("MAC counters after DIAG_RST: %+v, %v", after, err)
	}

	// An empty Type List gets an empty answer, as OpenThread gives.
	empty, err := cl.Get(ctx, big.Rloc16, nil)
	if err != nil || len(empty.Encode()) != 0 {
		t.Errorf("empty type list: %v, %v", empty, err)
	}

	// A group query over loopback reaches every router.
	gctx, gcancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer gcancel()
	seen := map[topology.Rloc16]bool{}
	var mu sync.Mutex
	err = cl.QueryGroup(gctx, tmf.AllRouters, []diag.Type{diag.TypeAddress16}, func(_ netip.AddrPort, a *diag.Message) {
		mu.Lock()
		defer mu.Unlock()
		if a.Address16 != nil {
			seen[*a.Address16] = true
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range m.Routers {
		if !seen[r.Rloc16] {
			t.Errorf("group query: router %s did not answer", r.Rloc16)
		}
	}
	for r := range seen {
		if n := m.Node(r); n == nil || !n.Mode.FullThreadDevice {
			t.Errorf("group query to ff03::2 answered by %s, not a full Thread device", r)
		}
	}
}

func TestCrawlTopologyDetail(t *testing.T) {
	sim, cl := startSim(t, threadsim.Options{Seed: 12, Nodes: 120, Routers: 16},
		threadsim.Radio{BitRate: -1}, threadsim.ServeOptions{})
	snap := crawl(t, tmf.Config{Transport: cl, Detail: tmf.DetailTopology, Timeout: time.Second})
	if diff := sim.Mesh().Truth().Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("topology-only crawl differs: %v", diff)
	}
	empty := 0
	for _, r := range sim.Mesh().Routers {
		if len(r.Children) == 0 {
			empty++
		}
	}
	if got, want := sim.Stats().Requests["d/dq"], len(sim.Mesh().Routers)-empty; got != want {
		t.Errorf("%d queries, want %d (routers with children)", got, want)
	}
}
