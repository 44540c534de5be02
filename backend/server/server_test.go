package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/backend/routers"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/export"
	"github.com/threadmap/threadmap/thread/topology"
)

// fixture is a server over a real store holding two snapshots of a
// generated mesh, the second one taken a minute later.
type fixture struct {
	t     *testing.T
	st    *store.Store
	srv   *Server
	h     http.Handler
	truth *topology.Snapshot
	ids   []string
	bus   *events.Bus
}

func newFixture(t *testing.T, o Options) *fixture {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "t.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	truth := smallMesh()
	f := &fixture{t: t, st: st, truth: truth}
	for i := 0; i < 2; i++ {
		s := *truth
		s.TakenAt = time.Date(2026, 11, 25, 12, i, 0, 0, time.UTC)
		id, err := st.Put(&s)
		if err != nil {
			t.Fatal(err)
		}
		f.ids = append(f.ids, id)
	}
	f.bus = events.NewBus()
	o.Store = st
	o.Events = f.bus
	if o.Version == "" {
		o.Version = "test"
	}
	f.srv = New(o)
	f.h = f.srv.Handler()
	return f
}

// do sends one request and returns the status and body.
func (f *fixture) do(method, target string, body io.Reader, hdr ...string) (int, []byte, http.Header) {
	f.t.Helper()
	req := httptest.NewRequest(method, target, body)
	req.Host = "127.0.0.1:8080"
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes(), rec.Header()
}

func errCode(t *testing.T, body []byte) ErrorCode {
	t.Helper()
	var e ErrorBody
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" {
		t.Fatalf("not an error body: %s", body)
	}
	return e.Error.Code
}

func TestLatestTopologyIsTheStoredSnapshot(t *testing.T) {
	f := newFixture(t, Options{Loopback: true})
	key := f.truth.Network.Key()
	for _, target := range []string{"/api/v1/topology/latest", "/api/v1/topology/latest?network=" + key} {
		code, body, _ := f.do("GET", target, nil)
		if code != 200 {
			t.Fatalf("%s: %d %s", target, code, body)
		}
		got, err := topology.DecodeJSON(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != f.ids[1] {
			t.Errorf("%s: snapshot_id %q, want %q", target, got.ID, f.ids[1])
		}
		if d := f.truth.Shape().Diff(got.Shape()); len(d) > 0 {
			t.Errorf("%s: shape differs from truth: %v", target, d)
		}
	}
}

func TestBadInputIsAClearError(t *testing.T) {
	f := newFixture(t, Options{Loopback: true})
	cases := []struct {
		method, target string
		status         int
		code           ErrorCode
	}{
		{"GET", "/api/v1/snapshots/999999", 404, CodeNotFound},
		{"GET", "/api/v1/snapshots/not-an-id", 404, CodeNotFound},
		{"GET", "/api/v1/snapshots/-1/export", 404, CodeNotFound},
		{"GET", "/api/v1/snapshots/" + "1" + "/export?format=pdf", 400, CodeBadRequest},
		{"GET", "/api/v1/snapshots/1/export?redact=maybe", 400, CodeBadRequest},
		{"GET", "/api/v1/topology/latest?network=feedfeedfeedfeed", 404, CodeNotFound},
		{"GET", "/api/v1/topology/latest?network=", 400, CodeBadRequest},
		{"GET", "/api/v1/snapshots?from=yesterday", 400, CodeBadRequest},
		{"GET", "/api/v1/snapshots?limit=0", 400, CodeBadRequest},
		{"GET", "/api/v1/snapshots?limit=abc", 400, CodeBadRequest},
		{"GET", "/api/v1/snapshots?cursor=%25%25%25", 400, CodeBadRequest},
		{"GET", "/api/v1/snapshots?from=2026-11-25T13:00:00Z&to=2026-11-25T12:00:00Z", 400, CodeBadRequest},
		{"GET", "/api/v1/diff?from=1", 400, CodeBadRequest},
		{"GET", "/api/v1/diff?from=1&to=424242", 404, CodeNotFound},
		{"GET", "/api/v1/insights?snapshot=424242", 404, CodeNotFound},
		{"DELETE", "/api/v1/snapshots/424242", 404, CodeNotFound},
		{"POST", "/api/v1/scan", 503, CodeUnavailable},
		{"GET", "/api/v1/nope", 404, CodeNotFound},
		{"PUT", "/api/v1/info", 405, CodeMethod},
		{"POST", "/api/v1/import", 400, CodeBadRequest},
	}
	for _, c := range cases {
		code, body, hdr := f.do(c.method, c.target, nil)
		if code != c.status {
			t.Errorf("%s %s: status %d, want %d (%s)", c.method, c.target, code, c.status, body)
			continue
		}
		if got := errCode(t, body); got != c.code {
			t.Errorf("%s %s: code %q, want %q", c.method, c.target, got, c.code)
		}
		if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: content type %q", c.method, c.target, ct)
		}
	}
	// Garbage bodies on import: 400, never 500.
	for _, body := range []string{"{", `{"schema":"other"}`, "\xa1\x00\xff", `{"schema":"threadmap.topology/v1"}`} {
		code, b, _ := f.do("POST", "/api/v1/import", strings.NewReader(body), "Content-Type", "application/json")
		if code != 400 {
			t.Errorf("import %q: %d %s", body, code, b)
		}
	}
}

