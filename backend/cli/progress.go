package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// progressBoard keeps the user informed while a scan's sources collect in
// parallel: one status line on stderr, rewritten in place, names every
// source still collecting (a TMF crawl with its counts, the others with the
// time they have taken), and each source that finishes leaves a line of
// its own ("otbr http://...: 250/250 answered in 3.1 s"). It is silent
// unless stderr is a terminal or THREADMAP_PROGRESS=1, and never writes to
// stdout. A nil board does nothing.
type progressBoard struct {
	w     io.Writer
	start time.Time
	tick  *time.Ticker
	done  chan struct{}

	mu      sync.Mutex
	running map[string]string // source id → status; "" for "asking"
	since   map[string]time.Time
	shown   bool
	ended   bool
}

// newProgressBoard returns a board on env's stderr, or nil when progress
// is not wanted.
func newProgressBoard(env *Env) *progressBoard {
	if !wantProgress(env) {
		return nil
	}
	b := &progressBoard{w: env.Stderr, start: time.Now(), tick: time.NewTicker(500 * time.Millisecond), done: make(chan struct{}),
		running: map[string]string{}, since: map[string]time.Time{}}
	go func() {
		for {
			select {
			case <-b.done:
				return
			case <-b.tick.C:
				b.mu.Lock()
				b.redrawLocked()
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// Source wraps src so that the board shows it while it collects and
// reports how it ended.
func (b *progressBoard) Source(id string, src topology.Source) topology.Source {
	if b == nil {
		return src
	}
	return &boardSource{b: b, id: id, src: src}
}

// Crawl is a TMF crawl's progress callback for source id.
func (b *progressBoard) Crawl(id string) func(tmf.Progress) {
	if b == nil {
		return nil
	}
	return func(p tmf.Progress) {
		b.set(id, fmt.Sprintf("%s %d/%d nodes, %d answered", p.Phase, p.Done, p.Known, p.Answered))
	}
}

// Close ends the status line.
func (b *progressBoard) Close() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ended {
		return
	}
	b.ended = true
	b.tick.Stop()
	close(b.done)
	if b.shown {
		fmt.Fprint(b.w, "\r\033[K")
	}
}

func (b *progressBoard) set(id, status string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.since[id]; !ok {
		b.since[id] = time.Now()
	}
	b.running[id] = status
	b.redrawLocked()
}

// finish prints source id's outcome on a line of its own.
func (b *progressBoard) finish(id, outcome string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.running, id)
	if b.ended {
		return
	}
	fmt.Fprintf(b.w, "\r\033[K%s: %s\n", id, outcome)
	b.shown = false
	b.redrawLocked()
}

// redrawLocked rewrites the status line; b.mu is held.
func (b *progressBoard) redrawLocked() {
	if b.ended || len(b.running) == 0 {
		return
	}
	ids := make([]string, 0, len(b.running))
	for id := range b.running {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	parts := make([]string, 0, len(ids))
	for _, id := range ids {
		st := b.running[id]
		if st == "" {
			st = fmt.Sprintf("asking… %.1fs", time.Since(b.since[id]).Seconds())
		}
		parts = append(parts, id+": "+st)
	}
	fmt.Fprintf(b.w, "\r\033[K%s", strings.Join(parts, " · "))
	b.shown = true
}

// boardSource is a source the board follows.
type boardSource struct {
	b   *progressBoard
	id  string
	src topology.Source
}

func (s *boardSource) Name() string { return s.src.Name() }

func (s *boardSource) Collect(ctx context.Context) (*topology.Snapshot, error) {
	t0 := time.Now()
	s.b.mu.Lock()
	s.b.since[s.id] = t0
	if _, ok := s.b.running[s.id]; !ok {
		s.b.running[s.id] = ""
	}
	s.b.redrawLocked()
	s.b.mu.Unlock()
	snap, err := s.src.Collect(ctx)
	took := time.Since(t0).Seconds()
	switch {
	case err != nil:
		s.b.finish(s.id, fmt.Sprintf("failed after %.1f s: %v", took, err))
	case snap == nil:
		s.b.finish(s.id, fmt.Sprintf("nothing after %.1f s", took))
	default:
		q, a, errs := 0, 0, 0
		for _, r := range snap.Scan.Sources {
			q, a = q+r.Queried, a+r.Answered
			if r.Error != "" {
				errs++
			}
		}
		out := fmt.Sprintf("%d nodes, %d/%d answered in %.1f s", len(snap.Nodes), a, q, took)
		if errs > 0 {
			out += fmt.Sprintf(" (%d error(s) in its report)", errs)
		}
		s.b.finish(s.id, out)
	}
	return snap, err
}
