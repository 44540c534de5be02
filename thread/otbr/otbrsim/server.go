// Package otbrsim is a simulated OpenThread Border Router REST API: an
// http.Handler that serves, from a mesh's true topology, the same resources
// ot-br-posix serves on port 8081 in one of three dialects — the legacy
// GET /diagnostics + /node* API (2025-09), the JSON:API (/api/actions,
// /api/devices, /api/diagnostics) before the 2026-07 attribute renames, and
// the JSON:API with them. It keeps the real border router's behaviour where
// a client must cope with it, as measured on the lab's real otbr-agent: a
// task queue that runs one diagnostic request at a time (pending → active →
// completed/stopped, picked up 40 ms after posting), a device list that
// must be filled by a discovery round before a task can resolve its
// destination (an unresolvable task stays pending without holding the
// queue), a round held to its timeout by a router that does not answer, a
// list that keeps devices that left, tasks of silent devices "completed"
// without a result at their timeout, sleepy children that answer only at
// their next poll, devices that leave (detach or thread stop, each noticed
// as OpenThread notices it) and re-attach, a stale /api/node until a
// round, the mode-bit swap for children in /api/devices, a legacy
// /diagnostics that takes two seconds and lists only routers and rx-on FTD
// children, at most 200 diagnostics items, and cJSON's byte layout.
package otbrsim

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/topology"
)

// Options tune the simulated timings and faults. Zero values take the
// defaults in brackets, which follow what a real otbr-agent (ot-br-posix
// b64e1b85, 2026-08) did on the live lab.
type Options struct {
	// LegacyCollect is how long GET /diagnostics collects answers [2s, as
	// ot-br-posix's kDiagCollectTimeout].
	LegacyCollect time.Duration
	// CollectionRound is how long one updateDeviceCollectionTask discovery
	// round takes when every router answers [300ms; 0.05–0.6 s on the lab
	// once the agent ran one, 2.8–3.4 s for its very first]. A router that
	// does not answer while its ID is allocated holds the round to the
	// task's timeout.
	CollectionRound time.Duration
	// PickUp is how long the border router takes to start a posted or
	// queued task [40ms, its main loop on the lab].
	PickUp time.Duration
	// RxOnAnswer is how long an rx-on device takes to answer a diagnostic
	// task once it is active [100ms; 0.07–0.15 s on the lab]. The border
	// router answers for itself at once.
	RxOnAnswer time.Duration
	// SleepyPoll is how often a sleepy child polls its parent, and so how
	// soon it can answer [its child timeout: on the lab the sleepy children
	// (timeout 240 s) never answered within 20 s]. Each child polls at its
	// own phase in the period.
	SleepyPoll time.Duration
	// Silent lists ext addresses (lower-case hex) of devices that never
	// answer: their tasks end "completed" without a result at their
	// timeout, as the real border router ends them.
	Silent map[string]bool
	// BorderRouter is the ext address (lower-case hex) of the device that
	// plays the border router; empty: the snapshot's first border router.
	BorderRouter string
	// Now is the clock [time.Now].
	Now func() time.Time
}

// Server is the simulated border router's REST API.
type Server struct {
	dialect otbr.Dialect
	n       names
	opts    Options
	m       *mesh

	mu         sync.Mutex
	tasks      []*task // creation order
	collected  bool    // a device collection task has completed
	collected0 time.Time
	// listed holds when each device entered the device list and when a
	// round last listed it again (zero: not since).
	listed  map[string][2]time.Time
	devices []*device
	results []*result
	started time.Time
	// free is when the diagnostic handler last became free.
	free time.Time
}

// task is one /api/actions item.
type task struct {
	id, typ string
	attrs   map[string]any // as posted
	created time.Time
	timeout time.Duration
	status  string
	// start and end of the active phase (end zero while not decided).
	start, end time.Time
	// destination device of a diagnostic task; tlvs asked for.
	dest   *device
	destID string
	tlvs   []int
	// deviceCount etc. of a collection task.
	deviceCount, maxRetries int
	result                  string
	// answered: the destination answers before the task ends; roundHeld:
	// the collection round waits for a router that does not answer.
	answered, roundHeld bool
}

// result is one /api/diagnostics item.
type result struct {
	id      string
	attrs   obj
	created time.Time
}