func TestSnapshotsListPagesNewestFirst(t *testing.T) {
	f := newFixture(t, Options{Loopback: true})
	code, body, _ := f.do("GET", "/api/v1/snapshots?limit=1", nil)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var page store.Page
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Snapshots) != 1 || page.Snapshots[0].ID != f.ids[1] || page.NextCursor == "" {
		t.Fatalf("first page: %+v", page)
	}
	code, body, _ = f.do("GET", "/api/v1/snapshots?limit=1&cursor="+page.NextCursor, nil)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	page = store.Page{}
	json.Unmarshal(body, &page)
	if len(page.Snapshots) != 1 || page.Snapshots[0].ID != f.ids[0] || page.NextCursor != "" {
		t.Fatalf("second page: %+v", page)
	}
	code, body, _ = f.do("GET", "/api/v1/snapshots?from=2026-11-25T12:00:30Z", nil)
	page = store.Page{}
	json.Unmarshal(body, &page)
	if code != 200 || len(page.Snapshots) != 1 || page.Snapshots[0].ID != f.ids[1] {
		t.Fatalf("time range: %d %s", code, body)
	}
}

func TestTokenGuardsMutatingEndpoints(t *testing.T) {
	f := newFixture(t, Options{Loopback: false, Token: "s3cret"})
	code, body, _ := f.do("DELETE", "/api/v1/snapshots/"+f.ids[0], nil)
	if code != 401 || errCode(t, body) != CodeUnauthorized {
		t.Fatalf("no token: %d %s", code, body)
	}
	code, body, _ = f.do("DELETE", "/api/v1/snapshots/"+f.ids[0], nil, "Authorization", "Bearer wrong")
	if code != 401 {
		t.Fatalf("wrong token: %d %s", code, body)
	}
	code, body, _ = f.do("GET", "/api/v1/snapshots/"+f.ids[0], nil, "Authorization", "Bearer s3cret")
	if code != 200 {
		t.Fatalf("reading with the token: %d %s", code, body)
	}
	code, body, _ = f.do("DELETE", "/api/v1/snapshots/"+f.ids[0], nil, "Authorization", "Bearer s3cret")
	if code != 204 {
		t.Fatalf("with token: %d %s", code, body)
	}
	if code, _, _ = f.do("GET", "/api/v1/snapshots/"+f.ids[0], nil, "Authorization", "Bearer s3cret"); code != 404 {
		t.Fatalf("deleted snapshot still there: %d", code)
	}
}

