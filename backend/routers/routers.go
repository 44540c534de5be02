// Package routers keeps the border routers the program knows right now
// (discovered over mDNS, handed over by the demo, or probed from configured
// OTBR URLs) and publishes border_router.appeared / .disappeared events.
package routers

import (
	"sort"
	"sync"
	"time"

	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/thread/topology"
)

// Publisher receives the appear/disappear events.
type Publisher interface {
	Publish(events.Payload)
}

// Entry is a border router with the network it belongs to.
type Entry struct {
	topology.BorderRouter
	// Network is the network key (topology.Network.Key spelling).
	Network string `json:"network"`
}

// Registry is the current set of border routers. Safe for concurrent use.
type Registry struct {
	mu  sync.Mutex
	brs map[string]Entry
	pub Publisher
	now func() time.Time
}

// NewRegistry returns an empty registry publishing to pub (may be nil).
func NewRegistry(pub Publisher) *Registry {
	return &Registry{brs: map[string]Entry{}, pub: pub, now: time.Now}
}

// NetworkKey is the key of the network a border router advertises.
func NetworkKey(br topology.BorderRouter) string {
	return topology.Network{Name: br.NetworkName, ExtPanID: br.ExtPanID}.Key()
}

// Upsert adds or refreshes br; a new id publishes border_router.appeared.
// It reports whether br is new.
func (r *Registry) Upsert(br topology.BorderRouter) bool {
	if br.LastSeen == nil {
		t := r.now().UTC()
		br.LastSeen = &t
	}
	e := Entry{BorderRouter: br, Network: NetworkKey(br)}
	r.mu.Lock()
	_, known := r.brs[br.ID]
	r.brs[br.ID] = e
	r.mu.Unlock()
	if !known && r.pub != nil {
		r.pub.Publish(events.BorderRouterAppearedEvent{BorderRouter: e.BorderRouter, Network: e.Network})
	}
	return !known
}

// Remove drops id; a known id publishes border_router.disappeared.
func (r *Registry) Remove(id string) {
	r.mu.Lock()
	e, ok := r.brs[id]
	delete(r.brs, id)
	r.mu.Unlock()
	if ok && r.pub != nil {
		r.pub.Publish(events.BorderRouterDisappearedEvent{BorderRouter: e.BorderRouter, Network: e.Network})
	}
}

// List returns the border routers of network ("" for all), sorted by id.
func (r *Registry) List(network string) []Entry {
	r.mu.Lock()
	out := make([]Entry, 0, len(r.brs))
	for _, e := range r.brs {
		if network == "" || e.Network == network {
			out = append(out, e)
		}
	}
	r.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
