package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/threadsim/netnstest"
	"github.com/threadmap/threadmap/thread/topology"
)

// envHelperArgs carries the arguments of a CLI run in a helper process
// (a JSON array): TestCLIHelper runs them and exits with their status.
const envHelperArgs = "THREADMAP_CLI_HELPER_ARGS"

// TestCLIHelper is not a test: it is the CLI run in a process of its own
// (another network namespace), when envHelperArgs is set.
func TestCLIHelper(t *testing.T) {
	raw := os.Getenv(envHelperArgs)
	if raw == "" {
		t.Skip("helper process only")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		t.Fatal(err)
	}
	code := Run(context.Background(), &Env{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin, Getenv: os.Getenv}, args)
	os.Exit(code)
}

// runInNetns runs the CLI on args in a process inside namespace ns, as a
// user inside the mesh would, and returns stdout, stderr and the status.
func runInNetns(t *testing.T, ns string, args ...string) (string, string, int) {
	t.Helper()
	raw, _ := json.Marshal(args)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, os.Args[0], "-test.run=^TestCLIHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), envHelperArgs+"="+string(raw))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("helper: %v", err)
	}
	return out.String(), errb.String(), code
}

// scan --tmf PREFIX from a host inside the mesh: plain UDP to prefix +
// RLOC16 on port 61631, here between two namespaces the test makes.
func TestScanTMFInNetns(t *testing.T) {
	m, p := netnstest.Mesh(t, threadsim.Options{Seed: 21, Nodes: 40, Routers: 6},
		threadsim.ServeOptions{Radio: &threadsim.Radio{HopLatency: time.Millisecond}})
	// The whole command runs in a process inside the host namespace.
	out, errs, code := runInNetns(t, p.Host, "scan", "--tmf", m.Network.MeshLocalPrefixString(), "--json")
	if code != 0 {
		t.Fatalf("scan --tmf: exit %d: %s", code, errs)
	}
	snap, err := topology.DecodeJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("scan --tmf: %v: %s", err, out)
	}
	if diff := m.Truth().Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("scan --tmf differs from the mesh: %v", diff)
	}
	if snap.Network.MeshLocalPrefix != m.Network.MeshLocalPrefixString() {
		t.Errorf("prefix %q", snap.Network.MeshLocalPrefix)
	}
}
