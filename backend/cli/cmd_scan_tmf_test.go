package cli

import (
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/threadsim/netnstest"
	"github.com/threadmap/threadmap/thread/topology"
)

// scan --tmf PREFIX from a host inside the mesh: plain UDP to prefix +
// RLOC16 on port 61631, here between two namespaces the test makes.
func TestScanTMFInNetns(t *testing.T) {
	m, p := netnstest.Mesh(t, threadsim.Options{Seed: 21, Nodes: 40, Routers: 6},
		threadsim.ServeOptions{Radio: &threadsim.Radio{HopLatency: time.Millisecond}})
	var snap *topology.Snapshot
	// The whole command runs on a thread inside the host namespace, so the
	// socket it opens is there.
	netnstest.In(t, p.Host, func() {
		snap, _ = runJSON(t, "scan", "--tmf", m.Network.MeshLocalPrefixString(), "--json")
	})
	if diff := m.Truth().Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("scan --tmf differs from the mesh: %v", diff)
	}
	if snap.Network.MeshLocalPrefix != m.Network.MeshLocalPrefixString() {
		t.Errorf("prefix %q", snap.Network.MeshLocalPrefix)
	}
}
