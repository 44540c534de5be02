package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/storetest"
	"github.com/threadmap/threadmap/thread/topology"
)

// An import that does not fit on the server's disk is the server's
// failure, not the client's: 507 insufficient_storage with a clear
// message, no snapshot.new, and every earlier snapshot stays.
func TestImportOnFullDiskIs507(t *testing.T) {
	dir := storetest.Tmpfs(t, "1m")
	st, err := store.Open(filepath.Join(dir, "full.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() }) // before the umount
	// Fill the disk with snapshots of a large mesh.
	big := mesh(400)
	var stored int
	var putErr error
	for i := 0; i < 2000 && putErr == nil; i++ {
		s := *big
		s.TakenAt = time.Date(2026, 11, 25, 12, 0, i, 0, time.UTC)
		if _, putErr = st.Put(&s); putErr == nil {
			stored++
		}
	}
	if !errors.Is(putErr, syscall.ENOSPC) || stored == 0 {
		t.Fatalf("filling the disk: %d stored, then %v", stored, putErr)
	}
	// A rolled-back commit may leave room for one more write: fill up
	// until five in a row fail.
	for i, fails := 0, 1; i < 200 && fails < 5; i++ {
		s := *big
		s.TakenAt = time.Date(2026, 11, 25, 13, 0, i, 0, time.UTC)
		if _, err := st.Put(&s); err == nil {
			stored, fails = stored+1, 0
		} else if errors.Is(err, syscall.ENOSPC) {
			fails++
		} else {
			t.Fatalf("put on a full disk: %v", err)
		}
	}
	bus := events.NewBus()
	sub, cancel := bus.Subscribe(8)
	defer cancel()
	srv := New(Options{Store: st, Events: bus, Loopback: true})
	f := &fixture{t: t, st: st, h: srv.Handler(), srv: srv, bus: bus}

	imp := *mesh(800) // twice the size of what no longer fits
	imp.TakenAt = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	b, _ := imp.JSON()
	code, body, _ := f.do("POST", "/api/v1/import", bytes.NewReader(b), "Content-Type", "application/json")
	var e ErrorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	if code != 507 || e.Error.Code != CodeStorage || !strings.Contains(e.Error.Message, "disk is full") {
		t.Fatalf("import on a full disk: %d %s", code, body)
	}
	select {
	case ev := <-sub:
		t.Errorf("event %s after a failed import", ev.Name)
	default:
	}
	key := big.Network.Key()
	page, err := st.List(key, time.Time{}, time.Time{}, store.MaxLimit, "")
	if err != nil || len(page.Snapshots) != stored {
		t.Fatalf("after the failed import: %d snapshots (%v), want %d", len(page.Snapshots), err, stored)
	}
	for _, sum := range page.Snapshots {
		if _, err := st.Get(sum.ID); err != nil {
			t.Fatalf("snapshot %s after the failed import: %v", sum.ID, err)
		}
	}
	// The API still answers the newest one.
	if code, body, _ := f.do("GET", "/api/v1/topology/latest", nil); code != 200 {
		t.Errorf("latest: %d %.200s", code, body)
	}
}

// mesh is a snapshot of n distinct nodes with long names (so that it
// neither compresses nor folds away).
func mesh(n int) *topology.Snapshot {
	s := topology.New(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	s.Network = topology.Network{Name: "Full", ExtPanID: "dead00beef00cafe"}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("%016x", 0x1000+i)
		s.Nodes = append(s.Nodes, topology.Node{ID: id, ExtAddr: id, Role: topology.RoleUnknown,
			Name: fmt.Sprintf("%x", sha256.Sum256([]byte(id))), Sources: []string{"test"}})
	}
	return s
}
