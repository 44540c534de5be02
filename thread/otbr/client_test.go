package otbr_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim/otbrsimtest"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/topology"
)

func simMesh(t *testing.T, nodes int) *topology.Snapshot {
	t.Helper()
	m, err := threadsim.Generate(threadsim.Options{Seed: 3, Nodes: nodes})
	if err != nil {
		t.Fatal(err)
	}
	return m.Truth()
}

func startSim(t *testing.T, truth *topology.Snapshot, d otbr.Dialect, opts otbrsim.Options) (*otbrsim.Server, string) {
	t.Helper()
	if opts.LegacyCollect == 0 {
		opts.LegacyCollect = 200 * time.Millisecond
	}
	return otbrsimtest.Start(t, truth, d, opts)
}

func TestDetectAndProbe(t *testing.T) {
	truth := simMesh(t, 10)
	for _, tc := range []struct {
		d       otbr.Dialect
		version string
	}{{otbr.DialectLegacy, ""}, {otbr.DialectJSONAPI, ""}, {otbr.DialectJSONAPI2026, "0.4.0"}} {
		_, url := startSim(t, truth, tc.d, otbrsim.Options{})
		g, err := otbr.Probe(context.Background(), url)
		if err != nil || g.Dialect != tc.d || g.APIVersion != tc.version {
			t.Errorf("%s: probe %+v %v", tc.d, g, err)
		}
	}
	// Something on the port that is not a border router.
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	if g, err := otbr.Probe(context.Background(), other.URL); err == nil {
		t.Errorf("plain 404 server probed as %+v", g)
	}
	// Nothing on the port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	start := time.Now()
	if _, err := otbr.Probe(context.Background(), "http://"+closed); err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("closed port: %v after %v", err, time.Since(start))
	}
}

// TestCollectKeepsSecretsIn: the simulated border router serves its
// active dataset with a network key and PSKc, as a real one does; neither
// appears anywhere in what the source returns.
func TestCollectKeepsSecretsIn(t *testing.T) {
	truth := simMesh(t, 12)
	for _, d := range []otbr.Dialect{otbr.DialectLegacy, otbr.DialectJSONAPI2026} {
		_, url := startSim(t, truth, d, otbrsim.Options{})
		req, _ := http.NewRequest(http.MethodGet, url+"/node/dataset/active", nil)
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var ds map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&ds); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var secrets []string
		for k, v := range ds {
			if k := strings.ToLower(k); k == "networkkey" || k == "pskc" {
				secrets = append(secrets, strings.ToLower(v.(string)))
			}
		}
		if len(secrets) != 2 {
			t.Fatalf("%s: dataset has %d secrets, want 2", d, len(secrets))
		}
		src, err := otbr.NewSource(url, otbr.Options{})
		if err != nil {
			t.Fatal(err)
		}
		snap, err := src.Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := snap.JSON()
		for _, s := range secrets {
			if strings.Contains(strings.ToLower(string(b)), s) {
				t.Errorf("%s: a dataset secret reached the snapshot", d)
			}
		}
		if snap.Network.PanID != truth.Network.PanID || snap.Network.MeshLocalPrefix != truth.Network.MeshLocalPrefix {
			t.Errorf("%s: network %+v, want %+v", d, snap.Network, truth.Network)
		}
	}
}

