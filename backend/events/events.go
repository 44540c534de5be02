// Package events is the in-process bus behind the live event stream
// (/api/v1/events): the scheduler and discovery publish, every SSE client
// subscribes. A slow subscriber loses events rather than slowing the bus.
package events

import (
	"encoding/json"
	"sync"
)

// Event names, as docs/API.md spells them.
const (
	ScanStarted          = "scan.started"
	ScanProgress         = "scan.progress"
	ScanFinished         = "scan.finished"
	SnapshotNew          = "snapshot.new"
	SnapshotDeleted      = "snapshot.deleted"
	BorderRouterAppeared = "border_router.appeared"
	BorderRouterGone     = "border_router.disappeared"
	SettingsChanged      = "settings.changed"
)

// Event is one named event with a JSON payload.
type Event struct {
	Name string
	Data json.RawMessage
}

// Bus fans events out to subscribers.
type Bus struct {
	mu     sync.Mutex
	subs   map[chan Event]struct{}
	closed bool
	// Dropped counts events a full subscriber buffer lost.
	dropped uint64
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{subs: map[chan Event]struct{}{}} }

// Publish sends p (its JSON as the data, its EventName as the name) to
// every subscriber.
func (b *Bus) Publish(p Payload) {
	raw, err := json.Marshal(p)
	if err != nil {
		raw = []byte(`{}`)
	}
	ev := Event{Name: p.EventName(), Data: raw}
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- ev:
		default:
			b.dropped++
		}
	}
}

// Subscribe returns a channel of events and a cancel function that ends the
// subscription and closes the channel. buffer is the channel's capacity.
func (b *Bus) Subscribe(buffer int) (<-chan Event, func()) {
	ch := make(chan Event, buffer)
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		close(ch)
		return ch, func() {}
	}
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			b.mu.Lock()
			if _, ok := b.subs[ch]; ok {
				delete(b.subs, ch)
				close(ch)
			}
			b.mu.Unlock()
		})
	}
}

// Close ends every subscription (their channels close).
func (b *Bus) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for ch := range b.subs {
		delete(b.subs, ch)
		close(ch)
	}
}

// Subscribers is the number of live subscriptions.
func (b *Bus) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Dropped is the number of events lost to full subscriber buffers.
func (b *Bus) Dropped() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dropped
}
