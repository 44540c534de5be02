package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threadmap/threadmap/backend/config"
	"github.com/threadmap/threadmap/backend/demo"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/topology"
)

// Load-benchmark knobs (environment): BENCH_SNAPSHOTS (default 100000),
// BENCH_LOAD_SECONDS (default 10), BENCH_LOAD_REQUESTS (default 200000),
// BENCH_LOAD_CLIENTS (default 16). Every run is bounded by both time and count.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// seedStore writes n snapshots of the demo mesh, one a minute, through the
// store API in batches, and returns the file's path.
func seedStore(b *testing.B, dir string, n int) string {
	b.Helper()
	path := filepath.Join(dir, fmt.Sprintf("seed-%d.db", n))
	st, err := store.Open(path, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	mesh, err := demo.Mesh(config.DefaultDemoSeed, config.DefaultDemoNodes)
	if err != nil {
		b.Fatal(err)
	}
	truth := mesh.Truth()
	start := time.Now().Add(-time.Duration(n) * time.Minute)
	const batch = 2000
	for i := 0; i < n; i += batch {
		var snaps []*topology.Snapshot
		for j := i; j < min(n, i+batch); j++ {
			s := *truth
			s.TakenAt = start.Add(time.Duration(j) * time.Minute)
			snaps = append(snaps, &s)
		}
		if _, err := st.PutBatch(snaps); err != nil {
			b.Fatal(err)
		}
	}
	return path
}

// BenchmarkServeLatestTopology measures GET /api/v1/topology/latest against
// a `threadmap serve` process on loopback holding 1 (the baseline) and
// 100 000 stored snapshots: requests per second, p50/p99 latency and the
// server's RSS. Beside it, GET /api/v1/snapshots/{id} of random stored
// snapshots (a store read and JSON encoding per request, no cache). Run it
// with scripts/bench (not part of go test).
func BenchmarkServeLatestTopology(b *testing.B) {
	dir := b.TempDir()
	bin := buildThreadmap(b, dir)
	clients := envInt("BENCH_LOAD_CLIENTS", 16)
	count := envInt("BENCH_LOAD_REQUESTS", 200000)
	seconds := time.Duration(envInt("BENCH_LOAD_SECONDS", 10)) * time.Second
	for _, n := range []int{1, envInt("BENCH_SNAPSHOTS", 100000)} {
		b.Run("snapshots="+strconv.Itoa(n), func(b *testing.B) {
			t0 := time.Now()
			db := seedStore(b, dir, n)
			defer os.Remove(db)
			fi, _ := os.Stat(db)
			b.Logf("seeded %d snapshots (%d MB) in %s", n, fi.Size()>>20, time.Since(t0).Round(time.Second))
			p := startServe(b, bin, "--listen", "127.0.0.1:0", "--db", db, "--no-discovery")
			defer p.stop(b)
			base := "http://" + p.addr + "/api/v1/"
			measure := func(b *testing.B, next func() string) {
				lat, elapsed, bytes, errs := load(b, next, clients, max(b.N, count), seconds)
				rss, peak := rssKB(p.cmd.Process.Pid)
				if errs > 0 {
					b.Errorf("%d failed requests", errs)
				}
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				pct := func(q float64) float64 {
					return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))]) / float64(time.Millisecond)
				}
				b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
				b.ReportMetric(pct(0.50), "p50-ms")
				b.ReportMetric(pct(0.99), "p99-ms")
				b.ReportMetric(float64(rss)/1024, "rss-MB")
				b.ReportMetric(float64(peak)/1024, "peak-rss-MB")
				b.ReportMetric(float64(bytes)/float64(max(1, len(lat))), "B/resp")
				b.Logf("%d requests in %s with %d clients", len(lat), elapsed.Round(time.Millisecond), clients)
			}
			b.Run("latest", func(b *testing.B) {
				measure(b, func() string { return base + "topology/latest" })
			})
			b.Run("by-id", func(b *testing.B) {
				var seq atomic.Uint64
				measure(b, func() string {
					// A multiplicative walk over every id, so reads spread over the file.
					id := seq.Add(1)*2654435761%uint64(n) + 1
					return base + "snapshots/" + strconv.FormatUint(id, 10)
				})
			})
		})
	}
}

// load sends up to count GETs of url() from clients goroutines for at most
// d, and returns each request's latency, the time taken, bytes read and
// the number of failed requests.
func load(b *testing.B, url func() string, clients, count int, d time.Duration) ([]time.Duration, time.Duration, int64, int) {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	get := func() (int64, error) {
		resp, err := hc.Get(url())
		if err != nil {
			return 0, err
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != 200 {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		return n, err
	}
	for range 200 { // warm up connections and caches
		if _, err := get(); err != nil {
			b.Fatalf("warm-up: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var issued atomic.Int64
	var bytes atomic.Int64
	var failed atomic.Int64
	per := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && issued.Add(1) <= int64(count) {
				t := time.Now()
				n, err := get()
				if err != nil {
					failed.Add(1)
					continue
				}
				per[c] = append(per[c], time.Since(t))
				bytes.Add(n)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	var all []time.Duration
	for _, p := range per {
		all = append(all, p...)
	}
	if len(all) == 0 {
		b.Fatal("no request succeeded")
	}
	return all, elapsed, bytes.Load(), int(failed.Load())
}
