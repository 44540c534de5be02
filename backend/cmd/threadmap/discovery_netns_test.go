package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/meshcop/meshcoptest"
)

// envGetURL makes the netns helper GET a URL and print the body on one
// line; envEventsURL makes it follow an event stream, printing
// {"event": "subscribed"} once it is, then {"event": NAME} for each event.
const (
	envGetURL    = "THREADMAP_SERVE_TEST_GET"
	envEventsURL = "THREADMAP_SERVE_TEST_EVENTS"
)

// TestServeNetnsHelper is the helper process of the discovery netns test:
// it advertises border routers (meshcoptest roles) or GETs a URL inside the
// namespace. In a normal run it does nothing.
func TestServeNetnsHelper(t *testing.T) {
	if u := os.Getenv(envEventsURL); u != "" {
		resp, err := http.Get(u)
		if err != nil {
			fmt.Printf("{\"error\": %q}\n", err.Error())
			return
		}
		defer resp.Body.Close()
		fmt.Println(`{"event": "subscribed"}`) // the server subscribes before it answers the headers
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				fmt.Printf("{\"event\": %q}\n", name)
			}
		}
		return
	}
	if u := os.Getenv(envGetURL); u != "" {
		resp, err := http.Get(u)
		if err != nil {
			fmt.Println(`{"error": "get failed"}`)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(strings.ReplaceAll(string(b), "\n", " "))
		return
	}
	if meshcoptest.Role() == "" {
		return
	}
	if err := meshcoptest.Main(os.Stdin, os.Stdout); err != nil {
		t.Fatal(err)
	}
}

// TestServeDiscoversBorderRoutersInNetns runs `threadmap serve --mdns-iface`
// in one network namespace while border routers advertise _meshcop._udp in
// another, joined by a veth pair: the API lists every advertised border
// router under its network. mDNS never leaves the two namespaces.
func TestServeDiscoversBorderRoutersInNetns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	pair := meshcoptest.NewNetnsPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ads := meshcoptest.SampleAdverts(pair)
	meshcoptest.StartAdvertiser(t, ctx, pair, "TestServeNetnsHelper", ads)
	dir := t.TempDir()
	bin := buildThreadmap(t, dir)
	p := startServeIn(t, []string{"ip", "netns", "exec", pair.B}, bin, "--listen", "127.0.0.1:0",
		"--db", filepath.Join(dir, "d.db"), "--mdns-iface", pair.IfB, "--interval", "1h", "--otbr-port", "1")
	get := func(path string) []byte {
		h := meshcoptest.StartHelper(t, ctx, pair.B, "TestServeNetnsHelper", envGetURL+"=http://"+p.addr+path)
		line := h.Next(t, 30*time.Second)
		return []byte(line)
	}
	want := map[string]string{} // border router id → network key
	for _, ad := range ads {
		key := ad.Record.ExtPanID.String()
		id := ad.Record.AgentID.String()
		if id == "" {
			id = ad.Instance
		}
		want[id] = key
	}
	// Follow the events: the API is read again after each border router
	// that appears, until it lists them all.
	evs := meshcoptest.StartHelper(t, ctx, pair.B, "TestServeNetnsHelper", envEventsURL+"=http://"+p.addr+"/api/v1/events")
	if line := evs.Next(t, 30*time.Second); line != `{"event": "subscribed"}` {
		t.Fatalf("event stream: %q", line)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var got struct {
			BorderRouters []struct {
				ID      string            `json:"id"`
				Network string            `json:"network"`
				Vendor  string            `json:"vendor"`
				State   map[string]string `json:"state"`
			} `json:"border_routers"`
		}
		body := get("/api/v1/border-routers")
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("border-routers: %v: %s", err, body)
		}
		found := map[string]string{}
		for _, br := range got.BorderRouters {
			found[br.ID] = br.Network
			if br.Vendor == "" || br.State["thread_interface_status"] == "" {
				t.Errorf("border router %s lacks decoded TXT fields: %+v", br.ID, br)
			}
		}
		if len(found) == len(want) {
			for id, key := range want {
				if found[id] != key {
					t.Errorf("border router %s: network %q, want %q", id, found[id], key)
				}
			}
			break
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			t.Fatalf("after 60 s the API lists %v, want %v\nlog:\n%s", found, want, p.logs())
		}
		for evs.Next(t, wait) != `{"event": "border_router.appeared"}` {
		}
	}
	if err := p.stop(t); err != nil {
		t.Errorf("exit: %v", err)
	}
	if !strings.Contains(p.logs(), "border router appeared") {
		t.Errorf("no appearance logged:\n%s", p.logs())
	}
}
