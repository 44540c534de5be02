package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/backend/config"
	"github.com/threadmap/threadmap/backend/demo"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/topology"
)

// sseEvent is one Server-Sent Event.
type sseEvent struct {
	name string
	data string
}

// readEvents streams /api/v1/events into ch until ctx ends.
func readEvents(ctx context.Context, t *testing.T, url string, ch chan<- sseEvent, connected chan<- struct{}) {
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			t.Errorf("events: %v", err)
		}
		close(connected)
		return
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Errorf("events: %d %s", resp.StatusCode, ct)
	}
	close(connected)
	sc := bufio.NewScanner(resp.Body)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			ev.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			ev.data = strings.TrimPrefix(line, "data: ")
		case line == "" && ev.name != "":
			select {
			case ch <- ev:
			case <-ctx.Done():
				return
			}
			ev = sseEvent{}
		}
	}
}

// recorder GETs and POSTs against the server and keeps every body, so the
// test can look for secrets in everything the API said.
type recorder struct {
	t      *testing.T
	base   string
	bodies [][]byte
}

func (r *recorder) do(method, path string, body io.Reader, wantStatus int) []byte {
	r.t.Helper()
	req, _ := http.NewRequest(method, r.base+path, body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r.bodies = append(r.bodies, b)
	if resp.StatusCode != wantStatus {
		r.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, wantStatus, b)
	}
	return b
}

// TestServeDemoProcess builds threadmap, starts `serve --demo` as a process
// on a free loopback port, waits for the first snapshot over SSE and checks
// the API's latest topology against the simulator's truth for the demo's
// seed; then it exercises the rest of the API against the live process and
// stops it by its PID with SIGTERM.
func TestServeDemoProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t0 := time.Now()
	dir := t.TempDir()
	bin := buildThreadmap(t, dir)
	t.Logf("built in %s", time.Since(t0).Round(time.Millisecond))
	db := filepath.Join(dir, "demo.db")
	// --demo-mutate 10m: the first snapshots show the mesh as generated.
	p := startServe(t, bin, "--demo", "--listen", "127.0.0.1:0", "--db", db, "--demo-mutate", "10m")
	base := "http://" + p.addr
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	evs := make(chan sseEvent, 64)
	connected := make(chan struct{})
	go readEvents(ctx, t, base+"/api/v1/events", evs, connected)
	<-connected

	var first struct {
		SnapshotID string `json:"snapshot_id"`
		Network    string `json:"network"`
		Nodes      int    `json:"nodes"`
	}
	seen := map[string]bool{}
