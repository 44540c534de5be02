package otbr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// Source collects a partial snapshot from one border router's REST API.
// It implements topology.Source and is safe for concurrent use (scans run
// one at a time per source: the border router's task queue is serial).
type Source struct {
	c  *Client
	mu sync.Mutex
}

// NewSource returns the OTBR REST source for baseURL.
func NewSource(baseURL string, opts Options) (*Source, error) {
	c, err := NewClient(baseURL, opts)
	if err != nil {
		return nil, err
	}
	return &Source{c: c}, nil
}

// Name is "otbr".
func (s *Source) Name() string { return SourceName }

// BaseURL is the border router's REST base URL.
func (s *Source) BaseURL() string { return s.c.BaseURL() }

var _ topology.Source = (*Source)(nil)

// Collect detects the API generation and collects what it offers. A
// border router that does not answer at all is an error. One that answers
// in part, or a scan whose budget (ctx) runs out, gives a snapshot of what
// was collected whose scan report says what is missing: the devices not
// asked or not answering keep their status (timed-out, not-queried,
// error) and the report is partial.
func (s *Source) Collect(ctx context.Context) (*topology.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	col := Collected{TakenAt: start, RestURL: s.c.BaseURL(), Outcomes: map[string]Outcome{},
		Report: topology.SourceReport{Name: SourceName, Target: s.c.BaseURL()}}
	gen := Generation{Dialect: s.c.opts.Dialect}
	if gen.Dialect == "" {
		g, err := s.c.Detect(ctx)
		if err != nil {
			return nil, fmt.Errorf("otbr %s: %w", s.c.BaseURL(), err)
		}
		gen = g
	}
	note := "dialect " + string(gen.Dialect)
	if gen.APIVersion != "" {
		note += ", API " + gen.APIVersion
	}
	col.Report.Notes = append(col.Report.Notes, note)
	var err error
	if gen.Dialect == DialectLegacy {
		err = s.collectLegacy(ctx, &col)
	} else {
		err = newPlan(s.c, &col, gen.Dialect).run(ctx)
	}
	col.Report.DurationMs = time.Since(start).Milliseconds()
	if err != nil {
		if len(col.Diagnostics) == 0 && len(col.Devices) == 0 && col.Self == nil {
			return nil, fmt.Errorf("otbr %s: %w", s.c.BaseURL(), err)
		}
		col.Report.Error = strings.ReplaceAll(err.Error(), "\n", "; ")
		col.Report.Partial = true
	}
	snap := Build(col)
	if gen.Dialect == DialectLegacy && err == nil {
		// One multicast query: every device of the mesh was asked, those
		// listed answered (MEDs and SEDs never do on this API).
		rep := &snap.Scan.Sources[0]
		rep.Queried, rep.Answered = len(snap.Nodes), len(col.Diagnostics)
	}
	return snap, nil
}

// commonResources reads /node and the active dataset (both generations
// serve them). Failures become notes: the diagnostics matter more.
func commonResources(ctx context.Context, c *Client, col *Collected) {
	if b, err := c.do(ctx, http.MethodGet, "/node", mediaJSON, nil); err != nil {
		col.Report.Notes = append(col.Report.Notes, "node: "+err.Error())
	} else if n, err := DecodeNode(b); err != nil {
		col.Report.Notes = append(col.Report.Notes, "node: "+err.Error())
	} else {
		col.Self = &n
	}
	if b, err := c.do(ctx, http.MethodGet, "/node/dataset/active", mediaJSON, nil); err != nil {
		col.Report.Notes = append(col.Report.Notes, "active dataset: "+err.Error())
	} else if len(b) > 0 {
		if ds, err := DecodeDataset(b); err != nil {
			col.Report.Notes = append(col.Report.Notes, "active dataset: "+err.Error())
		} else {
			col.Dataset = &ds
		}
	}
}

