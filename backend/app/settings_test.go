package app

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/backend/config"
	"github.com/threadmap/threadmap/matter/mattersim/mattersimtest"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim/otbrsimtest"
	"github.com/threadmap/threadmap/thread/threadsim"
)

const testToken = "s3cret-settings-token"

// running is an app started by startApp.
type running struct {
	base string // http://addr/api/v1/
	stop func()
}

// startApp runs the app with c until the test ends or stop is called.
func startApp(t *testing.T, c config.Config) running {
	t.Helper()
	return startAppLog(t, c, slog.New(slog.DiscardHandler))
}

// startAppLog is startApp logging to log.
func startAppLog(t *testing.T, c config.Config, log *slog.Logger) running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrCh := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, c, Build{Version: "test"}, log, func(a string) { addrCh <- a })
	}()
	var r running
	select {
	case a := <-addrCh:
		r.base = "http://" + a + "/api/v1/"
	case err := <-done:
		cancel()
		t.Fatalf("Run: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("not listening after 30 s")
	}
	stopped := false
	r.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("Run did not return within 30 s of cancel")
		}
	}
	t.Cleanup(r.stop)
	return r
}

func send(t *testing.T, method, url, body string, hdr ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/merge-patch+json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func settingsConfig(t *testing.T, db string) config.Config {
	c := config.Defaults(func(string) string { return "" })
	c.DB = db
	c.Listen = "127.0.0.1:0"
	c.Interval = config.Duration(time.Hour)
	c.NoDiscovery = true
	c.Token = testToken
	return c
}

func getSettings(t *testing.T, r running) SettingsView {
	t.Helper()
	var v SettingsView
	code, b := send(t, "GET", r.base+"settings", "")
	if code != 200 {
		t.Fatalf("GET settings: %d %s", code, b)
	}
	if strings.Contains(string(b), testToken) || strings.Contains(string(b), "token") {
		t.Fatalf("settings show the token: %s", b)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

type scanList struct {
	Scans []struct {
		State   string `json:"state"`
		Trigger string `json:"trigger"`
		Sources []struct {
			Name     string `json:"name"`
			Answered int    `json:"answered"`
		} `json:"sources"`
	} `json:"scans"`
}

// sseEvent is one event of the live stream.
type sseEvent struct{ name, data string }

// openEvents subscribes to the app's live event stream: the server
// subscribes before it answers the headers, so every event published after
// openEvents returns is on the channel (closed when the stream ends).
func openEvents(t *testing.T, r running) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", r.base+"events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ch := make(chan sseEvent, 256)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		var name string
		for sc.Scan() {
			line := sc.Text()
			if n, ok := strings.CutPrefix(line, "event: "); ok {
				name = n
			} else if d, ok := strings.CutPrefix(line, "data: "); ok && name != "" {
				ch <- sseEvent{name, d}
				name = ""
			}
		}
	}()
	t.Cleanup(cancel)
	return ch
}

// nextEvent waits (until deadline) for the next event named name.
func nextEvent(t *testing.T, ch <-chan sseEvent, name string, deadline <-chan time.Time) sseEvent {
	t.Helper()
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("event stream ended while waiting for %s", name)
			}
			if ev.name == name {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %s event in time", name)
		}
	}
}

// waitScans reads GET /scan until ok accepts the list: once, then after
// each event on events (60 s at most).
func waitScans(t *testing.T, r running, events <-chan sseEvent, what string, ok func(scanList) bool) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		var l scanList
		getJSON(t, r.base+"scan", &l)
		if ok(l) {
			return
		}
		select {
		case _, open := <-events:
			if !open {
				t.Fatalf("%s: event stream ended: %+v", what, l)
			}
		case <-deadline:
			t.Fatalf("%s: not within 60 s: %+v", what, l)
		}
	}
}

