package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// waitEvent returns the next event named name (and matching ok, when set)
// within d, or fails.
func waitEvent(t *testing.T, evs <-chan sseEvent, d time.Duration, name string, ok func(data string) bool, logs func() string) sseEvent {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case ev := <-evs:
			if ev.name == name && (ok == nil || ok(ev.data)) {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %s event within %s; log:\n%s", name, d, logs())
		}
	}
}

// TestServeChangeLogNamesAndReport runs `serve --demo` with the demo mesh
// changing every second: the change log lists the child's parent change and
// keeps it after later scans; a device named through the API carries its
// user_name in the topology, the exports and the report, and the name
// survives a restart; the device's history and the sources' states are
// served.
func TestServeChangeLogNamesAndReport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := buildThreadmap(t, dir)
	db := filepath.Join(dir, "ux.db")
	p := startServe(t, bin, "--demo", "--listen", "127.0.0.1:0", "--db", db, "--interval", "1s", "--demo-change-every", "1s")
	base := "http://" + p.addr
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	evs := make(chan sseEvent, 256)
	connected := make(chan struct{})
	go readEvents(ctx, t, base+"/api/v1/events", evs, connected)
	<-connected
	r := &recorder{t: t, base: base}

	// The change log lists a parent change within a few scans.
	var parentChange map[string]any
	var network string
	for i := 0; parentChange == nil; i++ {
		ev := waitEvent(t, evs, time.Minute, "snapshot.new", nil, p.logs)
		var sn struct{ Network string }
		json.Unmarshal([]byte(ev.data), &sn)
		network = sn.Network
		var page struct {
			Changes []map[string]any `json:"changes"`
		}
		json.Unmarshal(r.do("GET", "/api/v1/changes?network="+network+"&limit=500", nil, 200), &page)
		for _, c := range page.Changes {
			if c["kind"] == "parent-changed" {
				parentChange = c
				break
			}
		}
		if i > 60 {
			t.Fatalf("no parent change after %d snapshots", i)
		}
	}
	// It is still listed after later scans.
	for range 2 {
		waitEvent(t, evs, time.Minute, "snapshot.new", nil, p.logs)
	}
	body := string(r.do("GET", "/api/v1/changes?network="+network+"&limit=10000", nil, 200))
	if !strings.Contains(body, `"snapshot_id":"`+parentChange["snapshot_id"].(string)+`"`) || !strings.Contains(body, `"parent-changed"`) {
		t.Errorf("the parent change of snapshot %v is gone after later scans", parentChange["snapshot_id"])
	}
	child := parentChange["node"].(string)

	// Name the child; the live stream says so, the topology carries it.
	r.do("PUT", "/api/v1/names/"+child, strings.NewReader(`{"name":"Kitchen plug"}`), 200)
	waitEvent(t, evs, 10*time.Second, "names.changed", func(d string) bool { return strings.Contains(d, child) }, p.logs)
	latest, err := topology.DecodeJSON(bytes.NewReader(r.do("GET", "/api/v1/topology/latest?network="+network, nil, 200)))
	if err != nil {
		t.Fatal(err)
	}
	if n := latest.Node(child); n == nil || n.UserName != "Kitchen plug" {
		t.Errorf("latest topology: node %s carries user_name %+v", child, n)
	}
	if !strings.Contains(string(r.do("GET", "/api/v1/names", nil, 200)), `"`+child+`":"Kitchen plug"`) {
		t.Errorf("GET /names lacks the name")
	}
	csv := string(r.do("GET", "/api/v1/snapshots/"+latest.ID+"/export?format=graphml", nil, 200))
	if !strings.Contains(csv, "Kitchen plug") {
		t.Errorf("GraphML export lacks the name")
	}
	r.do("PUT", "/api/v1/names/rloc:0x4401", strings.NewReader(`{"name":"x"}`), 400)
	r.do("PUT", "/api/v1/names/"+child, strings.NewReader(`{"name":""}`), 400)

	// The device's timeline and the report.
	var hist struct {
		Node   string `json:"node"`
		Name   string `json:"name"`
		Points []struct {
			Present bool    `json:"present"`
			Parent  *string `json:"parent"`
		} `json:"points"`
	}
	json.Unmarshal(r.do("GET", "/api/v1/nodes/"+child+"/history?network="+network, nil, 200), &hist)
	parents := map[string]bool{}
	for _, pt := range hist.Points {
		if pt.Present && pt.Parent != nil {
			parents[*pt.Parent] = true
		}
	}
	if hist.Name != "Kitchen plug" || len(parents) < 2 {
		t.Errorf("history of %s: name %q, parents %v (want the change)", child, hist.Name, parents)
	}
	resp, err := http.Get(base + "/api/v1/report?network=" + network + "&since=" + parentChange["prev_snapshot_id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	page.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(page.String(), `<svg class="map"`) || !strings.Contains(page.String(), "Kitchen plug") || !strings.Contains(page.String(), "parent-changed") {
		t.Errorf("report: %d %s (%d bytes)", resp.StatusCode, resp.Header.Get("Content-Type"), page.Len())
	}
	var srcs struct {
		Sources []struct{ ID, Kind, State string } `json:"sources"`
	}
	json.Unmarshal(r.do("GET", "/api/v1/sources", nil, 200), &srcs)
	kinds := map[string]bool{}
	for _, s := range srcs.Sources {
		kinds[s.Kind] = true
		if s.State == "failing" || s.State == "backing-off" {
			t.Errorf("demo source %s is %s", s.ID, s.State)
		}
	}
	if !kinds["tmf"] || !kinds["otbr"] || !kinds["matter"] {
		t.Errorf("sources: %+v", srcs.Sources)
	}

	// The name survives a restart.
	if err := p.stop(t); err != nil {
		t.Errorf("exit: %v", err)
	}
	p2 := startServe(t, bin, "--listen", "127.0.0.1:0", "--db", db, "--no-discovery")
	r2 := &recorder{t: t, base: "http://" + p2.addr}
	again, err := topology.DecodeJSON(bytes.NewReader(r2.do("GET", "/api/v1/topology/latest?network="+network, nil, 200)))
	if err != nil {
		t.Fatal(err)
	}
	if n := again.Node(child); n == nil || n.UserName != "Kitchen plug" {
		t.Errorf("after a restart: node %s user_name %+v", child, n)
	}
	r2.do("DELETE", "/api/v1/names/"+child, nil, 204)
	r2.do("DELETE", "/api/v1/names/"+child, nil, 404)
}

