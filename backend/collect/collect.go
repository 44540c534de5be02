// Package collect is the one collect-and-merge of threadmap, for
// `threadmap scan` and the scheduler of `threadmap serve` alike: it runs
// the sources in parallel under one budget, keeps everything they
// collected, merges the partial snapshots (topology.Merge, which
// normalizes), groups them by network and says what each source did.
package collect

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// Target is one source to collect from.
type Target struct {
	// ID names the target in reports ("otbr:http://...", "tmf:fd11::/64").
	ID     string
	Source topology.Source
}

// Options tune one Run.
type Options struct {
	// Budget bounds the whole collection (0: only ctx bounds it). Sources
	// see it as their context's deadline and return what they have.
	Budget time.Duration
	// Grace is how long Run still waits past the budget for a source that
	// ignores its context before reporting it as not answering (default 2 s).
	Grace time.Duration
	// Network is the network key parts without an identity of their own
	// join (the scheduler's network); "" lets them join the only one found.
	Network string
	// Done, when set, is called as each source ends, one call at a time,
	// in the order they end.
	Done func(Source)
	// Now is the clock (default time.Now); it stamps snapshots whose
	// sources gave no time.
	Now func() time.Time
}

// Source is what one target did.
type Source struct {
	Target Target
	// Part is its partial snapshot (nil when it failed).
	Part *topology.Snapshot
	// Err is why it gave nothing.
	Err      error
	Duration time.Duration
}

// Reports are the source's reports: its own (with Target filled in), or
// one saying why it failed.
func (s Source) Reports() []topology.SourceReport {
	if s.Part == nil {
		msg := "no snapshot"
		if s.Err != nil {
			msg = s.Err.Error()
		}
		return []topology.SourceReport{{Name: s.Target.Source.Name(), Target: s.Target.ID, Error: msg,
			DurationMs: s.Duration.Milliseconds()}}
	}
	out := make([]topology.SourceReport, len(s.Part.Scan.Sources))
	copy(out, s.Part.Scan.Sources)
	for i := range out {
		if out[i].Target == "" {
			out[i].Target = s.Target.ID
		}
	}
	return out
}

// Result is one collection.
type Result struct {
	// Snapshots holds one merged snapshot per network the sources reached,
	// by network key. Each carries the reports of its own sources and of
	// the sources that failed.
	Snapshots []*topology.Snapshot
	// Sources says what each target did, in target order.
	Sources []Source
	// Partial: a source failed, reported a partial collection or an error,
	// or nodes did not answer within the budget. What was collected is kept.
	Partial bool
	// Cancelled: ctx ended before the sources did (shutdown, interrupt),
	// not the budget.
	Cancelled bool
}

// Reports lists every source's reports, in target order.
func (r *Result) Reports() []topology.SourceReport {
	var out []topology.SourceReport
	for _, s := range r.Sources {
		out = append(out, s.Reports()...)
	}
	return out
}

// Failures names the sources that gave nothing, with their errors.
func (r *Result) Failures() []string {
	var out []string
	for _, s := range r.Sources {
		if s.Part == nil {
			out = append(out, s.Reports()[0].Target+": "+s.Reports()[0].Error)
		}
	}
	return out
}

// ErrNoAnswer is the error of a source still running when the budget and
// its grace ran out.
var ErrNoAnswer = errors.New("no answer within the scan budget")

