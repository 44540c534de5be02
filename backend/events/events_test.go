package events

import (
	"strconv"
	"testing"
)

func TestBusFansOutAndDropsForSlowSubscribers(t *testing.T) {
	b := NewBus()
	fast, cancelFast := b.Subscribe(10)
	defer cancelFast()
	slow, cancelSlow := b.Subscribe(1)
	for i := 0; i < 3; i++ {
		b.Publish(ScanStartedEvent{ScanID: strconv.Itoa(i)})
	}
	if len(fast) != 3 || len(slow) != 1 {
		t.Fatalf("fast %d, slow %d", len(fast), len(slow))
	}
	if ev := <-fast; ev.Name != ScanStarted || string(ev.Data) != `{"scan_id":"0","network":"","sources":0}` {
		t.Errorf("first event %s %s", ev.Name, ev.Data)
	}
	if b.Dropped() != 2 {
		t.Errorf("dropped %d, want 2", b.Dropped())
	}
	cancelSlow()
	cancelSlow() // twice is fine
	if _, ok := <-slow; !ok {
		t.Error("buffered event lost on cancel")
	}
	if _, ok := <-slow; ok {
		t.Error("cancelled channel still open")
	}
	if b.Subscribers() != 1 {
		t.Errorf("%d subscribers", b.Subscribers())
	}
	b.Close()
	for range fast {
	}
	late, _ := b.Subscribe(1)
	if _, ok := <-late; ok {
		t.Error("subscription after Close is open")
	}
	b.Publish(unmarshalable{F: func() {}}) // no panic
}

// unmarshalable is a payload encoding/json refuses.
type unmarshalable struct{ F func() }

func (unmarshalable) EventName() string { return "test.unmarshalable" }
