package otbr_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim/otbrsimtest"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// BenchmarkCollectJSONAPI scans a simulated 30-device mesh over the
// JSON:API (one task at a time, as the border router requires). The
// baseline waits 400 ms before its first status poll and backs off to 6.4 s;
// the default polls promptly (25 ms at first, backing off to 400 ms).
func BenchmarkCollectJSONAPI(b *testing.B) {
	m, err := threadsim.Generate(threadsim.Options{Seed: 3, Nodes: 30})
	if err != nil {
		b.Fatal(err)
	}
	_, url := otbrsimtest.Start(b, m.Truth(), otbr.DialectJSONAPI2026, otbrsim.Options{})
	for _, bc := range []struct {
		name string
		poll time.Duration
	}{{"baseline-first-poll-400ms", 1600 * time.Millisecond}, {"default-poll", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			src, _ := otbr.NewSource(url, otbr.Options{PollInterval: bc.poll})
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