func TestLoopbackRefusesForeignHostAndCrossOriginWrites(t *testing.T) {
	f := newFixture(t, Options{Loopback: true})
	req := httptest.NewRequest("GET", "/api/v1/info", nil)
	req.Host = "attacker.example:8080"
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if rec.Code != 403 {
		t.Fatalf("rebinding host: %d", rec.Code)
	}
	f2 := newFixture(t, Options{Loopback: true, AllowedHosts: []string{"threadmap.home.arpa"}})
	req = httptest.NewRequest("GET", "/api/v1/info", nil)
	req.Host = "threadmap.home.arpa:443"
	rec = httptest.NewRecorder()
	f2.h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("allowed host: %d", rec.Code)
	}
	code, body, _ := f.do("DELETE", "/api/v1/snapshots/"+f.ids[0], nil, "Origin", "http://attacker.example")
	if code != 403 || errCode(t, body) != CodeForbidden {
		t.Fatalf("cross-origin delete: %d %s", code, body)
	}
	code, _, _ = f.do("DELETE", "/api/v1/snapshots/"+f.ids[0], nil, "Origin", "http://example.com")
	if code != 403 {
		t.Fatalf("cross-origin delete: %d", code)
	}
	code, body, _ = f.do("DELETE", "/api/v1/snapshots/"+f.ids[0], nil, "Origin", "http://127.0.0.1:8080")
	if code != 204 {
		t.Fatalf("same-machine delete without a token on loopback: %d %s", code, body)
	}
}

func TestImportRoundTripAndSizeLimit(t *testing.T) {
	f := newFixture(t, Options{Loopback: true, MaxImportBytes: 64 << 10})
	sub, cancel := f.bus.Subscribe(8)
	defer cancel()
	snap := *f.truth
	snap.TakenAt = time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	b, _ := snap.JSON()
	code, body, _ := f.do("POST", "/api/v1/import", bytes.NewReader(b), "Content-Type", "application/json")
	if code != 201 {
		t.Fatalf("import: %d %s", code, body)
	}
	var res struct {
		ID string `json:"snapshot_id"`
	}
	json.Unmarshal(body, &res)
	select {
	case ev := <-sub:
		if ev.Name != events.SnapshotNew || !strings.Contains(string(ev.Data), `"`+res.ID+`"`) {
			t.Errorf("event %s %s", ev.Name, ev.Data)
		}
	case <-time.After(time.Second):
		t.Error("no snapshot.new event for the import")
	}
	code, body, _ = f.do("GET", "/api/v1/topology/latest", nil)
	got, err := topology.DecodeJSON(bytes.NewReader(body))
	if code != 200 || err != nil || got.ID != res.ID {
		t.Fatalf("latest after import: %d %v %s", code, err, body[:min(len(body), 200)])
	}
	big := bytes.Repeat([]byte(" "), 70<<10)
	code, body, _ = f.do("POST", "/api/v1/import", bytes.NewReader(big), "Content-Type", "application/json")
	if code != 413 || errCode(t, body) != CodeTooLarge {
		t.Fatalf("oversized import: %d %s", code, body)
	}
}

func TestRoutesAndOpenAPIDocumentAgree(t *testing.T) {
	f := newFixture(t, Options{Loopback: true})
	code, body, _ := f.do("GET", "/api/v1/openapi.json", nil)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	inDoc := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			inDoc[strings.ToUpper(m)+" "+p] = true
		}
	}
	registered := map[string]bool{}
	for _, r := range f.srv.engine.Routes() {
		registered[r.Method+" "+openAPIPath(r.Path)] = true
	}
	var missing, extra []string
	for k := range registered {
		if !inDoc[k] {
			missing = append(missing, k)
		}
	}
	for k := range inDoc {
		if !registered[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("routes not in the document: %v; documented but not registered: %v", missing, extra)
	}
	// Every $ref names a component that exists.
	var full map[string]any
	json.Unmarshal(body, &full)
	schemas := full["components"].(map[string]any)["schemas"].(map[string]any)
	for _, ref := range refs(full) {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		if _, ok := schemas[name]; !ok {
			t.Errorf("dangling $ref %s", ref)
		}
	}
}

func refs(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, y := range x {
			if s, ok := y.(string); ok && k == "$ref" {
				out = append(out, s)
			}
			out = append(out, refs(y)...)
		}
	case []any:
		for _, y := range x {
			out = append(out, refs(y)...)
		}
	}
	return out
}

