// Package scheduler runs scans: each network on its own clock, never two
// scans of one network at a time, failing sources backed off, scans
// triggered by hand, progress published as events. A scan collects every
// source of the network with backend/collect (in parallel under the scan
// timeout, merged and grouped by network) and saves each snapshot through
// the archive (backend/archive) in one call; a scan cut short by shutdown
// stores nothing, a partial one is stored and marked partial.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/threadmap/threadmap/backend/archive"
	"github.com/threadmap/threadmap/backend/collect"
	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/thread/topology"
)

// Saver stores one snapshot atomically (with everything that follows a
// stored snapshot) and returns its id (*archive.Archive).
type Saver interface {
	Save(ctx context.Context, s *topology.Snapshot, o archive.Origin) (string, error)
}

// Publisher receives the scan events (*events.Bus).
type Publisher interface {
	Publish(events.Payload)
}

// Observer is told about scans, for metrics. Any field may be nil.
type Observer struct {
	// ScanDone is called when a scan of network ends, with its duration.
	ScanDone func(network string, d time.Duration, err error)
	// SourceFailed is called when a source fails in a scan.
	SourceFailed func(source string, err error)
}

// Target is one source the scheduler collects from.
type Target struct {
	// ID is unique and stable ("otbr:http://...", "matter:ws://...", "tmf:demo").
	ID string
	// Network is the network key when already known (from discovery or the
	// demo); otherwise the scheduler learns it from the first snapshot.
	Network string
	// Source collects.
	Source topology.Source
}