// New returns a simulated border router serving snap (the mesh's truth)
// in dialect, with default timings. It fails on an unknown dialect or a
// snapshot without a router to play the border router.
func New(snap *topology.Snapshot, dialect otbr.Dialect) (*Server, error) {
	return NewWithOptions(snap, dialect, Options{})
}

// NewWithOptions is New with timings and faults.
func NewWithOptions(snap *topology.Snapshot, dialect otbr.Dialect, opts Options) (*Server, error) {
	if _, err := otbr.ParseDialect(string(dialect)); err != nil {
		return nil, err
	}
	if opts.LegacyCollect <= 0 {
		opts.LegacyCollect = 2 * time.Second
	}
	if opts.CollectionRound <= 0 {
		opts.CollectionRound = 300 * time.Millisecond
	}
	if opts.RxOnAnswer <= 0 {
		opts.RxOnAnswer = 100 * time.Millisecond
	}
	if opts.PickUp <= 0 {
		opts.PickUp = 40 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m, err := newMesh(snap, strings.ToLower(opts.BorderRouter))
	if err != nil {
		return nil, err
	}
	s := &Server{dialect: dialect, n: namesFor(dialect), opts: opts, m: m, started: opts.Now(), listed: map[string][2]time.Time{}}
	s.devices = []*device{m.self}
	return s, nil
}

// Leave takes the device with ext address ext out of the mesh now, as
// `detach` (graceful: OpenThread tells its parent, or for a router the
// leader and its neighbors, at once) or `thread stop` (not graceful: its
// parent keeps it in its child table until the child timeout; a router's
// neighbors keep its links for 100 s and the leader its ID for about
// 255 s). The device collection keeps it, as the real one does.
func (s *Server) Leave(ext string, graceful bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	s.advance(now)
	d := s.m.byExt[strings.ToLower(ext)]
	switch {
	case d == nil:
		return fmt.Errorf("otbrsim: no device %s", ext)
	case d == s.m.self:
		return fmt.Errorf("otbrsim: the border router cannot leave")
	}
	s.m.leave(d, now, graceful)
	return nil
}

// Attach makes the child with ext address ext a child of router parent
// now (it re-attached there, possibly after leaving), with a new RLOC16.
func (s *Server) Attach(ext, parent string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.opts.Now())
	d, p := s.m.byExt[strings.ToLower(ext)], s.m.byExt[strings.ToLower(parent)]
	switch {
	case d == nil || d.router:
		return fmt.Errorf("otbrsim: no child %s", ext)
	case p == nil || !p.router || !p.gone.IsZero():
		return fmt.Errorf("otbrsim: no router %s", parent)
	}
	s.m.attach(d, p)
	return nil
}

// BorderRouterExtAddr is the ext address of the device playing the border router.
func (s *Server) BorderRouterExtAddr() string { return s.m.self.ext }

// Dialect is the dialect served.
func (s *Server) Dialect() otbr.Dialect { return s.dialect }

// Serve serves on ln until ctx ends, then shuts down.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		<-done
		return nil
	case err := <-done:
		return err
	}
}

// Start listens on addr ("127.0.0.1:0" for any free port) and serves in the
// background. It returns the base URL and a stop function that waits for
// the server to end.
func (s *Server) Start(addr string) (baseURL string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("otbrsim: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		_ = s.Serve(ctx, ln)
		close(done)
	}()
	return "http://" + ln.Addr().String(), func() { cancel(); <-done }, nil
}

const (
	mediaJSON    = "application/json"
	mediaJSONAPI = "application/vnd.api+json"
	timeLayout   = "2006-01-02T15:04:05+00:00"
)

func (s *Server) legacy() bool { return s.dialect == otbr.DialectLegacy }

// ServeHTTP routes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close")
	if !s.legacy() {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "DELETE, GET, OPTIONS, POST")
		h.Set("Access-Control-Allow-Headers", "Origin, Accept, X-Requested-With, Content-Type, Access-Control-Request-Method, Access-Control-Request-Headers")
	}
	p := strings.TrimRight(r.URL.Path, "/")
	switch {
	case p == "/diagnostics" && s.legacy():
		s.onlyGet(w, r, s.legacyDiagnostics)
	case p == "/node":
		s.onlyGet(w, r, func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.legacy() {
				s.write(w, http.StatusOK, mediaJSON, printJSON(s.m.legacyNode(), true))
				return
			}
			o := obj{}
			for _, m := range s.m.nodeAttributes(s.n) {
				o = append(o, m)
				if m.k == "rlocAddress" {
					o.add("extAddress", s.m.self.ext)
				}
			}
			s.write(w, http.StatusOK, mediaJSON, printJSON(o, true))
		})
	case strings.HasPrefix(p, "/node/"):
		s.onlyGet(w, r, s.nodeResource)
	case p == "/.well-known/thread/br-rest" && s.dialect == otbr.DialectJSONAPI2026:
		s.onlyGet(w, r, s.wellKnown)
	case strings.HasPrefix(p, "/api/") && !s.legacy():
		s.api(w, r, p)
	default:
		s.error(w, http.StatusNotFound, "")
	}
}

