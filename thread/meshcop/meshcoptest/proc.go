package meshcoptest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/meshcop"
)

// Proc is a helper process running inside a namespace.
type Proc struct {
	Cmd   *exec.Cmd
	Stdin io.WriteCloser
	// Lines carries the process's stdout, line by line; closed at exit.
	Lines chan string
	done  chan error
}

// StartHelper re-executes this test binary in namespace ns running only
// testName, with env added; the process is stopped when the test ends.
func StartHelper(t *testing.T, ctx context.Context, ns, testName string, env ...string) *Proc {
	t.Helper()
	cmd, err := SelfCommand(ctx, ns, testName, env...)
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	// When ctx ends, ask the helper to stop (stdin closes) rather than kill
	// it; kill only if it has not exited 10 s later.
	cmd.Cancel = func() error { return stdin.Close() }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Proc{Cmd: cmd, Stdin: stdin, Lines: make(chan string, 256), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.Lines <- sc.Text()
		}
		close(p.Lines)
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() { p.Stop(t) })
	return p
}

// Stop closes stdin (a helper then withdraws its adverts and exits) and
// waits; a process that does not exit in 10 s is killed by its PID.
func (p *Proc) Stop(t *testing.T) {
	_ = p.Stdin.Close()
	if p.done == nil {
		return
	}
	select {
	case err := <-p.done:
		// A failed exit (status or signal) is an error; the context ending
		// (which closes stdin) is the normal way a helper stops.
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Errorf("helper %d: %v", p.Cmd.Process.Pid, err)
		}
	case <-time.After(10 * time.Second):
		_ = p.Cmd.Process.Kill()
		<-p.done
		t.Errorf("helper %d did not stop; killed", p.Cmd.Process.Pid)
	}
	p.done = nil
}

// Next returns the next stdout line that is JSON (starts with '{') or
// Ready, failing the test after timeout or when the process exits.
func (p *Proc) Next(t *testing.T, timeout time.Duration) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-p.Lines:
			if !ok {
				t.Fatal("helper exited")
			}
			if strings.HasPrefix(l, "{") || l == Ready {
				return l
			}
		case <-deadline:
			t.Fatalf("no line from helper within %v", timeout)
		}
	}
}

// StartAdvertiser starts an "advertise" helper in namespace A on IfA with
// the given adverts and waits until they are up. testName is the test
// function of the calling package that hands over to Main.
func StartAdvertiser(t *testing.T, ctx context.Context, n *NetnsPair, testName string, ads []meshcop.BorderRouterAdvert) *Proc {
	t.Helper()
	p := StartHelper(t, ctx, n.A, testName, EnvRole+"=advertise", EnvIface+"="+n.IfA)
	p.Replace(t, ads)
	return p
}

// Replace hands an advertiser helper ads (the first set, or one that
// replaces its adverts) and waits until they are up.
func (p *Proc) Replace(t *testing.T, ads []meshcop.BorderRouterAdvert) {
	t.Helper()
	b, err := json.Marshal(ads)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Stdin.Write(append(b, '\n')); err != nil {
		t.Fatal(err)
	}
	if l := p.Next(t, 10*time.Second); l != Ready {
		t.Fatalf("advertiser said %q", l)
	}
}
