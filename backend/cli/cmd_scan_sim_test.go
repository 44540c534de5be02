package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/tmf"
)

func TestScanSimJSONMatchesTruth(t *testing.T) {
	snap, stderr := runJSON(t, "scan", "--sim", "60", "--seed", "4", "--json")
	m, err := threadsim.Generate(threadsim.Options{Seed: 4, Nodes: 60})
	if err != nil {
		t.Fatal(err)
	}
	truth := m.Truth()
	if diff := truth.Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("scan --sim differs from the mesh: %v", diff)
	}
	if snap.Network.Name != truth.Network.Name || snap.Network.ExtPanID != truth.Network.ExtPanID ||
		snap.Network.MeshLocalPrefix != truth.Network.MeshLocalPrefix {
		t.Errorf("network %+v, want %+v", snap.Network, truth.Network)
	}
	if len(snap.Scan.Sources) != 1 || snap.Scan.Sources[0].Name != "tmf" || snap.Scan.Sources[0].Answered != len(m.Routers) {
		t.Errorf("scan report %+v", snap.Scan.Sources)
	}
	if stderr != "" {
		t.Errorf("--json with a non-terminal stderr printed %q", stderr)
	}
}

func TestScanSimScenarioReadable(t *testing.T) {
	path := filepath.Join("..", "..", "thread", "threadsim", "testdata", "home.json")
	out, stderr, code := runCLIEnv(t, "", map[string]string{"THREADMAP_PROGRESS": "1"}, "scan", "--sim-scenario", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{`network "MyHome"`, "0x0400", "leader", "0xc801", "sleepy-end-device", "fd11:22::/64"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr, "crawling (") || !strings.Contains(stderr, "4 answered") {
		t.Errorf("no progress line on stderr: %q", stderr)
	}
}

func TestScanSimUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"scan", "--sim", "-3"}, 2, "usage"},
		{[]string{"scan", "--sim-scenario", "does-not-exist.json"}, 1, "does-not-exist.json"},
		{[]string{"scan", "--tmf", "not-a-prefix"}, 2, "--tmf"},
		{[]string{"scan", "--tmf", "fd00::/48"}, 2, "/64"},
		{[]string{"sim", "--nodes", "3", "--scenario", "x.json"}, 2, "not both"},
		{[]string{"sim", "--listen", "nonsense"}, 2, "HOST:PORT"},
		{[]string{"sim", "--loss", "1.5"}, 2, "loss"},
	}
	for _, tt := range tests {
		_, stderr, code := runCLI(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
}

// syncBuffer lets the test read what the running command printed so far.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
	// changed gets a token on each write.
	changed chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed == nil {
		s.changed = make(chan struct{}, 1)
	}
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return s.b.Write(p)
}

// waitFor waits until what was written contains want (or the deadline).
func (s *syncBuffer) waitFor(want string, deadline <-chan time.Time) bool {
	s.mu.Lock()
	if s.changed == nil {
		s.changed = make(chan struct{}, 1)
	}
	changed := s.changed
	s.mu.Unlock()
	for !strings.Contains(s.String(), want) {
		select {
		case <-changed:
		case <-deadline:
			return false
		}
	}
	return true
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// threadmap sim serves until interrupted; its nodes answer real TMF
// requests on the ports it prints.
func TestSimCommandServesTMF(t *testing.T) {
	path := filepath.Join("..", "..", "thread", "threadsim", "testdata", "home.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int)
	go func() {
		done <- Run(ctx, &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }},
			[]string{"sim", "--scenario", path, "--listen", "127.0.0.1:0", "--hop-latency", "0"})
	}()
	if !out.waitFor("running;", time.After(10*time.Second)) {
		t.Fatalf("sim did not start: %q %q", out.String(), errb.String())
	}
	// Find the leader's address in the table and ask it over TMF.
	var leaderAddr string
	for _, line := range strings.Split(out.String(), "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && f[0] == "0x0400" {
			leaderAddr = f[3]
		}
	}
	if leaderAddr == "" {
		t.Fatalf("no leader row in %q", out.String())
	}
	res := fixedResolver(leaderAddr)
	cl, err := tmf.NewClient(tmf.ClientConfig{Resolver: res, AckTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
	defer rcancel()
	m, err := cl.Get(rctx, 0x0400, []diag.Type{diag.TypeExtMacAddress, diag.TypeAddress16})
	if err != nil {
		t.Fatal(err)
	}
	if m.ExtAddress == nil || m.ExtAddress.String() != "1a2b3c4d5e6f7081" {
		t.Errorf("leader answered %v", m)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("sim exit %d: %s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sim did not stop on interrupt")
	}
}
