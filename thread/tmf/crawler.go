package tmf

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/topology"
)

// Transport is the seam under the crawler: unicast DIAG_GET.req and
// DIAG_GET.qry to a node by RLOC16/ALOC16. Client is the UDP transport.
type Transport interface {
	// Get sends DIAG_GET.req and returns the decoded answer.
	Get(ctx context.Context, to topology.Rloc16, types []diag.Type) (*diag.Message, error)
	// Query sends DIAG_GET.qry and returns every DIAG_GET.ans message.
	Query(ctx context.Context, to topology.Rloc16, types []diag.Type) ([]*diag.Message, error)
}

// Which children the crawler asks directly (their parents' Child TLVs
// already give every child's ext address, mode and link).
type ChildQueries int

// ChildQueries values.
const (
	// ChildrenNone: children are known from their parents only (default).
	ChildrenNone ChildQueries = iota
	// ChildrenRxOn: also ask rx-on children (MEDs, REEDs) for their own TLVs.
	ChildrenRxOn
	// ChildrenAll: also ask sleepy children, which answer only when they
	// poll (SleepyTimeout per request).
	ChildrenAll
)

// TLV sets the crawler asks for.
var (
	// RouterTypes: a router's own TLVs (DIAG_GET.req).
	RouterTypes = []diag.Type{diag.TypeExtMacAddress, diag.TypeAddress16, diag.TypeMode, diag.TypeConnectivity,
		diag.TypeRoute64, diag.TypeLeaderData, diag.TypeIPv6AddressList, diag.TypeMacCounters, diag.TypeChildTable,
		diag.TypeMaxChildTimeout, diag.TypeEUI64, diag.TypeVersion, diag.TypeVendorName, diag.TypeVendorModel,
		diag.TypeVendorSWVersion, diag.TypeThreadStackVersion, diag.TypeMleCounters}
	// ListTypes: a router's children and neighbors (DIAG_GET.qry).
	ListTypes = []diag.Type{diag.TypeChild, diag.TypeChildIPv6AddressList, diag.TypeRouterNeighbor}
	// TopologyTypes: only what the topology needs from a router (the
	// Detail Topology crawl); children then come from Child TLVs alone.
	TopologyTypes = []diag.Type{diag.TypeExtMacAddress, diag.TypeAddress16, diag.TypeMode, diag.TypeRoute64,
		diag.TypeLeaderData, diag.TypeChildTable}
	// ChildTypes: a child's own TLVs.
	ChildTypes = []diag.Type{diag.TypeExtMacAddress, diag.TypeAddress16, diag.TypeMode, diag.TypeTimeout,
		diag.TypeLeaderData, diag.TypeIPv6AddressList, diag.TypeBatteryLevel, diag.TypeSupplyVoltage, diag.TypeEUI64,
		diag.TypeVersion, diag.TypeVendorName, diag.TypeVendorModel, diag.TypeVendorSWVersion, diag.TypeThreadStackVersion}
)

// Detail is how much a crawl asks each router for.
type Detail int

// Detail values.
const (
	// DetailFull: RouterTypes (counters, addresses, vendor strings, ...)
	// and ListTypes (children, their addresses, router neighbors).
	DetailFull Detail = iota
	// DetailTopology: TopologyTypes, and the Child TLVs only of routers
	// whose child table is not empty — the fewest bytes that still give
	// every node, parent and router link.
	DetailTopology
)

