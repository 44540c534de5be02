package app

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/threadmap/threadmap/matter/mattersim/mattersimtest"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim/otbrsimtest"
	"github.com/threadmap/threadmap/thread/threadsim"
	"path/filepath"
)

// syncBuffer is a bytes.Buffer for a logger written from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestURLCredentialsStayInConfig is issue 13's reproducer 1: credentials in
// source URLs (http://admin:hunter2@host) were shown by GET /settings,
// /scan and /metrics, logged, and stored in every snapshot's
// scan.sources[].target. They now stay in the configuration: everything
// the API, the log and the store say shows http://***@host, and a PATCH
// that sends the list back as GET showed it keeps the credentials.
func TestURLCredentialsStayInConfig(t *testing.T) {
	mesh, err := threadsim.Generate(threadsim.Options{Seed: 3, Nodes: 6})
	if err != nil {
		t.Fatal(err)
	}
	_, otbrURL := otbrsimtest.Start(t, mesh.Truth(), otbr.DialectLegacy, otbrsim.Options{LegacyCollect: 50e6})
	_, matterAddr := mattersimtest.Serve(t, mesh.Truth())
	otbrCred := strings.Replace(otbrURL, "http://", "http://admin:hunter2@", 1)
	matterCred := "ws://matteruser:m4tterpass@" + matterAddr + "/ws"
	secrets := []string{"hunter2", "admin", "m4tterpass", "matteruser"}

	db := filepath.Join(t.TempDir(), "creds.db")
	c := settingsConfig(t, db)
	c.OTBR = []string{otbrCred}
	c.MatterServer = matterCred
	logs := &syncBuffer{}
	r := startAppLog(t, c, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	evs := openEvents(t, r)
	var seen []string
	go func() {
		for ev := range evs {
			seen = append(seen, ev.data) // read after the stream ends (r.stop)
		}
	}()
	if code, b := send(t, "POST", r.base+"scan", "", "Authorization", "Bearer "+testToken); code != 202 {
		t.Fatalf("POST scan: %d %s", code, b)
	}
	waitScans(t, r, openEvents(t, r), "a scan of both sources", func(l scanList) bool {
		done := map[string]bool{}
		for _, s := range l.Scans {
			for _, src := range s.Sources {
				if s.State != "running" && src.Answered > 0 {
					done[src.Name] = true
				}
			}
		}
		return done["otbr"] && done["matter"]
	})
	var bodies []string
	get := func(path string) []byte {
		code, b := send(t, "GET", r.base+path, "")
		if code != 200 {
			t.Fatalf("GET %s: %d %s", path, code, b)
		}
		bodies = append(bodies, "GET "+path+": "+string(b))
		return b
	}
	var v SettingsView
	if err := json.Unmarshal(get("settings"), &v); err != nil {
		t.Fatal(err)
	}
	wantOTBR := strings.Replace(otbrURL, "http://", "http://***@", 1)
	if len(v.OTBR) != 1 || v.OTBR[0] != wantOTBR || v.MatterServer != "ws://***@"+matterAddr+"/ws" {
		t.Errorf("settings show otbr %q, matter %q; want %q and ws://***@%s/ws", v.OTBR, v.MatterServer, wantOTBR, matterAddr)
	}
	get("scan")
	get("networks")
	get("border-routers")
	var page store.Page
	if err := json.Unmarshal(get("snapshots"), &page); err != nil || len(page.Snapshots) == 0 {
		t.Fatalf("snapshots: %v %+v", err, page)
	}
	id := page.Snapshots[0].ID
	for _, sum := range page.Snapshots {
		get("snapshots/" + sum.ID)
	}
	get("snapshots/" + id + "/export?format=json")
	get("snapshots/" + id + "/export?format=graphml")
	get("topology/latest")
	code, metrics := send(t, "GET", strings.TrimSuffix(r.base, "api/v1/")+"metrics", "")
	if code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	bodies = append(bodies, "metrics: "+string(metrics))

	// GET's list sent back unchanged (the UI does that) keeps the credentials.
	patch := `{"otbr": ["` + wantOTBR + `"], "matter_server": "ws://***@` + matterAddr + `/ws"}`
	if code, b := send(t, "PATCH", r.base+"settings", patch, "Authorization", "Bearer "+testToken); code != 200 {
		t.Fatalf("PATCH the redacted list back: %d %s", code, b)
	} else {
		bodies = append(bodies, "PATCH: "+string(b))
	}
	r.stop()
	st, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	targets := map[string]string{}
	for _, sum := range page.Snapshots {
		snap, err := st.Get(sum.ID)
		if err != nil {
			t.Fatal(err)
		}
		sj, _ := snap.JSON()
		bodies = append(bodies, "stored snapshot: "+string(sj))
		for _, s := range snap.Scan.Sources {
			targets[s.Name] = s.Target
		}
	}
	if targets["otbr"] != wantOTBR || targets["matter"] != "ws://***@"+matterAddr+"/ws" {
		t.Errorf("stored source targets %v", targets)
	}
	blob, _ := st.GetSettings()
	if !strings.Contains(string(blob), otbrCred) || !strings.Contains(string(blob), matterCred) {
		t.Errorf("the PATCH lost the credentials: stored settings %s", blob)
	}
	bodies = append(bodies, "events: "+strings.Join(seen, "\n"), "log: "+logs.String())
	for _, b := range bodies {
		for _, sec := range secrets {
			if i := strings.Index(b, sec); i >= 0 {
				t.Errorf("%q leaks in %.40s…: …%s…", sec, b, b[max(0, i-80):min(len(b), i+40)])
			}
		}
	}
}
