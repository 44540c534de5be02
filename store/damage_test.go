package store

import (
	"errors"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/threadmap/threadmap/store/internal/meshgen"
	"github.com/threadmap/threadmap/thread/topology"
)

// damagedStore fills a store with n snapshots of one network and returns
// it open, with its file path and the page id of the root of that
// network's snap bucket (a branch page once the bucket spans pages).
func damagedStore(t *testing.T, n int) (*Store, string, uint64) {
	t.Helper()
	st := openTemp(t)
	rng := rand.New(rand.NewPCG(21, 21))
	var snaps []*topology.Snapshot
	for i := 0; i < n; i++ {
		snaps = append(snaps, meshgen.Generate(rng, 12, t0.Add(time.Duration(i)*time.Minute)))
	}
	if _, err := st.PutBatch(snaps); err != nil {
		t.Fatal(err)
	}
	return st, st.Path(), snapRoot(t, st)
}

// snapRoot is the root page of the (one) network's snap bucket now.
func snapRoot(t *testing.T, st *Store) uint64 {
	t.Helper()
	var root uint64
	err := st.db.View(func(tx *bolt.Tx) error {
		root = uint64(snapBucket(tx, networkKeys(tx)[0], bucketSnap).Root())
		return nil
	})
	if err != nil || root == 0 {
		t.Fatalf("snap bucket root: %d, %v", root, err)
	}
	return root
}

// smash overwrites the 16-byte page header of page id in the file at path
// (bbolt maps the file shared, so an open store sees it at once).
func smash(t *testing.T, path string, id uint64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	junk := []byte{0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0x40, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}
	if _, err := f.WriteAt(junk, int64(id)*int64(os.Getpagesize())); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedPageIsAnError is issue 13's reproducer 2: a few bytes of the
// file overwritten under an open store made bbolt panic in Get, Latest and
// Put. Each call now returns an error naming the damage and what to run,
// writes stop, and reopening the file refuses it with the page named.
func TestDamagedPageIsAnError(t *testing.T) {
	st, path, root := damagedStore(t, 300)
	net := meshgen.Generate(rand.New(rand.NewPCG(1, 1)), 12, t0).Network.Key()
	smash(t, path, root)
	calls := map[string]func() error{
		"Get":    func() error { _, err := st.Get("150"); return err },
		"Latest": func() error { _, err := st.Latest(net); return err },
		"Put": func() error {
			_, err := st.Put(meshgen.Generate(rand.New(rand.NewPCG(2, 2)), 12, t0.Add(time.Hour)))
			return err
		},
		"Delete": func() error { return st.Delete("3") },
		"Retain": func() error { _, err := st.Retain(Policy{MaxCount: 5}); return err },
	}
	for _, name := range []string{"Get", "Latest", "Put", "Delete", "Retain"} {
		err := catch(t, name, calls[name])
		var de *DamagedError
		if !errors.As(err, &de) {
			t.Errorf("%s on a damaged page: %v, want a DamagedError", name, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "threadmap check") || !strings.Contains(msg, path) {
			t.Errorf("%s: message does not name the file and what to run: %s", name, msg)
		}
	}
	// Listings read the summary bucket, whose pages are sound.
	if p, err := st.List(net, time.Time{}, time.Time{}, 0, ""); err != nil || len(p.Snapshots) != DefaultLimit {
		t.Errorf("List beside the damaged page: %d snapshots, %v", len(p.Snapshots), err)
	}
	// Writes stay stopped after the damage was seen, even where the page
	// is not touched.
	if err := st.PutSettings([]byte(`{}`)); err == nil {
		t.Error("PutSettings after damage was seen: no error")
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, Options{})
	var de *DamagedError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "page ") {
		t.Fatalf("Open of the damaged file: %v, want a DamagedError naming the page", err)
	}
	t.Log(err)
	if _, err := Open(path, Options{ReadOnly: true}); !errors.As(err, &de) {
		t.Fatalf("read-only Open of the damaged file: %v, want a DamagedError", err)
	}
}

// catch runs fn and turns a panic into a test failure (so that the test
// reports every call rather than dying at the first).
func catch(t *testing.T, name string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panicked: %v", name, r)
			err = nil
		}
	}()
	return fn()
}

// TestRepairCopiesReadableSnapshots: below a damaged branch page every
// leaf is intact, so Repair brings back every live snapshot with its id,
// time and content, the settings and the id sequence, and none of the
// snapshots retention deleted (whose copies linger on free pages).
func TestRepairCopiesReadableSnapshots(t *testing.T) {
	st, path, _ := damagedStore(t, 300)
	if n, err := st.Retain(Policy{MaxCount: 250}); err != nil || n != 50 {
		t.Fatalf("retain: %d, %v", n, err)
	}
	if err := st.PutSettings([]byte(`{"interval":"5m"}`)); err != nil {
		t.Fatal(err)
	}
	want := map[string]*topology.Snapshot{}
	for id := 51; id <= 300; id++ {
		s, err := st.Get(FormatID(uint64(id)))
		if err != nil {
			t.Fatal(err)
		}
		want[s.ID] = s
	}
	root := snapRoot(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	smash(t, path, root)
	dst := path + ".repaired"
	rep, err := Repair(path, dst)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("repair: %d recovered, %d lost, problems %v", rep.Recovered, len(rep.Lost), rep.Problems)
	if rep.Recovered != len(want) || len(rep.Lost) != 0 || !rep.Settings || len(rep.Problems) == 0 {
		t.Fatalf("repair report %+v, want %d recovered, none lost, settings, the damage named", rep, len(want))
	}
	out, err := Open(dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := out.Check(); err != nil {
		t.Fatalf("the repaired file does not check: %v", err)
	}
	for id, w := range want {
		got, err := out.Get(id)
		if err != nil || !reflect.DeepEqual(got, w) {
			t.Fatalf("snapshot %s after repair: %v (equal %v)", id, err, err == nil && reflect.DeepEqual(got, w))
		}
	}
	for _, id := range []string{"1", "50"} {
		if _, err := out.Get(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted snapshot %s came back: %v", id, err)
		}
	}
	if b, _ := out.GetSettings(); string(b) != `{"interval":"5m"}` {
		t.Errorf("settings %q", b)
	}
	id, err := out.Put(meshgen.Generate(rand.New(rand.NewPCG(3, 3)), 12, t0.Add(time.Hour)))
	if err != nil || id != "301" {
		t.Errorf("next id after repair %q, %v; want 301", id, err)
	}
	if _, err := Repair(path, dst); err == nil {
		t.Error("Repair over an existing file: no error")
	}
}