// TestCollectSilentDevice: a sleepy child that never answers its task
// stops at the task timeout; the rest is collected, the report says so,
// and the child still appears under its parent from the child table.
func TestCollectSilentDevice(t *testing.T) {
	truth := simMesh(t, 12)
	var silent *topology.Node
	for i := range truth.Nodes {
		n := &truth.Nodes[i]
		if n.Role == topology.RoleSleepyEndDevice {
			silent = n
			break
		}
	}
	if silent == nil {
		t.Fatal("no sleepy child in the mesh")
	}
	_, url := startSim(t, truth, otbr.DialectJSONAPI2026, otbrsim.Options{Silent: map[string]bool{silent.ExtAddr: true}})
	src, err := otbr.NewSource(url, otbr.Options{TaskTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep := snap.Scan.Sources[0]
	if rep.TimedOut != 1 || rep.Answered != rep.Queried-1 {
		t.Errorf("report %+v: want one timed out, the rest answered", rep)
	}
	n := snap.Node(silent.ExtAddr)
	if n == nil || n.Parent == nil || *n.Parent != *silent.Parent || n.Role != topology.RoleSleepyEndDevice {
		t.Errorf("silent child %+v, want it under %s", n, *silent.Parent)
	}
}

// TestCollectBrokenBorderRouters: HTTP errors, hanging answers and a
// cancelled scan end with a clear error, in bounded time.
func TestCollectBrokenBorderRouters(t *testing.T) {
	var hits atomic.Int32
	cases := []struct {
		name    string
		handler http.HandlerFunc
		opts    otbr.Options
		want    string
	}{
		{"500 everywhere", func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"title": "Internal Server Error", "status": 500, "detail": ""}`)
		}, otbr.Options{RetryBackoff: 10 * time.Millisecond}, "HTTP 500 (Internal Server Error)"},
		{"hangs", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}, otbr.Options{RequestTimeout: 200 * time.Millisecond, Retries: -1}, "no answer within 200ms"},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/.well-known/thread/br-rest" {
				io.WriteString(w, "<html>router admin</html>")
				return
			}
			http.NotFound(w, r)
		}, otbr.Options{}, "well-known: want a JSON object"},
		{"JSON:API whose tasks never finish", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/vnd.api+json")
			switch {
			case r.URL.Path == "/.well-known/thread/br-rest":
				io.WriteString(w, `{"api": {"version": "0.4.0", "base": "/api/"}}`)
			case r.Method == http.MethodPost:
				io.WriteString(w, `{"data":[{"id":"t1","type":"updateDeviceCollectionTask","attributes":{"status":"pending"}}]}`)
			case strings.HasPrefix(r.URL.Path, "/api/actions/"):
				io.WriteString(w, `{"data":{"id":"t1","type":"updateDeviceCollectionTask","attributes":{"status":"active"}}}`)
			default:
				http.NotFound(w, r)
			}
		}, otbr.Options{CollectionTimeout: 300 * time.Millisecond, CollectionRetries: 1}, "still active after"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			src, err := otbr.NewSource(srv.URL, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			start := time.Now()
			_, err = src.Collect(ctx)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), srv.URL) {
				t.Errorf("error %v, want one naming %s and saying %q", err, srv.URL, tc.want)
			}
			if time.Since(start) > 15*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
	if hits.Load() != 3 {
		t.Errorf("500s: %d requests, want 3 (one try, two retries)", hits.Load())
	}
	// A scan cancelled from outside ends promptly.
	truth := simMesh(t, 10)
	_, url := startSim(t, truth, otbr.DialectLegacy, otbrsim.Options{LegacyCollect: 5 * time.Second})
	src, _ := otbr.NewSource(url, otbr.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	snap, err := src.Collect(ctx)
	if time.Since(start) > 2*time.Second {
		t.Errorf("cancelled scan took %v", time.Since(start))
	}
	if err == nil && (snap.Scan.Sources[0].Error == "") {
		t.Errorf("cancelled scan: no error")
	}
}

// TestCollectSecondScanReusesDeviceCount: the second scan sends the device
// count the first one found, so the collection task ends after one round.
func TestCollectSecondScanFaster(t *testing.T) {
	truth := simMesh(t, 10)
	_, url := startSim(t, truth, otbr.DialectJSONAPI, otbrsim.Options{CollectionRound: 200 * time.Millisecond})
	src, _ := otbr.NewSource(url, otbr.Options{CollectionRetries: 3})
	var took [2]time.Duration
	for i := range took {
		start := time.Now()
		snap, err := src.Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		took[i] = time.Since(start)
		if len(snap.Nodes) != len(truth.Nodes) {
			t.Errorf("scan %d: %d nodes, want %d", i, len(snap.Nodes), len(truth.Nodes))
		}
	}
	// First scan: deviceCount 1 → one round. Second: the full count → one round.
	if took[1] > took[0]+300*time.Millisecond {
		t.Errorf("second scan took %v, first %v", took[1], took[0])
	}
}

// TestCollectWrongNamesFallBack: told the pre-2026 dialect, a client facing
// the renamed API gets 422 for "eui64"/"version", switches names once and
// collects everything.
func TestCollectWrongNamesFallBack(t *testing.T) {
	truth := simMesh(t, 8)
	_, url := startSim(t, truth, otbr.DialectJSONAPI2026, otbrsim.Options{})
	src, _ := otbr.NewSource(url, otbr.Options{Dialect: otbr.DialectJSONAPI})
	snap, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := truth.Shape().Diff(snap.Shape()); len(d) > 0 {
		t.Errorf("shape differs:\n%s", strings.Join(d, "\n"))
	}
	if !strings.Contains(strings.Join(snap.Scan.Sources[0].Notes, "|"), "using jsonapi-2026 names") {
		t.Errorf("notes %v", snap.Scan.Sources[0].Notes)
	}
}

func TestBaseURLFor(t *testing.T) {
	for _, tc := range []struct {
		host string
		port int
		want string
	}{
		{"192.0.2.1", 0, "http://192.0.2.1:8081"},
		{"fe80::1%eth0", 8081, "http://[fe80::1%25eth0]:8081"},
		{"fd00::5", 9000, "http://[fd00::5]:9000"},
		{"otbr.local", 0, "http://otbr.local:8081"},
	} {
		if got := otbr.BaseURLFor(tc.host, tc.port); got != tc.want {
			t.Errorf("BaseURLFor(%q, %d) = %q, want %q", tc.host, tc.port, got, tc.want)
		}
		if _, err := otbr.NewClient(otbr.BaseURLFor(tc.host, tc.port), otbr.Options{}); err != nil {
			t.Errorf("%s: %v", tc.host, err)
		}
	}
}

// TestCollectHalfBroken: the border router runs the tasks but fails to
// serve their results; the scan keeps what it learned (the device
// collection) and its report names the failure.
func TestCollectHalfBroken(t *testing.T) {
	truth := simMesh(t, 8)
	sim, err := otbrsim.NewWithOptions(truth, otbr.DialectJSONAPI2026, otbrsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/diagnostics") {
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"title": "Internal Server Error", "status": 500, "detail": "out of memory"}`)
			return
		}
		sim.ServeHTTP(w, r)
	}))
	defer srv.Close()
	src, _ := otbr.NewSource(srv.URL, otbr.Options{RetryBackoff: 10 * time.Millisecond})
	snap, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep := snap.Scan.Sources[0]
	if !strings.Contains(rep.Error, "GET /api/diagnostics: HTTP 500 (Internal Server Error: out of memory)") {
		t.Errorf("report error %q", rep.Error)
	}
	if len(snap.Nodes) != len(truth.Nodes) {
		t.Errorf("%d nodes from the device collection, want %d", len(snap.Nodes), len(truth.Nodes))
	}
}
