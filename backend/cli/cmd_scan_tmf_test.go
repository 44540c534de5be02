package cli

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/threadsim/netnstest"
	"github.com/threadmap/threadmap/thread/topology"
)

// scan --tmf PREFIX from a host inside the mesh: plain UDP to prefix +
// RLOC16 on port 61631, here between two namespaces the test makes.
func TestScanTMFInNetns(t *testing.T) {
	netnstest.NeedRoot(t)
	m, err := threadsim.Generate(threadsim.Options{Seed: 21, Nodes: 40, Routers: 6})
	if err != nil {
		t.Fatal(err)
	}
	p := netnstest.New(t, m)
	p.StartMesh(t, m, threadsim.ServeOptions{Radio: &threadsim.Radio{HopLatency: time.Millisecond}})
	var out, errb bytes.Buffer
	code := -1
	// The whole command runs on a thread inside the host namespace, so the
	// socket it opens is there.
	netnstest.In(t, p.Host, func() {
		code = Run(context.Background(), &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }},
			[]string{"scan", "--tmf", m.Network.MeshLocalPrefixString(), "--json"})
	})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	snap, err := topology.DecodeJSON(&out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := m.Truth().Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("scan --tmf differs from the mesh: %v", diff)
	}
	if snap.Network.MeshLocalPrefix != m.Network.MeshLocalPrefixString() {
		t.Errorf("prefix %q", snap.Network.MeshLocalPrefix)
	}
}
