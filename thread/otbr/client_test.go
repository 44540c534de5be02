package otbr_test

import (
	"context"
	"encoding/json"
	"errors"
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
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := otbr.Probe(ctx, "http://"+closed); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("closed port: %v, want a refusal well within 5 s", err)
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

// routersOf lists the truth's routers and its rx-on / sleepy children.
func routersOf(truth *topology.Snapshot) (routers, rxOn, sleepy []topology.Node) {
	for _, n := range truth.Nodes {
		switch {
		case n.Role.IsRouterRole():
			routers = append(routers, n)
		case n.Role == topology.RoleSleepyEndDevice:
			sleepy = append(sleepy, n)
		default:
			rxOn = append(rxOn, n)
		}
	}
	return routers, rxOn, sleepy
}

// TestCollectAsksRoutersOnly: by default only the routers are asked (one
// task each, with the Child/Child IPv6/Router Neighbor queries), and the
// map equals the truth: the children come from their parents' tables.
func TestCollectAsksRoutersOnly(t *testing.T) {
	truth := simMesh(t, 20)
	routers, _, _ := routersOf(truth)
	_, url := startSim(t, truth, otbr.DialectJSONAPI2026, otbrsim.Options{})
	src, err := otbr.NewSource(url, otbr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := truth.Shape().Diff(snap.Shape()); len(d) > 0 {
		t.Errorf("shape differs:\n%s", strings.Join(d, "\n"))
	}
	rep := snap.Scan.Sources[0]
	if rep.Queried != len(routers) || rep.Answered != len(routers) || rep.Partial || rep.Error != "" {
		t.Errorf("report %+v: want %d routers asked and answered, complete", rep, len(routers))
	}
	for _, n := range snap.Nodes {
		if n.ExtAddr == "" {
			t.Errorf("node %s has no ext address: the routers' Child TLVs name every child", n.ID)
		}
		want := topology.StatusNotQueried
		if n.Role.IsRouterRole() {
			want = topology.StatusAnswered
		}
		if n.Status != want {
			t.Errorf("node %s (%s): status %q, want %q", n.ID, n.Role, n.Status, want)
		}
	}
	// Child links carry what the Child TLVs say of the link.
	for _, l := range snap.Links {
		if l.Kind == topology.LinkChild && (l.LinkMargin == nil || l.LQIn == nil) {
			t.Errorf("child link %s-%s without link margin or LQ: %+v", l.A, l.B, l)
		}
	}
}

// TestCollectChildrenOption: rx-on asks the rx-on children too; all asks
// the sleepy ones as well, each answering at its next poll.
func TestCollectChildrenOption(t *testing.T) {
	truth := simMesh(t, 20)
	routers, rxOn, sleepy := routersOf(truth)
	if len(rxOn) == 0 || len(sleepy) == 0 {
		t.Fatalf("mesh has %d rx-on and %d sleepy children, want both", len(rxOn), len(sleepy))
	}
	_, url := startSim(t, truth, otbr.DialectJSONAPI2026, otbrsim.Options{SleepyPoll: 50 * time.Millisecond, PickUp: 5 * time.Millisecond, RxOnAnswer: 10 * time.Millisecond})
	for _, tc := range []struct {
		children otbr.Children
		asked    int
	}{{otbr.ChildrenRxOn, len(routers) + len(rxOn)}, {otbr.ChildrenAll, len(routers) + len(rxOn) + len(sleepy)}} {
		src, _ := otbr.NewSource(url, otbr.Options{Children: tc.children})
		snap, err := src.Collect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		rep := snap.Scan.Sources[0]
		if rep.Queried != tc.asked || rep.Answered != tc.asked || rep.Partial {
			t.Errorf("%s: report %+v, want %d asked and answered", tc.children, rep, tc.asked)
		}
		for _, n := range rxOn {
			if got := snap.Node(n.ExtAddr); got == nil || got.Status != topology.StatusAnswered {
				t.Errorf("%s: rx-on child %s: %+v", tc.children, n.ExtAddr, got)
			}
		}
		if d := truth.Shape().Diff(snap.Shape()); len(d) > 0 {
			t.Errorf("%s: shape differs:\n%s", tc.children, strings.Join(d, "\n"))
		}
	}
	if _, err := otbr.ParseChildren("some"); err == nil {
		t.Error("ParseChildren accepted \"some\"")
	}
}

// TestCollectSilentRouter: a router that never answers costs its own
// deadline; the border router ends its task "completed" without a result,
// which the scan reports as no answer (never "task completed"), marks the
// router timed-out and the scan partial, and keeps everything else.
func TestCollectSilentRouter(t *testing.T) {
	truth := simMesh(t, 20)
	routers, _, _ := routersOf(truth)
	var silent topology.Node
	for _, r := range routers {
		if !r.BorderRouter && r.Role != topology.RoleLeader {
			silent = r
		}
	}
	sim, _, src := scannedOnce(t, truth, otbr.Options{RouterTimeout: time.Second})
	// It stops (thread stop): still in the border router's device list
	// and, for now, in the other routers' tables.
	if err := sim.Leave(silent.ExtAddr, false); err != nil {
		t.Fatal(err)
	}
	snap, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep := snap.Scan.Sources[0]
	if rep.TimedOut != 1 || rep.Answered != len(routers)-1 || !rep.Partial {
		t.Errorf("report %+v: want one timed out, the other %d answered, partial", rep, len(routers)-1)
	}
	notes := strings.Join(rep.Notes, "|")
	if strings.Contains(notes, "task completed") || !strings.Contains(notes, "no answer within the deadline from "+silent.ExtAddr) {
		t.Errorf("notes %q: want the silent router named as not answering", notes)
	}
	n := snap.Node(silent.ExtAddr)
	if n == nil || n.Status != topology.StatusTimedOut || !strings.Contains(n.StatusDetail, "no answer within 1s") {
		t.Errorf("silent router %+v, want status timed-out", n)
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
			_, err = src.Collect(ctx)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), srv.URL) {
				t.Errorf("error %v, want one naming %s and saying %q", err, srv.URL, tc.want)
			}
			if errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("the scan ran into the test's 20 s deadline instead of ending on its own: %v", err)
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
	type result struct {
		snap *topology.Snapshot
		err  error
	}
	done := make(chan result, 1)
	go func() {
		snap, err := src.Collect(ctx)
		done <- result{snap, err}
	}()
	select {
	case r := <-done:
		if r.err == nil && r.snap.Scan.Sources[0].Error == "" {
			t.Errorf("cancelled scan: no error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a scan cancelled after 0.3 s still runs 10 s later (the legacy collection lasts 5 s)")
	}
}

// TestCollectOneDiscoveryRound: every scan asks for one discovery round
// (deviceCount 1: the round itself waits for every router; a higher count
// only repeats rounds while the cumulative device list is short of it).
func TestCollectOneDiscoveryRound(t *testing.T) {
	truth := simMesh(t, 10)
	_, url := startSim(t, truth, otbr.DialectJSONAPI, otbrsim.Options{})
	src, _ := otbr.NewSource(url, otbr.Options{})
	for range 2 {
		if _, err := src.Collect(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	tasks := tasksOf(t, url)
	rounds := 0
	for _, task := range tasks {
		if _, ok := task["deviceCount"]; !ok {
			continue
		}
		rounds++
		if task["deviceCount"] != 1.0 || task["status"] != "completed" {
			t.Errorf("collection task %v, want deviceCount 1, completed", task)
		}
	}
	if rounds != 2 {
		t.Errorf("%d collection tasks, want one per scan", rounds)
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
	if !strings.Contains(rep.Error, "HTTP 500 (Internal Server Error: out of memory)") || !rep.Partial {
		t.Errorf("report error %q, partial %v", rep.Error, rep.Partial)
	}
	for _, n := range snap.Nodes {
		if n.Status == topology.StatusAnswered && n.ID != snap.BorderRouters[0].ExtAddr {
			t.Errorf("node %s answered though no answer could be read", n.ID)
		}
	}
}

// TestCollectAsksOnlyRoutersTheMeshNames: a router that detached stays in
// the border router's device list, but no router's Route64 or neighbor
// list names it any more, so it is not asked (it would cost its deadline).
func TestCollectAsksOnlyRoutersTheMeshNames(t *testing.T) {
	truth := simMesh(t, 20)
	routers, _, _ := routersOf(truth)
	sim, _, src := scannedOnce(t, truth, otbr.Options{})
	var gone topology.Node
	for _, r := range routers {
		if !r.BorderRouter && r.Role != topology.RoleLeader {
			gone = r
		}
	}
	if err := sim.Leave(gone.ExtAddr, true); err != nil {
		t.Fatal(err)
	}
	snap, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep := snap.Scan.Sources[0]
	if rep.Queried != len(routers)-1 || rep.Answered != rep.Queried || rep.Partial {
		t.Errorf("report %+v: want the %d routers left asked, all answering", rep, len(routers)-1)
	}
	if n := snap.Node(gone.ExtAddr); n != nil {
		t.Errorf("the router that left is on the map: %+v", n)
	}
	if !inNotSeen(snap, gone.ExtAddr) {
		t.Errorf("the router that left is not in not_seen: %v", snap.NotSeen)
	}
}

// TestCollectDetachedChildNotSeen: a child that detached is gone from its
// parent's table at once; the border router's device list still has it,
// so the snapshot keeps it in not_seen, off the map.
func TestCollectDetachedChildNotSeen(t *testing.T) {
	truth := simMesh(t, 20)
	_, rxOn, _ := routersOf(truth)
	sim, _, src := scannedOnce(t, truth, otbr.Options{})
	if err := sim.Leave(rxOn[0].ExtAddr, true); err != nil {
		t.Fatal(err)
	}
	snap, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if snap.Node(rxOn[0].ExtAddr) != nil || !inNotSeen(snap, rxOn[0].ExtAddr) {
		t.Errorf("detached child: on the map %v, in not_seen %v; want only in not_seen", snap.Node(rxOn[0].ExtAddr) != nil, snap.NotSeen)
	}
	for _, n := range snap.NotSeen {
		if n.ID == rxOn[0].ExtAddr && (n.LastSeen == nil || n.LastSeen.After(snap.TakenAt)) {
			t.Errorf("detached child in not_seen: last seen %v, want when the border router's list last had it (before %v)", n.LastSeen, snap.TakenAt)
		}
	}
	want := truth.Shape()
	delete(want.Nodes, rxOn[0].ExtAddr)
	delete(want.Parents, rxOn[0].ExtAddr)
	if d := want.Diff(snap.Shape()); len(d) > 0 {
		t.Errorf("shape differs:\n%s", strings.Join(d, "\n"))
	}
}

func inNotSeen(s *topology.Snapshot, id string) bool {
	for _, n := range s.NotSeen {
		if n.ID == id {
			return true
		}
	}
	return false
}

// TestCollectBudgetKeepsWhatWasCollected: a scan whose budget runs out
// while a router that stopped is asked returns what it collected: the
// routers asked before it answered, the rest are not-queried, the one in
// flight timed out, the report is partial — and the unfinished task is
// deleted, so the border router's next scan is not held by it.
func TestCollectBudgetKeepsWhatWasCollected(t *testing.T) {
	truth := simMesh(t, 20)
	routers, _, _ := routersOf(truth)
	sim, url, src := scannedOnce(t, truth, otbr.Options{CollectionPatience: 300 * time.Millisecond})
	// Every router but the border router stops: the first one asked after
	// the border router never answers.
	for _, r := range routers {
		if r.ExtAddr != sim.BorderRouterExtAddr() {
			if err := sim.Leave(r.ExtAddr, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	snap, err := src.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep := snap.Scan.Sources[0]
	if !rep.Partial || rep.Answered != 1 || rep.TimedOut != 1 {
		t.Errorf("report %+v: want partial, the border router answered, one timed out", rep)
	}
	if !strings.Contains(strings.Join(rep.Notes, "|"), "device collection still running after 0.3 s") {
		t.Errorf("notes %v: want the held discovery round stopped after its patience", rep.Notes)
	}
	count := map[topology.NodeStatus]int{}
	for _, n := range snap.Nodes {
		if n.Role.IsRouterRole() {
			count[n.Status]++
		}
	}
	if count[topology.StatusAnswered] != 1 || count[topology.StatusTimedOut] != 1 || count[topology.StatusNotQueried] != len(routers)-2 {
		t.Errorf("router statuses %v: want 1 answered, 1 timed out, %d not queried", count, len(routers)-2)
	}
	// Nothing of this scan is left running on the border router.
	tasks := tasksOf(t, url)
	for _, task := range tasks {
		if task["status"] == "active" || task["status"] == "pending" {
			t.Errorf("task left %v: %v", task["status"], task)
		}
	}
}

// TestCollectFetchesEachAnswerAtOnce: the border router keeps at most 200
// diagnostics items and evicts the oldest. Reading the answers only after
// every task (as threadmap did) lost the first ones of a big scan — the
// 250-node demo printed ~50 "GET /api/diagnostics/<id>: HTTP 404" lines
// per scan. Each answer is now read as soon as its task completes: a scan
// asking 250 devices reads all 250.
func TestCollectFetchesEachAnswerAtOnce(t *testing.T) {
	truth := simMesh(t, 250)
	_, url := startSim(t, truth, otbr.DialectJSONAPI2026, otbrsim.Options{PickUp: time.Millisecond,
		RxOnAnswer: time.Millisecond, SleepyPoll: 5 * time.Millisecond})
	src, _ := otbr.NewSource(url, otbr.Options{Children: otbr.ChildrenAll, PollInterval: 8 * time.Millisecond})
	snap, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep := snap.Scan.Sources[0]
	if rep.Queried != len(truth.Nodes) || rep.Answered != rep.Queried || rep.Error != "" || rep.Partial {
		t.Errorf("report %+v: want all %d devices asked and every answer read", rep, len(truth.Nodes))
	}
}

// TestCollectStoppedChildOnce: a child that stopped (thread stop) stays in
// its parent's child table until its timeout; it is on the map once, by
// its ext address (the parent's Child TLV joins the table's RLOC16 to it),
// never a second time as rloc:0x.... from the table or from the device list.
func TestCollectStoppedChildOnce(t *testing.T) {
	truth := simMesh(t, 20)
	_, rxOn, _ := routersOf(truth)
	sim, _, src := scannedOnce(t, truth, otbr.Options{})
	child := rxOn[0]
	if err := sim.Leave(child.ExtAddr, false); err != nil {
		t.Fatal(err)
	}
	snap, err := src.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, n := range snap.Nodes {
		if n.ExtAddr == child.ExtAddr || (n.Rloc16 != nil && *n.Rloc16 == *child.Rloc16) {
			seen++
			if n.ID != child.ExtAddr || n.Parent == nil || *n.Parent != *child.Parent {
				t.Errorf("stopped child on the map as %+v, want %s under %s", n, child.ExtAddr, *child.Parent)
			}
		}
	}
	if seen != 1 {
		t.Errorf("the stopped child is on the map %d times, want once", seen)
	}
}

// tasksOf is the border router's task list, as plain JSON attributes.
func tasksOf(t *testing.T, url string) []map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url+"/api/actions", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tasks []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&tasks); err != nil {
		t.Fatal(err)
	}
	return tasks
}

// scannedOnce serves truth (JSON:API, 2026 names) and scans it once with
// opts, as a border router that has seen the healthy mesh before a change.
func scannedOnce(t *testing.T, truth *topology.Snapshot, opts otbr.Options) (*otbrsim.Server, string, *otbr.Source) {
	t.Helper()
	sim, url := startSim(t, truth, otbr.DialectJSONAPI2026, otbrsim.Options{})
	src, err := otbr.NewSource(url, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Collect(context.Background()); err != nil {
		t.Fatal(err)
	}
	return sim, url, src
}