// Options configure a Scheduler.
type Options struct {
	Interval    time.Duration
	MaxBackoff  time.Duration
	ScanTimeout time.Duration
	// NetworkIntervals overrides Interval per network key.
	NetworkIntervals map[string]time.Duration
	Store            Saver
	Events           Publisher
	Observer         Observer
	Logger           *slog.Logger
	// History is how many finished scans Scans remembers besides the
	// running ones (default 50).
	History int
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Scan states.
const (
	StateRunning   = "running"
	StateFinished  = "finished"
	StateFailed    = "failed"
	StateCancelled = "cancelled"
)

// Progress counts what the scan's sources asked and what answered.
type Progress struct {
	Queried  int `json:"queried"`
	Answered int `json:"answered"`
	// Sources finished out of SourcesTotal.
	Sources      int `json:"sources"`
	SourcesTotal int `json:"sources_total"`
}

// ScanInfo is one scan as the API shows it.
type ScanInfo struct {
	ID         string     `json:"scan_id"`
	Network    string     `json:"network"`
	State      string     `json:"state"`
	Trigger    string     `json:"trigger"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Progress   Progress   `json:"progress"`
	SnapshotID string     `json:"snapshot_id,omitempty"`
	// SnapshotIDs lists every snapshot the scan stored (more than one when
	// the sources turned out to reach several networks).
	SnapshotIDs []string                `json:"snapshot_ids,omitempty"`
	Error       string                  `json:"error,omitempty"`
	Sources     []topology.SourceReport `json:"sources,omitempty"`
	// Partial: snapshots were stored, but some sources or nodes did not
	// answer within the scan timeout (or were skipped while backing off).
	Partial bool `json:"partial,omitempty"`
}

// Errors of Trigger.
var (
	ErrRunning        = errors.New("a scan of this network is running")
	ErrUnknownNetwork = errors.New("unknown network")
	ErrNoNetworks     = errors.New("no network to scan: no source is configured or discovered yet")
	ErrStopped        = errors.New("scheduler is not running")
)

type sourceState struct {
	t        Target
	learned  string // network key learned from its snapshots
	failures int
	nextTry  time.Time
	lastErr  string
	// scanning: a scan is collecting from it now.
	scanning    bool
	lastAttempt time.Time
	lastOK      time.Time
}

// Source states, as GET /api/v1/sources and the source.state event say them.
const (
	SourceIdle       = "idle"        // not asked yet
	SourceScanning   = "scanning"    // a scan is collecting from it
	SourceOK         = "ok"          // answered last time
	SourceFailing    = "failing"     // failed last time; retried at the next scan
	SourceBackingOff = "backing-off" // failed repeatedly; retried later than the interval
)

// SourceInfo is one source as the API shows it (GET /api/v1/sources).
type SourceInfo = events.SourceStatus

// Sources lists every source with its state, by id.
func (s *Scheduler) Sources() []SourceInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SourceInfo, 0, len(s.sources))
	for _, st := range s.sources {
		out = append(out, s.infoLocked(st))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// infoLocked is st as the API shows it; s.mu is held.
func (s *Scheduler) infoLocked(st *sourceState) SourceInfo {
	kind, target, _ := strings.Cut(st.t.ID, ":")
	if target == "" {
		kind, target = st.t.Source.Name(), st.t.ID
	}
	if kind == "ba" || kind == "commissioner" {
		kind = "border-agent"
	}
	info := SourceInfo{ID: redactURL(st.t.ID), Kind: kind, Target: redactURL(target), Failures: st.failures, LastError: st.lastErr}
	if k := st.key(); !strings.HasPrefix(k, "pending:") {
		info.Network = k
	}
	at := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		u := t.UTC()
		return &u
	}
	info.LastAttemptAt, info.LastOKAt = at(st.lastAttempt), at(st.lastOK)
	next := st.nextTry
	if ns := s.nets[st.key()]; ns != nil && ns.running == nil && ns.nextDue.After(next) {
		next = ns.nextDue
	}
	switch {
	case st.scanning:
		info.State = SourceScanning
	case st.failures > 0 && st.nextTry.Sub(st.lastAttempt) > s.interval(st.key()):
		info.State = SourceBackingOff
	case st.failures > 0:
		info.State = SourceFailing
	case st.lastAttempt.IsZero():
		info.State = SourceIdle
	default:
		info.State = SourceOK
	}
	if !st.scanning {
		info.NextAttemptAt = at(next)
	}
	return info
}

// redactURL drops the user information (credentials) of a URL-shaped string.
func redactURL(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return s[:i+3] + rest[at+1:]
	}
	return s
}

// publishSource sends a source.state event for target id.
func (s *Scheduler) publishSource(id string) {
	s.mu.Lock()
	st := s.sources[id]
	if st == nil {
		s.mu.Unlock()
		return
	}
	info := s.infoLocked(st)
	s.mu.Unlock()
	s.o.Events.Publish(events.SourceStateEvent{SourceStatus: info})
}

func (s *sourceState) key() string {
	if s.t.Network != "" {
		return s.t.Network
	}
	if s.learned != "" {
		return s.learned
	}
	return PendingNetwork(s.t.ID)
}

// PendingNetwork is the network key under which the source with target id
// is scanned until its network is known.
func PendingNetwork(id string) string { return "pending:" + id }

type netState struct {
	running *ScanInfo
	nextDue time.Time
	// partial is the progress running sources reported so far, by target id.
	partial map[string][2]int
	// done sums the counts of the sources that finished.
	done [2]int
}

// Scheduler runs the scans. Create with New, then Run.
type Scheduler struct {
	o       Options
	mu      sync.Mutex
	sources map[string]*sourceState
	nets    map[string]*netState
	history []*ScanInfo
	seq     uint64
	// prefixes maps a mesh-local prefix to the network key a stored
	// snapshot gave it: a source that knows only the prefix (TMF from inside
	// the mesh) joins that network.
	prefixes map[string]string
	ctx      context.Context // set by Run
	started  chan struct{}   // closed once Run has set ctx
	wg       sync.WaitGroup
	wake     chan struct{}
	log      *slog.Logger
}

// New returns a scheduler with no sources.
func New(o Options) *Scheduler {
	if o.Interval <= 0 {
		o.Interval = time.Minute
	}
	if o.MaxBackoff < o.Interval {
		o.MaxBackoff = o.Interval
	}
	if o.ScanTimeout <= 0 {
		o.ScanTimeout = 2 * time.Minute
	}
	if o.History <= 0 {
		o.History = 50
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Events == nil {
		o.Events = nopPublisher{}
	}
	return &Scheduler{o: o, sources: map[string]*sourceState{}, nets: map[string]*netState{}, prefixes: map[string]string{},
		wake: make(chan struct{}, 1), started: make(chan struct{}), log: o.Logger}
}

type nopPublisher struct{}

func (nopPublisher) Publish(events.Payload) {}

// Add adds (or replaces) a target; its network is scanned at the next tick.
func (s *Scheduler) Add(t Target) {
	s.mu.Lock()
	old := s.sources[t.ID]
	st := &sourceState{t: t}
	if old != nil {
		st.learned = old.learned
	}
	s.sources[t.ID] = st
	s.mu.Unlock()
	if old == nil {
		s.log.Info("source added", "source", t.ID, "network", st.key())
	} else {
		s.log.Debug("source replaced", "source", t.ID, "network", st.key())
	}
	s.poke()
}

// Remove drops a target (a border router that disappeared).
func (s *Scheduler) Remove(id string) {
	s.mu.Lock()
	delete(s.sources, id)
	s.mu.Unlock()
	s.log.Info("source removed", "source", id)
}

// Networks lists the network keys the scheduler scans, sorted.
func (s *Scheduler) Networks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.networksLocked()
}

func (s *Scheduler) networksLocked() []string {
	set := map[string]bool{}
	for _, st := range s.sources {
		set[st.key()] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// HasNetwork reports whether key is a network the scheduler scans.
func (s *Scheduler) HasNetwork(key string) bool {
	for _, k := range s.Networks() {
		if k == key {
			return true
		}
	}
	return false
}

// Scans returns running scans and recent finished ones, newest first.
func (s *Scheduler) Scans() []ScanInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ScanInfo, 0, len(s.history))
	for i := len(s.history) - 1; i >= 0; i-- {
		out = append(out, copyInfo(s.history[i]))
	}
	return out
}

// Scan returns one scan by id.
func (s *Scheduler) Scan(id string) (ScanInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sc := range s.history {
		if sc.ID == id {
			return copyInfo(sc), true
		}
	}
	return ScanInfo{}, false
}

func copyInfo(sc *ScanInfo) ScanInfo {
	c := *sc
	c.Sources = append([]topology.SourceReport(nil), sc.Sources...)
	c.SnapshotIDs = append([]string(nil), sc.SnapshotIDs...)
	return c
}

// Trigger starts a scan of network now (by hand). It fails with ErrRunning
// when one is running for that network and ErrUnknownNetwork when no source
// reaches it.
func (s *Scheduler) Trigger(network string) (ScanInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil || s.ctx.Err() != nil {
		return ScanInfo{}, ErrStopped
	}
	found := false
	for _, k := range s.networksLocked() {
		if k == network {
			found = true
		}
	}
	if !found {
		return ScanInfo{}, fmt.Errorf("%w %q", ErrUnknownNetwork, network)
	}
	ns := s.net(network)
	if ns.running != nil {
		return copyInfo(ns.running), ErrRunning
	}
	return copyInfo(s.startLocked(network, "manual")), nil
}

// TriggerAll starts a scan of every network that is not scanning already.
func (s *Scheduler) TriggerAll() ([]ScanInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil || s.ctx.Err() != nil {
		return nil, ErrStopped
	}
	keys := s.networksLocked()
	if len(keys) == 0 {
		return nil, ErrNoNetworks
	}
	var out []ScanInfo
	for _, k := range keys {
		ns := s.net(k)
		if ns.running != nil {
			out = append(out, copyInfo(ns.running))
			continue
		}
		out = append(out, copyInfo(s.startLocked(k, "manual")))
	}
	return out, nil
}

func (s *Scheduler) net(key string) *netState {
	ns := s.nets[key]
	if ns == nil {
		ns = &netState{}
		s.nets[key] = ns
	}
	return ns
}

func (s *Scheduler) interval(key string) time.Duration {
	if d, ok := s.o.NetworkIntervals[key]; ok && d > 0 {
		return d
	}
	return s.o.Interval
}

func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run schedules scans until ctx ends, then waits for running scans to end
// (they store nothing once ctx is cancelled mid-collection).
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	s.ctx = ctx
	s.mu.Unlock()
	close(s.started)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		s.startDue()
		select {
		case <-ctx.Done():
			s.wg.Wait()
			return nil
		case <-tick.C:
		case <-s.wake:
		}
	}
}

// startDue starts a scan of every network whose time has come.
func (s *Scheduler) startDue() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.o.Now()
	for _, k := range s.networksLocked() {
		ns := s.net(k)
		if ns.running != nil || now.Before(ns.nextDue) {
			continue
		}
		// When every source of the network is backing off, wait for the
		// first to be due rather than record a scan that asks nobody.
		// (A healthy source has a zero nextTry: it is due now, so the
		// earliest is zero; "first seen" is tracked apart from the value.)
		earliest, seen := time.Time{}, false
		for _, st := range s.sources {
			if st.key() == k && (!seen || st.nextTry.Before(earliest)) {
				earliest, seen = st.nextTry, true
			}
		}
		if now.Before(earliest) {
			ns.nextDue = earliest
			continue
		}
		s.startLocked(k, "schedule")
	}
}

// trimHistoryLocked keeps the History newest finished scans besides the
// running ones (at most one per network); s.mu is held.
func (s *Scheduler) trimHistoryLocked() {
	finished := 0
	for _, sc := range s.history {
		if sc.FinishedAt != nil {
			finished++
		}
	}
	if finished <= s.o.History {
		return
	}
	kept := s.history[:0]
	for _, sc := range s.history { // oldest first: drop the oldest finished
		if sc.FinishedAt != nil && finished > s.o.History {
			finished--
			continue
		}
		kept = append(kept, sc)
	}
	clear(s.history[len(kept):])
	s.history = kept
}

// startLocked starts a scan goroutine for network key; s.mu is held.
func (s *Scheduler) startLocked(key, trigger string) *ScanInfo {
	s.seq++
	now := s.o.Now().UTC()
	info := &ScanInfo{ID: strconv.FormatInt(now.Unix(), 36) + "-" + strconv.FormatUint(s.seq, 10), Network: key, State: StateRunning, Trigger: trigger, StartedAt: now}
	ns := s.net(key)
	ns.running = info
	ns.partial = map[string][2]int{}
	ns.done = [2]int{}
	s.history = append(s.history, info)
	s.trimHistoryLocked()
	var targets []*sourceState
	for _, st := range s.sources {
		if st.key() == key {
			c := *st
			targets = append(targets, &c)
		}
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].t.ID < targets[j].t.ID })
	info.Progress.SourcesTotal = len(targets)
	ctx, timeout := s.ctx, s.o.ScanTimeout
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.run(ctx, info, targets, timeout)
	}()
	return info
}

// run is one scan of one network.
func (s *Scheduler) run(parent context.Context, info *ScanInfo, targets []*sourceState, timeout time.Duration) {
	start := s.o.Now()
	log := s.log.With("scan_id", info.ID, "network", info.Network)
	log.Info("scan started", "sources", len(targets), "trigger", info.Trigger)
	s.o.Events.Publish(events.ScanStartedEvent{ScanID: info.ID, Network: info.Network, Sources: len(targets)})

	// Back-off spaces scheduled scans; a scan asked for by hand retries
	// every source.
	var skipped []topology.SourceReport
	var asked []collect.Target
	byID := map[string]*sourceState{}
	for _, st := range targets {
		if info.Trigger == "schedule" && start.Before(st.nextTry) {
			skipped = append(skipped, topology.SourceReport{Name: st.t.Source.Name(), Target: st.t.ID,
				Notes: []string{"skipped: backing off after " + strconv.Itoa(st.failures) + " failure(s) until " + st.nextTry.UTC().Format(time.RFC3339) + ": " + st.lastErr}})
			s.sourceDone(info, st.t.ID, nil)
			continue
		}
		byID[st.t.ID] = st
		asked = append(asked, collect.Target{ID: st.t.ID, Source: st.t.Source})
		s.mu.Lock()
		if live := s.sources[st.t.ID]; live != nil {
			live.scanning = true
		}
		s.mu.Unlock()
		s.publishSource(st.t.ID)
	}
	res := collect.Run(parent, asked, collect.Options{Budget: timeout, Network: info.Network, Now: s.o.Now,
		Done: func(src collect.Source) {
			s.account(byID[src.Target.ID], src)
			s.sourceDone(info, src.Target.ID, src.Part)
		}})
	reports := append(res.Reports(), skipped...)
	failures := res.Failures()

	if res.Cancelled && parent.Err() != nil {
		// Shutdown while collecting: store nothing rather than half a picture.
		s.finish(info, StateCancelled, "cancelled: shutting down", start, nil, nil, reports, false)
		log.Info("scan cancelled", "reason", "shutdown")
		return
	}
	if len(res.Snapshots) == 0 {
		errText := "no source answered"
		if len(failures) > 0 {
			errText += ": " + strings.Join(failures, "; ")
		} else if len(targets) > 0 {
			errText += ": every source is backing off"
		}
		s.finish(info, StateFailed, errText, start, errors.New(errText), nil, reports, false)
		log.Warn("scan failed", "error", errText)
		return
	}
	partial := res.Partial || len(skipped) > 0
	// Once collection is done the snapshot is written whole even if shutdown
	// begins now: the store writes it in one transaction.
	storeCtx := context.WithoutCancel(parent)
	var ids []string
	for _, snap := range res.Snapshots {
		snap.Scan.Sources = append(snap.Scan.Sources, skipped...)
		snap.Scan.Partial = partial
		id, err := s.o.Store.Save(storeCtx, snap, archive.Origin{ScanID: info.ID})
		if err != nil {
			failures = append(failures, "store: "+err.Error())
			log.Error("store snapshot", "error", err)
			continue
		}
		ids = append(ids, id)
		s.learn(snap, res.Sources)
	}
	state, errText := StateFinished, ""
	var err error
	switch {
	case len(ids) == 0:
		state = StateFailed
		err = errors.New(strings.Join(failures, "; "))
		errText = err.Error()
	case len(failures) > 0:
		errText = "partial: " + strings.Join(failures, "; ")
	}
	s.finish(info, state, errText, start, err, ids, reports, partial && len(ids) > 0)
	log.Info("scan finished", "state", state, "partial", partial, "duration", s.o.Now().Sub(start).Round(time.Millisecond), "snapshots", len(ids))
}

// learn records which network each source without a fixed one reaches,
// and the mesh-local prefix of snap's network: a source that knows only
// the prefix (TMF from inside the mesh) joins that network.
func (s *Scheduler) learn(snap *topology.Snapshot, got []collect.Source) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := snap.Network.Key(); k != "unknown" && snap.Network.MeshLocalPrefix != "" {
		s.prefixes[snap.Network.MeshLocalPrefix] = k
	}
	for _, r := range got {
		live := s.sources[r.Target.ID]
		if r.Part == nil || live == nil || live.t.Network != "" {
			continue
		}
		k := r.Part.Network.Key()
		if k == "unknown" {
			k = s.prefixes[r.Part.Network.MeshLocalPrefix]
		}
		if k != "" && k != "unknown" {
			if live.learned != k {
				s.log.Info("source joins network", "source", r.Target.ID, "network", k)
			}
			live.learned = k
		}
	}
}

// sourceDone counts a finished (or skipped) source into the scan's
// progress and publishes scan.progress.
func (s *Scheduler) sourceDone(info *ScanInfo, targetID string, part *topology.Snapshot) {
	s.mu.Lock()
	info.Progress.Sources++
	ns := s.net(info.Network)
	delete(ns.partial, targetID)
	if part != nil {
		for _, rep := range part.Scan.Sources {
			ns.done[0] += rep.Queried
			ns.done[1] += rep.Answered
		}
	}
	s.sumProgressLocked(ns, info)
	p := info.Progress
	s.mu.Unlock()
	s.publishProgress(info, p, targetID)
}

func (s *Scheduler) publishProgress(info *ScanInfo, p Progress, targetID string) {
	s.o.Events.Publish(events.ScanProgressEvent{ScanID: info.ID, Network: info.Network, Queried: p.Queried, Answered: p.Answered,
		Sources: p.Sources, SourcesTotal: p.SourcesTotal, Source: targetID})
}

// sumProgressLocked sets info's counts from finished and running sources.
func (s *Scheduler) sumProgressLocked(ns *netState, info *ScanInfo) {
	q, a := ns.done[0], ns.done[1]
	for _, p := range ns.partial {
		q += p[0]
		a += p[1]
	}
	info.Progress.Queried, info.Progress.Answered = q, a
}

// SourceProgress lets a source that reports progress while it collects
// (the TMF crawler) feed the scan of its network: the counts are its own
// so far. A scan.progress event is published when they change.
func (s *Scheduler) SourceProgress(targetID string, queried, answered int) {
	s.mu.Lock()
	st := s.sources[targetID]
	if st == nil {
		s.mu.Unlock()
		return
	}
	ns := s.nets[st.key()]
	if ns == nil || ns.running == nil || ns.partial == nil {
		s.mu.Unlock()
		return
	}
	if old, ok := ns.partial[targetID]; ok && old == [2]int{queried, answered} {
		s.mu.Unlock()
		return
	}
	ns.partial[targetID] = [2]int{queried, answered}
	info := ns.running
	s.sumProgressLocked(ns, info)
	p := info.Progress
	s.mu.Unlock()
	s.publishProgress(info, p, targetID)
}

// account updates a source's back-off after a scan.
func (s *Scheduler) account(st *sourceState, r collect.Source) {
	if st == nil {
		return
	}
	failed := r.Err != nil || r.Part == nil
	errText := ""
	if failed {
		errText = r.Reports()[0].Error
	} else {
		answered, errs := 0, []string{}
		for _, rep := range r.Part.Scan.Sources {
			answered += rep.Answered
			if rep.Error != "" {
				errs = append(errs, rep.Error)
			}
		}
		if answered == 0 && len(errs) > 0 && len(r.Part.Nodes) == 0 {
			failed, errText = true, strings.Join(errs, "; ")
		}
	}
	s.mu.Lock()
	live := s.sources[st.t.ID]
	if live == nil {
		s.mu.Unlock()
		return
	}
	defer s.publishSource(st.t.ID)
	live.scanning = false
	live.lastAttempt = s.o.Now()
	if !failed {
		live.failures, live.nextTry, live.lastErr = 0, time.Time{}, ""
		live.lastOK = live.lastAttempt
		s.mu.Unlock()
		return
	}
	live.failures++
	wait := s.interval(st.key())
	for i := 1; i < live.failures && wait < s.o.MaxBackoff; i++ {
		wait *= 2
	}
	wait = min(wait, s.o.MaxBackoff)
	live.nextTry = live.lastAttempt.Add(wait)
	live.lastErr = errText
	st.failures, st.nextTry, st.lastErr = live.failures, live.nextTry, live.lastErr
	s.mu.Unlock()
	s.log.Warn("source failed", "source", st.t.ID, "failures", live.failures, "retry_in", wait, "error", errText)
	if s.o.Observer.SourceFailed != nil {
		s.o.Observer.SourceFailed(st.t.Source.Name(), errors.New(errText))
	}
}

// finish records the end of a scan and publishes scan.finished.
func (s *Scheduler) finish(info *ScanInfo, state, errText string, start time.Time, err error, ids []string, reports []topology.SourceReport, partial bool) {
	now := s.o.Now().UTC()
	s.mu.Lock()
	info.SnapshotIDs = ids
	if len(ids) > 0 {
		info.SnapshotID = ids[0]
	}
	info.Sources = reports
	info.State = state
	info.Error = errText
	info.Partial = partial
	info.FinishedAt = &now
	ns := s.net(info.Network)
	if ns.running == info {
		ns.running = nil
	}
	ns.nextDue = s.o.Now().Add(s.interval(info.Network))
	s.trimHistoryLocked()
	s.mu.Unlock()
	if s.o.Observer.ScanDone != nil && state != StateCancelled {
		s.o.Observer.ScanDone(info.Network, s.o.Now().Sub(start), err)
	}
	s.o.Events.Publish(events.ScanFinishedEvent{ScanID: info.ID, Network: info.Network, State: state,
		SnapshotID: first(ids), SnapshotIDs: ids, Error: errText, Partial: partial})
}

func first(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// Timing is the part of Options that can change while the scheduler runs.
type Timing struct {
	Interval    time.Duration
	MaxBackoff  time.Duration
	ScanTimeout time.Duration
	// NetworkIntervals overrides Interval per network key.
	NetworkIntervals map[string]time.Duration
}

// Timing returns the intervals, back-off cap and scan timeout in use.
func (s *Scheduler) Timing() Timing {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := Timing{Interval: s.o.Interval, MaxBackoff: s.o.MaxBackoff, ScanTimeout: s.o.ScanTimeout,
		NetworkIntervals: make(map[string]time.Duration, len(s.o.NetworkIntervals))}
	for k, d := range s.o.NetworkIntervals {
		t.NetworkIntervals[k] = d
	}
	return t
}

// SetTiming changes the intervals, back-off cap and scan timeout at once
// (zero values keep the current ones, as New's defaults do). A network
// whose next scan is further away than its new interval is due after the
// new interval from now; a backing-off source waits at most the new cap.
// The scan timeout applies to scans that start from now on.
func (s *Scheduler) SetTiming(t Timing) {
	s.mu.Lock()
	if t.Interval > 0 {
		s.o.Interval = t.Interval
	}
	if t.MaxBackoff > 0 {
		s.o.MaxBackoff = t.MaxBackoff
	}
	if s.o.MaxBackoff < s.o.Interval {
		s.o.MaxBackoff = s.o.Interval
	}
	if t.ScanTimeout > 0 {
		s.o.ScanTimeout = t.ScanTimeout
	}
	ni := make(map[string]time.Duration, len(t.NetworkIntervals))
	for k, d := range t.NetworkIntervals {
		ni[k] = d
	}
	s.o.NetworkIntervals = ni
	now := s.o.Now()
	for k, ns := range s.nets {
		if due := now.Add(s.interval(k)); ns.nextDue.After(due) {
			ns.nextDue = due
		}
	}
	for _, st := range s.sources {
		if due := now.Add(s.o.MaxBackoff); st.nextTry.After(due) {
			st.nextTry = due
		}
	}
	s.mu.Unlock()
	s.log.Info("timing changed", "interval", t.Interval, "max_backoff", t.MaxBackoff, "scan_timeout", t.ScanTimeout)
	s.poke()
}