// Config configures a Crawler. Zero values pick the defaults named.
type Config struct {
	// Transport reaches the nodes (required).
	Transport Transport
	// Name is the source name (default "tmf"); Target describes where the
	// crawl went, for the report (e.g. the mesh-local prefix).
	Name   string
	Target string
	// Start lists where to begin, in order (default: the leader ALOC
	// 0xfc00); any router will do.
	Start []topology.Rloc16
	// Parallel bounds the requests in flight (default 8; 1 = sequential).
	Parallel int
	// Timeout is the deadline of one request to a router or rx-on child
	// (default 4 s); SleepyTimeout of one to a sleepy child (default 60 s).
	Timeout       time.Duration
	SleepyTimeout time.Duration
	// Retries after a failed request (default 2; a negative value means
	// none), waiting Backoff (default 200 ms) doubled each time, with
	// jitter (×0.5–1.5). The crawler is the one layer that retries (the
	// transport sends one exchange per call), so a router that stays
	// silent costs at most Timeout × (1 + Retries) plus the back-off waits:
	// 4 + 2 × 4 s + 0.9 s = 12.9 s with the defaults, in parallel with the
	// rest of the crawl. Each retry asks for the TLVs still missing in
	// smaller pieces (halves, then quarters), so a node that cannot answer
	// a big request (short of message buffers) still gives what fits, with
	// no separate probe.
	Retries int
	Backoff time.Duration
	// FirstTimeout, when set below Timeout, is the deadline of a router's
	// or rx-on child's first request; each retry doubles it, up to
	// Timeout. The Border Agent path sets it: a node drops its answer to
	// a new commissioner session until the leader's network data naming
	// that session reaches it (up to about a second per hop), so a short
	// first wait and an early retry beat one long wait. A silent router
	// then costs FirstTimeout + 2 × FirstTimeout + ... plus back-offs.
	FirstTimeout time.Duration
	// Children says which children to ask directly (default ChildrenNone).
	Children ChildQueries
	// Detail says how much to ask routers for (default DetailFull).
	Detail Detail
	// Network is identity known from elsewhere (name, ext PAN ID, channel,
	// prefix): TMF diagnostics do not carry it.
	Network topology.Network
	// Progress, when set, is called after every node finishes, one call
	// at a time (never concurrently), and once at the end (Phase "done").
	Progress func(Progress)
}

// Progress is the crawl's state, for progress lines and live events.
type Progress struct {
	// Phase is "leader", "routers", "children" or "done".
	Phase string `json:"phase"`
	// Known is how many nodes the crawl knows it must ask; Done how many
	// it finished with (answered, timed out or failed).
	Known    int `json:"known"`
	Done     int `json:"done"`
	Answered int `json:"answered"`
	TimedOut int `json:"timed_out"`
	Failed   int `json:"failed"`
	// Elapsed since the crawl began (JSON: nanoseconds).
	Elapsed time.Duration `json:"elapsed_ns"`
	// Last is the node that finished last, with its status.
	Last       topology.Rloc16     `json:"last"`
	LastStatus topology.NodeStatus `json:"last_status,omitempty"`
}

// Crawler maps a mesh over TMF; it implements topology.Source.
type Crawler struct {
	cfg Config
}

// Crawler defaults (Config.Timeout, Config.Retries).
const (
	DefaultTimeout = 4 * time.Second
	DefaultRetries = 2
)

