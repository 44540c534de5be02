package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/threadmap/threadmap/backend/config"
	"github.com/threadmap/threadmap/backend/demo"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/topology"
)

// corruptDB writes the corruption test's store: 1,100 snapshots of the
// demo mesh in two networks, the 100 oldest then deleted (so the file has
// free pages holding stale copies), 1,000 left. It returns the path and
// every live snapshot's canonical JSON by id.
func corruptDB(tb testing.TB, dir string) (string, map[string][]byte) {
	tb.Helper()
	path := filepath.Join(dir, "pristine.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	mesh, err := demo.Mesh(config.DefaultDemoSeed, config.DefaultDemoNodes)
	if err != nil {
		tb.Fatal(err)
	}
	truth := mesh.Truth()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var snaps []*topology.Snapshot
	for i := 0; i < 1100; i++ {
		s := *truth
		s.TakenAt = start.Add(time.Duration(i) * time.Minute)
		s.Nodes = append([]topology.Node(nil), truth.Nodes...)
		s.Nodes[i%len(s.Nodes)].Name = fmt.Sprintf("node seen in scan %d", i) // every record differs
		if i%5 == 4 {
			s.Network.ExtPanID = "0102030405060708"
		}
		snaps = append(snaps, &s)
	}
	ids, err := st.PutBatch(snaps)
	if err != nil {
		tb.Fatal(err)
	}
	if n, err := st.Retain(store.Policy{MaxAge: time.Hour, Now: start.Add(100*time.Minute + time.Hour)}); err != nil || n != 100 {
		tb.Fatalf("retain: %d, %v", n, err)
	}
	want := map[string][]byte{}
	for _, id := range ids[100:] {
		s, err := st.Get(id)
		if err != nil {
			tb.Fatal(err)
		}
		if want[id], err = s.JSON(); err != nil {
			tb.Fatal(err)
		}
	}
	return path, want
}

// leafRuns maps each live snapshot id to the byte range of the leaf page
// run (the leaf page and its overflow pages) that holds its record. It is
// the test's own oracle, read with bbolt's public API: the record bytes
// through the buckets, the page types (free pages excluded) through
// Tx.Page, and the record's place by searching the file for its bytes.
func leafRuns(tb testing.TB, path string) (map[string][2]int64, map[string][]byte) {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	oracle := path + ".oracle"
	if err := os.WriteFile(oracle, raw, 0o600); err != nil {
		tb.Fatal(err)
	}
	defer os.Remove(oracle)
	db, err := bolt.Open(oracle, 0o600, nil) // read-write: Tx.Page needs the freelist loaded
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ps := int64(db.Info().PageSize)
	out := map[string][2]int64{}
	recs := map[string][]byte{}
	err = db.View(func(tx *bolt.Tx) error {
		runOf := map[int64][2]int64{} // page → its leaf run, for live leaf pages
		for id := 2; ; id++ {
			info, err := tx.Page(id)
			if err != nil {
				return err
			}
			if info == nil {
				break
			}
			if info.Type == "leaf" {
				r := [2]int64{int64(id) * ps, int64(id+info.OverflowCount+1) * ps}
				for p := id; p <= id+info.OverflowCount; p++ {
					runOf[int64(p)] = r
				}
				id += info.OverflowCount
			}
		}
		return tx.Bucket([]byte("net")).ForEachBucket(func(netKey []byte) error {
			return tx.Bucket([]byte("net")).Bucket(netKey).Bucket([]byte("snap")).ForEach(func(k, v []byte) error {
				id := fmt.Sprint(binary.BigEndian.Uint64(k[8:]))
				recs[id] = append([]byte(nil), v...)
				for off := 0; ; {
					i := bytes.Index(raw[off:], v)
					if i < 0 {
						return fmt.Errorf("snapshot %s: record not found in a live leaf page", id)
					}
					if r, ok := runOf[int64(off+i)/ps]; ok {
						out[id] = r
						return nil
					}
					off += i + 1
				}
			})
		})
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out, recs
}

// records reads every snapshot record of a store file by id, with bbolt.
func records(tb testing.TB, path string) map[string][]byte {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	recs := map[string][]byte{}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("net")).ForEachBucket(func(netKey []byte) error {
			return tx.Bucket([]byte("net")).Bucket(netKey).Bucket([]byte("snap")).ForEach(func(k, v []byte) error {
				recs[fmt.Sprint(binary.BigEndian.Uint64(k[8:]))] = append([]byte(nil), v...)
				return nil
			})
		})
	})
	if err != nil {
		tb.Fatal(err)
	}
	return recs
}

