// Package mattersimtest starts simulated Matter servers for tests. Only
// tests import it.
package mattersimtest

import (
	"context"
	"net"
	"testing"

	"github.com/threadmap/threadmap/matter/mattersim"
	"github.com/threadmap/threadmap/thread/topology"
)

// Serve starts a python-matter-server simulation of truth on a loopback
// port and returns it with its address (host:port; the WebSocket API is
// ws://ADDR/ws). It stops, and Serve's goroutine ends, when the test ends.
func Serve(t testing.TB, truth *topology.Snapshot) (*mattersim.Sim, string) {
	t.Helper()
	sim, err := mattersim.New(truth)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = sim.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return sim, ln.Addr().String()
}