// PATCH /settings at runtime: the scheduler scans at the new interval, an
// OTBR URL added becomes a scanned source, retention applies to the next
// snapshots, settings.changed is published, and everything survives a
// restart on the same store file; a flag still wins over the stored value.
func TestSettingsPatchAppliesAtRuntimeAndPersists(t *testing.T) {
	mesh, err := threadsim.Generate(threadsim.Options{Seed: 3, Nodes: 6})
	if err != nil {
		t.Fatal(err)
	}
	_, otbrURL := otbrsimtest.Start(t, mesh.Truth(), otbr.DialectLegacy, otbrsim.Options{LegacyCollect: 50e6})
	db := filepath.Join(t.TempDir(), "settings.db")
	c := settingsConfig(t, db)
	r := startApp(t, c)

	v := getSettings(t, r)
	if v.Interval.D() != time.Hour || v.MaxBackoff.D() != 15*time.Minute || v.ScanTimeout.D() != 2*time.Minute ||
		len(v.OTBR) != 0 || v.MatterServer != "" || v.RetainCount != 0 {
		t.Fatalf("initial settings %+v", v)
	}
	for _, k := range []string{"interval", "network_interval", "max_backoff", "scan_timeout", "retain_count", "retain_age", "otbr", "matter_server", "tmf"} {
		if v.Source[k] != config.OriginDefault {
			t.Errorf("source of %s = %q, want default", k, v.Source[k])
		}
	}

	// Mutating: the token is required.
	patch := `{"otbr": ["` + otbrURL + `/"], "interval": "1s", "retain_count": 2, "network_interval": {"feedfeedfeedfeed": "90s"}}`
	if code, b := send(t, "PATCH", r.base+"settings", patch); code != 401 {
		t.Fatalf("PATCH without token: %d %s", code, b)
	}
	if code, b := send(t, "PATCH", r.base+"settings", patch, "Authorization", "Bearer wrong"); code != 401 {
		t.Fatalf("PATCH with a wrong token: %d %s", code, b)
	}

	evs := openEvents(t, r)
	code, b := send(t, "PATCH", r.base+"settings", patch, "Authorization", "Bearer "+testToken)
	if code != 200 {
		t.Fatalf("PATCH: %d %s", code, b)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if v.Interval.D() != time.Second || v.RetainCount != 2 || len(v.OTBR) != 1 || v.OTBR[0] != otbrURL ||
		v.NetworkInterval["feedfeedfeedfeed"].D() != 90*time.Second ||
		v.Source["interval"] != config.OriginAPI || v.Source["otbr"] != config.OriginAPI || v.Source["max_backoff"] != config.OriginDefault {
		t.Fatalf("after PATCH: %s", b)
	}
	if d := nextEvent(t, evs, "settings.changed", time.After(20*time.Second)).data; !strings.Contains(d, `"interval":"1s"`) || !strings.Contains(d, otbrURL) {
		t.Errorf("settings.changed data %s", d)
	}

	// The OTBR source is scanned, and again and again at the 1 s interval.
	waitScans(t, r, evs, "three scheduled scans of the added OTBR", func(l scanList) bool {
		n := 0
		for _, s := range l.Scans {
			for _, src := range s.Sources {
				if s.State == "finished" && s.Trigger == "schedule" && src.Name == "otbr" && src.Answered > 0 {
					n++
				}
			}
		}
		return n >= 3
	})
	var page store.Page
	getJSON(t, r.base+"snapshots", &page)
	if len(page.Snapshots) == 0 || len(page.Snapshots) > 2 {
		t.Errorf("retention 2 kept %d snapshots", len(page.Snapshots))
	}
	r.stop()

	// Restart on the same file: the API's settings are back.
	r = startApp(t, c)
	evs = openEvents(t, r)
	v = getSettings(t, r)
	if v.Interval.D() != time.Second || len(v.OTBR) != 1 || v.Source["otbr"] != config.OriginAPI || v.RetainCount != 2 {
		t.Fatalf("after restart: %+v", v)
	}
	waitScans(t, r, evs, "a scan of the OTBR after restart", func(l scanList) bool {
		return len(l.Scans) > 0 && l.Scans[0].State == "finished"
	})
	// Dropping the OTBR through the API removes the source: nothing left to scan.
	code, b = send(t, "PATCH", r.base+"settings", `{"otbr": null}`, "Authorization", "Bearer "+testToken)
	if code != 200 || !strings.Contains(string(b), `"otbr":[]`) || !strings.Contains(string(b), `"otbr":"default"`) {
		t.Fatalf("drop otbr: %d %s", code, b)
	}
	if code, b := send(t, "POST", r.base+"scan", "", "Authorization", "Bearer "+testToken); code != 404 {
		t.Errorf("scan with the OTBR removed: %d %s", code, b)
	}
	r.stop()

	// A flag wins over the API's value, and GET says so.
	c.Interval = config.Duration(2 * time.Minute)
	c.Origins = map[string]string{"interval": config.OriginFlag}
	r = startApp(t, c)
	v = getSettings(t, r)
	if v.Interval.D() != 2*time.Minute || v.Source["interval"] != config.OriginFlag || len(v.APIShadowed) != 1 || v.APIShadowed[0] != "interval" {
		t.Fatalf("flag over API: %+v", v)
	}
	if len(v.OTBR) != 0 || v.RetainCount != 2 {
		t.Fatalf("after dropping otbr and restart: %+v", v)
	}
}

// Bad PATCH bodies are 400 with the error JSON naming the field; nothing
// changes; hostile bodies never give a 5xx.
func TestSettingsPatchRejectsBadInput(t *testing.T) {
	c := settingsConfig(t, filepath.Join(t.TempDir(), "bad.db"))
	r := startApp(t, c)
	before := getSettings(t, r)
	cases := []struct{ body, field string }{
		{``, "body"},
		{`null`, "body"},
		{`[]`, "body"},
		{`"x"`, "body"},
		{`{"interval": "1s"} {}`, "body"},
		{`{"bogus": 1}`, "bogus"},
		{`{"source": {"interval": "api"}}`, "source"},
		{`{"token": "x"}`, "token"},
		{`{"interval": "0s"}`, "interval"},
		{`{"interval": "soon"}`, "interval"},
		{`{"interval": true}`, "interval"},
		{`{"interval": "-5s"}`, "interval"},
		{`{"max_backoff": "0s"}`, "max_backoff"},
		{`{"scan_timeout": "-1s"}`, "scan_timeout"},
		{`{"retain_count": -1}`, "retain_count"},
		{`{"retain_count": 1.5}`, "retain_count"},
		{`{"retain_count": "3"}`, "retain_count"},
		{`{"retain_count": 99999999999999999999999}`, "retain_count"},
		{`{"retain_age": "-1h"}`, "retain_age"},
		{`{"otbr": "http://127.0.0.1:1"}`, "otbr"},
		{`{"otbr": ["ftp://127.0.0.1"]}`, "otbr"},
		{`{"otbr": ["http://"]}`, "otbr"},
		{`{"otbr": [""]}`, "otbr"},
		{`{"otbr": [1]}`, "otbr"},
		{`{"matter_server": "http://127.0.0.1:5580/ws"}`, "matter_server"},
		{`{"matter_server": 5}`, "matter_server"},
		{`{"tmf": ["not a prefix"]}`, "tmf"},
		{`{"network_interval": {"aa": "10ms"}}`, "network_interval"},
		{`{"network_interval": {"": "10s"}}`, "network_interval"},
		{`{"network_interval": ["10s"]}`, "network_interval"},
		{`{"network_interval": {"aa": 1e400}}`, "network_interval"},
		{`{"interval": "1s", "otbr": ["gopher://x"]}`, "otbr"},
	}
	for _, tc := range cases {
		code, b := send(t, "PATCH", r.base+"settings", tc.body, "Authorization", "Bearer "+testToken)
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		json.Unmarshal(b, &e)
		if code != 400 || e.Error.Code != "bad_request" || !strings.HasPrefix(e.Error.Message, tc.field+":") {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.body, code, b, tc.field)
		}
	}
	big := `{"otbr": ["http://127.0.0.1:1/` + strings.Repeat("a", 2<<20) + `"]}`
	if code, b := send(t, "PATCH", r.base+"settings", big, "Authorization", "Bearer "+testToken); code != 413 {
		t.Errorf("2 MiB body: %d %.200s", code, b)
	}
	for _, v := range []string{"\x00", "{", `{"interval":`, "%ff", strings.Repeat("[", 10000), `{"network_interval":{"a":null}}`} {
		if code, b := send(t, "PATCH", r.base+"settings", v, "Authorization", "Bearer "+testToken); code >= 500 {
			t.Errorf("%.40q: %d %s", v, code, b)
		}
	}
	after := getSettings(t, r)
	if after.Interval != before.Interval || len(after.OTBR) != 0 || after.RetainCount != before.RetainCount {
		t.Errorf("a rejected PATCH changed settings: %+v", after)
	}
}

