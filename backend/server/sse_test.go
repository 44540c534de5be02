package server

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/backend/events"
)

func TestEventStreamDeliversEventsAndPings(t *testing.T) {
	f := newFixture(t, Options{Loopback: true, PingInterval: 50 * time.Millisecond})
	ts := httptest.NewServer(f.h)
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/v1/events", nil)
	req.Host = "127.0.0.1"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
	// The handler subscribes before it sends the headers: Do has returned,
	// so the stream is subscribed.
	if n := f.bus.Subscribers(); n != 1 {
		t.Fatalf("%d subscribers once the headers came", n)
	}
	f.bus.Publish(events.ScanStartedEvent{ScanID: "s1", Network: "dead00beef00cafe", Sources: 2})
	sc := bufio.NewScanner(resp.Body)
	var gotEvent, gotData, gotPing bool
	for sc.Scan() && !(gotEvent && gotData && gotPing) {
		line := sc.Text()
		switch {
		case line == "event: scan.started":
			gotEvent = true
		case gotEvent && line == `data: {"scan_id":"s1","network":"dead00beef00cafe","sources":2}`:
			gotData = true
		case line == ": ping":
			gotPing = true
		}
	}
	if !gotEvent || !gotData || !gotPing {
		t.Fatalf("event %v data %v ping %v", gotEvent, gotData, gotPing)
	}
	// Close ends the stream (so that http.Server.Shutdown can finish).
	f.srv.Close()
	done := make(chan struct{})
	go func() {
		for sc.Scan() {
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("stream still open after Close")
	}
	if strings.Contains(resp.Header.Get("Access-Control-Allow-Origin"), "*") {
		t.Error("CORS header sent")
	}
}