func (s *Server) onlyGet(w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	if r.Method != http.MethodGet {
		s.error(w, http.StatusMethodNotAllowed, "")
		return
	}
	h(w, r)
}

func (s *Server) write(w http.ResponseWriter, status int, ctype string, body []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// error writes the dialect's error document: {"ErrorCode","ErrorMessage"}
// on the legacy API, RFC 7807-style {"title","status","detail"} on the JSON:API.
func (s *Server) error(w http.ResponseWriter, status int, detail string) {
	if s.legacy() {
		s.write(w, status, mediaJSON, printJSON(obj{{"ErrorCode", status}, {"ErrorMessage", http.StatusText(status)}}, true))
		return
	}
	s.write(w, status, mediaJSON, printJSON(obj{{"title", http.StatusText(status)}, {"status", status}, {"detail", detail}}, true))
}

func (s *Server) legacyDiagnostics(w http.ResponseWriter, r *http.Request) {
	// The agent multicasts DIAG_GET to ff03::2 and collects for ~2 s: only
	// routers and rx-on FTD children (which subscribe to ff03::2) answer.
	t := time.NewTimer(s.opts.LegacyCollect)
	select {
	case <-r.Context().Done():
		t.Stop()
		return
	case <-t.C:
	}
	s.mu.Lock()
	now := s.opts.Now()
	s.m.refresh(now)
	out := arr{}
	for _, d := range s.m.devices {
		if !s.answers(d, now) {
			continue
		}
		if d.router || (d.mode.RxOnWhenIdle && d.mode.FullThreadDevice) {
			out = append(out, s.m.legacyEntry(d))
		}
	}
	s.mu.Unlock()
	s.write(w, http.StatusOK, mediaJSON, printJSON(out, true))
}

func (s *Server) nodeResource(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.m.self
	state := "router"
	if d.leader {
		state = "leader"
	}
	var body any
	switch strings.TrimPrefix(strings.TrimRight(r.URL.Path, "/"), "/node/") {
	case "ba-id":
		body = s.m.baID
		if s.legacy() {
			body = strings.ToUpper(s.m.baID)
		}
	case "state":
		body = state
	case "network-name":
		body = s.m.net.Name
	case "leader-data":
		body = s.m.leaderData(s.legacy())
	case "num-of-router":
		body = s.m.activeRouters()
	case "rloc":
		var prefix [8]byte
		a := s.m.mlp.Addr().As16()
		copy(prefix[:], a[:8])
		body = ipString(topology.RlocAddress(prefix, d.rloc))
	case "rloc16":
		body = int(d.rloc)
	case "ext-address":
		body = d.ext
		if s.legacy() {
			body = strings.ToUpper(d.ext)
		}
	case "ext-panid":
		body = s.m.net.ExtPanID
		if s.legacy() {
			body = strings.ToUpper(s.m.net.ExtPanID)
		}
	case "dataset/active":
		body = s.m.dataset(s.legacy())
	case "dataset/pending":
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusNoContent)
		return
	case "commissioner/state":
		body = "disabled"
	case "coprocessor/version":
		body = "OPENTHREAD/; SIMULATION; threadmap otbrsim"
	default:
		s.error(w, http.StatusNotFound, "")
		return
	}
	s.write(w, http.StatusOK, mediaJSON, printJSON(body, true))
}

func (s *Server) wellKnown(w http.ResponseWriter, r *http.Request) {
	// A static document in ot-br-posix, indented with two spaces.
	body := `{
  "api": {
    "version": "0.4.0",
    "base": "/api/"
  },
  "links": [
    {
      "href": "/.well-known/thread/br-rest",
      "rel": "self",
      "type": ["application/json"]
    },
    {
      "href": "/api/node",
      "rel": "node",
      "type": ["application/vnd.api+json"]
    },
    {
      "href": "/api/actions",
      "rel": "task",
      "type": ["application/vnd.api+json"]
    },
    {
      "href": "/api/devices",
      "rel": "device",
      "type": ["application/vnd.api+json"]
    },
    {
      "href": "/api/diagnostics",
      "rel": "diagnostic",
      "type": ["application/vnd.api+json"]
    }
  ]
}`
	s.write(w, http.StatusOK, mediaJSON, []byte(body))
}

