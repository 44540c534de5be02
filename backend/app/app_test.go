package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/threadmap/threadmap/backend/config"
	"github.com/threadmap/threadmap/store"
)

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// The demo, scanned every second with retention keeping one snapshot:
// scans keep coming, the store keeps one, and cancelling the context shuts
// everything down and releases the store file.
func TestRunDemoWithRetentionAndShutdown(t *testing.T) {
	c := config.Defaults(func(string) string { return "" })
	c.Demo = true
	c.DB = filepath.Join(t.TempDir(), "app.db")
	c.Listen = "127.0.0.1:0"
	c.Interval = config.Duration(time.Second)
	c.RetainCount = 1
	c.DemoMutate = 0
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrCh := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, c, Build{Version: "test"}, slog.New(slog.DiscardHandler), func(a string) { addrCh <- a })
	}()
	var base string
	select {
	case a := <-addrCh:
		base = "http://" + a + "/api/v1/"
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("not listening after 30 s")
	}
	r := running{base: base}
	waitScans(t, r, openEvents(t, r), "two finished scans of the demo", func(l scanList) bool {
		finished := 0
		for _, s := range l.Scans {
			if s.State == "finished" {
				finished++
			}
		}
		return finished >= 2
	})
	var page store.Page
	getJSON(t, base+"snapshots", &page)
	if len(page.Snapshots) != 1 {
		t.Errorf("retention kept %d snapshots, want 1", len(page.Snapshots))
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return within 30 s of cancel")
	}
	st, err := store.Open(c.DB, store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("store still locked after shutdown: %v", err)
	}
	defer st.Close()
	if err := st.Check(); err != nil {
		t.Errorf("store check: %v", err)
	}
}