func (s *Source) collectLegacy(ctx context.Context, col *Collected) error {
	commonResources(ctx, s.c, col)
	col.Report.Queried++
	b, err := s.c.do(ctx, http.MethodGet, "/diagnostics", mediaJSON, nil)
	if err != nil {
		col.Report.Failed++
		return err
	}
	d, _, _, err := DecodeDiagnostics(b)
	if err != nil {
		col.Report.Failed++
		return fmt.Errorf("GET /diagnostics: %w", err)
	}
	col.Report.Answered++
	col.Diagnostics = d
	col.Report.Notes = append(col.Report.Notes, fmt.Sprintf(
		"legacy /diagnostics: %d entries (routers and FTD children; MEDs and SEDs only in child tables)", len(d)))
	return nil
}

// Task status values (openapi.yaml, /api/actions).
const (
	statusPending   = "pending"
	statusActive    = "active"
	statusCompleted = "completed"
	statusStopped   = "stopped"
	statusFailed    = "failed"
)

// routerTypes are the TLV names a router's task asks for: its own TLVs,
// its Route64 and child table, and — answered through the border router's
// queries within the same task — its children (ext address, mode, link
// margin, RSSI), their addresses and its router neighbors' link details.
// On the live lab a router's task takes 0.1–0.2 s with or without the
// queries.
func routerTypes(d Dialect) []string {
	eui, ver := "eui", "threadVersion"
	if d == DialectJSONAPI {
		eui, ver = "eui64", "version"
	}
	return []string{"extAddress", "rloc16", "mode", "connectivity", "route", "leaderData", "networkData",
		"ipv6Addresses", "macCounters", eui, ver, "vendorName", "vendorModel", "vendorSwVersion",
		"threadStackVersion", "mleCounters", "childTable", "maxChildTimeout",
		"children", "childIpv6Addresses", "routerNeighbors"}
}

// childTypes are the TLV names a child's own task asks for.
func childTypes(d Dialect) []string {
	eui, ver := "eui", "threadVersion"
	if d == DialectJSONAPI {
		eui, ver = "eui64", "version"
	}
	return []string{"extAddress", "rloc16", "mode", "timeout", "leaderData", "ipv6Addresses", "macCounters",
		eui, ver, "vendorName", "vendorModel", "vendorSwVersion", "threadStackVersion", "mleCounters"}
}

// otherDialect is the dialect on the other side of the 2026 renames.
func otherDialect(d Dialect) Dialect {
	if d == DialectJSONAPI {
		return DialectJSONAPI2026
	}
	return DialectJSONAPI
}

// plan is one JSON:API scan. The border router runs one diagnostic task at
// a time and resolves a task's destination only through its device list
// (a task for an address it does not list stays pending until its
// timeout), so the plan is:
//
//  1. updateDeviceCollectionTask (deviceCount 1: one discovery round, which
//     waits for every router), waited for CollectionPatience when the list
//     already holds an earlier round's devices;
//  2. one task per router, one at a time, breadth-first from the border
//     router along the Router Neighbor lists: its own TLVs, Route64, child
//     table and the Child / Child IPv6 / Router Neighbor queries —
//     everything the map needs — each answer read as soon as its task
//     completes;
//  3. children only as Options.Children says, each with the deadline its
//     kind fits (rx-on ChildTimeout, sleepy SleepyTimeout).
//
// Devices of the list that no answer names are not asked: they left (the
// list keeps them), and a task for them would only wait out its timeout.
// When the scan's budget runs out the plan stops asking and deletes the
// task in flight; what was read stays.
type plan struct {
	c       *Client
	col     *Collected
	dialect Dialect
	// silent lists the devices that gave no answer, for one note.
	silent []string
	errs   error
	// partial: not everything asked answered or was asked.
	partial bool
}

func newPlan(c *Client, col *Collected, d Dialect) *plan {
	return &plan{c: c, col: col, dialect: d}
}

func (p *plan) run(ctx context.Context) error {
	commonResources(ctx, p.c, p.col)
	if err := p.updateDevices(ctx); err != nil {
		return err
	}
	routers, others := splitDevices(p.col.Devices)
	p.askRouters(ctx, routers, others)
	p.askChildren(ctx, others)
	p.noteSilent()
	p.col.Report.Partial = p.partial
	return p.errs
}