// Run collects from every target at once and merges what came back.
func Run(ctx context.Context, targets []Target, o Options) *Result {
	if o.Grace <= 0 {
		o.Grace = 2 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	start, t0 := o.Now(), time.Now()
	cctx, cancel := ctx, context.CancelFunc(func() {})
	if o.Budget > 0 {
		cctx, cancel = context.WithTimeout(ctx, o.Budget)
	}
	defer cancel()

	type done struct {
		i int
		s Source
	}
	results := make(chan done, len(targets)) // buffered: an abandoned source never blocks
	for i, t := range targets {
		go func() {
			t0 := time.Now()
			part, err := collectOne(cctx, t.Source)
			results <- done{i, Source{Target: t, Part: part, Err: err, Duration: time.Since(t0)}}
		}()
	}
	out := &Result{Sources: make([]Source, len(targets))}
	got := make([]bool, len(targets))
	record := func(i int, s Source) {
		out.Sources[i], got[i] = s, true
		if o.Done != nil {
			o.Done(s)
		}
	}
	budget := cctx.Done()
	var late <-chan time.Time
	for n := 0; n < len(targets); {
		select {
		case d := <-results:
			record(d.i, d.s)
			n++
			continue
		case <-budget:
			budget = nil
			timer := time.NewTimer(o.Grace)
			defer timer.Stop()
			late = timer.C
			continue
		case <-late:
		}
		// The grace ran out: whoever is still running did not answer.
		for i, ok := range got {
			if !ok {
				record(i, Source{Target: targets[i], Err: ErrNoAnswer, Duration: time.Since(t0)})
				n++
			}
		}
	}
	out.Cancelled = ctx.Err() != nil

	var parts []*topology.Snapshot
	var failed []topology.SourceReport
	for _, s := range out.Sources {
		if s.Part == nil {
			out.Partial = true
			failed = append(failed, s.Reports()...)
			continue
		}
		for _, r := range s.Reports() {
			if r.Partial || r.Error != "" || r.TimedOut > 0 {
				out.Partial = true
			}
		}
		p := *s.Part
		p.Scan.Sources = s.Reports()
		parts = append(parts, &p)
	}
	if out.Cancelled {
		out.Partial = true
	}
	for _, group := range byNetwork(parts, o.Network) {
		snap := topology.Merge(group...)
		snap.Scan.Sources = append(snap.Scan.Sources, failed...)
		if snap.TakenAt.IsZero() {
			snap.TakenAt = start.UTC()
		}
		snap.Scan.Partial = out.Partial
		snap.ID = ""
		out.Snapshots = append(out.Snapshots, snap)
	}
	return out
}

// collectOne runs one source, turning a panic into an error so that one
// broken source cannot take the program down.
func collectOne(ctx context.Context, src topology.Source) (part *topology.Snapshot, err error) {
	defer func() {
		if r := recover(); r != nil {
			part, err = nil, fmt.Errorf("source %s panicked: %v", src.Name(), r)
		}
	}()
	part, err = src.Collect(ctx)
	if err == nil && part == nil {
		err = fmt.Errorf("source %s returned no snapshot", src.Name())
	}
	if err != nil {
		return nil, err
	}
	return part, nil
}

// byNetwork groups parts by network key. A part without an identity (a
// TMF crawl knows only the mesh-local prefix) joins the network with its
// mesh-local prefix, else the network scanKey names, else the only
// network found; failing that the unidentified parts stay together.
func byNetwork(parts []*topology.Snapshot, scanKey string) [][]*topology.Snapshot {
	groups := map[string][]*topology.Snapshot{}
	prefixes := map[string]string{} // mesh-local prefix → key
	var unknown []*topology.Snapshot
	for _, p := range parts {
		k := p.Network.Key()
		if k == "unknown" {
			unknown = append(unknown, p)
			continue
		}
		groups[k] = append(groups[k], p)
		if pre := p.Network.MeshLocalPrefix; pre != "" {
			prefixes[pre] = k
		}
	}
	var rest []*topology.Snapshot
	for _, p := range unknown {
		if k, ok := prefixes[p.Network.MeshLocalPrefix]; ok && p.Network.MeshLocalPrefix != "" {
			groups[k] = append(groups[k], p)
		} else {
			rest = append(rest, p)
		}
	}
	if len(rest) > 0 {
		switch {
		case len(groups[scanKey]) > 0:
			groups[scanKey] = append(groups[scanKey], rest...)
		case len(groups) == 1:
			for k := range groups {
				groups[k] = append(groups[k], rest...)
			}
		default:
			groups["unknown"] = append(groups["unknown"], rest...)
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][]*topology.Snapshot, 0, len(keys))
	for _, k := range keys {
		out = append(out, groups[k])
	}
	return out
}
