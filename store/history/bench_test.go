package history

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/internal/meshgen"
	"github.com/threadmap/threadmap/thread/topology"
)

// seed stores n snapshots of a 24-node mesh, one a minute, each with a
// few link qualities moved (meshgen.Jiggle), so most pairs hold changes.
func seed(b *testing.B, n int) *store.Store {
	st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	rng := rand.New(rand.NewPCG(7, 7))
	base := meshgen.Generate(rng, 24, t0)
	for i := 0; i < n; i += 2000 {
		var snaps []*topology.Snapshot
		for j := i; j < min(n, i+2000); j++ {
			snaps = append(snaps, meshgen.Jiggle(rng, base, t0.Add(time.Duration(j)*time.Minute)))
		}
		if _, err := st.PutBatch(snaps); err != nil {
			b.Fatal(err)
		}
	}
	return st
}

// walk pages through every change, 100 at a time, and returns how many.
func walk(b *testing.B, log *Log, network string) int {
	q := Query{Network: network, Limit: 100}
	n := 0
	for {
		p, err := log.Changes(context.Background(), q)
		if err != nil {
			b.Fatal(err)
		}
		n += len(p.Changes)
		if p.NextCursor == "" {
			return n
		}
		q.Cursor = p.NextCursor
	}
}

// BenchmarkChanges measures the change log of a 10 000-snapshot network:
// the first page and a walk through every page, with a cold cache (a new
// Log: each snapshot is read and decoded once) and a warm one (the pairs'
// changes cached). The warm numbers are what a user paging in the UI sees
// after the first visit; the cold walk is the one-off cost.
func BenchmarkChanges(b *testing.B) {
	const n = 10000
	st := seed(b, n)
	net := meshgen.Generate(rand.New(rand.NewPCG(7, 7)), 24, t0).Network.Key()
	b.Run("snapshots="+strconv.Itoa(n), func(b *testing.B) {
		b.Run("first-page/cold", func(b *testing.B) {
			for b.Loop() {
				if _, err := New(st, Options{}).Changes(context.Background(), Query{Network: net, Limit: 100}); err != nil {
					b.Fatal(err)
				}
			}
		})
		warm := New(st, Options{})
		total := walk(b, warm, net)
		b.Logf("%d changes in %d snapshots", total, n)
		b.Run("first-page/warm", func(b *testing.B) {
			for b.Loop() {
				if _, err := warm.Changes(context.Background(), Query{Network: net, Limit: 100}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("last-page/warm", func(b *testing.B) {
			p, _ := warm.Changes(context.Background(), Query{Network: net, Limit: total - 50})
			for b.Loop() {
				if _, err := warm.Changes(context.Background(), Query{Network: net, Limit: 100, Cursor: p.NextCursor}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("walk-all/warm", func(b *testing.B) {
			for b.Loop() {
				walk(b, warm, net)
			}
			b.ReportMetric(float64(total/100+1), "pages")
		})
		b.Run("walk-all/cold", func(b *testing.B) {
			for b.Loop() {
				walk(b, New(st, Options{}), net)
			}
		})
	})
}