// runCombined runs bin with args and returns its exit status and combined output.
func runCombined(tb testing.TB, bin string, args ...string) (int, string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "THREADMAP_DB=", "THREADMAP_CONFIG=")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &ee):
		return ee.ExitCode(), string(out)
	}
	tb.Fatalf("%s %v: %v", bin, args, err)
	return -1, ""
}

// crashed reports whether output shows a Go panic or runtime crash.
func crashed(out string) bool {
	return strings.Contains(out, "panic:") || strings.Contains(out, "fatal error:") || strings.Contains(out, "goroutine ")
}

// serveDamaged starts serve on db and, if it listens, reads and writes
// through the API (an import is a store write, as a scan's save is) and
// stops it. It returns "refused" (exit 1 with a message before listening)
// or "served", and fails the test on a crash or any other exit.
func serveDamaged(t testing.TB, bin, db string, snap []byte, net string) string {
	p, exited := tryServe(t, nil, bin, "--listen", "127.0.0.1:0", "--db", db, "--no-discovery")
	if exited {
		err := p.cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || crashed(p.logs()) || !strings.Contains(p.logs(), "threadmap serve:") {
			t.Errorf("serve on %s exited %v before listening, want exit 1 with a message:\n%s", db, err, p.logs())
		}
		return "refused"
	}
	base := "http://" + p.addr
	for _, path := range []string{"/api/v1/networks", "/api/v1/topology/latest?network=" + net, "/api/v1/snapshots?network=" + net, "/api/v1/snapshots/500", "/metrics"} {
		if resp, err := http.Get(base + path); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	if resp, err := http.Post(base+"/api/v1/import", "application/json", bytes.NewReader(snap)); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if err := p.stop(t); err != nil || crashed(p.logs()) {
		t.Errorf("serve on %s: %v after serving:\n%s", db, err, p.logs())
	}
	return "served"
}

// TestCorruptedStore is issue 13's corruption test on CORRUPT_OFFSETS
// damaged copies (default 12, about a minute here); BenchmarkCorruptedStore
// (make bench) runs the 50.
func TestCorruptedStore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	corruptionRun(t, envInt("CORRUPT_OFFSETS", 12))
}

// BenchmarkCorruptedStore is the corruption test with 50 damaged copies
// (CORRUPT_OFFSETS to change); its figures are in the log.
func BenchmarkCorruptedStore(b *testing.B) {
	for i := 0; i < b.N; i++ {
		corruptionRun(b, envInt("CORRUPT_OFFSETS", 50))
	}
}

