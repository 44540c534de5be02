package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// lockedBuffer is a bytes.Buffer safe for the board's ticker.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// fixedSource answers snap or err.
type fixedSource struct {
	snap *topology.Snapshot
	err  error
}

func (f fixedSource) Name() string { return "fixed" }
func (f fixedSource) Collect(context.Context) (*topology.Snapshot, error) {
	return f.snap, f.err
}

// With THREADMAP_PROGRESS=1 every source leaves a line saying how it
// ended; without it (stderr not a terminal) the board says nothing.
func TestProgressBoardLinePerSource(t *testing.T) {
	var out lockedBuffer
	env := &Env{Stderr: &out, Getenv: func(k string) string {
		if k == "THREADMAP_PROGRESS" {
			return "1"
		}
		return ""
	}}
	b := newProgressBoard(env)
	snap := topology.New(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	snap.Nodes = []topology.Node{{ID: "a"}, {ID: "b"}}
	snap.Scan.Sources = []topology.SourceReport{{Name: "otbr", Queried: 2, Answered: 2}}
	ok := b.Source("otbr http://127.0.0.1:8081", fixedSource{snap: snap})
	bad := b.Source("matter ws://127.0.0.1:5580/ws", fixedSource{err: errors.New("connection refused")})
	crawl := b.Crawl("tmf fd00::/64")
	crawl(tmf.Progress{Phase: "routers", Done: 3, Known: 8, Answered: 3})
	if _, err := ok.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := bad.Collect(context.Background()); err == nil {
		t.Fatal("the failing source's error was lost")
	}
	b.Close()
	got := out.String()
	for _, want := range []string{
		"otbr http://127.0.0.1:8081: 2 nodes, 2/2 answered in ",
		"matter ws://127.0.0.1:5580/ws: failed after ",
		"connection refused\n",
		"tmf fd00::/64: routers 3/8 nodes, 3 answered",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("progress lacks %q:\n%q", want, got)
		}
	}
	var quiet bytes.Buffer
	if b := newProgressBoard(&Env{Stderr: &quiet}); b != nil {
		t.Error("a board without a terminal or THREADMAP_PROGRESS=1")
	}
	var nilBoard *progressBoard
	if nilBoard.Source("x", fixedSource{}) == nil || nilBoard.Crawl("x") != nil {
		t.Error("nil board")
	}
	nilBoard.Close()
}
