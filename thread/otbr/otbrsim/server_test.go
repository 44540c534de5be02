package otbrsim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/topology"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

var currentDir = topologytest.OpenThread("small-current", "otbr-rest")
var legacyDir = topologytest.OpenThread("small", "otbr-rest-2025-09-legacy")

// smallCurrent is the small-current mesh as the real border router
// described it, so the simulator serves the same mesh.
func smallCurrent(t *testing.T) *topology.Snapshot { return mustSmallCurrent(t) }

func mustSmallCurrent(t testing.TB) *topology.Snapshot {
	t.Helper()
	s, err := otbr.Import(context.Background(), currentDir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func start(t *testing.T, snap *topology.Snapshot, d otbr.Dialect, opts Options) (*Server, string) {
	t.Helper()
	if opts.LegacyCollect == 0 {
		opts.LegacyCollect = 100 * time.Millisecond
	}
	s, err := NewWithOptions(snap, d, opts)
	if err != nil {
		t.Fatal(err)
	}
	url, stop, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return s, url
}

// clock is a settable clock for Options.Now: the task queue advances only
// when a request comes, to the clock's time, so a test steps it exactly.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func call(t *testing.T, method, url, accept, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if body != "" {
		req.Header.Set("Content-Type", mediaJSONAPI)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// keysAt lists, in order, the member names of the object reached by
// following path (object keys; "0" for an array's first element).
func keysAt(t *testing.T, body []byte, path ...string) []string {
	t.Helper()
	raw := body
	for _, p := range path {
		if p == "0" {
			var a []json.RawMessage
			if err := json.Unmarshal(raw, &a); err != nil || len(a) == 0 {
				t.Fatalf("path %v: %v", path, err)
			}
			raw = a[0]
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("path %v: %v", path, err)
		}
		raw = m[p]
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("path %v: not an object", path)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	if len(keys) == 0 {
		t.Fatalf("path %v: empty object", path)
	}
	return keys
}

// TestByteShapes: the simulator's answers have the real border router's
// layout: cJSON's tabs, key order, compact POST answers.
func TestByteShapes(t *testing.T) {
	snap := smallCurrent(t)
	clk := newClock()
	s, url := start(t, snap, otbr.DialectJSONAPI2026, Options{Now: clk.Now})
	// Device collection, then the border router's own diagnostics with the
	// types the capture asked for.
	code, body := call(t, http.MethodPost, url+"/api/actions", mediaJSONAPI,
		`{"data": [{"type": "updateDeviceCollectionTask", "attributes": {"deviceCount": 9, "maxAge": 30, "maxRetries": 5, "timeout": 60}}]}`)
	if code != 200 || !bytes.HasPrefix(body, []byte(`{"data":[{"id":"`)) || !bytes.Contains(body, []byte(`"status":"pending"}}],"meta":{"collection":{"offset":0,"limit":200,"total":1}}}`)) {
		t.Fatalf("POST answer %d %s", code, body)
	}
	clk.Add(400 * time.Millisecond) // PickUp + one discovery round
	types := `["extAddress", "rloc16", "mode", "connectivity", "route", "leaderData", "networkData", "ipv6Addresses", "macCounters", "childTable", "channelPages", "maxChildTimeout", "eui", "threadVersion", "vendorName", "vendorModel", "vendorSwVersion", "threadStackVersion", "mleCounters"]`
	code, body = call(t, http.MethodPost, url+"/api/actions", mediaJSONAPI,
		`{"data": [{"type": "getNetworkDiagnosticTask", "attributes": {"destination": "`+s.BorderRouterExtAddr()+`", "types": `+types+`, "timeout": 30}}]}`)
	if code != 200 {
		t.Fatalf("POST %d %s", code, body)
	}
	clk.Add(100 * time.Millisecond) // PickUp + the border router's own answer
	code, body = call(t, http.MethodGet, url+"/api/diagnostics", mediaJSONAPI, "")
	if code != 200 || !bytes.HasPrefix(body, []byte("{\n\t\"data\":\t[{\n\t\t\t\"id\":\t\"")) {
		t.Fatalf("GET /api/diagnostics %d %.80q", code, body)
	}
	real, err := os.ReadFile(filepath.Join(currentDir, "38_GET_api_diagnostics_item.body"))
	if err != nil {
		t.Fatal(err)
	}
	want := keysAt(t, real, "data", "attributes")
	got := keysAt(t, body, "data", "0", "attributes")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics item keys\n got %v\nwant %v", got, want)
	}
	if w, g := keysAt(t, real, "data", "attributes", "route", "routeData", "0"), keysAt(t, body, "data", "0", "attributes", "route", "routeData", "0"); !reflect.DeepEqual(g, w) {
		t.Errorf("route data keys %v, want %v", g, w)
	}
	// /api/devices item of the border router.
	realDevs, _ := os.ReadFile(filepath.Join(currentDir, "39_GET_api_devices_after.body"))
	_, devs := call(t, http.MethodGet, url+"/api/devices", mediaJSONAPI, "")
	var rd, sd struct {
		Data []struct {
			Type       string          `json:"type"`
			Attributes json.RawMessage `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(realDevs, &rd); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(devs, &sd); err != nil {
		t.Fatal(err)
	}
	find := func(d []struct {
		Type       string          `json:"type"`
		Attributes json.RawMessage `json:"attributes"`
	}, typ string) []byte {
		for _, x := range d {
			if x.Type == typ {
				return x.Attributes
			}
		}
		return nil
	}
	for _, typ := range []string{"threadBorderRouter", "threadDevice"} {
		w, g := keysAt(t, find(rd.Data, typ)), keysAt(t, find(sd.Data, typ))
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s keys\n got %v\nwant %v", typ, g, w)
		}
	}
}

func TestLegacyShapeAndCollection(t *testing.T) {
	snap := smallCurrent(t)
	_, url := start(t, snap, otbr.DialectLegacy, Options{})
	code, body := call(t, http.MethodGet, url+"/diagnostics", mediaJSON, "")
	if code != 200 {
		t.Fatalf("GET /diagnostics %d", code)
	}
	real, _ := os.ReadFile(filepath.Join(legacyDir, "15_GET_diagnostics.body"))
	var realEntries, simEntries []map[string]json.RawMessage
	if err := json.Unmarshal(real, &realEntries); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &simEntries); err != nil {
		t.Fatal(err)
	}
	// Routers and rx-on FTD children only: 4 routers + the FED.
	if len(simEntries) != 5 {
		t.Errorf("%d entries, want 5 (MEDs and SEDs are not listed)", len(simEntries))
	}
	wantKeys := keysAt(t, real, "0") // FED child entry first in the capture
	var fed []byte
	for i, e := range simEntries {
		var r int
		json.Unmarshal(e["Rloc16"], &r)
		if topology.Rloc16(r) == 0xe003 {
			fed, _ = json.Marshal(simEntries[i])
		}
	}
	if fed == nil {
		t.Fatal("no FED entry")
	}
	// Compare the formatted bytes' key order, not re-marshalled maps.
	idx := bytes.Index(body, []byte(`"ExtAddress":	"523D1E635EE46754"`))
	if idx < 0 || !bytes.HasPrefix(body, []byte("[{\n\t\t\"ExtAddress\":\t\"")) {
		t.Fatalf("layout: %.60q", body)
	}
	start := bytes.LastIndex(body[:idx], []byte("{"))
	end := bytes.Index(body[idx:], []byte("\n\t}")) + idx + 3
	if got := keysAt(t, body[start:end]); !reflect.DeepEqual(got, wantKeys) {
		t.Errorf("FED entry keys\n got %v\nwant %v", got, wantKeys)
	}
	// The JSON:API is absent on the legacy server.
	if code, _ := call(t, http.MethodGet, url+"/api/actions", mediaJSONAPI, ""); code != 404 {
		t.Errorf("GET /api/actions on legacy: %d, want 404", code)
	}
}

// TestTaskQueue: tasks run one at a time, pending → active → completed,
// in order, each starting PickUp after it was posted or when the one
// before it ended; a diagnostic task whose destination the device
// collection does not list stays pending without holding the queue and is
// stopped at its timeout; a device that never answers gets its task
// "completed" without a result at the timeout; /api/node is stale until a
// collection; /api/devices carries the children's swapped mode bits. The
// clock is the test's: every state is checked at an exact time.
func TestTaskQueue(t *testing.T) {
	snap := smallCurrent(t)
	clk := newClock()
	const pickUp, answer, round = 40 * time.Millisecond, 150 * time.Millisecond, 100 * time.Millisecond
	s, url := start(t, snap, otbr.DialectJSONAPI2026, Options{Now: clk.Now, PickUp: pickUp, RxOnAnswer: answer,
		CollectionRound: round, Silent: map[string]bool{"d6232969c413030b": true}})
	_, node := call(t, http.MethodGet, url+"/api/node", mediaJSONAPI, "")
	if !bytes.Contains(node, []byte(`"state":	"disabled"`)) {
		t.Errorf("fresh /api/node is not the stale startup item: %s", node)
	}
	early := `{"data": [{"type": "getNetworkDiagnosticTask", "attributes": {"destination": "5a7324b8eee603d2", "types": ["rloc16"], "timeout": 1}}]}`
	_, body := call(t, http.MethodPost, url+"/api/actions", mediaJSONAPI, early)
	earlyID := taskIDs(t, body)[0]
	clk.Add(999 * time.Millisecond)
	if st := statusOf(t, url, earlyID); st != "pending" {
		t.Errorf("task before the device collection: %s, want pending (the destination does not resolve)", st)
	}
	clk.Add(time.Millisecond)
	if st := statusOf(t, url, earlyID); st != "stopped" {
		t.Errorf("task before the device collection at its timeout: %s, want stopped", st)
	}
	_, body = call(t, http.MethodPost, url+"/api/actions", mediaJSONAPI,
		`{"data": [{"type": "updateDeviceCollectionTask", "attributes": {"deviceCount": 1, "maxAge": 30, "maxRetries": 1, "timeout": 10}}]}`)
	coll := taskIDs(t, body)[0]
	var batch []string
	for _, dest := range []string{"5a7324b8eee603d2", "a698f01e4e296706", "0000000000000001", "d6232969c413030b"} {
		batch = append(batch, `{"type": "getNetworkDiagnosticTask", "attributes": {"destination": "`+dest+`", "types": ["extAddress", "rloc16"], "timeout": 2}}`)
	}
	_, body = call(t, http.MethodPost, url+"/api/actions", mediaJSONAPI, `{"data": [`+strings.Join(batch, ",")+`]}`)
	ids := taskIDs(t, body)
	n2, n1, unknown, silent := ids[0], ids[1], ids[2], ids[3]
	// The queue, step by step: the collection, n2, n1, then the silent n5
	// until its timeout; the unknown destination never holds it.
	steps := []struct {
		at   time.Duration
		want map[string]string
	}{
		{0, map[string]string{coll: "pending", n2: "pending", n1: "pending", unknown: "pending", silent: "pending"}},
		{pickUp, map[string]string{coll: "active", n2: "pending"}},
		{pickUp + round, map[string]string{coll: "completed", n2: "active", n1: "pending"}},
		{pickUp + round + answer, map[string]string{n2: "completed", n1: "active", silent: "pending", unknown: "pending"}},
		{pickUp + round + 2*answer, map[string]string{n1: "completed", silent: "active", unknown: "pending"}},
		{2*time.Second - time.Millisecond, map[string]string{silent: "active", unknown: "pending"}},
		{2 * time.Second, map[string]string{silent: "completed", unknown: "stopped"}},
	}
	var elapsed time.Duration
	for _, st := range steps {
		clk.Add(st.at - elapsed)
		elapsed = st.at
		active := 0
		for _, id := range append([]string{coll}, ids...) {
			got := statusOf(t, url, id)
			if got == "active" {
				active++
			}
			if want, ok := st.want[id]; ok && got != want {
				t.Errorf("at +%v: task %s is %s, want %s", st.at, id, got, want)
			}
		}
		if active > 1 {
			t.Errorf("at +%v: %d tasks active at once", st.at, active)
		}
	}
	if rid := resultOf(t, url, n2); rid == "" {
		t.Error("n2's task completed without a result")
	}
	if rid := resultOf(t, url, silent); rid != "" {
		t.Errorf("the silent device's task has a result %s", rid)
	}
	_, node = call(t, http.MethodGet, url+"/api/node", mediaJSONAPI, "")
	if !bytes.Contains(node, []byte(`"rloc16":	"`+snapNode(snap, s.BorderRouterExtAddr()).Rloc16.String()+`"`)) {
		t.Errorf("/api/node after the collection is still stale: %s", node)
	}
	_, devs := call(t, http.MethodGet, url+"/api/devices/d6232969c413030b", mediaJSONAPI, "")
	if !bytes.Contains(devs, []byte("\"fullThreadDevice\":\ttrue,\n\t\t\t\t\"rxOnWhenIdle\":\tfalse")) {
		t.Errorf("MED in /api/devices without the real mode-bit swap: %s", devs)
	}
	// Wrong media types are refused as the real server refuses them.
	if code, _ := call(t, http.MethodGet, url+"/api/devices", "text/html", ""); code != http.StatusNotAcceptable {
		t.Errorf("Accept text/html: %d, want 406", code)
	}
	if code, _ := call(t, http.MethodPost, url+"/api/actions", mediaJSONAPI, `{"data": [{"type": "getNetworkDiagnosticTask", "attributes": {"destination": "5a7324b8eee603d2", "types": ["eui64"]}}]}`); code != http.StatusUnprocessableEntity {
		t.Errorf("pre-2026 type name on the renamed API: %d, want 422", code)
	}
}

func resultOf(t *testing.T, url, id string) string {
	t.Helper()
	acts, err := otbr.DecodeActions(func() []byte { _, b := call(t, http.MethodGet, url+"/api/actions/"+id, mediaJSONAPI, ""); return b }())
	if err != nil || len(acts) != 1 {
		t.Fatalf("task %s: %v", id, err)
	}
	return acts[0].ResultID
}

func snapNode(s *topology.Snapshot, id string) *topology.Node { return s.Node(id) }

func taskIDs(t *testing.T, body []byte) []string {
	t.Helper()
	var doc struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	var ids []string
	for _, d := range doc.Data {
		ids = append(ids, d.ID)
	}
	if len(ids) == 0 {
		t.Fatalf("no task ids in %s", body)
	}
	return ids
}

func statusOf(t *testing.T, url, id string) string {
	t.Helper()
	_, body := call(t, http.MethodGet, url+"/api/actions/"+id, mediaJSONAPI, "")
	var doc struct {
		Data struct {
			Attributes struct {
				Status string `json:"status"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return doc.Data.Attributes.Status
}

// TestPickBorderRouter: any router can play the border router; a child cannot.
func TestPickBorderRouter(t *testing.T) {
	snap := smallCurrent(t)
	s, err := NewWithOptions(snap, otbr.DialectLegacy, Options{BorderRouter: "A698F01E4E296706"})
	if err != nil || s.BorderRouterExtAddr() != "a698f01e4e296706" {
		t.Errorf("leader as border router: %v %v", s, err)
	}
	if _, err := NewWithOptions(snap, otbr.DialectLegacy, Options{BorderRouter: "d6232969c413030b"}); err == nil {
		t.Error("a MED accepted as border router")
	}
	if _, err := NewWithOptions(&topology.Snapshot{}, otbr.DialectLegacy, Options{}); err == nil {
		t.Error("empty snapshot accepted")
	}
	if _, err := NewWithOptions(snap, "xml", Options{}); err == nil {
		t.Error("unknown dialect accepted")
	}
}