// askRouters asks the routers the mesh itself names, the border router
// first, then breadth-first the router neighbors each answer lists — the
// device list keeps routers that left, and asking one costs its whole
// deadline. Routers of the device list no answer names are asked only
// while some router ID allocated in the answers' Route64 is still not
// accounted for (an agent that leaves the neighbor lists out, a router
// whose links aged out).
func (p *plan) askRouters(ctx context.Context, routers, others []Device) {
	byExt := map[string]Device{}
	for _, d := range append(append([]Device(nil), routers...), others...) {
		byExt[d.ExtAddr.String()] = d
	}
	asked := map[string]bool{}
	var queue []string
	if len(routers) > 0 {
		queue = append(queue, routers[0].ExtAddr.String())
	}
	ask := func(ext string) {
		asked[ext] = true
		first := len(p.col.Diagnostics)
		p.ask(ctx, ext, "router", routerTypes(p.dialect), p.c.opts.RouterTimeout)
		var named []string
		for _, a := range p.col.Diagnostics[first:] {
			for _, nb := range a.Message.RouterNeighbors {
				e := nb.ExtAddress.String()
				if _, ok := byExt[e]; ok && !asked[e] && !slices.Contains(queue, e) {
					named = append(named, e)
				}
			}
		}
		sort.Strings(named)
		queue = append(queue, named...)
	}
	for len(queue) > 0 || p.unaccounted(asked) {
		if len(queue) == 0 {
			// Some allocated router is not accounted for: try the device
			// list's routers no answer named, in order.
			for _, d := range routers {
				if e := d.ExtAddr.String(); !asked[e] {
					queue = append(queue, e)
					break
				}
			}
			if len(queue) == 0 {
				break
			}
		}
		if ctx.Err() != nil {
			var rest []Device
			for _, e := range queue {
				rest = append(rest, byExt[e])
			}
			p.notQueried(rest, "the scan's budget ran out before its turn")
			return
		}
		ext := queue[0]
		queue = queue[1:]
		ask(ext)
	}
	if ids := p.unaccountedIDs(asked); len(ids) > 0 {
		// A router the mesh lists that could not be asked: it is on the
		// map (inferred from the Route64s), not heard from itself.
		p.partial = true
		p.col.Report.Notes = append(p.col.Report.Notes, fmt.Sprintf(
			"routers %v are in the mesh's Route64 but not in the border router's device list: not asked", ids))
	}
}

// unaccounted reports whether some router ID the answers' Route64 TLVs
// allocate belongs to no router that answered and to no router neighbor
// already asked.
func (p *plan) unaccounted(asked map[string]bool) bool { return len(p.unaccountedIDs(asked)) > 0 }

// unaccountedIDs lists those router IDs' RLOC16s, in order.
func (p *plan) unaccountedIDs(asked map[string]bool) []topology.Rloc16 {
	allocated := map[uint8]bool{}
	for _, a := range p.col.Diagnostics {
		if r := a.Message.Route64; r != nil {
			for _, e := range r.Routes {
				allocated[e.RouterID] = true
			}
		}
	}
	for _, a := range p.col.Diagnostics {
		if r := a.Message.Address16; r != nil && r.IsRouter() {
			delete(allocated, r.RouterID())
		}
		for _, nb := range a.Message.RouterNeighbors {
			if asked[nb.ExtAddress.String()] {
				delete(allocated, nb.Rloc16.RouterID())
			}
		}
	}
	var out []topology.Rloc16
	for id := range allocated {
		out = append(out, topology.RouterRloc16(id))
	}
	slices.Sort(out)
	return out
}