// NewCrawler returns a crawler; cfg.Transport is required.
func NewCrawler(cfg Config) (*Crawler, error) {
	if cfg.Transport == nil {
		return nil, errors.New("tmf: crawler needs a transport")
	}
	if cfg.Name == "" {
		cfg.Name = "tmf"
	}
	if len(cfg.Start) == 0 {
		cfg.Start = []topology.Rloc16{topology.LeaderAloc16}
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 8
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.SleepyTimeout <= 0 {
		cfg.SleepyTimeout = 60 * time.Second
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	} else if cfg.Retries == 0 {
		cfg.Retries = DefaultRetries
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 200 * time.Millisecond
	}
	return &Crawler{cfg: cfg}, nil
}

func (c *Crawler) routerTypes() []diag.Type {
	if c.cfg.Detail == DetailTopology {
		return TopologyTypes
	}
	return RouterTypes
}

// Name is the source name ("tmf").
func (c *Crawler) Name() string { return c.cfg.Name }

// nodeResult is what the crawl learnt from one node.
type nodeResult struct {
	rloc   topology.Rloc16
	status topology.NodeStatus
	detail string
	msgs   []*diag.Message
}

type crawl struct {
	c     *Crawler
	ctx   context.Context
	start time.Time
	sem   chan struct{}
	wg    sync.WaitGroup

	// slowest is the longest an answered request took (ns), for
	// attemptTimeout.
	slowest atomic.Int64

	// pmu serialises Progress calls.
	pmu      sync.Mutex
	mu       sync.Mutex
	phase    string
	seen     map[topology.Rloc16]bool
	results  []*nodeResult
	progress Progress
	notes    []string
}

// Collect crawls the mesh: the start node (leader ALOC) for its Route64,
// then every router it lists (and any more their Route64s list) in
// parallel, each with a DIAG_GET.req for its own TLVs and a DIAG_GET.qry
// for its children and router neighbors; then, if configured, children.
// A node that does not answer is kept with status timed-out or error.
func (c *Crawler) Collect(ctx context.Context) (*topology.Snapshot, error) {
	cr := &crawl{c: c, ctx: ctx, start: time.Now(), sem: make(chan struct{}, c.cfg.Parallel),
		seen: map[topology.Rloc16]bool{}, phase: "leader"}

	// The start node: leader ALOC, or the first router that answers.
	var first *diag.Message
	var firstErr error
	for _, s := range c.cfg.Start {
		cr.note(1, 0)
		// The start node also gives the Network Data, which names the
		// border routers.
		types := append(append([]diag.Type{}, c.routerTypes()...), diag.TypeNetworkData)
		m, err := cr.getChunked(s, types, c.cfg.Timeout)
		if m != nil && m.Address16 != nil && m.Address16.IsRouter() {
			first = m // even when some chunks failed: the rest is there
			break
		}
		if err == nil {
			err = fmt.Errorf("answer carries no router Address16")
		}
		firstErr = fmt.Errorf("start at %s: %w", s, err)
		cr.finish(s, statusOf(err))
	}
	if first == nil {
		return nil, fmt.Errorf("tmf: no start node answered: %w", firstErr)
	}
	cr.mu.Lock()
	cr.phase = "routers"
	cr.progress.Known-- // the start request stands for the leader's own
	cr.mu.Unlock()
	cr.addRouter(*first.Address16, first)
	cr.wg.Wait()

	if c.cfg.Children != ChildrenNone {
		cr.mu.Lock()
		cr.phase = "children"
		cr.mu.Unlock()
		for _, ch := range cr.children() {
			if ch.sleepy && c.cfg.Children < ChildrenAll {
				continue
			}
			cr.addChild(ch.rloc, ch.sleepy)
		}
		cr.wg.Wait()
	}
	s := cr.snapshot()
	cr.mu.Lock()
	p := cr.progressLocked()
	cr.mu.Unlock()
	cr.report(p)
	return s, nil
}

// note adds known nodes and reports progress.
func (cr *crawl) note(known, done int) {
	cr.mu.Lock()
	cr.progress.Known += known
	cr.progress.Done += done
	p := cr.progressLocked()
	cr.mu.Unlock()
	cr.report(p)
}

// report hands p to the Progress callback, one call at a time.
func (cr *crawl) report(p Progress) {
	if cr.c.cfg.Progress == nil {
		return
	}
	cr.pmu.Lock()
	defer cr.pmu.Unlock()
	cr.c.cfg.Progress(p)
}

func (cr *crawl) progressLocked() Progress {
	p := cr.progress
	p.Phase = cr.phase
	p.Elapsed = time.Since(cr.start)
	return p
}

func (cr *crawl) finish(r topology.Rloc16, st topology.NodeStatus) {
	cr.mu.Lock()
	cr.progress.Done++
	switch st {
	case topology.StatusAnswered:
		cr.progress.Answered++
	case topology.StatusTimedOut:
		cr.progress.TimedOut++
	default:
		cr.progress.Failed++
	}
	cr.progress.Last, cr.progress.LastStatus = r, st
	p := cr.progressLocked()
	cr.mu.Unlock()
	cr.report(p)
}

func statusOf(err error) topology.NodeStatus {
	switch {
	case err == nil:
		return topology.StatusAnswered
	case isTimeout(err):
		return topology.StatusTimedOut
	}
	return topology.StatusError
}

// addRouter schedules router r once; have is its DIAG_GET answer when the
// start request already gave it.
func (cr *crawl) addRouter(r topology.Rloc16, have *diag.Message) {
	cr.mu.Lock()
	if cr.seen[r] {
		cr.mu.Unlock()
		return
	}
	cr.seen[r] = true
	cr.mu.Unlock()
	cr.spawn(r, func() *nodeResult { return cr.crawlRouter(r, have) })
}

// spawn asks node r with ask, at most cfg's concurrency at a time, and
// records the result; a crawl that ends first records r as timed out.
func (cr *crawl) spawn(r topology.Rloc16, ask func() *nodeResult) {
	cr.note(1, 0)
	cr.wg.Add(1)
	go func() {
		defer cr.wg.Done()
		select {
		case cr.sem <- struct{}{}:
		case <-cr.ctx.Done():
			cr.record(&nodeResult{rloc: r, status: topology.StatusTimedOut, detail: "crawl ended before the node was asked"})
			return
		}
		res := ask()
		<-cr.sem
		cr.record(res)
	}()
}

func (cr *crawl) record(res *nodeResult) {
	cr.mu.Lock()
	cr.results = append(cr.results, res)
	cr.mu.Unlock()
	cr.finish(res.rloc, res.status)
}

// crawlRouter asks one router for its own TLVs and its lists, and
// schedules every router its Route64 names.
func (cr *crawl) crawlRouter(r topology.Rloc16, own *diag.Message) *nodeResult {
	cfg := cr.c.cfg
	res := &nodeResult{rloc: r}
	if own == nil {
		m, err := cr.getChunked(r, cr.c.routerTypes(), cfg.Timeout)
		if m == nil {
			res.status, res.detail = statusOf(err), err.Error()
			return res
		}
		if err != nil {
			res.detail = "some TLVs missing: " + err.Error()
		}
		own = m
	}
	res.msgs = append(res.msgs, own)
	if own.Route64 != nil {
		for _, e := range own.Route64.Routes {
			cr.addRouter(topology.RouterRloc16(e.RouterID), nil)
		}
	}
	listTypes := ListTypes
	if cfg.Detail == DetailTopology {
		if own.ChildTable != nil && len(own.ChildTable) == 0 {
			res.status = topology.StatusAnswered
			return res // no children: nothing to list
		}
		listTypes = []diag.Type{diag.TypeChild}
	}
	lists, err := cr.queryChunked(r, listTypes, cfg.Timeout)
	res.msgs = append(res.msgs, lists...)
	res.status = topology.StatusAnswered
	if err != nil {
		res.detail = joinDetail(res.detail, "children/neighbors query: "+err.Error())
		cr.addNote(fmt.Sprintf("%s: children/neighbors query incomplete: %v", r, err))
	}
	return res
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func (cr *crawl) addNote(s string) {
	cr.mu.Lock()
	cr.notes = append(cr.notes, s)
	cr.mu.Unlock()
}

// getChunked asks node r for types (DIAG_GET.req) with the crawler's
// retries (see ask) and returns what it got, merged, and the error of
// what is still missing.
func (cr *crawl) getChunked(r topology.Rloc16, types []diag.Type, timeout time.Duration) (*diag.Message, error) {
	var got *diag.Message
	err := cr.ask(types, timeout, func(ctx context.Context, chunk []diag.Type) error {
		m, err := cr.c.cfg.Transport.Get(ctx, r, chunk)
		if err == nil {
			got = mergeMessages(got, m)
		}
		return err
	})
	return got, err
}

// queryChunked is getChunked for DIAG_GET.qry: every answer message of
// every piece.
func (cr *crawl) queryChunked(r topology.Rloc16, types []diag.Type, timeout time.Duration) ([]*diag.Message, error) {
	var all []*diag.Message
	err := cr.ask(types, timeout, func(ctx context.Context, chunk []diag.Type) error {
		ms, err := cr.c.cfg.Transport.Query(ctx, r, chunk)
		if err == nil {
			all = append(all, ms...)
		}
		return err
	})
	return all, err
}

// ask is the crawler's one retry loop (the transport sends one exchange
// per call). Attempt 0 asks for all of types in one request; each of up
// to Retries further attempts asks again for the pieces that failed, each
// split in two, one request at a time, each within timeout. A piece that
// times out (or fails in transport) ends its attempt — the node may be
// silent, its other pieces wait for the next one — and the next attempt
// comes after a jittered back-off, doubled each time; so a silent node
// costs timeout × (1 + Retries) plus the back-offs, and nothing more. An
// error answer (4.xx/5.xx) shows the node is alive: its piece is split
// for the next attempt without a back-off, and a single type it refuses
// is given up. do records what answered; ask returns the error of what
// is still missing, nil when nothing is.
func (cr *crawl) ask(types []diag.Type, timeout time.Duration, do func(ctx context.Context, types []diag.Type) error) error {
	cfg := cr.c.cfg
	pending := [][]diag.Type{types}
	wait := cfg.Backoff
	var refused error // a single type the node answered with an error
	for attempt := 0; ; attempt++ {
		var next [][]diag.Type
		var lastErr error
		stalled := false
		for _, piece := range pending {
			if stalled {
				next = append(next, piece)
				continue
			}
			ctx, cancel := context.WithTimeout(cr.ctx, cr.attemptTimeout(attempt, timeout))
			t0 := time.Now()
			err := do(ctx, piece)
			cancel()
			if err == nil {
				cr.observe(time.Since(t0))
				continue
			}
			lastErr = err
			var re *ResponseError
			answered := errors.As(err, &re)
			stalled = !answered
			switch {
			case len(piece) > 1:
				h := len(piece) / 2
				next = append(next, piece[:h], piece[h:])
			case answered:
				refused = err // the same request would fail the same way
			default:
				next = append(next, piece)
			}
		}
		if len(next) == 0 {
			return refused
		}
		if attempt >= cfg.Retries || cr.ctx.Err() != nil {
			return lastErr
		}
		if stalled {
			d := wait/2 + time.Duration(rand.Int64N(int64(wait)))
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-cr.ctx.Done():
				t.Stop()
				return lastErr
			}
			wait *= 2
		}
		pending = next
	}
}

// attemptTimeout is the deadline of one request of attempt n: timeout,
// or with Config.FirstTimeout set (and timeout the rx-on one),
// FirstTimeout (at least 3 × the slowest answer so far) doubled each
// attempt, up to timeout.
func (cr *crawl) attemptTimeout(n int, timeout time.Duration) time.Duration {
	first := cr.c.cfg.FirstTimeout
	if first <= 0 || first >= timeout || timeout != cr.c.cfg.Timeout {
		return timeout
	}
	// A busy mesh answers slowly: never wait less than three times the
	// slowest answer so far.
	first = max(first, 3*time.Duration(cr.slowest.Load()))
	for ; n > 0 && first < timeout; n-- {
		first *= 2
	}
	return min(first, timeout)
}

// observe records how long an answered request took.
func (cr *crawl) observe(d time.Duration) {
	for {
		old := cr.slowest.Load()
		if int64(d) <= old || cr.slowest.CompareAndSwap(old, int64(d)) {
			return
		}
	}
}

// mergeMessages joins two answers with disjoint TLVs into one.
func mergeMessages(a, b *diag.Message) *diag.Message {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	m, err := diag.Decode(append(a.Encode(), b.Encode()...))
	if err != nil {
		return a
	}
	return m
}

type childRef struct {
	rloc   topology.Rloc16
	sleepy bool
}

// children lists the children the routers reported.
func (cr *crawl) children() []childRef {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	seen := map[topology.Rloc16]bool{}
	var out []childRef
	add := func(r topology.Rloc16, mode topology.Mode) {
		if !seen[r] {
			seen[r] = true
			out = append(out, childRef{rloc: r, sleepy: !mode.RxOnWhenIdle})
		}
	}
	for _, res := range cr.results {
		for _, m := range res.msgs {
			for _, c := range m.Children {
				add(c.Rloc16, c.Mode())
			}
			for _, e := range m.ChildTable {
				add(e.Rloc16(res.rloc), e.Mode.Topology())
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rloc < out[j].rloc })
	return out
}

func (cr *crawl) addChild(r topology.Rloc16, sleepy bool) {
	cr.spawn(r, func() *nodeResult {
		timeout := cr.c.cfg.Timeout
		if sleepy {
			timeout = cr.c.cfg.SleepyTimeout
		}
		m, err := cr.getChunked(r, ChildTypes, timeout)
		res := &nodeResult{rloc: r, status: topology.StatusAnswered}
		if m != nil {
			res.msgs = []*diag.Message{m}
		} else {
			res.status = statusOf(err)
		}
		if err != nil {
			res.detail = err.Error()
		}
		return res
	})
}

// snapshot turns what the crawl learnt into the partial snapshot.
func (cr *crawl) snapshot() *topology.Snapshot {
	cfg := cr.c.cfg
	cr.mu.Lock()
	defer cr.mu.Unlock()
	s := topology.New(time.Now())
	s.Network = cfg.Network
	rep := topology.SourceReport{Name: cfg.Name, Target: cfg.Target, DurationMs: time.Since(cr.start).Milliseconds()}
	asked := map[topology.Rloc16]bool{}
	sort.Slice(cr.results, func(i, j int) bool { return cr.results[i].rloc < cr.results[j].rloc })
	for _, res := range cr.results {
		asked[res.rloc] = true
		rep.Queried++
		switch res.status {
		case topology.StatusAnswered:
			rep.Answered++
		case topology.StatusTimedOut:
			rep.TimedOut++
		default:
			rep.Failed++
		}
		from := topology.Ptr(res.rloc)
		for _, m := range res.msgs {
			m.AddTo(s, cfg.Name, from)
		}
		if res.status != topology.StatusAnswered || res.detail != "" {
			// A status-only view, folded into the node by RLOC16.
			s.Nodes = append(s.Nodes, topology.Node{ID: topology.RlocID(res.rloc), Rloc16: topology.Ptr(res.rloc),
				Status: res.status, StatusDetail: res.detail, Sources: []string{cfg.Name}})
			if res.status != topology.StatusAnswered {
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s %s: %s", res.rloc, res.status, res.detail))
			}
		}
	}
	// Border routers are derived by topology.Normalize from the network
	// data AddTo decoded; say so when the start node's TLV was unreadable.
	if s.Network.NetworkData == nil {
		for _, res := range cr.results {
			for _, m := range res.msgs {
				if m.NetworkData != nil {
					rep.Notes = append(rep.Notes, fmt.Sprintf("network data from %s could not be decoded: border routers unknown", res.rloc))
				}
			}
		}
	}
	// Children reported by their parents but not asked themselves.
	for i := range s.Nodes {
		n := &s.Nodes[i]
		if n.Rloc16 != nil && !n.Rloc16.IsRouter() && !asked[*n.Rloc16] && n.Status == "" {
			n.Status = topology.StatusNotQueried
		}
	}
	rep.Notes = append(rep.Notes, cr.notes...)
	s.Scan.Sources = []topology.SourceReport{rep}
	topology.Normalize(s)
	mergeNetworkInto(&s.Network, cfg.Network)
	cr.phase = "done"
	return s
}

// mergeNetworkInto fills identity fields TMF cannot learn.
func mergeNetworkInto(dst *topology.Network, known topology.Network) {
	if dst.Name == "" {
		dst.Name = known.Name
	}
	if dst.ExtPanID == "" {
		dst.ExtPanID = known.ExtPanID
	}
	if dst.PanID == "" {
		dst.PanID = known.PanID
	}
	if dst.Channel == 0 {
		dst.Channel = known.Channel
	}
	if dst.MeshLocalPrefix == "" {
		dst.MeshLocalPrefix = known.MeshLocalPrefix
	}
}