func TestUIFallbackAndPlaceholder(t *testing.T) {
	f := newFixture(t, Options{Loopback: true})
	code, body, _ := f.do("GET", "/", nil)
	if code != 200 || !strings.Contains(string(body), "built without the web UI") {
		t.Fatalf("placeholder: %d %s", code, body)
	}
	ui := fstest.MapFS{
		"index.html":        {Data: []byte("<!doctype html><title>threadmap ui</title>")},
		"assets/app-1a2.js": {Data: []byte("console.log(1)")},
	}
	f2 := newFixture(t, Options{Loopback: true, UI: ui})
	for _, c := range []struct{ path, want string }{
		{"/", "threadmap ui"}, {"/network/abc", "threadmap ui"}, {"/assets/app-1a2.js", "console.log"},
	} {
		code, body, _ := f2.do("GET", c.path, nil)
		if code != 200 || !strings.Contains(string(body), c.want) {
			t.Errorf("%s: %d %s", c.path, code, body)
		}
	}
	if code, _, _ := f2.do("GET", "/assets/missing.js", nil); code != 404 {
		t.Errorf("missing asset: %d", code)
	}
	if code, body, _ := f2.do("GET", "/api/v1/unknown", nil); code != 404 || errCode(t, body) != CodeNotFound {
		t.Errorf("unknown API path: %d %s", code, body)
	}
}

func TestBorderRoutersFromRegistry(t *testing.T) {
	reg := routers.NewRegistry(nil)
	f := newFixture(t, Options{Loopback: true, BorderRouters: reg})
	reg.Upsert(topology.BorderRouter{ID: "agent-1", Vendor: "OpenThread", ExtPanID: f.truth.Network.ExtPanID, NetworkName: f.truth.Network.Name})
	code, body, _ := f.do("GET", "/api/v1/border-routers?network="+f.truth.Network.Key(), nil)
	if code != 200 || !strings.Contains(string(body), `"agent-1"`) || !strings.Contains(string(body), `"network":"`+f.truth.Network.Key()+`"`) {
		t.Fatalf("%d %s", code, body)
	}
	if code, _, _ := f.do("GET", "/api/v1/border-routers?network=0000000000000001", nil); code != 404 {
		t.Fatalf("unknown network: %d", code)
	}
}

// smallMesh is a leader, a router, a REED and a sleepy child, normalized.
func smallMesh() *topology.Snapshot {
	s := topology.New(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	s.Network = topology.Network{Name: "Home", ExtPanID: "dead00beef00cafe", PanID: "0x1234", Channel: 15, LeaderRouterID: topology.Ptr(1)}
	node := func(ext string, rloc topology.Rloc16, mode topology.Mode) topology.Node {
		return topology.Node{ID: ext, ExtAddr: ext, Rloc16: &rloc, Mode: &mode, Sources: []string{"test"}}
	}
	ftd := topology.Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true}
	s.Nodes = []topology.Node{
		node("1111111111111111", 0x0400, ftd),
		node("2222222222222222", 0x0800, ftd),
		node("3333333333333333", 0x0401, ftd),
		node("4444444444444444", 0x0802, topology.Mode{}),
	}
	s.Links = []topology.Link{{Kind: topology.LinkRouter, A: "1111111111111111", B: "2222222222222222", LQIn: topology.Ptr(3), LQOut: topology.Ptr(1)}}
	topology.Normalize(s)
	return s
}

// realExport is the store/export adapter, as the app wires it.
func realExport(w io.Writer, s *topology.Snapshot, format string, redact bool) (string, string, error) {
	f, err := export.ParseFormat(format)
	if err != nil {
		return "", "", err
	}
	if err := export.Write(w, s, f, export.Options{Redact: redact}); err != nil {
		return "", "", err
	}
	return f.ContentType(), f.Ext(), nil
}

