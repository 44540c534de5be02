package otbr_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim/otbrsimtest"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/topology"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// BenchmarkPlans scans simulated meshes (otbrsim with the timings the real
// otbr-agent showed on the lab: tasks picked up after 40 ms, a device
// answering 100 ms later, sleepy children only at their poll) three ways,
// side by side:
//
//   - threadmap: Source.Collect, the JSON:API plan (one discovery round,
//     one task per router with the Child/Router Neighbor queries);
//   - otbr-web-gui: the border router's own web GUI task plan
//     (otbrsimtest.WebGUIPlan: tasks for every non-child device at once,
//     polled every 500 ms) — the baseline;
//   - legacy-2s-window: the legacy GET /diagnostics, whose multicast
//     collection lasts OTBR's kDiagCollectTimeout of 2 s (and names no MED
//     or SED by ext address).
//
// The 250-node mesh is `threadmap serve --demo --demo-nodes 250`'s: its
// OTBR scan must fit the demo's 15 s interval. In the 30-node mesh with a
// silent router, one router never answers (it stopped): it holds the
// border router's discovery round, and its task runs to its timeout.
func BenchmarkPlans(b *testing.B) {
	for _, mc := range []struct {
		nodes  int
		silent bool
	}{{30, false}, {250, false}, {30, true}} {
		m, err := threadsim.Generate(threadsim.Options{Seed: 3, Nodes: mc.nodes})
		if err != nil {
			b.Fatal(err)
		}
		truth := m.Truth()
		var opts otbrsim.Options
		suffix := "-" + strconv.Itoa(mc.nodes) + "-nodes"
		if mc.silent {
			suffix += "-1-silent-router"
			for _, n := range truth.Nodes {
				if n.Role == topology.RoleRouter && !n.BorderRouter && opts.Silent == nil {
					opts.Silent = map[string]bool{n.ExtAddr: true}
				}
			}
		}
		_, url := otbrsimtest.Start(b, truth, otbr.DialectJSONAPI2026, opts)
		_, legacy := otbrsimtest.Start(b, truth, otbr.DialectLegacy, opts)
		name := func(s string) string { return s + suffix }
		b.Run(name("threadmap"), func(b *testing.B) {
			src, _ := otbr.NewSource(url, otbr.Options{})
			for i := 0; i < b.N; i++ {
				snap, err := src.Collect(context.Background())
				if err != nil || snap.Scan.Sources[0].Partial != mc.silent {
					b.Fatalf("%v %+v", err, snap.Scan)
				}
			}
		})
		b.Run(name("otbr-web-gui"), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := otbrsimtest.WebGUIPlan(context.Background(), url); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name("legacy-2s-window"), func(b *testing.B) {
			src, _ := otbr.NewSource(legacy, otbr.Options{})
			for i := 0; i < b.N; i++ {
				if _, err := src.Collect(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeDiagnostics decodes the real 9-device /api/diagnostics answer.
func BenchmarkDecodeDiagnostics(b *testing.B) {
	body, err := os.ReadFile(topologytest.OpenThread("small-current", "otbr-rest", "36_GET_api_diagnostics.body"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, _, err := otbr.DecodeDiagnostics(body); err != nil {
			b.Fatal(err)
		}
	}
}
