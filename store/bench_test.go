package store

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/threadmap/threadmap/store/internal/meshgen"
	"github.com/threadmap/threadmap/thread/topology"
)

// The benchmarks share one store of benchSnapshots() snapshots of a
// 250-node mesh (THREADMAP_BENCH_SNAPSHOTS to change the count), built on
// first use — only under -bench — and removed when the run ends.
type benchDB struct {
	st        *Store
	dir       string
	ids       []string
	base      *topology.Snapshot
	first     time.Time
	n         int
	buildTime time.Duration
	err       error
}

var (
	benchOnce  sync.Once
	benchState benchDB
)

const benchNodes = 250

func benchSnapshots() int {
	if v, err := strconv.Atoi(os.Getenv("THREADMAP_BENCH_SNAPSHOTS")); err == nil && v > 0 {
		return v
	}
	return 100_000
}

func benchStore(b *testing.B) *benchDB {
	b.Helper()
	benchOnce.Do(func() {
		d := &benchState
		d.n = benchSnapshots()
		d.dir, d.err = os.MkdirTemp("", "threadmap-bench-")
		if d.err != nil {
			return
		}
		d.st, d.err = Open(filepath.Join(d.dir, "bench.db"), Options{})
		if d.err != nil {
			return
		}
		rng := rand.New(rand.NewPCG(250, 100))
		d.first = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		d.base = meshgen.Generate(rng, benchNodes, d.first)
		start := time.Now()
		const batch = 500
		for i := 0; i < d.n; i += batch {
			var snaps []*topology.Snapshot
			for j := i; j < min(i+batch, d.n); j++ {
				snaps = append(snaps, meshgen.Jiggle(rng, d.base, d.first.Add(time.Duration(j)*time.Minute)))
			}
			ids, err := d.st.PutBatch(snaps)
			if err != nil {
				d.err = err
				return
			}
			d.ids = append(d.ids, ids...)
		}
		d.buildTime = time.Since(start)
	})
	if benchState.err != nil {
		b.Fatal(benchState.err)
	}
	return &benchState
}

func cleanupBench() {
	if benchState.st != nil {
		benchState.st.Close()
	}
	if benchState.dir != "" {
		os.RemoveAll(benchState.dir)
	}
}

// perOp runs op count times per benchmark iteration and reports the time
// per op under unit, so -benchtime 1x still gives a steady number.
func perOp(b *testing.B, count int, unit string, op func(i int)) {
	b.Helper()
	b.ResetTimer()
	start := time.Now()
	for it := 0; it < b.N; it++ {
		for i := 0; i < count; i++ {
			op(it*count + i)
		}
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*count), unit)
}