// corruptionRun: a 1,000-snapshot store gets 8 random bytes at one random
// offset per copy, n copies (every other offset within a page's first 64
// bytes: its header and first elements). On every copy serve and export either work
// or exit 1 with a message (no panic, no crash), check does not crash,
// and repair recovers every snapshot whose leaf page run is intact (the
// oracle: leafRuns), each record byte for byte the original, and nothing
// that was not stored.
func corruptionRun(t testing.TB, n int) {
	dir := t.TempDir()
	bin := buildThreadmap(t, dir)
	pristine, want := corruptDB(t, dir)
	runs, wantRecs := leafRuns(t, pristine)
	if len(runs) != len(want) || len(wantRecs) != len(want) {
		t.Fatalf("oracle placed %d of %d snapshots", len(runs), len(want))
	}
	raw, err := os.ReadFile(pristine)
	if err != nil {
		t.Fatal(err)
	}
	mesh, _ := demo.Mesh(config.DefaultDemoSeed, config.DefaultDemoNodes)
	net := mesh.Truth().Network.Key()
	importBody := want["600"]
	rng := rand.New(rand.NewPCG(13, 13))
	var served, refused, exported, exportRefused, recoveredAll, intactAll, extra int
	for i := 0; i < n; i++ {
		off := rng.Int64N(int64(len(raw)))
		if i%2 == 1 {
			// Every other copy: a random page's header and first elements,
			// where damage breaks the tree rather than one record.
			off = rng.Int64N(int64(len(raw))/4096)*4096 + rng.Int64N(64)
		}
		junk := make([]byte, 8)
		for j := range junk {
			junk[j] = byte(rng.Uint32())
		}
		c := append([]byte(nil), raw...)
		copy(c[off:], junk)
		db := filepath.Join(dir, fmt.Sprintf("copy%02d.db", i))
		if err := os.WriteFile(db, c, 0o600); err != nil {
			t.Fatal(err)
		}
		// export and check only read: they run on the copy before serve writes to it.
		for _, id := range []string{"latest", "1000", "150"} {
			code, out := runCombined(t, bin, "export", "--db", db, "--snapshot", id, "--network", net, "--format", "json")
			switch {
			case crashed(out) || code > 1 || (code == 1 && !strings.Contains(out, "threadmap export:")):
				t.Errorf("offset %d: export %s: exit %d:\n%.2000s", off, id, code, out)
			case code == 0:
				exported++
			default:
				exportRefused++
			}
		}
		if code, out := runCombined(t, bin, "check", "--db", db); crashed(out) || code > 1 {
			t.Errorf("offset %d: check: exit %d:\n%.2000s", off, code, out)
		}
		fixed := db + ".repaired"
		code, out := runCombined(t, bin, "repair", "--db", db, "-o", fixed)
		if code != 0 || crashed(out) {
			t.Errorf("offset %d: repair: exit %d:\n%.2000s", off, code, out)
			continue
		}
		if st, err := store.Open(fixed, store.Options{ReadOnly: true}); err != nil {
			t.Errorf("offset %d: repaired file: %v", off, err)
			continue
		} else {
			st.Close()
		}
		got := records(t, fixed)
		intact, recovered := 0, 0
		for id, r := range runs {
			ok := off+int64(len(junk)) <= r[0] || off >= r[1]
			if ok {
				intact++
			}
			switch g, found := got[id]; {
			case !found && ok:
				t.Errorf("offset %d: snapshot %s has intact pages but was not recovered", off, id)
			case found && !bytes.Equal(g, wantRecs[id]):
				t.Errorf("offset %d: snapshot %s recovered with other bytes", off, id)
			case found:
				recovered++
			}
		}
		extra += len(got) - recovered // anything not stored before (a deleted one back, or garbage)
		recoveredAll += recovered
		intactAll += intact
		t.Logf("offset %d: repair recovered %d of %d (%d with intact pages)", off, recovered, len(want), intact)
		switch serveDamaged(t, bin, db, importBody, net) {
		case "served":
			served++
		case "refused":
			refused++
		}
	}
	if extra != 0 {
		t.Errorf("repair brought back %d snapshots that were not stored", extra)
	}
	t.Logf("%d damaged copies: serve ran on %d, refused %d; export worked %d times, exited 1 with a message %d times; repair recovered %d snapshots where %d had intact pages; no crash unless reported above",
		n, served, refused, exported, exportRefused, recoveredAll, intactAll)
	if b, ok := t.(*testing.B); ok { // the benchmark's log keeps only its first lines
		for unit, v := range map[string]int{"copies": n, "serve-ran": served, "serve-refused": refused, "exports-ok": exported,
			"exports-refused": exportRefused, "recovered": recoveredAll, "intact": intactAll} {
			b.ReportMetric(float64(v), unit)
		}
	}
}
