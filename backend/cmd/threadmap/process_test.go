package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildThreadmap builds this command into dir and returns the binary's path.
func buildThreadmap(tb testing.TB, dir string) string {
	tb.Helper()
	bin := filepath.Join(dir, "threadmap")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// serveProcess is a running `threadmap serve`.
type serveProcess struct {
	cmd  *exec.Cmd
	addr string
	mu   sync.Mutex
	log  strings.Builder
	// longest is the longest log line seen, in bytes.
	longest int
	done    chan struct{}
}

// maxKeptLine is how much of one log line serveProcess keeps.
const maxKeptLine = 4096

// startServe starts bin with args (JSON logs added) and waits until it
// logs its listen address.
func startServe(tb testing.TB, bin string, args ...string) *serveProcess {
	tb.Helper()
	return startServeIn(tb, nil, bin, args...)
}

// startServeIn is startServe behind a command prefix (e.g. ip netns exec NS,
// which execs the binary in place, so the PID is still threadmap's).
func startServeIn(tb testing.TB, prefix []string, bin string, args ...string) *serveProcess {
	tb.Helper()
	p, exited := tryServe(tb, prefix, bin, args...)
	if exited {
		tb.Fatalf("threadmap serve exited before listening:\n%s", p.logs())
	}
	return p
}

// tryServe starts serve as startServeIn does and waits until it listens
// (exited false) or exits (exited true: p.cmd.Wait has its status).
func tryServe(tb testing.TB, prefix []string, bin string, args ...string) (p *serveProcess, exited bool) {
	tb.Helper()
	argv := append(append(append([]string{}, prefix...), bin, "serve", "--log-format", "json"), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "THREADMAP_TOKEN=", "THREADMAP_LISTEN=", "THREADMAP_DB=", "THREADMAP_CONFIG=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	p = &serveProcess{cmd: cmd, done: make(chan struct{})}
	addrCh := make(chan string, 1)
	go func() {
		defer close(p.done)
		// Lines are read whole however long (a scanner would stop at its
		// buffer and lose the rest of the log); a long one is kept cut, and
		// its length remembered.
		br := bufio.NewReaderSize(stderr, 64<<10)
		for {
			line, err := br.ReadString('\n')
			if line == "" && err != nil {
				break
			}
			line = strings.TrimSuffix(line, "\n")
			p.mu.Lock()
			p.longest = max(p.longest, len(line))
			if len(line) > maxKeptLine {
				line = line[:maxKeptLine] + "… (" + strconv.Itoa(len(line)) + " bytes)"
			}
			p.log.WriteString(line + "\n")
			p.mu.Unlock()
			var rec struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				select {
				case addrCh <- rec.Addr:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	tb.Cleanup(func() { p.stop(tb) })
	select {
	case p.addr = <-addrCh:
		return p, false
	case <-p.done:
		return p, true
	case <-time.After(60 * time.Second):
		tb.Fatalf("threadmap serve did not listen within 60 s:\n%s", p.logs())
	}
	return p, false
}

func (p *serveProcess) logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// stop sends SIGTERM to the process (by its PID), waits for it, and kills
// it if it does not stop within 20 s. It returns the exit error.
func (p *serveProcess) stop(tb testing.TB) error {
	if p.cmd.ProcessState != nil {
		return nil
	}
	_ = syscall.Kill(p.cmd.Process.Pid, syscall.SIGTERM)
	waited := make(chan error, 1)
	go func() { <-p.done; waited <- p.cmd.Wait() }()
	select {
	case err := <-waited:
		return err
	case <-time.After(20 * time.Second):
		_ = syscall.Kill(p.cmd.Process.Pid, syscall.SIGKILL)
		err := <-waited
		tb.Errorf("threadmap serve (pid %d) ignored SIGTERM for 20 s; killed", p.cmd.Process.Pid)
		return err
	}
}

// rssKB reads VmRSS and VmHWM (peak) of the process from /proc.
func rssKB(pid int) (rss, peak int64) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = n
		case "VmHWM:":
			peak = n
		}
	}
	return rss, peak
}
