package archive

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/topology"
)

func snapshot(minute int) *topology.Snapshot {
	s := topology.New(time.Date(2026, 11, 25, 12, minute, 0, 0, time.UTC))
	s.Network = topology.Network{Name: "Home", ExtPanID: "dead00beef00cafe"}
	s.Nodes = []topology.Node{{ID: "1a2b3c4d5e6f7081", ExtAddr: "1a2b3c4d5e6f7081", Role: topology.RoleLeader, Sources: []string{"tmf"}}}
	return s
}

// setup opens a store and a bus with a subscriber, for the test's life.
func setup(t *testing.T) (*store.Store, *events.Bus, <-chan events.Event) {
	st, err := store.Open(filepath.Join(t.TempDir(), "a.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bus := events.NewBus()
	sub, cancel := bus.Subscribe(8)
	t.Cleanup(cancel)
	return st, bus, sub
}

// Save stores, tells the hooks in order, applies the retention in force
// and publishes snapshot.new saying where the snapshot came from.
func TestSaveStoresThenHooksRetentionAndEvent(t *testing.T) {
	st, bus, sub := setup(t)
	var calls []string
	keep := 2
	a := New(Options{Store: st, Events: bus,
		Retention: func() store.Policy { return store.Policy{MaxCount: keep} },
		Stored: []func(string, *topology.Snapshot){
			func(id string, s *topology.Snapshot) { calls = append(calls, "cache:"+id+":"+s.ID) },
			func(id string, _ *topology.Snapshot) { calls = append(calls, "metrics:"+id) },
		}})
	var ids []string
	for i := 0; i < 3; i++ {
		s := snapshot(i)
		s.Scan.Partial = i == 2
		id, err := a.Save(t.Context(), s, Origin{ScanID: "scan-1"})
		if err != nil || s.ID != id {
			t.Fatalf("save %d: %q %v (s.ID %q)", i, id, err, s.ID)
		}
		ids = append(ids, id)
	}
	if len(calls) != 6 || calls[4] != "cache:"+ids[2]+":"+ids[2] || calls[5] != "metrics:"+ids[2] {
		t.Errorf("hooks %v", calls)
	}
	page, err := st.List("dead00beef00cafe", time.Time{}, time.Time{}, 10, "")
	if err != nil || len(page.Snapshots) != 2 || page.Snapshots[0].ID != ids[2] {
		t.Fatalf("retention 2 kept %+v (%v)", page.Snapshots, err)
	}
	var last events.SnapshotNewEvent
	for i := 0; i < 3; i++ {
		ev := <-sub
		if ev.Name != events.SnapshotNew {
			t.Fatalf("event %s", ev.Name)
		}
		if err := json.Unmarshal(ev.Data, &last); err != nil {
			t.Fatal(err)
		}
	}
	if last.SnapshotID != ids[2] || last.ScanID != "scan-1" || last.Imported || !last.Partial || last.Nodes != 1 || last.Network != "dead00beef00cafe" {
		t.Errorf("snapshot.new %+v", last)
	}
	// An import: no scan id, imported set.
	keep = 0
	if _, err := a.Save(t.Context(), snapshot(9), Origin{Imported: true}); err != nil {
		t.Fatal(err)
	}
	ev := <-sub
	var imp events.SnapshotNewEvent
	if err := json.Unmarshal(ev.Data, &imp); err != nil || !imp.Imported || imp.ScanID != "" {
		t.Errorf("import event %s", ev.Data)
	}
}

// A snapshot the store refuses: the error says so (store.ErrInvalid) and
// nothing follows — no hook, no event.
func TestSaveFailureDoesNothingElse(t *testing.T) {
	st, bus, sub := setup(t)
	hooked := false
	a := New(Options{Store: st, Events: bus, Stored: []func(string, *topology.Snapshot){func(string, *topology.Snapshot) { hooked = true }}})
	s := snapshot(0)
	s.TakenAt = time.Time{}
	if _, err := a.Save(t.Context(), s, Origin{}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("save without taken_at: %v", err)
	}
	if hooked || len(sub) != 0 {
		t.Errorf("hooked %v, %d events after a failed save", hooked, len(sub))
	}
}