// updateDevices runs the device collection task and reads /api/devices.
// When the list already holds devices an earlier round found, the round
// is waited for only CollectionPatience: past that it is stopped (a router
// that stopped holds it to its timeout) and the list is used as it is.
func (p *plan) updateDevices(ctx context.Context) error {
	o := p.c.opts
	earlier, _ := p.devices(ctx) // none: the whole round is waited for
	wait := o.CollectionTimeout + 2*time.Second
	if r, c := splitDevices(earlier); len(r)+len(c) > 1 { // more than the border router itself
		wait = o.CollectionPatience
	}
	task := map[string]any{"type": "updateDeviceCollectionTask", "attributes": map[string]any{
		"deviceCount": 1, "maxAge": 30, "maxRetries": o.CollectionRetries, "timeout": secondsCeil(o.CollectionTimeout)}}
	start := time.Now()
	id, err := postTask(ctx, p.c, task)
	if err != nil {
		return fmt.Errorf("updateDeviceCollectionTask: %w", err)
	}
	st, _, err := waitTask(ctx, p.c, id, wait)
	switch {
	case err != nil && ctx.Err() == nil && wait < o.CollectionTimeout:
		p.abandon(ctx, id)
		p.col.Report.Notes = append(p.col.Report.Notes, fmt.Sprintf(
			"device collection still running after %.1f s (a router that does not answer holds it): stopped; the border router's earlier list is used", wait.Seconds()))
	case err != nil:
		if ctx.Err() != nil {
			p.abandon(ctx, id)
		}
		return fmt.Errorf("updateDeviceCollectionTask: %w", err)
	default:
		p.col.Report.Notes = append(p.col.Report.Notes, fmt.Sprintf("device collection %s in %.1f s", st, time.Since(start).Seconds()))
	}
	devs, err := p.devices(ctx)
	p.col.Devices = devs
	return err
}

// devices reads the border router's device list.
func (p *plan) devices(ctx context.Context) ([]Device, error) {
	b, err := p.c.do(ctx, http.MethodGet, "/api/devices", mediaJSONAPI, nil)
	if err != nil {
		return nil, err
	}
	devs, err := DecodeDevices(b)
	if err != nil {
		return nil, fmt.Errorf("GET /api/devices: %w", err)
	}
	return devs, nil
}

// splitDevices returns the routers (the border router first, then by ext
// address) and the other devices, each device once.
func splitDevices(devs []Device) (routers, others []Device) {
	seen := map[topology.ExtAddress]int{}
	var all []Device
	for _, d := range devs {
		if i, ok := seen[d.ExtAddr]; ok {
			// The border router is listed twice (threadBorderRouter and
			// threadDevice): keep the router rank either gives.
			if deviceRank(d) < deviceRank(all[i]) {
				all[i] = d
			}
			continue
		}
		seen[d.ExtAddr] = len(all)
		all = append(all, d)
	}
	sort.SliceStable(all, func(i, j int) bool {
		ri, rj := deviceRank(all[i]), deviceRank(all[j])
		if ri != rj {
			return ri < rj
		}
		return all[i].ExtAddr < all[j].ExtAddr
	})
	for _, d := range all {
		if deviceRank(d) < 2 {
			routers = append(routers, d)
		} else {
			others = append(others, d)
		}
	}
	return routers, others
}

// deviceRank: 0 border router, 1 router, 2 child or unknown.
func deviceRank(d Device) int {
	switch {
	case d.Type == "threadBorderRouter":
		return 0
	case d.Role == "router" || d.Role == "leader":
		return 1
	}
	return 2
}

// askChildren asks the children Options.Children names: those some router
// listed in this scan (a device no router lists has left), rx-on ones
// first.
func (p *plan) askChildren(ctx context.Context, others []Device) {
	if p.c.opts.Children == ChildrenNone {
		return
	}
	listed := map[string]bool{} // ext → rx-on
	for _, a := range p.col.Diagnostics {
		for _, ch := range a.Message.Children {
			listed[ch.ExtAddress.String()] = ch.Mode().RxOnWhenIdle
		}
	}
	var rxOn, sleepy []string
	for _, d := range others {
		ext := d.ExtAddr.String()
		rx, ok := listed[ext]
		switch {
		case !ok:
		case rx:
			rxOn = append(rxOn, ext)
		case p.c.opts.Children == ChildrenAll:
			sleepy = append(sleepy, ext)
		}
	}
	for i, ext := range append(rxOn, sleepy...) {
		if ctx.Err() != nil {
			rest := append(rxOn, sleepy...)[i:]
			for _, e := range rest {
				p.col.Outcomes[e] = Outcome{Status: topology.StatusNotQueried, Detail: "the scan's budget ran out before its turn"}
			}
			p.partial = true
			break
		}
		if i < len(rxOn) {
			p.ask(ctx, ext, "rx-on child", childTypes(p.dialect), p.c.opts.ChildTimeout)
		} else {
			p.ask(ctx, ext, "sleepy child", childTypes(p.dialect), p.c.opts.SleepyTimeout)
		}
	}
}

