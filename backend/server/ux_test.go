package server

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/thread/topology"
)

// A device named through the API carries user_name in the latest topology,
// a stored snapshot and an export; the live stream says names.changed;
// removing the name removes it everywhere; RLOC16-only ids are refused.
func TestNamesOnServedSnapshots(t *testing.T) {
	f := newFixture(t, Options{Loopback: true, Export: realExport})
	sub, cancel := f.bus.Subscribe(16)
	defer cancel()
	f.srv.SnapshotStored(f.ids[1], f.truth) // the latest cache, as a scan fills it
	f.srv.o.Names = f.st
	userName := func(target string) string {
		code, body, _ := f.do("GET", target, nil)
		if code != 200 {
			t.Fatalf("%s: %d %s", target, code, body)
		}
		s, err := topology.DecodeJSON(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return s.Node("3333333333333333").UserName
	}
	code, body, _ := f.do("PUT", "/api/v1/names/33:33:33:33:33:33:33:33", strings.NewReader(`{"name":" Kitchen plug "}`), "Content-Type", "application/json")
	if code != 200 || !strings.Contains(string(body), `"name":"Kitchen plug"`) {
		t.Fatalf("PUT: %d %s", code, body)
	}
	select {
	case ev := <-sub:
		if ev.Name != events.NamesChanged || !strings.Contains(string(ev.Data), `"ext_addr":"3333333333333333"`) {
			t.Errorf("event %s %s", ev.Name, ev.Data)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no names.changed event")
	}
	for _, target := range []string{"/api/v1/topology/latest", "/api/v1/topology/latest?network=name:Home", "/api/v1/snapshots/" + f.ids[0]} {
		if got := userName(target); got != "Kitchen plug" {
			t.Errorf("%s: user_name %q", target, got)
		}
	}
	if code, body, _ := f.do("GET", "/api/v1/snapshots/"+f.ids[0]+"/export?format=dot", nil); code != 200 || !bytes.Contains(body, []byte(`user_name="Kitchen plug"`)) {
		t.Errorf("dot export: %d", code)
	}
	if code, body, _ := f.do("PUT", "/api/v1/names/rloc:0x0401", strings.NewReader(`{"name":"x"}`)); code != 400 || !strings.Contains(string(body), "extended address") {
		t.Errorf("rloc name: %d %s", code, body)
	}
	if code, _, _ := f.do("PUT", "/api/v1/names/3333333333333333", strings.NewReader(`{"nom":"x"}`)); code != 400 {
		t.Errorf("body without name: %d", code)
	}
	if code, _, _ := f.do("DELETE", "/api/v1/names/3333333333333333", nil); code != 204 {
		t.Errorf("DELETE: %d", code)
	}
	if got := userName("/api/v1/topology/latest"); got != "" {
		t.Errorf("after DELETE: user_name %q", got)
	}
	if code, _, _ := f.do("DELETE", "/api/v1/names/3333333333333333", nil); code != 404 {
		t.Errorf("second DELETE: %d", code)
	}
}

// An imported snapshot that names no network joins the stored network of
// its mesh-local prefix, or is refused.
func TestImportJoinsByMeshLocalPrefix(t *testing.T) {
	f := newFixture(t, Options{Loopback: true})
	post := func(s *topology.Snapshot) (int, string) {
		b, _ := s.JSON()
		code, body, _ := f.do("POST", "/api/v1/import", bytes.NewReader(b), "Content-Type", "application/json")
		return code, string(body)
	}
	named := smallMesh()
	named.Network = topology.Network{Name: "Lab", ExtPanID: "abcdef0123456789", MeshLocalPrefix: "fd00:1::/64"}
	named.TakenAt = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	if code, body := post(named); code != 201 || !strings.Contains(body, `"network":"abcdef0123456789"`) {
		t.Fatalf("named import: %d %s", code, body)
	}
	lone := smallMesh()
	lone.Network = topology.Network{MeshLocalPrefix: "fd00:1::/64"}
	lone.TakenAt = named.TakenAt.Add(time.Minute)
	if code, body := post(lone); code != 201 || !strings.Contains(body, `"network":"abcdef0123456789"`) {
		t.Errorf("prefix-only import: %d %s", code, body)
	}
	lone.Network.MeshLocalPrefix = "fd00:2::/64"
	if code, body := post(lone); code != 400 || !strings.Contains(body, "names no network") {
		t.Errorf("import of an unknown prefix: %d %s", code, body)
	}
	var nets struct {
		Networks []struct{ Key string } `json:"networks"`
	}
	_, body, _ := f.do("GET", "/api/v1/networks", nil)
	json.Unmarshal(body, &nets)
	for _, n := range nets.Networks {
		if n.Key == "unknown" {
			t.Errorf("a nameless network was stored")
		}
	}
}