wait:
	for {
		select {
		case ev := <-evs:
			seen[ev.name] = true
			if ev.name == "snapshot.new" {
				if err := json.Unmarshal([]byte(ev.data), &first); err != nil {
					t.Fatalf("snapshot.new data %q: %v", ev.data, err)
				}
				break wait
			}
		case <-ctx.Done():
			t.Fatalf("no snapshot.new event within 2 minutes; log:\n%s", p.logs())
		}
	}
	t.Logf("first snapshot %s after %s", first.SnapshotID, time.Since(t0).Round(time.Millisecond))
	if !seen["scan.progress"] {
		t.Errorf("no scan.progress event before the snapshot (saw %v)", seen)
	}

	mesh, err := demo.Mesh(config.DefaultDemoSeed, config.DefaultDemoNodes)
	if err != nil {
		t.Fatal(err)
	}
	truth := mesh.Truth()
	r := &recorder{t: t, base: base}
	body := r.do("GET", "/api/v1/topology/latest", nil, 200)
	got, err := topology.DecodeJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("latest: %v", err)
	}
	if got.ID != first.SnapshotID || first.Network != truth.Network.Key() || first.Nodes != len(truth.Nodes) {
		t.Errorf("latest %s / event %+v; truth network %s with %d nodes", got.ID, first, truth.Network.Key(), len(truth.Nodes))
	}
	if diffs := truth.Shape().Diff(got.Shape()); len(diffs) > 0 {
		t.Fatalf("API topology differs from the simulator's truth:\n%s", strings.Join(diffs, "\n"))
	}
	sources := map[string]bool{}
	for _, s := range got.Scan.Sources {
		if s.Error == "" && s.Answered > 0 {
			sources[s.Name] = true
		}
	}
	if !sources["tmf"] || !sources["otbr"] {
		t.Errorf("want answers from the tmf and otbr sources, report: %+v", got.Scan.Sources)
	}

	// The rest of the API, against the live process.
	var brs struct {
		BorderRouters []struct {
			ID      string `json:"id"`
			Network string `json:"network"`
			RestURL string `json:"rest_url"`
		} `json:"border_routers"`
	}
	json.Unmarshal(r.do("GET", "/api/v1/border-routers", nil, 200), &brs)
	restURL := ""
	for _, br := range brs.BorderRouters {
		if br.RestURL != "" {
			restURL = br.RestURL
		}
	}
	if len(brs.BorderRouters) != len(truth.BorderRouters) || restURL == "" {
		t.Errorf("border routers %+v; truth has %d", brs.BorderRouters, len(truth.BorderRouters))
	}
	r.do("GET", "/api/v1/networks", nil, 200)
	r.do("GET", "/api/v1/info", nil, 200)
	r.do("GET", "/api/v1/snapshots?network="+truth.Network.Key(), nil, 200)
	r.do("GET", "/api/v1/snapshots/"+got.ID, nil, 200)
	r.do("GET", "/api/v1/insights", nil, 200)
	for _, f := range []string{"json", "cbor", "graphml", "dot", "csv"} {
		r.do("GET", "/api/v1/snapshots/"+got.ID+"/export?format="+f, nil, 200)
	}
	metrics := string(r.do("GET", "/metrics", nil, 200))
	for _, want := range []string{`threadmap_nodes{network="` + truth.Network.Key() + `",role="leader"} 1`,
		"threadmap_router_link_lq_in{", "threadmap_scan_duration_seconds_count", "threadmap_store_bytes"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	r.do("GET", "/api/v1/openapi.json", nil, 200)
	r.do("GET", "/", nil, 200)

	// A scan by hand gives a second snapshot; diff the two.
	var acc struct {
		ScanID string `json:"scan_id"`
	}
	json.Unmarshal(r.do("POST", "/api/v1/scan?network="+truth.Network.Key(), nil, 202), &acc)
	var second string
	for second == "" {
		select {
		case ev := <-evs:
			if ev.name == "scan.finished" && strings.Contains(ev.data, acc.ScanID) {
				var f struct {
					SnapshotID string `json:"snapshot_id"`
					Error      string `json:"error"`
				}
				json.Unmarshal([]byte(ev.data), &f)
				if f.SnapshotID == "" {
					t.Fatalf("manual scan stored nothing: %s", ev.data)
				}
				second = f.SnapshotID
			}
		case <-ctx.Done():
			t.Fatal("manual scan did not finish")
		}
	}
	t.Logf("second snapshot %s after %s", second, time.Since(t0).Round(time.Millisecond))
	r.do("GET", "/api/v1/diff?from="+got.ID+"&to="+second, nil, 200)
	r.do("GET", "/api/v1/scan", nil, 200)

	// No secret in any answer: the simulated border router's dataset keys.
	ds, err := http.Get(restURL + "/node/dataset/active")
	if err != nil {
		t.Fatal(err)
	}
	var dataset map[string]any
	json.NewDecoder(ds.Body).Decode(&dataset)
	ds.Body.Close()
	var secrets []string
	for k, v := range dataset {
		if s, ok := v.(string); ok && (strings.EqualFold(k, "networkKey") || strings.EqualFold(k, "pskc")) {
			raw, err := hex.DecodeString(s)
			if err != nil || len(raw) != 16 {
				t.Fatalf("dataset %s = %q", k, s)
			}
			secrets = append(secrets, strings.ToLower(s), strings.ToUpper(s), base64.StdEncoding.EncodeToString(raw), string(raw))
		}
	}
	if len(secrets) != 8 {
		t.Fatalf("could not read the simulated network key and PSKc: %v", dataset)
	}
	for _, b := range r.bodies {
		for _, s := range secrets {
			if bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(s))) {
				t.Fatalf("a response contains a dataset secret (%q): %.200s", s, b)
			}
		}
	}

	// SIGTERM by PID: a clean exit, and every stored snapshot readable.
	cancel()
	if err := p.stop(t); err != nil {
		t.Fatalf("exit: %v\n%s", err, p.logs())
	}
	t.Logf("stopped after %s", time.Since(t0).Round(time.Millisecond))
	if !strings.Contains(p.logs(), `"msg":"stopped"`) {
		t.Errorf("no orderly shutdown in the log:\n%s", p.logs())
	}
	st, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Check(); err != nil {
		t.Errorf("store check after shutdown: %v", err)
	}
	if _, err := st.Get(second); err != nil {
		t.Errorf("second snapshot after shutdown: %v", err)
	}
}