func (p *plan) notQueried(devs []Device, why string) {
	for _, d := range devs {
		p.col.Outcomes[d.ExtAddr.String()] = Outcome{Status: topology.StatusNotQueried, Detail: why}
	}
	p.partial = true
}

// ask posts one getNetworkDiagnosticTask for ext, waits for it within
// deadline (shortened to what is left of the scan's budget) and fetches
// its answer. Every way it can end is recorded: an answer in
// col.Diagnostics, anything else as the device's outcome.
func (p *plan) ask(ctx context.Context, ext, kind string, types []string, deadline time.Duration) {
	rep := &p.col.Report
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left < deadline {
			deadline = max(left, time.Second)
		}
	}
	rep.Queried++
	rid, st, err := p.diagnosticTask(ctx, ext, types, deadline)
	if isUnprocessable(err) {
		// The server refused the type names: it speaks the other side of
		// the 2026 renames than detected. Switch once.
		other := otherDialect(p.dialect)
		alt := routerTypes(other)
		if kind != "router" {
			alt = childTypes(other)
		}
		if rid2, st2, err2 := p.diagnosticTask(ctx, ext, alt, deadline); err2 == nil {
			rep.Notes = append(rep.Notes, fmt.Sprintf("type names of %s refused; using %s names", p.dialect, other))
			p.dialect = other
			rid, st, err = rid2, st2, nil
		}
	}
	switch {
	case err != nil && ctx.Err() != nil:
		rep.TimedOut++
		p.partial = true
		p.col.Outcomes[ext] = Outcome{Status: topology.StatusTimedOut, Detail: "the scan's budget ran out while it was asked"}
	case err != nil:
		rep.Failed++
		p.partial = true
		p.col.Outcomes[ext] = Outcome{Status: topology.StatusError, Detail: err.Error()}
		p.errs = errors.Join(p.errs, fmt.Errorf("diagnostics of %s: %w", ext, err))
	case st == statusCompleted && rid != "":
		if err := p.fetch(ctx, rid); err != nil {
			rep.Failed++
			p.partial = true
			p.col.Outcomes[ext] = Outcome{Status: topology.StatusError, Detail: err.Error()}
			p.errs = errors.Join(p.errs, err)
			return
		}
		rep.Answered++
	case st == statusCompleted, st == statusStopped:
		// The border router ends a task whose device never answered
		// "completed" without a result at its timeout (or "stopped"
		// while it could not resolve the destination).
		rep.TimedOut++
		p.partial = true
		p.silent = append(p.silent, ext)
		p.col.Outcomes[ext] = Outcome{Status: topology.StatusTimedOut,
			Detail: fmt.Sprintf("%s: no answer within %s", kind, deadline.Round(time.Second))}
	default:
		rep.Failed++
		p.partial = true
		p.col.Outcomes[ext] = Outcome{Status: topology.StatusError, Detail: "diagnostic task " + st}
		rep.Notes = append(rep.Notes, fmt.Sprintf("diagnostics of %s: task %s", ext, st))
	}
}

// fetch reads the answers a completed task names. It has its own short
// deadline: what the border router collected is kept even when the scan's
// budget runs out just as the task completes.
func (p *plan) fetch(ctx context.Context, rid string) error {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.c.opts.RequestTimeout)
	defer cancel()
	// A task that heard several answers names them all, comma-separated.
	for _, id := range strings.Split(rid, ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		b, err := p.c.do(fctx, http.MethodGet, "/api/diagnostics/"+id, mediaJSONAPI, nil)
		if err != nil {
			return err
		}
		answers, _, _, err := DecodeDiagnostics(b)
		if err != nil {
			return fmt.Errorf("GET /api/diagnostics/%s: %w", id, err)
		}
		p.col.Diagnostics = append(p.col.Diagnostics, answers...)
	}
	return nil
}

// noteSilent adds one note naming the devices that gave no answer.
func (p *plan) noteSilent() {
	if len(p.silent) == 0 {
		return
	}
	const show = 12
	names := p.silent
	more := ""
	if len(names) > show {
		more = fmt.Sprintf(" and %d more", len(names)-show)
		names = names[:show]
	}
	p.col.Report.Notes = append(p.col.Report.Notes, fmt.Sprintf("no answer within the deadline from %s%s",
		strings.Join(names, ", "), more))
}