func TestExportEveryFormatAndImportCBOR(t *testing.T) {
	f := newFixture(t, Options{Loopback: true, Export: realExport, DecodeCBOR: store.NewCodec().UnmarshalSnapshot})
	for _, format := range []string{"json", "cbor", "graphml", "dot", "csv"} {
		code, body, hdr := f.do("GET", "/api/v1/snapshots/"+f.ids[1]+"/export?format="+format, nil)
		if code != 200 || len(body) == 0 {
			t.Errorf("%s: %d %.100s", format, code, body)
			continue
		}
		if cd := hdr.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") {
			t.Errorf("%s: Content-Disposition %q", format, cd)
		}
	}
	code, body, _ := f.do("GET", "/api/v1/snapshots/"+f.ids[1]+"/export?format=json&redact=true", nil)
	if code != 200 || strings.Contains(string(body), "1111111111111111") {
		t.Errorf("redacted export: %d, still names the ext address: %v", code, strings.Contains(string(body), "1111111111111111"))
	}
	_, cb, _ := f.do("GET", "/api/v1/snapshots/"+f.ids[1]+"/export?format=cbor", nil)
	code, body, _ = f.do("POST", "/api/v1/import", bytes.NewReader(cb), "Content-Type", "application/cbor")
	if code != 201 {
		t.Fatalf("CBOR import: %d %s", code, body)
	}
	var res struct {
		ID string `json:"snapshot_id"`
	}
	json.Unmarshal(body, &res)
	_, body, _ = f.do("GET", "/api/v1/snapshots/"+res.ID, nil)
	got, err := topology.DecodeJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if d := f.truth.Shape().Diff(got.Shape()); len(d) > 0 {
		t.Errorf("CBOR round trip changed the shape: %v", d)
	}
	code, body, _ = f.do("GET", "/api/v1/diff?from="+f.ids[0]+"&to="+res.ID, nil)
	if code != 503 {
		t.Errorf("diff without a differ: %d %s", code, body)
	}
}

// Every route, with hostile values in every parameter it documents, answers
// 4xx/2xx/503 JSON, never 500.
func TestHostileParametersNeverGive500(t *testing.T) {
	f := newFixture(t, Options{Loopback: true, Export: realExport, DecodeCBOR: store.NewCodec().UnmarshalSnapshot,
		Diff: func(a, b *topology.Snapshot) any { return map[string]string{"from": a.ID, "to": b.ID} }})
	values := []string{"", "0", "-1", "18446744073709551616", "%00", "..%2F..%2Fetc%2Fpasswd", "%ff%fe", "name:%E2%9C%93",
		strings.Repeat("9", 300), "2026-13-45T99:99:99Z", "true", "json", f.ids[0], f.truth.Network.Key()}
	for _, r := range f.srv.routes {
		if r.Path == "/api/v1/events" {
			continue // a stream; covered by the SSE test
		}
		for _, v := range values {
			path := r.Path
			query := []string{}
			for _, p := range r.Params {
				if p.In == "path" {
					path = strings.ReplaceAll(path, ":"+p.Name, v)
				} else {
					query = append(query, p.Name+"="+v)
				}
			}
			if path == "" || strings.Contains(path, "//") {
				continue
			}
			target := path
			if len(query) > 0 {
				target += "?" + strings.Join(query, "&")
			}
			var body io.Reader
			if r.Body != nil {
				body = strings.NewReader(v)
			}
			code, b, _ := f.do(r.Method, target, body)
			if code >= 500 && code != 503 {
				t.Errorf("%s %s: %d %.200s", r.Method, target, code, b)
			}
		}
	}
}

// PATCH /settings is mutating: beyond loopback it needs the token before
// anything else (without a settings service it then answers 503).
func TestSettingsPatchNeedsTheToken(t *testing.T) {
	f := newFixture(t, Options{Loopback: false, Token: "s3cret"})
	code, body, _ := f.do("PATCH", "/api/v1/settings", strings.NewReader(`{"interval":"1s"}`))
	if code != 401 || errCode(t, body) != CodeUnauthorized {
		t.Fatalf("no token: %d %s", code, body)
	}
	code, body, _ = f.do("PATCH", "/api/v1/settings", strings.NewReader(`{"interval":"1s"}`), "Authorization", "Bearer s3cret")
	if code != 503 || errCode(t, body) != CodeUnavailable {
		t.Fatalf("with token, no settings service: %d %s", code, body)
	}
	if code, body, _ = f.do("GET", "/api/v1/settings", nil, "Authorization", "Bearer s3cret"); code != 503 {
		t.Fatalf("GET without a settings service: %d %s", code, body)
	}
}
