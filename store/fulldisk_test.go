package store

import (
	"errors"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/threadmap/threadmap/store/internal/meshgen"
	"github.com/threadmap/threadmap/store/storetest"
)

// TestFullDisk fills a 1 MiB tmpfs the test mounts: the Put that does not
// fit fails with a clear error and every earlier snapshot stays readable,
// in the open store and after reopening.
func TestFullDisk(t *testing.T) {
	dir := storetest.Tmpfs(t, "1m")
	path := dir + "/full.db"
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() }) // before the umount
	rng := rand.New(rand.NewPCG(9, 9))
	var ids []string
	var putErr error
	for i := 0; i < 1000; i++ {
		id, err := st.Put(meshgen.Generate(rng, 40, t0.Add(time.Duration(i)*time.Second)))
		if err != nil {
			putErr = err
			break
		}
		ids = append(ids, id)
	}
	if putErr == nil {
		t.Fatal("1000 snapshots fit into 1 MiB")
	}
	if len(ids) < 5 {
		t.Fatalf("only %d snapshots before the disk filled: %v", len(ids), putErr)
	}
	if !errors.Is(putErr, syscall.ENOSPC) || !strings.Contains(putErr.Error(), "disk full") || !strings.HasPrefix(putErr.Error(), "put snapshot of dead00beef00cafe: ") {
		t.Errorf("full disk error %q: want ENOSPC and the words \"disk full\"", putErr)
	}
	t.Logf("%d snapshots stored, then: %v", len(ids), putErr)
	// More tries: a rolled-back commit may leave room for one more small
	// write, but the disk stays full and nothing breaks.
	failures := 1
	for i := 0; i < 20; i++ {
		id, err := st.Put(meshgen.Generate(rng, 40, t0.Add(time.Duration(len(ids))*time.Second)))
		switch {
		case err == nil:
			ids = append(ids, id)
		case errors.Is(err, syscall.ENOSPC):
			failures++
		default:
			t.Fatalf("put on a full disk: %v", err)
		}
	}
	if failures < 10 {
		t.Errorf("only %d of 21 puts on a full disk failed", failures)
	}
	readAll := func(st *Store, when string) {
		t.Helper()
		if err := st.Check(); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		for _, id := range ids {
			if s, err := st.Get(id); err != nil || len(s.Nodes) != 40 {
				t.Fatalf("%s: snapshot %s: %v", when, id, err)
			}
		}
		p, err := st.List("dead00beef00cafe", time.Time{}, time.Time{}, MaxLimit, "")
		if err != nil || len(p.Snapshots) != len(ids) {
			t.Fatalf("%s: list: %d snapshots, %v; want %d", when, len(p.Snapshots), err, len(ids))
		}
	}
	readAll(st, "after the full disk")
	if err := st.Close(); err != nil {
		t.Logf("close on a full disk: %v", err)
	}
	st, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen on a full disk: %v", err)
	}
	readAll(st, "after reopening")
	// Deleting frees pages inside the file, so a new snapshot fits again.
	for _, id := range ids[:len(ids)/2] {
		if err := st.Delete(id); err != nil {
			t.Fatalf("delete on a full disk: %v", err)
		}
	}
	ids = ids[len(ids)/2:]
	if id, err := st.Put(meshgen.Generate(rng, 40, t0.Add(time.Hour))); err != nil {
		t.Errorf("put after freeing space: %v", err)
	} else {
		ids = append(ids, id)
	}
	readAll(st, "after freeing space")
}
