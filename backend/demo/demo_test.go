package demo

import (
	"context"
	"testing"
	"time"

	"github.com/threadmap/threadmap/store/diff"
	"github.com/threadmap/threadmap/thread/topology"
)

// collect runs every demo source and merges, as the scheduler does.
func collect(t *testing.T, ctx context.Context, d *Demo) *topology.Snapshot {
	t.Helper()
	var parts []*topology.Snapshot
	for _, tg := range d.Targets() {
		start := time.Now()
		p, err := tg.Source.Collect(ctx)
		if err != nil {
			t.Fatalf("%s: %v", tg.ID, err)
		}
		t.Logf("%s: %d nodes in %s", tg.ID, len(p.Nodes), time.Since(start).Round(time.Millisecond))
		parts = append(parts, p)
	}
	return topology.Merge(parts...)
}

func TestDemoServesItsTruthAndChanges(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := Start(ctx, Options{Seed: 1, Nodes: 24})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	m, _ := Mesh(1, 24)
	want := m.Truth()
	if d.NetworkKey() != want.Network.Key() {
		t.Fatalf("network %s, want %s", d.NetworkKey(), want.Network.Key())
	}
	before := collect(t, ctx, d)
	if diffs := want.Shape().Diff(before.Shape()); len(diffs) > 0 {
		t.Fatalf("demo scan differs from the truth of Mesh(1, 24): %v", diffs)
	}
	if brs := d.BorderRouters(); len(brs) != len(want.BorderRouters) || brs[0].RestURL == "" || brs[0].ID != want.BorderRouters[0].ID || (brs[0].State["thread_role"] != "router" && brs[0].State["thread_role"] != "leader") {
		t.Errorf("border routers: %+v", d.BorderRouters())
	}
	// The first border router is the simulated Border Agent's: its port and
	// state bitmap (DTLS with PSKc, ePSKc supported) are in the advert, and
	// the border-agent source mapped the mesh through it.
	if br := d.BorderRouters()[0]; br.Port != int(d.run.ba.Addr().Port()) || br.State["connection_mode"] != "pskc" || br.State["epskc_supported"] != "true" {
		t.Errorf("border agent advert: port %d (agent on %s), state %v", br.Port, d.run.ba.Addr(), br.State)
	}
	if st := d.run.ba.Stats(); st.Petitions == 0 || st.ProxyRx == 0 || st.Resigned == 0 {
		t.Errorf("the border-agent source did not map through the agent: %+v", st)
	}
	// Two changes: a child re-attaches, then a link quality changes.
	what, err := d.Mutate()
	if err != nil {
		t.Fatal(err)
	}
	t.Log(what)
	after := collect(t, ctx, d)
	if diffs := d.Truth().Shape().Diff(after.Shape()); len(diffs) > 0 {
		t.Fatalf("after a change the scan differs from the new truth: %v", diffs)
	}
	before.ID, after.ID = "1", "2"
	dd := diff.Diff(before, after)
	if len(dd.ParentChanged) != 1 || len(dd.Rloc16Changed) != 1 || len(dd.NodesAdded)+len(dd.NodesRemoved) != 0 {
		t.Errorf("re-attach diff: %+v", dd)
	}
	what, err = d.Mutate()
	if err != nil {
		t.Fatal(err)
	}
	t.Log(what)
	third := collect(t, ctx, d)
	third.ID = "3"
	dd = diff.Diff(after, third)
	if len(dd.LinksChanged) != 1 || len(dd.ParentChanged) != 0 {
		t.Errorf("link-quality diff: %+v", dd)
	}
}
