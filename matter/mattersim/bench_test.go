package mattersim_test

import (
	"context"
	"testing"
	"time"

	"github.com/threadmap/threadmap/matter/matterclient"
	"github.com/threadmap/threadmap/matter/meshbuild"
	"github.com/threadmap/threadmap/matter/nodedump"
	"github.com/threadmap/threadmap/thread/threadsim"
)

// BenchmarkCollect150 is one Source.Collect of a 150-node mesh over a
// loopback WebSocket (get_nodes, decode, build); BenchmarkBuild150 is the
// same decode and build without the connection, its baseline.
func BenchmarkCollect150(b *testing.B) {
	m, err := threadsim.Generate(threadsim.Options{Seed: 150, Nodes: 150})
	if err != nil {
		b.Fatal(err)
	}
	_, url := serve(b, m.Truth())
	src, err := matterclient.NewSource(url, matterclient.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := src.Collect(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuild150(b *testing.B) {
	m, err := threadsim.Generate(threadsim.Options{Seed: 150, Nodes: 150})
	if err != nil {
		b.Fatal(err)
	}
	sim, _ := serve(b, m.Truth())
	nodes := sim.Nodes()
	b.ReportAllocs()
	for b.Loop() {
		var ins []meshbuild.Input
		for _, nd := range nodes {
			n, err := nodedump.Decode(nd)
			if err != nil {
				b.Fatal(err)
			}
			ins = append(ins, meshbuild.Input{Node: n})
		}
		if res := meshbuild.Build(ins, time.Now()); res.Largest() == nil {
			b.Fatal("no network")
		}
	}
}