// TestServeUnreachableBorderRouter runs serve against an OTBR REST URL
// nobody answers: within the first scan the API lists the source as
// failing with the error and the next attempt, a source.state event says
// so, and the scan ends with state failed and the reason.
func TestServeUnreachableBorderRouter(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := buildThreadmap(t, dir)
	// A port that was free a moment ago: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	p := startServe(t, bin, "--listen", "127.0.0.1:0", "--db", filepath.Join(dir, "u.db"), "--no-discovery", "--otbr", dead, "--interval", "1h")
	base := "http://" + p.addr
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	evs := make(chan sseEvent, 64)
	connected := make(chan struct{})
	go readEvents(ctx, t, base+"/api/v1/events", evs, connected)
	<-connected
	r := &recorder{t: t, base: base}
	// The first scan may have finished before the stream connected: ask
	// for one more, and read the state either way.
	r.do("POST", "/api/v1/scan", nil, 202)
	fin := waitEvent(t, evs, 30*time.Second, "scan.finished", nil, p.logs)
	var f struct{ State, Error string }
	json.Unmarshal([]byte(fin.data), &f)
	if f.State != "failed" || !strings.Contains(f.Error, "refused") {
		t.Errorf("scan.finished %s", fin.data)
	}
	var srcs struct {
		Sources []struct {
			ID, Kind, Target, State string
			LastError               string `json:"last_error"`
			Failures                int
			NextAttemptAt           *time.Time `json:"next_attempt_at"`
		} `json:"sources"`
	}
	json.Unmarshal(r.do("GET", "/api/v1/sources", nil, 200), &srcs)
	if len(srcs.Sources) != 1 {
		t.Fatalf("sources: %+v", srcs.Sources)
	}
	s := srcs.Sources[0]
	if s.Kind != "otbr" || s.Target != dead || (s.State != "failing" && s.State != "backing-off") || s.Failures < 1 ||
		!strings.Contains(s.LastError, "refused") || s.NextAttemptAt == nil {
		t.Errorf("source: %+v", s)
	}
}
