package scheduler

import (
	"fmt"
	"testing"
	"time"

	"github.com/threadmap/threadmap/backend/events"
)

// TestScanHistoryBounded is issue 13's reproducer 5 (scan list part): with
// many scans running at once (one per network), finished ones were dropped
// only one per new scan, so /api/v1/scan kept thousands of entries though
// its limit is 50. The history now keeps at most History finished scans
// besides the running ones.
func TestScanHistoryBounded(t *testing.T) {
	const history, networks = 5, 30
	gate := make(chan struct{})
	_, sub, s := newScheduler(t, Options{Interval: time.Hour, History: history})
	for i := 0; i < networks; i++ {
		ext := fmt.Sprintf("%02x00000000000001", i+1)
		s.Add(Target{ID: "tmf:" + ext, Network: ext, Source: &gatedSource{name: "tmf", ext: ext, gate: gate}})
	}
	stop := run(s)
	defer stop()
	for i := 0; i < networks; i++ {
		next(t, sub, events.ScanStarted)
	}
	if n := len(s.Scans()); n != networks {
		t.Fatalf("%d scans listed while %d run", n, networks)
	}
	close(gate)
	for i := 0; i < networks; i++ {
		next(t, sub, events.ScanFinished)
	}
	if n := len(s.Scans()); n > history {
		t.Errorf("%d scans listed after all finished; the limit is %d", n, history)
	}
	for round := 0; round < 3; round++ {
		if _, err := s.TriggerAll(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < networks; i++ {
			next(t, sub, events.ScanFinished)
		}
		if n := len(s.Scans()); n > history {
			t.Errorf("round %d: %d scans listed; the limit is %d", round, n, history)
		}
	}
}
