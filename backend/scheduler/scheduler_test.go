package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threadmap/threadmap/backend/archive"
	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/topology"
)

// gatedSource answers a one-router snapshot of its network when its gate
// opens (or at once when gate is nil), or fails with err. It counts calls.
type gatedSource struct {
	name string
	ext  string
	// prefix is the mesh-local prefix reported; with ext "" the snapshot
	// has no other identity (as a TMF crawl).
	prefix string
	gate   chan struct{}
	err    error
	// timedOut nodes did not answer (a partial collection).
	timedOut int
	calls    atomic.Int32
}

func (g *gatedSource) Name() string { return g.name }

func (g *gatedSource) Collect(ctx context.Context) (*topology.Snapshot, error) {
	g.calls.Add(1)
	if g.gate != nil {
		select {
		case <-g.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if g.err != nil {
		return nil, g.err
	}
	s := topology.New(time.Now())
	s.Network = topology.Network{MeshLocalPrefix: g.prefix}
	id := "0000000000000099"
	if g.ext != "" {
		s.Network.Name, s.Network.ExtPanID = "n-"+g.ext, g.ext
		id = "00000000000000" + g.ext[:2]
	}
	r := topology.Rloc16(0x0400)
	s.Nodes = []topology.Node{{ID: id, ExtAddr: id, Rloc16: &r, Sources: []string{g.name}}}
	s.Scan.Sources = []topology.SourceReport{{Name: g.name, Queried: 1 + g.timedOut, Answered: 1, TimedOut: g.timedOut, Partial: g.timedOut > 0}}
	return s, nil
}

// clock is a clock the test moves by hand (Options.Now).
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// saver is the archive over st, publishing on bus.
func saver(st *store.Store, bus *events.Bus) *archive.Archive {
	return archive.New(archive.Options{Store: st, Events: bus})
}

func newStore(t *testing.T) *store.Store {
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newScheduler makes a scheduler with opts over a fresh store and event
// bus, subscribed to the bus (until the test ends); the caller adds the
// targets and runs it.
// testEventBuffer is a test subscription's room: every event a test
// publishes (TestScanHistoryBounded: 30 networks, four rounds). The bus
// drops what a subscriber has no room for, and on a loaded machine a test
// reads behind the scans.
const testEventBuffer = 4096

func newScheduler(t *testing.T, opts Options) (*store.Store, <-chan events.Event, *Scheduler) {
	t.Helper()
	st := newStore(t)
	bus := events.NewBus()
	sub, cancel := bus.Subscribe(testEventBuffer)
	t.Cleanup(cancel)
	opts.Store, opts.Events = saver(st, bus), bus
	return st, sub, New(opts)
}

// run starts s and returns a stop function that cancels and waits.
func run(s *Scheduler) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	<-s.started
	return func() { cancel(); <-done }
}

func next(t *testing.T, ch <-chan events.Event, name string) events.Event {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev := <-ch:
			if ev.Name == name {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s event", name)
		}
	}
}

func TestNoOverlapAndEventsInOrder(t *testing.T) {
	src := &gatedSource{name: "tmf", ext: "aa00000000000001", gate: make(chan struct{})}
	st, sub, s := newScheduler(t, Options{Interval: time.Hour})
	s.Add(Target{ID: "tmf:a", Network: "aa00000000000001", Source: src})
	stop := run(s)
	defer stop()
	next(t, sub, events.ScanStarted)
	if _, err := s.Trigger("aa00000000000001"); !errors.Is(err, ErrRunning) {
		t.Fatalf("second scan while one runs: %v", err)
	}
	if _, err := s.Trigger("ffff"); !errors.Is(err, ErrUnknownNetwork) {
		t.Fatalf("unknown network: %v", err)
	}
	close(src.gate)
	next(t, sub, events.ScanProgress)
	ev := next(t, sub, events.SnapshotNew)
	fin := next(t, sub, events.ScanFinished)
	if src.calls.Load() != 1 {
		t.Errorf("source called %d times", src.calls.Load())
	}
	latest, err := st.Latest("aa00000000000001")
	if err != nil {
		t.Fatal(err)
	}
	if want := `"snapshot_id":"` + latest.ID + `"`; !strings.Contains(string(ev.Data), want) || !strings.Contains(string(fin.Data), want) {
		t.Errorf("events %s / %s do not name snapshot %s", ev.Data, fin.Data, latest.ID)
	}
	scans := s.Scans()
	if len(scans) != 1 || scans[0].State != StateFinished || scans[0].Progress.Answered != 1 {
		t.Errorf("scans: %+v", scans)
	}
	// A manual trigger now runs a second scan.
	if _, err := s.Trigger("aa00000000000001"); err != nil {
		t.Fatal(err)
	}
	next(t, sub, events.ScanFinished)
	if src.calls.Load() != 2 {
		t.Errorf("source called %d times after trigger", src.calls.Load())
	}
}

func TestFailingSourceBacksOff(t *testing.T) {
	st := newStore(t)
	bus := events.NewBus()
	sub, cancel := bus.Subscribe(testEventBuffer)
	defer cancel()
	bad := &gatedSource{name: "otbr", ext: "bb00000000000002", err: errors.New("connection refused")}
	good := &gatedSource{name: "matter", ext: "bb00000000000002"}
	var failures atomic.Int32
	clk := newClock()
	s := New(Options{Interval: time.Hour, MaxBackoff: 4 * time.Hour, Store: saver(st, bus), Events: bus, Now: clk.Now,
		Observer: Observer{SourceFailed: func(string, error) { failures.Add(1) }}})
	s.Add(Target{ID: "otbr:x", Network: "bb00000000000002", Source: bad})
	s.Add(Target{ID: "matter:y", Network: "bb00000000000002", Source: good})
	stop := run(s)
	defer stop()
	fin := next(t, sub, events.ScanFinished)
	if !strings.Contains(string(fin.Data), "partial") {
		t.Errorf("first scan: %s", fin.Data)
	}
	s.mu.Lock()
	wait := s.sources["otbr:x"].nextTry.Sub(clk.Now())
	s.mu.Unlock()
	if wait != time.Hour {
		t.Errorf("back-off %s after one failure, want the interval", wait)
	}
	// A scheduled scan (made due now) skips the failing source.
	s.mu.Lock()
	s.nets["bb00000000000002"].nextDue = time.Time{}
	s.mu.Unlock()
	s.poke()
	next(t, sub, events.ScanFinished)
	if bad.calls.Load() != 1 || good.calls.Load() != 2 {
		t.Errorf("calls: failing %d (want 1: backing off), good %d (want 2)", bad.calls.Load(), good.calls.Load())
	}
	sc := s.Scans()[0]
	skipped := false
	for _, r := range sc.Sources {
		if r.Target == "otbr:x" && len(r.Notes) > 0 && strings.Contains(r.Notes[0], "backing off") {
			skipped = true
		}
	}
	if !skipped || failures.Load() != 1 {
		t.Errorf("second scan's reports do not say the source backs off: %+v (failures %d)", sc.Sources, failures.Load())
	}
	// A scan by hand retries it.
	if _, err := s.Trigger("bb00000000000002"); err != nil {
		t.Fatal(err)
	}
	next(t, sub, events.ScanFinished)
	if bad.calls.Load() != 2 {
		t.Errorf("manual scan did not retry the failing source (%d calls)", bad.calls.Load())
	}
	page, _ := st.List("bb00000000000002", time.Time{}, time.Time{}, 10, "")
	if len(page.Snapshots) != 3 {
		t.Errorf("%d snapshots stored, want 3", len(page.Snapshots))
	}
	// With every source backing off, the schedule waits instead of scanning nobody.
	only := New(Options{Interval: time.Hour, Store: saver(st, bus), Events: bus})
	only.Add(Target{ID: "otbr:z", Network: "bb00000000000003", Source: &gatedSource{name: "otbr", ext: "bb00000000000003", err: errors.New("refused")}})
	stop2 := run(only)
	defer stop2()
	next(t, sub, events.ScanFinished)
	only.mu.Lock()
	only.nets["bb00000000000003"].nextDue = time.Time{}
	only.mu.Unlock()
	only.startDue()
	if n := len(only.Scans()); n != 1 {
		t.Errorf("%d scans while the only source backs off, want 1", n)
	}
}

func TestShutdownMidScanStoresNothing(t *testing.T) {
	slow := &gatedSource{name: "tmf", ext: "cc00000000000003", gate: make(chan struct{})}
	fast := &gatedSource{name: "otbr", ext: "cc00000000000003"}
	st, sub, s := newScheduler(t, Options{Interval: time.Hour})
	s.Add(Target{ID: "a", Network: "cc00000000000003", Source: slow})
	s.Add(Target{ID: "b", Network: "cc00000000000003", Source: fast})
	stop := run(s)
	next(t, sub, events.ScanProgress) // the fast source answered
	stop()                            // returns only when the scan goroutine has ended
	nets, err := st.Networks()
	if err != nil || len(nets) != 0 {
		t.Fatalf("a scan cut short stored something: %+v %v", nets, err)
	}
	if sc := s.Scans()[0]; sc.State != StateCancelled {
		t.Errorf("state %s", sc.State)
	}
}

func TestSourcesOfTwoNetworksAreStoredApart(t *testing.T) {
	st, sub, s := newScheduler(t, Options{Interval: time.Hour})
	// Neither network is known up front: each source is its own pending group.
	s.Add(Target{ID: "otbr:1", Source: &gatedSource{name: "otbr", ext: "dd00000000000004"}})
	s.Add(Target{ID: "otbr:2", Source: &gatedSource{name: "otbr", ext: "ee00000000000005"}})
	stop := run(s)
	defer stop()
	next(t, sub, events.ScanFinished)
	next(t, sub, events.ScanFinished)
	nets, _ := st.Networks()
	if len(nets) != 2 {
		t.Fatalf("networks %+v", nets)
	}
	got := s.Networks()
	if len(got) != 2 || got[0] != "dd00000000000004" || got[1] != "ee00000000000005" {
		t.Errorf("learned networks %v", got)
	}
}

func TestSourceProgressFeedsTheRunningScan(t *testing.T) {
	src := &gatedSource{name: "tmf", ext: "ff00000000000006", gate: make(chan struct{})}
	_, sub, s := newScheduler(t, Options{Interval: time.Hour})
	s.Add(Target{ID: "tmf:x", Network: "ff00000000000006", Source: src})
	s.SourceProgress("tmf:x", 1, 1) // no scan yet: ignored
	stop := run(s)
	defer stop()
	next(t, sub, events.ScanStarted)
	s.SourceProgress("tmf:x", 5, 4)
	s.SourceProgress("tmf:x", 5, 4) // unchanged: no second event
	s.SourceProgress("tmf:x", 9, 7)
	ev := next(t, sub, events.ScanProgress)
	if !strings.Contains(string(ev.Data), `"queried":5`) || !strings.Contains(string(ev.Data), `"answered":4`) {
		t.Errorf("first progress %s", ev.Data)
	}
	ev = next(t, sub, events.ScanProgress)
	if !strings.Contains(string(ev.Data), `"queried":9`) {
		t.Errorf("second progress %s", ev.Data)
	}
	if p := s.Scans()[0].Progress; p.Queried != 9 || p.Answered != 7 {
		t.Errorf("scan progress %+v", p)
	}
	close(src.gate)
	next(t, sub, events.ScanFinished)
	// The source's final report replaces its partial counts.
	if p := s.Scans()[0].Progress; p.Queried != 1 || p.Answered != 1 || p.Sources != 1 {
		t.Errorf("final progress %+v", p)
	}
}

func TestSourceKnowingOnlyThePrefixJoinsItsNetwork(t *testing.T) {
	st, sub, s := newScheduler(t, Options{Interval: time.Hour})
	s.Add(Target{ID: "otbr:a", Source: &gatedSource{name: "otbr", ext: "ab00000000000007", prefix: "fd11:22::/64"}})
	s.Add(Target{ID: "tmf:fd11:22::/64", Source: &gatedSource{name: "tmf", prefix: "fd11:22::/64"}})
	stop := run(s)
	defer stop()
	next(t, sub, events.ScanFinished)
	next(t, sub, events.ScanFinished)
	// Whichever finished first, one more scan of what is left pending settles it.
	for _, k := range s.Networks() {
		if strings.HasPrefix(k, "pending:") {
			if _, err := s.Trigger(k); err != nil {
				t.Fatal(err)
			}
			next(t, sub, events.ScanFinished)
		}
	}
	if got := s.Networks(); len(got) != 1 || got[0] != "ab00000000000007" {
		t.Fatalf("networks %v, want the TMF crawl to join ab00000000000007", got)
	}
	if _, err := s.Trigger("ab00000000000007"); err != nil {
		t.Fatal(err)
	}
	next(t, sub, events.ScanFinished)
	latest, err := st.Latest("ab00000000000007")
	if err != nil {
		t.Fatal(err)
	}
	if len(latest.Nodes) != 2 || len(latest.Scan.Sources) != 2 {
		t.Errorf("merged snapshot: %d nodes, reports %+v", len(latest.Nodes), latest.Scan.Sources)
	}
}

// SetTiming takes effect without a restart: a network scanned an hour
// apart is scanned again one second (on the scheduler's clock) after the
// interval becomes 1 s.
func TestSetTimingShortensTheNextScan(t *testing.T) {
	src := &gatedSource{name: "tmf", ext: "aa00000000000001"}
	clk := newClock()
	_, sub, s := newScheduler(t, Options{Interval: time.Hour, Now: clk.Now})
	s.Add(Target{ID: "tmf:a", Network: "aa00000000000001", Source: src})
	stop := run(s)
	defer stop()
	next(t, sub, events.ScanFinished)
	clk.Advance(30 * time.Minute)
	s.startDue()
	if n := src.calls.Load(); n != 1 || len(s.Scans()) != 1 {
		t.Fatalf("hourly network scanned %d times in 30 minutes", n)
	}
	s.SetTiming(Timing{Interval: time.Second, MaxBackoff: time.Minute, ScanTimeout: 5 * time.Second})
	if got := s.Timing(); got.Interval != time.Second || got.MaxBackoff != time.Minute || got.ScanTimeout != 5*time.Second {
		t.Fatalf("timing %+v", got)
	}
	s.startDue() // due one second from now, not yet
	if n := len(s.Scans()); n != 1 {
		t.Fatalf("%d scans right after SetTiming, want 1", n)
	}
	clk.Advance(time.Second)
	s.poke()
	next(t, sub, events.ScanFinished)
	if n := src.calls.Load(); n != 2 {
		t.Fatalf("source called %d times after the interval changed", n)
	}
	scans := s.Scans()
	if scans[0].Trigger != "schedule" {
		t.Errorf("second scan trigger %q, want schedule", scans[0].Trigger)
	}
}

// Each source's state is visible in Sources and published as source.state:
// scanning while it collects, ok or failing (with the error and the next
// try) when done, backing-off after repeated failures; credentials in a
// target URL are not shown.
func TestSourceStates(t *testing.T) {
	bad := &gatedSource{name: "otbr", ext: "cc00000000000004", err: errors.New("dial tcp 127.0.0.1:1: connection refused")}
	good := &gatedSource{name: "matter", ext: "cc00000000000004", gate: make(chan struct{})}
	_, sub, s := newScheduler(t, Options{Interval: time.Hour, MaxBackoff: 8 * time.Hour})
	s.Add(Target{ID: "otbr:http://user:secret@127.0.0.1:1", Network: "cc00000000000004", Source: bad})
	s.Add(Target{ID: "matter:ws://127.0.0.1:2/ws", Network: "cc00000000000004", Source: good})
	byID := func() map[string]SourceInfo {
		out := map[string]SourceInfo{}
		for _, si := range s.Sources() {
			out[si.ID] = si
		}
		return out
	}
	if got := byID()["matter:ws://127.0.0.1:2/ws"]; got.State != SourceIdle || got.Kind != "matter" || got.Network != "cc00000000000004" {
		t.Errorf("before any scan: %+v", got)
	}
	stop := run(s)
	defer stop()
	// The failing source is reported failing while the other still scans.
	var failing SourceInfo
	for failing.State != SourceFailing {
		ev := next(t, sub, events.SourceState)
		var si SourceInfo
		if err := json.Unmarshal(ev.Data, &si); err != nil {
			t.Fatal(err)
		}
		if si.Kind == "otbr" {
			failing = si
		}
	}
	if failing.ID != "otbr:http://127.0.0.1:1" || failing.Target != "http://127.0.0.1:1" || failing.Failures != 1 ||
		!strings.Contains(failing.LastError, "connection refused") || failing.LastAttemptAt == nil || failing.NextAttemptAt == nil || failing.LastOKAt != nil {
		t.Errorf("failing source: %+v", failing)
	}
	if got := byID()["matter:ws://127.0.0.1:2/ws"]; got.State != SourceScanning || got.NextAttemptAt != nil {
		t.Errorf("source still collecting: %+v", got)
	}
	close(good.gate)
	next(t, sub, events.ScanFinished)
	if got := byID()["matter:ws://127.0.0.1:2/ws"]; got.State != SourceOK || got.LastOKAt == nil || got.LastError != "" {
		t.Errorf("answered source: %+v", got)
	}
	// A second failure doubles the wait beyond the interval: backing off.
	if _, err := s.Trigger("cc00000000000004"); err != nil {
		t.Fatal(err)
	}
	next(t, sub, events.ScanFinished)
	got := byID()["otbr:http://127.0.0.1:1"]
	if got.State != SourceBackingOff || got.Failures != 2 || got.NextAttemptAt.Sub(*got.LastAttemptAt) < 2*time.Hour-time.Minute {
		t.Errorf("after two failures: %+v", got)
	}
	for _, si := range s.Sources() {
		if strings.Contains(si.ID+si.Target, "secret") {
			t.Errorf("credentials shown: %+v", si)
		}
	}
}

// A scan in which nodes did not answer is stored with what did answer,
// and marked partial in the snapshot, the scan report and the events.
func TestPartialScanIsStoredAndMarked(t *testing.T) {
	st, sub, s := newScheduler(t, Options{Interval: time.Hour})
	s.Add(Target{ID: "tmf:p", Network: "ab00000000000009", Source: &gatedSource{name: "tmf", ext: "ab00000000000009", timedOut: 3}})
	stop := run(s)
	defer stop()
	ev := next(t, sub, events.SnapshotNew)
	fin := next(t, sub, events.ScanFinished)
	var newEv events.SnapshotNewEvent
	var finEv events.ScanFinishedEvent
	if err := json.Unmarshal(ev.Data, &newEv); err != nil || !newEv.Partial || newEv.ScanID == "" {
		t.Errorf("snapshot.new %s: %v", ev.Data, err)
	}
	if err := json.Unmarshal(fin.Data, &finEv); err != nil || !finEv.Partial || finEv.State != StateFinished || finEv.SnapshotID != newEv.SnapshotID {
		t.Errorf("scan.finished %s: %v", fin.Data, err)
	}
	if sc := s.Scans()[0]; !sc.Partial || sc.State != StateFinished || len(sc.Sources) != 1 || sc.Sources[0].TimedOut != 3 {
		t.Errorf("scan %+v", sc)
	}
	snap, err := st.Get(newEv.SnapshotID)
	if err != nil {
		t.Fatal(err)
	}
	if !snap.Scan.Partial || len(snap.Nodes) != 1 || snap.Scan.Sources[0].Target != "tmf:p" {
		t.Errorf("stored snapshot: partial %v, %d nodes, reports %+v", snap.Scan.Partial, len(snap.Nodes), snap.Scan.Sources)
	}
}