func isUnprocessable(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) && he.Status == http.StatusUnprocessableEntity
}

func secondsCeil(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// diagnosticTask posts one getNetworkDiagnosticTask and waits for it.
func (p *plan) diagnosticTask(ctx context.Context, dest string, types []string, deadline time.Duration) (resultID, status string, err error) {
	task := map[string]any{"type": "getNetworkDiagnosticTask", "attributes": map[string]any{
		"destination": dest, "types": types, "timeout": secondsCeil(deadline)}}
	id, err := postTask(ctx, p.c, task)
	if err != nil {
		return "", "", err
	}
	st, rid, err := waitTask(ctx, p.c, id, time.Duration(secondsCeil(deadline))*time.Second+2*time.Second)
	if err != nil && ctx.Err() != nil {
		p.abandon(ctx, id)
	}
	return rid, st, err
}

// abandon deletes (and so stops) a task the scan's budget ran out on: left
// running, it would hold the border router's one diagnostic request into
// the next scan.
func (p *plan) abandon(ctx context.Context, id string) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if _, err := p.c.do(dctx, http.MethodDelete, "/api/actions/"+id, mediaJSONAPI, nil); err != nil && !IsNotFound(err) {
		p.col.Report.Notes = append(p.col.Report.Notes, "stopping the unfinished task: "+err.Error())
	}
}

// postTask enqueues one task and returns its id.
func postTask(ctx context.Context, c *Client, task map[string]any) (string, error) {
	body, err := json.Marshal(map[string]any{"data": []any{task}})
	if err != nil {
		return "", err
	}
	b, err := c.do(ctx, http.MethodPost, "/api/actions", mediaJSONAPI, body)
	if err != nil {
		return "", err
	}
	acts, err := DecodeActions(b)
	if err != nil {
		return "", fmt.Errorf("POST /api/actions: %w", err)
	}
	if len(acts) != 1 || acts[0].ID == "" {
		return "", fmt.Errorf("POST /api/actions: %d task items in the answer, want 1 with an id", len(acts))
	}
	return acts[0].ID, nil
}

// waitTask polls a task until it leaves pending/active, or limit passes.
func waitTask(ctx context.Context, c *Client, id string, limit time.Duration) (status, resultID string, err error) {
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	// Poll every quarter interval for the first 5 intervals (the border
	// router picks a task up within about 40 ms and a router answers about
	// 0.1 s later), then back off: a task that runs longer is waiting for
	// a device that is slow or silent.
	interval := c.opts.PollInterval / 4
	start := time.Now()
	for {
		b, err := c.do(wctx, http.MethodGet, "/api/actions/"+id, mediaJSONAPI, nil)
		if err != nil {
			if wctx.Err() != nil && ctx.Err() == nil {
				return "", "", fmt.Errorf("task %s still running after %v", id, limit)
			}
			return "", "", err
		}
		acts, err := DecodeActions(b)
		if err != nil {
			return "", "", fmt.Errorf("GET /api/actions/%s: %w", id, err)
		}
		if len(acts) != 1 {
			return "", "", fmt.Errorf("GET /api/actions/%s: %d items, want 1", id, len(acts))
		}
		switch acts[0].Status {
		case statusPending, statusActive:
		case statusCompleted, statusStopped, statusFailed:
			return acts[0].Status, acts[0].ResultID, nil
		default:
			return "", "", fmt.Errorf("task %s: unknown status %q", id, acts[0].Status)
		}
		t := time.NewTimer(interval)
		select {
		case <-wctx.Done():
			t.Stop()
			if ctx.Err() != nil {
				return "", "", ctx.Err()
			}
			return "", "", fmt.Errorf("task %s still %s after %v", id, acts[0].Status, limit)
		case <-t.C:
		}
		if time.Since(start) < 5*c.opts.PollInterval {
			continue
		}
		if interval = interval * 3 / 2; interval > 4*c.opts.PollInterval {
			interval = 4 * c.opts.PollInterval
		}
	}
}
