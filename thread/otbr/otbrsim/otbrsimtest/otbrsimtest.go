// Package otbrsimtest starts simulated OTBR REST servers for tests. Only
// tests import it (otbrsim's own tests cannot: they are inside otbrsim).
package otbrsimtest

import (
	"testing"

	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim"
	"github.com/threadmap/threadmap/thread/topology"
)

// Start serves truth in the given dialect with opts on a loopback port and
// returns the server and its base URL; it stops when the test ends.
func Start(t testing.TB, truth *topology.Snapshot, dialect otbr.Dialect, opts otbrsim.Options) (*otbrsim.Server, string) {
	t.Helper()
	sim, err := otbrsim.NewWithOptions(truth, dialect, opts)
	if err != nil {
		t.Fatal(err)
	}
	url, stop, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return sim, url
}