// A stored settings record that no longer checks never stops the server:
// bad fields are dropped (the rest applies), an unreadable record is ignored.
func TestStoredSettingsThatDoNotCheckAreIgnored(t *testing.T) {
	cases := []struct {
		blob       string
		wantRetain int
	}{
		{`{"v":1,"fields":{"interval":"0s","retain_count":5,"bogus":1,"otbr":["ftp://x"]}}`, 5},
		{"\xff\x00not json", 0},
		{`{"v":99,"fields":{"retain_count":7}}`, 0},
	}
	for i, tc := range cases {
		db := filepath.Join(t.TempDir(), "stored.db")
		st, err := store.Open(db, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.PutSettings([]byte(tc.blob)); err != nil {
			t.Fatal(err)
		}
		st.Close()
		r := startApp(t, settingsConfig(t, db))
		v := getSettings(t, r)
		if v.Interval.D() != time.Hour || v.Source["interval"] != config.OriginDefault || len(v.OTBR) != 0 || v.RetainCount != tc.wantRetain {
			t.Errorf("case %d: %+v", i, v)
		}
		// A merge patch of network_interval sets and removes single networks.
		code, b := send(t, "PATCH", r.base+"settings", `{"network_interval": {"aa": "10s", "bb": "20s"}}`, "Authorization", "Bearer "+testToken)
		if code != 200 {
			t.Fatalf("case %d: %d %s", i, code, b)
		}
		code, b = send(t, "PATCH", r.base+"settings", `{"network_interval": {"aa": null}}`, "Authorization", "Bearer "+testToken)
		if code != 200 || !strings.Contains(string(b), `"network_interval":{"bb":"20s"}`) {
			t.Fatalf("case %d: %d %s", i, code, b)
		}
		r.stop()
	}
}

// Setting the Matter server through the API adds it as a scanned source
// (over a real WebSocket to the simulator on loopback); clearing it removes
// the source and ends the connection (Run then shuts down in time).
func TestSettingsMatterServerAddedAndRemoved(t *testing.T) {
	mesh, err := threadsim.Generate(threadsim.Options{Seed: 4, Nodes: 5})
	if err != nil {
		t.Fatal(err)
	}
	_, addr := mattersimtest.Serve(t, mesh.Truth())
	r := startApp(t, settingsConfig(t, filepath.Join(t.TempDir(), "matter.db")))
	evs := openEvents(t, r)
	code, b := send(t, "PATCH", r.base+"settings", `{"matter_server": "ws://`+addr+`/ws", "interval": "2s"}`, "Authorization", "Bearer "+testToken)
	if code != 200 || !strings.Contains(string(b), `"matter_server":"api"`) {
		t.Fatalf("PATCH: %d %s", code, b)
	}
	waitScans(t, r, evs, "a scan of the Matter server", func(l scanList) bool {
		for _, s := range l.Scans {
			for _, src := range s.Sources {
				if s.State == "finished" && src.Name == "matter" && src.Answered > 0 {
					return true
				}
			}
		}
		return false
	})
	code, b = send(t, "PATCH", r.base+"settings", `{"matter_server": ""}`, "Authorization", "Bearer "+testToken)
	if code != 200 || !strings.Contains(string(b), `"matter_server":""`) {
		t.Fatalf("clear: %d %s", code, b)
	}
	if code, b := send(t, "POST", r.base+"scan", "", "Authorization", "Bearer "+testToken); code != 404 {
		t.Errorf("scan with the Matter server removed: %d %s", code, b)
	}
	r.stop()
}
