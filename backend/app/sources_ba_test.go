package app

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/threadmap/threadmap/backend/config"
	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/meshcop"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/threadsim/simtest"
	"github.com/threadmap/threadmap/thread/topology"
)

// leaks lists the spellings of a secret to look for.
func leaks(secrets ...string) []string {
	var out []string
	for _, s := range secrets {
		out = append(out, s, strings.ToUpper(s))
		if b, err := hex.DecodeString(s); err == nil {
			out = append(out, string(b)) // raw bytes, should a body be binary
		}
	}
	return out
}

func assertNoLeak(t *testing.T, where string, body []byte, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if bytes.Contains(body, []byte(s)) {
			t.Errorf("%s contains a credential", where)
		}
	}
}

func httpDo(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
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

// simAgent serves a simulated mesh and its Border Agent on loopback, and
// returns the agent's advert as discovery reports it, with its network key.
func simAgent(t *testing.T, seed int64, nodes int) (*threadsim.Mesh, *threadsim.BorderAgent, meshcop.Service, string) {
	t.Helper()
	sim, ba, _ := simtest.BorderAgent(t, threadsim.Options{Seed: seed, Nodes: nodes}, threadsim.ServeOptions{}, threadsim.BorderAgentOptions{})
	m := sim.Mesh()
	svc, err := ba.Advert(m.BorderRouters()[0], []netip.Addr{netip.MustParseAddr("127.0.0.1")}).Service(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return m, ba, svc, svc.NetworkKey()
}

// TestBorderAgentSource: serve with a discovered border router whose
// network has a credential set through the settings API maps the mesh
// through its Border Agent; the credential is stored in the store file
// (mode 0600), and no API answer, export, event, metric or log line carries
// it — only "set".
func TestBorderAgentSource(t *testing.T) {
	m, _, svc, network := simAgent(t, 41, 30)
	k, err := m.PSKc(threadsim.DefaultPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	pskc := hex.EncodeToString(k[:])
	secrets := leaks(pskc, hex.EncodeToString([]byte(threadsim.DefaultPassphrase)))
	secrets = append(secrets, threadsim.DefaultPassphrase)

	c := config.Defaults(func(string) string { return "" })
	c.DB = filepath.Join(t.TempDir(), "app.db")
	c.Listen = "127.0.0.1:0"
	c.Interval = config.Duration(time.Hour)
	c.NoDiscovery = true
	c.LogLevel = "debug"
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := start(ctx, c, Build{Version: "test"}, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.wait(ctx) }()
	stop := sync.OnceFunc(func() {
		cancel()
		<-done
	})
	defer stop()
	evs, unsub := a.bus.Subscribe(1024)
	defer unsub()
	base := "http://" + a.ln.Addr().String() + "/api/v1/"

	// Discovery reports the border router (the advert its agent publishes).
	a.ba.seen(svc, network)
	if a.sched.HasNetwork(network) {
		t.Fatal("a border router without a credential became a source")
	}

	// Bad credentials are refused without repeating them.
	code, body := httpDo(t, "PATCH", base+"settings", `{"border_agent_credentials": {"`+network+`": {"pskc": "`+pskc[:30]+`"}}}`)
	if code != 400 || !strings.Contains(string(body), "32 hexadecimal digits") {
		t.Errorf("short PSKc: %d %s", code, body)
	}
	assertNoLeak(t, "the PATCH error", body, leaks(pskc[:30]))

	code, body = httpDo(t, "PATCH", base+"settings", `{"border_agent_credentials": {"`+network+`": {"pskc": "`+pskc+`"}}}`)
	if code != 200 {
		t.Fatalf("PATCH: %d %s", code, body)
	}
	var view SettingsView
	if err := json.Unmarshal(body, &view); err != nil {
		t.Fatal(err)
	}
	if view.BorderAgentCredentials[network] != "set" {
		t.Fatalf("settings show %v", view.BorderAgentCredentials)
	}
	if !a.sched.HasNetwork(network) {
		t.Fatal("the border router with a credential did not become a source")
	}
	// A new source's network is scanned at once; a trigger meets it running.
	code, body = httpDo(t, "POST", base+"scan?network="+network, "")
	if code != 202 && code != 409 {
		t.Fatalf("scan: %d %s", code, body)
	}
	deadline := time.After(time.Minute)
	var finished map[string]any
	for finished == nil {
		select {
		case ev := <-evs:
			assertNoLeak(t, "event "+ev.Name, ev.Data, secrets)
			if ev.Name == events.ScanFinished {
				_ = json.Unmarshal(ev.Data, &finished)
			}
		case <-deadline:
			t.Fatal("no scan.finished within a minute")
		}
	}
	if finished["state"] == "failed" {
		t.Fatalf("scan failed: %v", finished)
	}
	var latest topology.Snapshot
	code, body = httpDo(t, "GET", base+"topology/latest?network="+network, "")
	if code != 200 || json.Unmarshal(body, &latest) != nil {
		t.Fatalf("latest: %d %s", code, body)
	}
	if diff := m.Truth().Shape().Diff(latest.Shape()); len(diff) > 0 {
		t.Fatalf("the border-agent source's map differs: %v", diff)
	}
	if r := latest.Scan.Sources; len(r) == 0 || r[0].Name != "border-agent" {
		t.Errorf("report %+v", r)
	}

	// Every answer of the API, every export, the metrics: no credential.
	var page store.Page
	code, body = httpDo(t, "GET", base+"snapshots?network="+network, "")
	if code != 200 || json.Unmarshal(body, &page) != nil || len(page.Snapshots) == 0 {
		t.Fatalf("snapshots: %d %s", code, body)
	}
	id := page.Snapshots[0].ID
	urls := []string{"info", "networks", "border-routers", "topology/latest?network=" + network, "snapshots?network=" + network,
		"snapshots/" + id, "diff?from=" + id + "&to=" + id, "insights?network=" + network, "scan", "settings", "openapi.json"}
	for _, f := range []string{"json", "cbor", "graphml", "dot", "csv"} {
		urls = append(urls, "snapshots/"+id+"/export?format="+f)
	}
	for _, u := range urls {
		code, body := httpDo(t, "GET", base+u, "")
		if code != 200 {
			t.Errorf("GET %s: %d %s", u, code, body)
		}
		assertNoLeak(t, "GET "+u, body, secrets)
	}
	code, body = httpDo(t, "GET", strings.TrimSuffix(base, "api/v1/")+"metrics", "")
	if code != 200 {
		t.Errorf("metrics: %d", code)
	}
	assertNoLeak(t, "/metrics", body, secrets)

	// Stored in the store file, which only its owner reads; a restart
	// finds it there.
	st, err := os.Stat(c.DB)
	if err != nil || st.Mode().Perm()&0o077 != 0 {
		t.Errorf("store file mode %v (%v)", st.Mode(), err)
	}
	blob, err := a.store.GetCredentials()
	if err != nil || !bytes.Contains(blob, []byte(pskc)) {
		t.Errorf("credential not in the store: %v", err)
	}

	// Removing the credential removes the source.
	code, body = httpDo(t, "PATCH", base+"settings", `{"border_agent_credentials": {"`+network+`": null}}`)
	if code != 200 || strings.Contains(string(body), network+`":"set"`) {
		t.Fatalf("PATCH null: %d %s", code, body)
	}
	if a.sched.HasNetwork(network) {
		t.Error("the source outlived its credential")
	}
	stop()
	for drained := false; !drained; {
		select {
		case ev, ok := <-evs:
			if !ok {
				drained = true
				break
			}
			assertNoLeak(t, "event "+ev.Name, ev.Data, secrets)
		default:
			drained = true
		}
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		assertNoLeak(t, "log line "+fmt.Sprintf("%.80q", line), []byte(line), secrets)
	}
	if !strings.Contains(logs.String(), "Border Agent source") {
		t.Error("the source was never logged")
	}
}

// TestBorderAgentCredentialsFromConfig: a credential in the config file (a
// passphrase: name and ext PAN ID from the advert) makes the source; the
// file must be private.
func TestBorderAgentCredentialsFromConfig(t *testing.T) {
	m, _, svc, network := simAgent(t, 43, 12)
	dir := t.TempDir()
	file := filepath.Join(dir, "threadmap.json")
	body := `{"border_agent": {"` + network + `": {"passphrase": "` + threadsim.DefaultPassphrase + `"}}}`
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		switch k {
		case "THREADMAP_CONFIG":
			return file
		case "THREADMAP_DB":
			return filepath.Join(dir, "d.db")
		case "THREADMAP_LISTEN":
			return "127.0.0.1:0"
		}
		return ""
	}
	fl := config.RegisterFlags(newFlagSet())
	if _, err := fl.Resolve(getenv); err == nil || !strings.Contains(err.Error(), "chmod 600") || strings.Contains(err.Error(), threadsim.DefaultPassphrase) {
		t.Fatalf("a world-readable config file with a credential: %v", err)
	}
	if err := os.Chmod(file, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.RegisterFlags(newFlagSet()).Resolve(getenv)
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprintf("%+v %#v", c, c.Redacted()); strings.Contains(s, threadsim.DefaultPassphrase) {
		t.Errorf("the config prints its credential: %s", s)
	}
	c.NoDiscovery = true
	c.Interval = config.Duration(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := start(ctx, c, Build{Version: "test"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.wait(ctx) }()
	defer func() { cancel(); <-done }()
	evs, unsub := a.bus.Subscribe(1024)
	defer unsub()
	a.ba.seen(svc, network)
	if !a.sched.HasNetwork(network) {
		t.Fatal("no source from the config file's credential")
	}
	// A new network is scanned as soon as the scheduler runs.
	deadline := time.After(time.Minute)
	for {
		select {
		case ev := <-evs:
			if ev.Name != events.ScanFinished {
				continue
			}
			var fin map[string]any
			_ = json.Unmarshal(ev.Data, &fin)
			if fin["state"] == "failed" {
				t.Fatalf("scan failed: %v", fin)
			}
			snap, err := a.store.Latest(network)
			if err != nil {
				t.Fatal(err)
			}
			if diff := m.Truth().Shape().Diff(snap.Shape()); len(diff) > 0 {
				t.Fatalf("differs: %v", diff)
			}
			return
		case <-deadline:
			t.Fatal("no scan.finished within a minute")
		}
	}
}

func newFlagSet() *flag.FlagSet { return flag.NewFlagSet("threadmap serve", flag.ContinueOnError) }
