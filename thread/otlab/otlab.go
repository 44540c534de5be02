// Package otlab drives the real OpenThread lab in ../shared/lab for live
// tests: OpenThread's own CLI nodes and a real otbr-agent (REST, Border
// Agent, mDNS) in two network namespaces, started by the lab's `otlab`
// script. It starts and stops the lab under a machine-wide lock (one border
// router per machine: ot-ctl's socket path is not separated by namespaces),
// runs CLI commands on nodes, runs programs in the LAN namespace, and reads
// `otlab truth` — every node's own view — into a topology.Shape that live
// results are compared with.
//
// Only tests import it. A test that needs the lab calls Need; the package's
// TestMain calls Main so the lab is stopped and the lock released when the
// test binary ends. Without ../shared/lab, or without root, Need skips the
// test with a message naming what is missing — and fails it when CI=true.
package otlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// LockPath is the machine-wide lock every lab user holds while a lab runs.
// Shell users take it with flock(1) on the same path.
const LockPath = "/tmp/threadmap-otlab.lock"

// Namespaces and addresses the lab's script sets up (its README).
const (
	// MeshNS is where the mesh and otbr-agent run.
	MeshNS = "otlab"
	// LANNS is the home-LAN side: run threadmap here, as a LAN host would.
	LANNS = "otlan"
	// LANIface is the LAN namespace's interface (veth peer of infra0).
	LANIface = "lan0"
	// BorderRouterAddr is the border router's infrastructure address.
	BorderRouterAddr = "fd00:1ab::1"
	// RESTPort is otbr-agent's REST port.
	RESTPort = 8081
)

// Small-scenario facts (scenarios/small beside the script).
const (
	NetworkName = "OTLAB-small"
	ExtPanID    = "5a11dead5a11dead"
	PanID       = 0x5a11
	Channel     = 15
	Passphrase  = "J01NME"
	MeshLocal   = "fd00:5a11::/64"
)

// Lab is a running lab.
type Lab struct {
	// Script is the path of the otlab script.
	Script string
	// Run is the lab's runtime directory (OTLAB_RUN): logs, FIFOs, truth.
	Run string

	mu    sync.Mutex
	dirty bool
}

var (
	mu      sync.Mutex
	running *Lab
	lock    *os.File
	lockErr error
)

// ScriptPath is where the lab's script stands: ../shared/lab/otlab beside
// the repository (THREADMAP_OTLAB overrides it).
func ScriptPath() string {
	if p := os.Getenv("THREADMAP_OTLAB"); p != "" {
		return p
	}
	return topologytest.SharedDir("lab", "otlab")
}

// Available says why the lab cannot run here, or "" when it can.
func Available() string {
	p := ScriptPath()
	if _, err := os.Stat(p); err != nil {
		return fmt.Sprintf("the OpenThread lab %s is not here (it stands beside the clone as ../shared/lab): %v", p, err)
	}
	if os.Geteuid() != 0 {
		return "the OpenThread lab needs root (network namespaces)"
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return "the OpenThread lab needs iproute2 (ip)"
	}
	return ""
}

// Need returns the running lab in its healthy starting state, starting it
// (once per test binary) or restarting it when an earlier test changed the
// mesh (MarkDirty). It skips the test when the lab cannot run here, or
// fails it under CI=true.
func Need(t testing.TB) *Lab {
	t.Helper()
	if why := Available(); why != "" {
		topologytest.SkipOrFail(t, "%s", why)
	}
	mu.Lock()
	defer mu.Unlock()
	if err := acquireLock(); err != nil {
		t.Fatalf("otlab: %v", err)
	}
	if running != nil {
		running.mu.Lock()
		dirty := running.dirty
		running.mu.Unlock()
		if !dirty {
			return running
		}
		t.Logf("otlab: restarting the lab (an earlier test changed the mesh)")
		running.stop()
		running = nil
	}
	l := &Lab{Script: ScriptPath()}
	run, err := os.MkdirTemp("", "threadmap-otlab-")
	if err != nil {
		t.Fatal(err)
	}
	l.Run = run
	// A lab left behind by a killed run holds the namespaces: clear them.
	_, _ = l.output(context.Background(), 30*time.Second, "stop")
	var out []byte
	for attempt := 1; attempt <= 2; attempt++ {
		start := time.Now()
		out, err = l.output(context.Background(), 180*time.Second, "start", "all")
		if err == nil {
			t.Logf("otlab: lab started in %s (%s)", time.Since(start).Round(100*time.Millisecond), run)
			running = l
			return l
		}
		_, _ = l.output(context.Background(), 30*time.Second, "stop")
	}
	logs := l.Log("otbr/otbr.log", 2000)
	_ = os.RemoveAll(run)
	t.Fatalf("otlab: start all failed twice: %v\n%s\notbr.log: %s", err, tail(out, 3000), logs)
	return nil
}

// Main runs the package's tests and then stops a lab they started and
// releases the machine-wide lock. Call it from TestMain: os.Exit(otlab.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if running != nil {
		running.stop()
		running = nil
	}
	if lock != nil {
		_ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
		_ = lock.Close()
		lock = nil
	}
	return code
}

