// Package simtest starts simulated meshes with a Border Agent for tests
// and benchmarks: one helper instead of a copy in every test package. Only
// tests import it.
package simtest

import (
	"encoding/hex"
	"testing"

	"github.com/threadmap/threadmap/thread/threadsim"
)

// BorderAgent generates a mesh from mo, serves its TMF servers (so) and a
// Border Agent (bo) in front of them until the test ends, and returns
// them with the network's PSKc in hex (threadsim.DefaultPassphrase's).
func BorderAgent(tb testing.TB, mo threadsim.Options, so threadsim.ServeOptions, bo threadsim.BorderAgentOptions) (*threadsim.Sim, *threadsim.BorderAgent, string) {
	tb.Helper()
	m, err := threadsim.Generate(mo)
	if err != nil {
		tb.Fatal(err)
	}
	sim, err := m.Start(tb.Context(), so)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sim.Close() })
	ba, err := sim.StartBorderAgent(tb.Context(), bo)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ba.Close() })
	k, err := m.PSKc(threadsim.DefaultPassphrase)
	if err != nil {
		tb.Fatal(err)
	}
	return sim, ba, hex.EncodeToString(k[:])
}