// accept returns the answer's media type, or "" after writing 406: the
// real server takes exactly application/vnd.api+json or application/json
// (and */* as the former).
func (s *Server) accept(w http.ResponseWriter, r *http.Request) string {
	switch a := r.Header.Get("Accept"); a {
	case "*/*", mediaJSONAPI:
		return mediaJSONAPI
	case mediaJSON:
		return mediaJSON
	}
	s.error(w, http.StatusNotAcceptable, "")
	return ""
}

func (s *Server) api(w http.ResponseWriter, r *http.Request, p string) {
	parts := strings.Split(strings.TrimPrefix(p, "/api/"), "/")
	if len(parts) > 2 {
		s.error(w, http.StatusNotFound, "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	s.advance(now)
	coll := parts[0]
	id := ""
	if len(parts) == 2 {
		id = parts[1]
	}
	switch {
	case r.Method == http.MethodPost && coll == "actions" && id == "":
		s.postActions(w, r, now)
		return
	case r.Method == http.MethodDelete && id != "":
		// Deleting a task stops it (ot-br-posix: the action's destructor
		// stops its request); the handler is free at once.
		if !s.deleteItem(coll, id, now) {
			s.error(w, http.StatusNotFound, "")
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	case r.Method == http.MethodDelete && id == "":
		switch coll {
		case "actions":
			s.tasks = nil
		case "diagnostics":
			s.results = nil
		case "devices":
			s.devices = []*device{s.m.self}
		default:
			s.error(w, http.StatusNotFound, "")
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	case r.Method != http.MethodGet:
		s.error(w, http.StatusMethodNotAllowed, "")
		return
	}
	media := s.accept(w, r)
	if media == "" {
		return
	}
	var items []apiItem
	switch coll {
	case "node":
		if id != "" {
			s.error(w, http.StatusNotFound, "")
			return
		}
		items = []apiItem{s.deviceItem(s.m.self, media == mediaJSON)}
		s.single(w, media, items[0])
		return
	case "actions":
		for i := len(s.tasks) - 1; i >= 0; i-- {
			items = append(items, s.taskItem(s.tasks[i], now))
		}
	case "devices":
		for _, d := range s.devices {
			items = append(items, s.deviceItem(d, media == mediaJSON))
		}
	case "diagnostics":
		for _, res := range s.results {
			items = append(items, s.resultItem(res, media == mediaJSON))
		}
	default:
		s.error(w, http.StatusNotFound, "")
		return
	}
	if id != "" {
		for _, it := range items {
			if it.id == id {
				s.single(w, media, it)
				return
			}
		}
		s.error(w, http.StatusNotFound, "")
		return
	}
	if media == mediaJSON {
		out := arr{}
		for _, it := range items {
			out = append(out, it.attrs)
		}
		s.write(w, http.StatusOK, mediaJSON, printJSON(out, true))
		return
	}
	data := arr{}
	for _, it := range items {
		data = append(data, it.doc())
	}
	meta := obj{{"offset", 0}, {"limit", 200}, {"total", len(items)}}
	if coll == "actions" {
		meta.add("pending", s.pending())
	}
	s.write(w, http.StatusOK, mediaJSONAPI, printJSON(obj{{"data", data}, {"meta", obj{{"collection", meta}}}}, true))
}

type apiItem struct {
	id, typ string
	attrs   obj
	rel     obj
}

func (it apiItem) doc() obj {
	o := obj{{"id", it.id}, {"type", it.typ}, {"attributes", it.attrs}}
	if it.rel != nil {
		o.add("relationships", it.rel)
	}
	return o
}

func (s *Server) single(w http.ResponseWriter, media string, it apiItem) {
	if media == mediaJSON {
		s.write(w, http.StatusOK, mediaJSON, printJSON(it.attrs, true))
		return
	}
	s.write(w, http.StatusOK, mediaJSONAPI, printJSON(obj{{"data", it.doc()}}, true))
}

func (s *Server) deviceItem(d *device, plain bool) apiItem {
	typ := "threadDevice"
	if d == s.m.self {
		typ = "threadBorderRouter"
	}
	created := s.started.UTC().Format(timeLayout)
	updated := ""
	if s.collected {
		if d != s.m.self {
			created = s.listed[d.ext][0].UTC().Format(timeLayout)
			if u := s.listed[d.ext][1]; !u.IsZero() {
				updated = u.UTC().Format(timeLayout)
			}
		} else {
			updated = s.collected0.UTC().Format(timeLayout)
		}
	}
	return apiItem{id: d.ext, typ: typ, attrs: s.m.deviceAttributes(d, s.n, s.collected, created, updated, plain)}
}

func (s *Server) resultItem(res *result, plain bool) apiItem {
	attrs := res.attrs
	if !plain {
		attrs = append(append(obj{}, attrs...), kv{"created", res.created.UTC().Format(timeLayout)})
	}
	return apiItem{id: res.id, typ: "networkDiagnostics", attrs: attrs}
}

func (s *Server) pending() int {
	n := 0
	for _, t := range s.tasks {
		if t.status == "pending" || t.status == "active" {
			n++
		}
	}
	return n
}

func (s *Server) taskItem(t *task, now time.Time) apiItem {
	a := obj{}
	switch t.typ {
	case "getNetworkDiagnosticTask":
		a.add("destination", t.destID)
		a.add("destinationType", "extended")
		var types arr
		for _, id := range t.tlvs {
			types = append(types, s.n.tlvName(id))
		}
		if types == nil {
			types = arr{}
		}
		a.add("types", types)
	case "updateDeviceCollectionTask":
		a.add("maxAge", t.attrs["maxAge"])
		a.add("maxRetries", t.maxRetries)
		a.add("deviceCount", t.deviceCount)
	}
	if t.status == "pending" || t.status == "active" {
		// Whole seconds left, rounded down as the real one shows 59 for 60 at once.
		left := int((t.created.Add(t.timeout).Sub(now) - time.Nanosecond) / time.Second)
		a.add("timeout", max(left, 0))
	}
	a.add("status", t.status)
	a.add("created", t.created.UTC().Format(timeLayout))
	it := apiItem{id: t.id, typ: t.typ, attrs: a}
	if t.result != "" {
		it.rel = obj{{"result", obj{{"data", obj{{"type", "diagnostics"}, {"id", t.result}}}}}}
	}
	return it
}

// postActions enqueues tasks (ot-br-posix ApiActionsPostHandler): the
// content type must be application/vnd.api+json, every item must be valid
// or the whole list is refused with 422.
func (s *Server) postActions(w http.ResponseWriter, r *http.Request, now time.Time) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		s.error(w, http.StatusNotAcceptable, "")
		return
	}
	if ct != mediaJSONAPI {
		s.error(w, http.StatusUnsupportedMediaType, "")
		return
	}
	var doc struct {
		Data []struct {
			Type       string         `json:"type"`
			Attributes map[string]any `json:"attributes"`
		} `json:"data"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(&doc); err != nil {
		s.error(w, http.StatusBadRequest, "")
		return
	}
	if doc.Data == nil {
		s.error(w, http.StatusUnprocessableEntity, "")
		return
	}
	var made []*task
	for _, it := range doc.Data {
		t, err := s.newTask(it.Type, it.Attributes, now)
		if err != nil {
			s.error(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
		made = append(made, t)
	}
	if s.pending()+len(made) > 200 {
		s.error(w, http.StatusServiceUnavailable, "")
		return
	}
	data := arr{}
	s.tasks = append(s.tasks, made...)
	for _, t := range made {
		it := s.taskItem(t, now)
		// The POST answer has no "created" (it is the enqueue answer).
		attrs := obj{}
		for _, m := range it.attrs {
			if m.k != "created" {
				attrs = append(attrs, m)
			}
		}
		data = append(data, obj{{"id", t.id}, {"type", t.typ}, {"attributes", attrs}})
	}
	body := obj{{"data", data}, {"meta", obj{{"collection", obj{{"offset", 0}, {"limit", 200}, {"total", len(made)}}}}}}
	s.write(w, http.StatusOK, mediaJSONAPI, printJSON(body, false))
	// The queue moves on after the answer (the real one shows "pending").
	s.advance(now)
}

func num(v any) (int, bool) {
	f, ok := v.(float64)
	if !ok || f < 0 || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

func (s *Server) newTask(typ string, attrs map[string]any, now time.Time) (*task, error) {
	if attrs == nil {
		return nil, errors.New("attributes missing")
	}
	t := &task{id: uuid(), typ: typ, attrs: attrs, created: now, status: "pending"}
	secs, ok := 93, true
	if v, has := attrs["timeout"]; has {
		if secs, ok = num(v); !ok {
			return nil, errors.New("timeout")
		}
	}
	t.timeout = time.Duration(secs) * time.Second
	switch typ {
	case "getNetworkDiagnosticTask":
		dest, ok := attrs["destination"].(string)
		if !ok || dest == "" {
			return nil, errors.New("destination")
		}
		t.destID = strings.ToLower(dest)
		list, ok := attrs["types"].([]any)
		if !ok {
			return nil, errors.New("types")
		}
		known := s.n.tlvNames()
		seen := map[int]bool{}
		for _, v := range list {
			name, ok := v.(string)
			if !ok {
				return nil, errors.New("types")
			}
			id, ok := known[name]
			if !ok {
				return nil, fmt.Errorf("types: unknown %q", name)
			}
			if !seen[id] {
				seen[id] = true
				t.tlvs = append(t.tlvs, id)
			}
		}
		sort.Ints(t.tlvs)
	case "updateDeviceCollectionTask":
		for _, k := range []string{"maxAge", "maxRetries", "deviceCount"} {
			if _, ok := num(attrs[k]); !ok {
				if _, isNum := attrs[k].(float64); !isNum {
					return nil, errors.New(k)
				}
			}
		}
		t.deviceCount, _ = num(attrs["deviceCount"])
		t.maxRetries, _ = num(attrs["maxRetries"])
	default:
		return nil, fmt.Errorf("unknown type %q", typ)
	}
	return t, nil
}

// advance runs the task queue up to now, as ot-br-posix's ActionsList and
// NetworkDiagHandler do: the handler serves one request at a time, so at
// most one task is active; a task starts PickUp after it was posted or
// when the handler becomes free. A diagnostic task whose destination the
// device collection does not list cannot start: it stays pending without
// holding the queue, and is stopped at its timeout, as is a task that
// waited in the queue past its timeout.
func (s *Server) advance(now time.Time) {
	for {
		if a := s.activeTask(); a != nil {
			if a.end.After(now) {
				s.expirePending(now)
				return
			}
			s.finish(a)
			if a.end.After(s.free) {
				s.free = a.end
			}
		}
		var next *task
		var at time.Time
		for _, t := range s.tasks {
			if t.status != "pending" {
				continue
			}
			start := t.created.Add(s.opts.PickUp)
			if s.free.After(start) {
				start = s.free
			}
			deadline := t.created.Add(t.timeout)
			if !start.Before(deadline) || (t.typ == "getNetworkDiagnosticTask" && s.lookup(t.destID) == nil) {
				continue // expirePending stops it at its deadline
			}
			if start.After(now) {
				continue
			}
			next, at = t, start
			break
		}
		if next == nil {
			s.expirePending(now)
			return
		}
		s.begin(next, at)
	}
}

// deleteItem removes one item of a collection; it reports whether there was one.
func (s *Server) deleteItem(coll, id string, now time.Time) bool {
	switch coll {
	case "actions":
		for i, t := range s.tasks {
			if t.id == id {
				if t.status == "active" && now.After(s.free) {
					s.free = now
				}
				s.tasks = append(s.tasks[:i], s.tasks[i+1:]...)
				return true
			}
		}
	case "diagnostics":
		for i, r := range s.results {
			if r.id == id {
				s.results = append(s.results[:i], s.results[i+1:]...)
				return true
			}
		}
	case "devices":
		for i, d := range s.devices {
			if d.ext == id && d != s.m.self {
				s.devices = append(s.devices[:i], s.devices[i+1:]...)
				return true
			}
		}
	}
	return false
}

func (s *Server) activeTask() *task {
	for _, t := range s.tasks {
		if t.status == "active" {
			return t
		}
	}
	return nil
}

// expirePending stops the pending tasks whose timeout passed.
func (s *Server) expirePending(now time.Time) {
	for _, t := range s.tasks {
		if t.status == "pending" && !t.created.Add(t.timeout).After(now) {
			t.status, t.end = "stopped", t.created.Add(t.timeout)
		}
	}
}

// lookup resolves a task's destination through the device collection.
func (s *Server) lookup(ext string) *device {
	for _, d := range s.devices {
		if d.ext == ext {
			return d
		}
	}
	return nil
}

// collectionMinimum is the handler's shortest discovery round
// (kDiagCollectTimeout): a task with a shorter timeout is stopped before
// a round that waits for a silent router ends.
const collectionMinimum = 10 * time.Second

// begin makes t active at start and decides when and how it ends.
func (s *Server) begin(t *task, start time.Time) {
	t.status, t.start = "active", start
	deadline := t.created.Add(t.timeout)
	switch t.typ {
	case "updateDeviceCollectionTask":
		// Each round asks every router and waits for all of them; with too
		// high a deviceCount the task repeats the round maxRetries times.
		rounds := 1
		if found := len(s.m.devices); found < t.deviceCount {
			rounds += t.maxRetries
		}
		t.end = start.Add(time.Duration(rounds) * s.opts.CollectionRound)
		s.m.refresh(start)
		for _, d := range s.m.devices {
			if d.router && !d.released && !s.answers(d, start) {
				// A router whose ID is still allocated but that does not
				// answer holds the round to the timeout (measured: 10.2 s
				// of a 10 s task while a router that stopped kept its ID).
				t.end = deadline
				t.roundHeld = true
			}
		}
	case "getNetworkDiagnosticTask":
		t.dest = s.lookup(t.destID)
		t.answered = true
		switch {
		case t.dest == s.m.self:
			t.end = start.Add(5 * time.Millisecond)
		case !s.answers(t.dest, start):
			t.end, t.answered = deadline, false
		case !t.dest.mode.RxOnWhenIdle:
			t.end = s.nextPoll(t.dest, start).Add(s.opts.RxOnAnswer)
		default:
			t.end = start.Add(s.opts.RxOnAnswer)
		}
		if t.end.After(deadline) {
			t.end, t.answered = deadline, false
		}
	}
	if t.end.After(deadline) {
		t.end = deadline
	}
}

// answers reports whether d is there to answer at time at.
func (s *Server) answers(d *device, at time.Time) bool {
	return !s.opts.Silent[d.ext] && (d.gone.IsZero() || at.Before(d.gone))
}

// nextPoll is when sleepy child d next polls its parent after at.
func (s *Server) nextPoll(d *device, at time.Time) time.Time {
	period := s.opts.SleepyPoll
	if period <= 0 {
		period = time.Duration(max(d.timeout, 1)) * time.Second
	}
	h := sha256.Sum256([]byte("poll" + d.ext))
	phase := time.Duration(binary.BigEndian.Uint64(h[:8]) % uint64(period))
	first := s.started.Add(phase)
	if !at.After(first) {
		return first
	}
	n := (at.Sub(first) + period - 1) / period
	return first.Add(n * period)
}

func (s *Server) finish(t *task) {
	t.status = "completed"
	switch t.typ {
	case "updateDeviceCollectionTask":
		if t.roundHeld && t.timeout < collectionMinimum {
			// The action times out before the handler's round does.
			t.status = "stopped"
			return
		}
		// The round lists the routers that answer and the children their
		// child tables hold. The collection only grows: devices that left
		// stay in it.
		s.m.refresh(t.end)
		for _, d := range s.m.devices {
			listed := s.answers(d, t.end)
			if !d.router {
				listed = d.parent != nil && s.answers(d.parent, t.end) && slices.Contains(d.parent.children, d)
			}
			switch {
			case !listed:
			case s.lookup(d.ext) == nil:
				s.devices = append(s.devices, d)
				s.listed[d.ext] = [2]time.Time{t.end}
			default:
				s.listed[d.ext] = [2]time.Time{s.listed[d.ext][0], t.end}
			}
		}
		s.collected, s.collected0 = true, t.end
	case "getNetworkDiagnosticTask":
		if !t.answered {
			// No answer: the real border router ends the task "completed"
			// at its timeout, without a result.
			return
		}
		res := &result{id: uuid(), attrs: s.m.diagAttributes(t.dest, t.tlvs, s.n, t.end), created: t.end}
		s.results = append(s.results, res)
		if len(s.results) > maxDiagnostics {
			s.results = s.results[len(s.results)-maxDiagnostics:]
		}
		t.result = res.id
	}
}

// maxDiagnostics is the diagnostics collection's size (ot-br-posix
// MAX_DIAG_COLLECTION_ITEMS): the oldest items are evicted.
const maxDiagnostics = 200

func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