// acquireLock takes the machine-wide lock, waiting at most 25 minutes for
// another lab user (another package's tests) to finish.
func acquireLock() error {
	if lock != nil {
		return nil
	}
	if lockErr != nil {
		return lockErr
	}
	f, err := os.OpenFile(LockPath, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		lockErr = fmt.Errorf("lock %s: %w", LockPath, err)
		return lockErr
	}
	deadline := time.Now().Add(25 * time.Minute)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			lock = f
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			lockErr = fmt.Errorf("lock %s: %w", LockPath, err)
			return lockErr
		}
		if time.Now().After(deadline) {
			f.Close()
			lockErr = fmt.Errorf("lock %s: another lab user held it for 25 minutes", LockPath)
			return lockErr
		}
		time.Sleep(500 * time.Millisecond) // polling a file lock: nothing to wait on
	}
}

// MarkDirty says the calling test changes the mesh: the next Need restarts
// the lab so later tests start from the scenario's healthy state.
func (l *Lab) MarkDirty() {
	l.mu.Lock()
	l.dirty = true
	l.mu.Unlock()
}

func (l *Lab) stop() {
	_, _ = l.output(context.Background(), 60*time.Second, "stop")
	_ = os.RemoveAll(l.Run)
}

// output runs the lab script with args, bounded by ctx and timeout.
func (l *Lab) output(ctx context.Context, timeout time.Duration, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{l.Script}, args...)...)
	cmd.Env = append(os.Environ(), "OTLAB_RUN="+l.Run, "OTLAB_NS="+MeshNS, "OTLAN_NS="+LANNS)
	cmd.Dir = l.Run
	// Output goes to a file, not a pipe: the lab's daemons outlive the
	// script and would hold a pipe open.
	f, err := os.CreateTemp(l.Run, "out-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Run()
	out, rerr := os.ReadFile(f.Name())
	if err == nil {
		err = rerr
	}
	return out, err
}

// CLI runs one OpenThread CLI command on a node ("1".."8", or "br" for the
// border router through ot-ctl) and returns its output without the final
// "Done". An "Error ..." answer is an error.
func (l *Lab) CLI(ctx context.Context, node, command string) (string, error) {
	out, err := l.output(ctx, 30*time.Second, "cli", node, command)
	s := strings.TrimRight(string(out), "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "Done" {
		lines = lines[:len(lines)-1]
	}
	s = strings.Join(lines, "\n")
	if err != nil {
		return s, fmt.Errorf("otlab cli %s %q: %v: %s", node, command, err, tail(out, 500))
	}
	return s, nil
}

// MustCLI is CLI that fails the test on an error.
func (l *Lab) MustCLI(t testing.TB, node, command string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := l.CLI(ctx, node, command)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// InLAN is a command that runs name with args inside the LAN namespace,
// where the border router is a host on the link.
func (l *Lab) InLAN(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", LANNS, name}, args...)...)
}

// RESTURL is the border router's REST API as seen from the LAN namespace.
func (l *Lab) RESTURL() string {
	return fmt.Sprintf("http://[%s]:%d", BorderRouterAddr, RESTPort)
}

// BAPort is the Border Agent's DTLS port (it changes per start).
func (l *Lab) BAPort(t testing.TB) int {
	t.Helper()
	var port int
	out := l.MustCLI(t, "br", "ba port")
	if _, err := fmt.Sscan(strings.TrimSpace(firstLine(out)), &port); err != nil || port <= 0 {
		t.Fatalf("otlab: ba port: %q: %v", out, err)
	}
	return port
}

// PSKc is the network's PSKc in hex as the border router prints it.
func (l *Lab) PSKc(t testing.TB) string {
	t.Helper()
	return strings.TrimSpace(firstLine(l.MustCLI(t, "br", "pskc")))
}

// ActiveDataset is the active operational dataset's TLVs in hex, as the lab
// made it.
func (l *Lab) ActiveDataset(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(l.Run, "dataset.tlvs"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// Log is a lab log file's tail: "otbr/otbr.log" or "mesh/n3.log".
func (l *Lab) Log(name string, max int) string {
	b, _ := os.ReadFile(filepath.Join(l.Run, name))
	return string(tail(b, max))
}

// Truth runs `otlab truth` and reads every node's own view.
func (l *Lab) Truth(ctx context.Context) (*Truth, error) {
	dir, err := os.MkdirTemp(l.Run, "truth-")
	if err != nil {
		return nil, err
	}
	if out, err := l.output(ctx, 5*time.Minute, "truth", dir); err != nil {
		return nil, fmt.Errorf("otlab truth: %v: %s", err, tail(out, 1000))
	}
	return ReadTruth(dir)
}

// MustTruth is Truth that fails the test on an error.
func (l *Lab) MustTruth(t testing.TB) *Truth {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tr, err := l.Truth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func tail(b []byte, max int) []byte {
	b = bytes.TrimSpace(b)
	if len(b) > max {
		return b[len(b)-max:]
	}
	return b
}