// BenchmarkPut: one 250-node snapshot per Put (one synced commit each),
// into an empty store (baseline) and into the 100k-snapshot store.
func BenchmarkPut(b *testing.B) {
	d := benchStore(b)
	b.Logf("built %d snapshots in %v (%.0f snapshots/s with PutBatch)", d.n, d.buildTime.Round(time.Millisecond), float64(d.n)/d.buildTime.Seconds())
	rng := rand.New(rand.NewPCG(1, 1))
	next := d.first.Add(time.Duration(d.n) * time.Minute)
	run := func(b *testing.B, st *Store) {
		perOp(b, 50, "ns/put", func(i int) {
			if _, err := st.Put(meshgen.Jiggle(rng, d.base, next.Add(time.Duration(i)*time.Second))); err != nil {
				b.Fatal(err)
			}
		})
	}
	b.Run("empty", func(b *testing.B) {
		st, err := Open(filepath.Join(b.TempDir(), "e.db"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		run(b, st)
	})
	b.Run("100k", func(b *testing.B) { run(b, d.st) })
}

// BenchmarkGet: a random snapshot by id; the baseline is decoding the
// same record without the store around it.
func BenchmarkGet(b *testing.B) {
	d := benchStore(b)
	rng := rand.New(rand.NewPCG(2, 2))
	b.Run("decode-only", func(b *testing.B) {
		c := NewCodec()
		rec, err := c.encodeSnapshotRecord(d.base)
		if err != nil {
			b.Fatal(err)
		}
		perOp(b, 200, "ns/get", func(int) {
			if _, err := c.decodeSnapshotRecord(rec); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("100k", func(b *testing.B) {
		perOp(b, 200, "ns/get", func(int) {
			s, err := d.st.Get(d.ids[rng.IntN(len(d.ids))])
			if err != nil || len(s.Nodes) != benchNodes {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkLatest: the newest snapshot of the network in the 100k store.
func BenchmarkLatest(b *testing.B) {
	d := benchStore(b)
	key := d.base.Network.Key()
	perOp(b, 200, "ns/latest", func(int) {
		if _, err := d.st.Latest(key); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkNetworks: the network listing (newest summary and count) of
// the 100k store.
func BenchmarkNetworks(b *testing.B) {
	d := benchStore(b)
	perOp(b, 200, "ns/networks", func(int) {
		if n, err := d.st.Networks(); err != nil || len(n) != 1 || n[0].Snapshots < d.n {
			b.Fatal(err)
		}
	})
}

// BenchmarkList: a page of 100 summaries, newest first; from the top, from
// a time in the middle (a cursor seek), and walking 10 pages by cursor.
func BenchmarkList(b *testing.B) {
	d := benchStore(b)
	key := d.base.Network.Key()
	mid := d.first.Add(time.Duration(d.n/2) * time.Minute)
	b.Run("newest-100", func(b *testing.B) {
		perOp(b, 200, "ns/list", func(int) {
			if p, err := d.st.List(key, time.Time{}, time.Time{}, 100, ""); err != nil || len(p.Snapshots) != 100 {
				b.Fatal(err)
			}
		})
	})
	b.Run("range-middle-100", func(b *testing.B) {
		perOp(b, 200, "ns/list", func(int) {
			p, err := d.st.List(key, mid.Add(-time.Hour), mid, 100, "")
			if err != nil || len(p.Snapshots) != 61 || !p.Snapshots[0].TakenAt.Equal(mid) {
				b.Fatal(err, len(p.Snapshots))
			}
		})
	})
	b.Run("walk-10-pages-of-100", func(b *testing.B) {
		perOp(b, 20, "ns/walk", func(int) {
			cur := ""
			for i := 0; i < 10; i++ {
				p, err := d.st.List(key, time.Time{}, mid, 100, cur)
				if err != nil || len(p.Snapshots) != 100 {
					b.Fatal(err)
				}
				cur = p.NextCursor
			}
		})
	})
}

// BenchmarkEncoding: one 250-node snapshot as CBOR, as the stored record
// (CBOR deflated) and as canonical JSON (the baseline): time and bytes.
func BenchmarkEncoding(b *testing.B) {
	s := meshgen.Generate(rand.New(rand.NewPCG(250, 100)), benchNodes, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	c := NewCodec()
	for _, e := range []struct {
		name string
		enc  func() ([]byte, error)
	}{
		{"json", s.JSON},
		{"cbor", func() ([]byte, error) { return c.MarshalSnapshot(s) }},
		{"cbor+deflate-record", func() ([]byte, error) { return c.encodeSnapshotRecord(s) }},
	} {
		b.Run(e.name, func(b *testing.B) {
			var out []byte
			perOp(b, 20, "ns/encode", func(int) {
				var err error
				if out, err = e.enc(); err != nil {
					b.Fatal(err)
				}
			})
			b.ReportMetric(float64(len(out)), "bytes/snapshot")
		})
	}
}

// BenchmarkGrowthCompact: the file size of the 100k store, a compacted
// copy of it, and that copy after Retain (keep the newest 10 000) and an
// in-place Compact.
func BenchmarkGrowthCompact(b *testing.B) {
	d := benchStore(b)
	for i := 0; i < b.N; i++ {
		size, err := d.st.Size()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(size), "file-bytes")
		b.ReportMetric(float64(size)/float64(len(d.ids)), "file-bytes/snapshot")
		dst := filepath.Join(b.TempDir(), "copy.db")
		start := time.Now()
		if err := d.st.Compact(dst); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/compact-copy")
		cp, err := Open(dst, Options{})
		if err != nil {
			b.Fatal(err)
		}
		csize, _ := cp.Size()
		b.ReportMetric(float64(csize), "compacted-bytes")
		n, err := cp.Retain(Policy{MaxCount: 10_000})
		if err != nil {
			b.Fatal(err)
		}
		rsize, _ := cp.Size()
		start = time.Now()
		if err := cp.Compact(""); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/compact-in-place")
		asize, _ := cp.Size()
		b.ReportMetric(float64(rsize), "after-retain-bytes")
		b.ReportMetric(float64(asize), "after-retain+compact-bytes")
		b.Logf("%d snapshots: file %d B (%.0f B/snapshot); compacted copy %d B; retain deleted %d → %d B; compact → %d B",
			len(d.ids), size, float64(size)/float64(len(d.ids)), csize, n, rsize, asize)
		cp.Close()
	}
}
