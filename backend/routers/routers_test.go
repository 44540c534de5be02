package routers

import (
	"encoding/json"
	"testing"

	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/thread/topology"
)

func TestRegistryPublishesAppearAndDisappear(t *testing.T) {
	bus := events.NewBus()
	sub, cancel := bus.Subscribe(10)
	defer cancel()
	r := NewRegistry(bus)
	br := topology.BorderRouter{ID: "agent-1", NetworkName: "Home", ExtPanID: "DEAD00BEEF00CAFE", Vendor: "OpenThread"}
	if !r.Upsert(br) {
		t.Fatal("first upsert is not new")
	}
	if r.Upsert(br) {
		t.Fatal("refresh reported as new")
	}
	r.Upsert(topology.BorderRouter{ID: "agent-2", NetworkName: "Other"})
	if l := r.List("dead00beef00cafe"); len(l) != 1 || l[0].ID != "agent-1" || l[0].LastSeen == nil {
		t.Fatalf("list by network: %+v", l)
	}
	if l := r.List(""); len(l) != 2 || l[1].Network != "name:Other" {
		t.Fatalf("list all: %+v", l)
	}
	r.Remove("agent-1")
	r.Remove("agent-1") // unknown now: no event
	var names []string
	for len(sub) > 0 {
		ev := <-sub
		names = append(names, ev.Name)
		if ev.Name == events.BorderRouterGone {
			var e Entry
			json.Unmarshal(ev.Data, &e)
			if e.ID != "agent-1" || e.Network != "dead00beef00cafe" || e.Vendor != "OpenThread" {
				t.Errorf("disappeared event %s", ev.Data)
			}
		}
	}
	want := []string{events.BorderRouterAppeared, events.BorderRouterAppeared, events.BorderRouterGone}
	if len(names) != len(want) || names[0] != want[0] || names[1] != want[1] || names[2] != want[2] {
		t.Errorf("events %v, want %v", names, want)
	}
}
