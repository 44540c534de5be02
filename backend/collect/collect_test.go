package collect

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// part is a source that answers a one-node snapshot of a network (or, with
// only a prefix, of an unidentified one), fails with err, waits for its
// context (block), ignores it (stuck), or panics.
type part struct {
	name, ext, prefix, node string
	err                     error
	block, stuck, panics    bool
	release                 chan struct{}
	timedOut                int
}

func (p *part) Name() string { return p.name }

func (p *part) Collect(ctx context.Context) (*topology.Snapshot, error) {
	switch {
	case p.panics:
		panic("boom")
	case p.stuck:
		<-p.release
		return nil, errors.New("released")
	case p.block:
		<-ctx.Done()
	case p.err != nil:
		return nil, p.err
	}
	s := topology.New(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	s.Network = topology.Network{ExtPanID: p.ext, MeshLocalPrefix: p.prefix}
	s.Nodes = []topology.Node{{ID: p.node, ExtAddr: p.node, Sources: []string{p.name}}}
	s.Scan.Sources = []topology.SourceReport{{Name: p.name, Queried: 1 + p.timedOut, Answered: 1, TimedOut: p.timedOut,
		Partial: p.block || p.timedOut > 0}}
	return s, nil
}

func TestMergesByNetworkAndJoinsPrefixOnlyParts(t *testing.T) {
	targets := []Target{
		{ID: "otbr:a", Source: &part{name: "otbr", ext: "aa00000000000001", prefix: "fd11::/64", node: "0000000000000001"}},
		{ID: "tmf:fd11", Source: &part{name: "tmf", prefix: "fd11::/64", node: "0000000000000002"}},
		{ID: "otbr:b", Source: &part{name: "otbr", ext: "bb00000000000002", prefix: "fd22::/64", node: "0000000000000003"}},
	}
	var order []string
	res := Run(t.Context(), targets, Options{Done: func(s Source) { order = append(order, s.Target.ID) }})
	if res.Partial || res.Cancelled || len(order) != 3 {
		t.Fatalf("partial %v cancelled %v done %v", res.Partial, res.Cancelled, order)
	}
	if len(res.Snapshots) != 2 {
		t.Fatalf("%d snapshots, want one per network", len(res.Snapshots))
	}
	a, b := res.Snapshots[0], res.Snapshots[1]
	if a.Network.Key() != "aa00000000000001" || len(a.Nodes) != 2 || len(a.Scan.Sources) != 2 ||
		b.Network.Key() != "bb00000000000002" || len(b.Nodes) != 1 {
		t.Fatalf("groups: %s %d nodes %d reports, %s %d nodes", a.Network.Key(), len(a.Nodes), len(a.Scan.Sources), b.Network.Key(), len(b.Nodes))
	}
	for _, r := range a.Scan.Sources {
		if r.Target == "" {
			t.Errorf("report without target: %+v", r)
		}
	}
	// A part without identity joins the scan's network when no prefix matches.
	res = Run(t.Context(), targets[1:], Options{Network: "bb00000000000002"})
	if len(res.Snapshots) != 1 || len(res.Snapshots[0].Nodes) != 2 {
		t.Errorf("prefix-only part with the scan's network: %d snapshots", len(res.Snapshots))
	}
}

// The budget ends a source that honours its context (it returns what it
// has, partial); one that ignores it is reported as not answering after
// the grace; a panic is one failed source; the rest is kept.
func TestBudgetGraceAndPanicKeepWhatWasCollected(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	targets := []Target{
		{ID: "ok", Source: &part{name: "otbr", ext: "aa00000000000001", node: "0000000000000001"}},
		{ID: "slow", Source: &part{name: "tmf", ext: "aa00000000000001", node: "0000000000000002", block: true}},
		{ID: "stuck", Source: &part{name: "matter", stuck: true, release: release}},
		{ID: "panics", Source: &part{name: "otcli", panics: true}},
		{ID: "fails", Source: &part{name: "otbr", err: errors.New("connection refused")}},
	}
	res := Run(t.Context(), targets, Options{Budget: 20 * time.Millisecond, Grace: 20 * time.Millisecond})
	if !res.Partial || res.Cancelled {
		t.Fatalf("partial %v cancelled %v", res.Partial, res.Cancelled)
	}
	if len(res.Snapshots) != 1 || len(res.Snapshots[0].Nodes) != 2 || !res.Snapshots[0].Scan.Partial {
		t.Fatalf("snapshots %+v", res.Snapshots)
	}
	want := map[string]string{"stuck": ErrNoAnswer.Error(), "panics": "panicked", "fails": "connection refused"}
	failures := strings.Join(res.Failures(), "\n")
	for id, msg := range want {
		if !strings.Contains(failures, id+": ") || !strings.Contains(failures, msg) {
			t.Errorf("failures %q lack %s: %s", failures, id, msg)
		}
	}
	if n := len(res.Snapshots[0].Scan.Sources); n != 5 {
		t.Errorf("%d reports in the snapshot, want 5 (2 answers, 3 failures)", n)
	}
}

func TestNodesThatDidNotAnswerMakeItPartial(t *testing.T) {
	res := Run(t.Context(), []Target{{ID: "tmf", Source: &part{name: "tmf", ext: "aa00000000000001", node: "0000000000000001", timedOut: 2}}}, Options{})
	if !res.Partial || !res.Snapshots[0].Scan.Partial {
		t.Errorf("timed-out nodes: partial %v", res.Partial)
	}
}

// Cancelling the caller's context (shutdown, ^C) is not the budget.
func TestCancelledIsNotTheBudget(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res := Run(ctx, []Target{{ID: "slow", Source: &part{name: "tmf", ext: "aa00000000000001", node: "0000000000000001", block: true}}}, Options{Budget: time.Hour})
	if !res.Cancelled || !res.Partial || len(res.Snapshots) != 1 {
		t.Errorf("cancelled %v partial %v snapshots %d", res.Cancelled, res.Partial, len(res.Snapshots))
	}
}
