package otbr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// Source collects a partial snapshot from one border router's REST API.
// It implements topology.Source and is safe for concurrent use (scans run
// one at a time per source).
type Source struct {
	c  *Client
	mu sync.Mutex // one scan at a time: the border router's task queue is serial
	// lastCount is how many devices the previous scan found.
	lastCount int
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
// border router that does not answer at all is an error; one that answers
// in part gives a snapshot whose scan report says what failed.
func (s *Source) Collect(ctx context.Context) (*topology.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	col := Collected{TakenAt: start, RestURL: s.c.BaseURL(),
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
		err = s.collectJSONAPI(ctx, &col, gen.Dialect)
	}
	col.Report.DurationMs = time.Since(start).Milliseconds()
	if err != nil {
		if len(col.Diagnostics) == 0 && len(col.Devices) == 0 && col.Self == nil {
			return nil, fmt.Errorf("otbr %s: %w", s.c.BaseURL(), err)
		}
		col.Report.Error = strings.ReplaceAll(err.Error(), "\n", "; ")
	}
	snap := Build(col)
	if gen.Dialect == DialectLegacy && err == nil {
		// One multicast query: every device of the mesh was asked, those
		// listed answered (MEDs and SEDs never do on this API).
		rep := &snap.Scan.Sources[0]
		rep.Queried, rep.Answered = len(snap.Nodes), len(col.Diagnostics)
	}
	known := 0
	for _, n := range snap.Nodes {
		if n.ExtAddr != "" {
			known++
		}
	}
	s.lastCount = known
	return snap, nil
}

// commonResources reads /node and the active dataset (both generations
// serve them). Failures become notes: the diagnostics matter more.
func (s *Source) commonResources(ctx context.Context, col *Collected) {
	if b, err := s.c.do(ctx, http.MethodGet, "/node", mediaJSON, nil); err != nil {
		col.Report.Notes = append(col.Report.Notes, "node: "+err.Error())
	} else if n, err := DecodeNode(b); err != nil {
		col.Report.Notes = append(col.Report.Notes, "node: "+err.Error())
	} else {
		col.Self = &n
	}
	if b, err := s.c.do(ctx, http.MethodGet, "/node/dataset/active", mediaJSON, nil); err != nil {
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
	s.commonResources(ctx, col)
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

// diagTypes lists the TLV names a task asks for, per role and dialect:
// only what the topology model uses.
func diagTypes(router bool, d Dialect) []string {
	eui, ver := "eui", "threadVersion"
	if d == DialectJSONAPI {
		eui, ver = "eui64", "version"
	}
	common := []string{"extAddress", "rloc16", "mode"}
	tail := []string{"leaderData", "ipv6Addresses", "macCounters", eui, ver, "vendorName", "vendorModel",
		"vendorSwVersion", "threadStackVersion", "mleCounters"}
	if router {
		out := append(common, "connectivity", "route")
		out = append(out, tail...)
		return append(out, "childTable", "maxChildTimeout")
	}
	return append(append(common, "timeout"), tail...)
}

var queryTypes = []string{"children", "childIpv6Addresses", "routerNeighbors"}

func (s *Source) collectJSONAPI(ctx context.Context, col *Collected, dialect Dialect) error {
	s.commonResources(ctx, col)
	// 1. The device collection must be fresh before per-device tasks: the
	// border router resolves a task's destination through it.
	count := s.c.opts.DeviceCount
	if count <= 0 {
		count = s.lastCount
	}
	if count <= 0 {
		if b, err := s.c.do(ctx, http.MethodGet, "/api/devices", mediaJSONAPI, nil); err == nil {
			if devs, err := DecodeDevices(b); err == nil {
				count = len(devs)
			}
		}
	}
	if count <= 0 {
		count = 1
	}
	collTimeout := secondsCeil(s.c.opts.CollectionTimeout)
	task := map[string]any{"type": "updateDeviceCollectionTask", "attributes": map[string]any{
		"deviceCount": count, "maxAge": 30, "maxRetries": s.c.opts.CollectionRetries, "timeout": collTimeout}}
	id, err := s.postTask(ctx, task)
	if err != nil {
		return fmt.Errorf("updateDeviceCollectionTask: %w", err)
	}
	// The task may retry maxRetries times, each up to its timeout.
	wait := s.c.opts.CollectionTimeout*time.Duration(s.c.opts.CollectionRetries+1) + 2*time.Second
	st, _, err := s.waitTask(ctx, id, wait)
	if err != nil {
		return fmt.Errorf("updateDeviceCollectionTask: %w", err)
	}
	if st != statusCompleted {
		col.Report.Notes = append(col.Report.Notes, "updateDeviceCollectionTask ended "+st)
	}
	b, err := s.c.do(ctx, http.MethodGet, "/api/devices", mediaJSONAPI, nil)
	if err != nil {
		return err
	}
	devs, err := DecodeDevices(b)
	if err != nil {
		return fmt.Errorf("GET /api/devices: %w", err)
	}
	col.Devices = devs
	// 2. One diagnostic task per device, one at a time: the border router
	// runs them serially and one slow task's timeout would stall a batch.
	// Routers first, so a sleepy child's long wait comes last.
	order := append([]Device(nil), devs...)
	sort.SliceStable(order, func(i, j int) bool { return deviceRank(order[i]) < deviceRank(order[j]) })
	var results []string
	var firstErr error
	missing := 0 // children whose own task got no answer
	for _, d := range order {
		if ctx.Err() != nil {
			col.Report.TimedOut += len(order) - col.Report.Queried
			firstErr = errors.Join(firstErr, ctx.Err())
			break
		}
		router := deviceRank(d) < 2
		kinds := [][]string{diagTypes(router, dialect)}
		if router && s.c.opts.QueryTLVs {
			kinds = append(kinds, queryTypes)
		}
		for ki, types := range kinds {
			col.Report.Queried++
			rid, st, err := s.diagnosticTask(ctx, d.ExtAddr.String(), types)
			if ki == 0 && isUnprocessable(err) {
				// The server refused the type names: it speaks the other
				// side of the 2026 renames than detected. Switch once.
				other := DialectJSONAPI
				if dialect == DialectJSONAPI {
					other = DialectJSONAPI2026
				}
				if rid2, st2, err2 := s.diagnosticTask(ctx, d.ExtAddr.String(), diagTypes(router, other)); err2 == nil {
					col.Report.Notes = append(col.Report.Notes, fmt.Sprintf("type names of %s refused; using %s names", dialect, other))
					dialect = other
					rid, st, err = rid2, st2, nil
				}
			}
			switch {
			case err != nil:
				col.Report.Failed++
				firstErr = errors.Join(firstErr, fmt.Errorf("diagnostics of %s: %w", d.ExtAddr, err))
			case st == statusCompleted && rid != "":
				col.Report.Answered++
				results = append(results, rid)
			case st == statusStopped:
				if !router {
					missing++
				}
				col.Report.TimedOut++
				col.Report.Notes = append(col.Report.Notes, fmt.Sprintf("diagnostics of %s: task stopped (no answer in time)", d.ExtAddr))
			default:
				if !router {
					missing++
				}
				col.Report.Failed++
				col.Report.Notes = append(col.Report.Notes, fmt.Sprintf("diagnostics of %s: task %s", d.ExtAddr, st))
			}
		}
	}
	// A child that did not answer is known by ext address (devices) and,
	// separately, by RLOC16 (its parent's child table). The routers' Child
	// TLVs join the two.
	if missing > 0 && !s.c.opts.QueryTLVs && ctx.Err() == nil {
		col.Report.Notes = append(col.Report.Notes, fmt.Sprintf(
			"%d children did not answer; asking the routers for their Child TLVs", missing))
		for _, d := range order {
			if deviceRank(d) >= 2 {
				continue
			}
			col.Report.Queried++
			rid, st, err := s.diagnosticTask(ctx, d.ExtAddr.String(), []string{"children"})
			switch {
			case err != nil:
				col.Report.Failed++
				firstErr = errors.Join(firstErr, fmt.Errorf("children of %s: %w", d.ExtAddr, err))
			case st == statusCompleted && rid != "":
				col.Report.Answered++
				results = append(results, rid)
			default:
				col.Report.TimedOut++
			}
		}
	}
	// 3. The answers, by the result ids the tasks named (older items from
	// earlier scans may still sit in the collection).
	if len(results) > 0 {
		want := map[string]bool{}
		for _, r := range results {
			want[r] = true
		}
		b, err := s.c.do(ctx, http.MethodGet, "/api/diagnostics", mediaJSONAPI, nil)
		if err != nil {
			return errors.Join(firstErr, err)
		}
		items, _, _, err := decodeDiagnosticItems(b)
		if err != nil {
			return errors.Join(firstErr, fmt.Errorf("GET /api/diagnostics: %w", err))
		}
		for _, it := range items {
			if want[it.id] {
				col.Diagnostics = append(col.Diagnostics, it.Diagnostic)
				delete(want, it.id)
			}
		}
		// Items the collection already evicted: ask for each.
		for rid := range want {
			b, err := s.c.do(ctx, http.MethodGet, "/api/diagnostics/"+rid, mediaJSONAPI, nil)
			if err != nil {
				firstErr = errors.Join(firstErr, err)
				continue
			}
			d, _, _, err := DecodeDiagnostics(b)
			if err != nil {
				firstErr = errors.Join(firstErr, fmt.Errorf("GET /api/diagnostics/%s: %w", rid, err))
				continue
			}
			col.Diagnostics = append(col.Diagnostics, d...)
		}
	}
	return firstErr
}

func isUnprocessable(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) && he.Status == http.StatusUnprocessableEntity
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

func secondsCeil(d time.Duration) int {
	return int(math.Ceil(d.Seconds()))
}

// diagnosticTask posts one getNetworkDiagnosticTask and waits for it.
func (s *Source) diagnosticTask(ctx context.Context, dest string, types []string) (resultID, status string, err error) {
	task := map[string]any{"type": "getNetworkDiagnosticTask", "attributes": map[string]any{
		"destination": dest, "types": types, "timeout": secondsCeil(s.c.opts.TaskTimeout)}}
	id, err := s.postTask(ctx, task)
	if err != nil {
		return "", "", err
	}
	st, rid, err := s.waitTask(ctx, id, s.c.opts.TaskTimeout+2*time.Second)
	return rid, st, err
}

// postTask enqueues one task and returns its id.
func (s *Source) postTask(ctx context.Context, task map[string]any) (string, error) {
	body, err := json.Marshal(map[string]any{"data": []any{task}})
	if err != nil {
		return "", err
	}
	b, err := s.c.do(ctx, http.MethodPost, "/api/actions", mediaJSONAPI, body)
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
func (s *Source) waitTask(ctx context.Context, id string, limit time.Duration) (status, resultID string, err error) {
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	// Poll promptly at first (most tasks end within tens of milliseconds
	// of becoming active), then back off to a few poll intervals.
	interval := s.c.opts.PollInterval / 4
	for {
		b, err := s.c.do(wctx, http.MethodGet, "/api/actions/"+id, mediaJSONAPI, nil)
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
		if interval = interval * 3 / 2; interval > 4*s.c.opts.PollInterval {
			interval = 4 * s.c.opts.PollInterval
		}
	}
}
