package threadsim

import (
	"math/rand/v2"
	"sync"
	"time"
)

// Radio is the radio model of a running simulation.
//
// A message crossing h hops takes h × HopLatency plus its airtime on every
// hop. All nodes share one channel (one Thread network, one channel), so
// airtime serialises: a message waits until the channel is free. Airtime of
// n payload bytes: the payload is cut into 802.15.4 frames of at most
// FramePayload bytes, each frame adds FrameOverhead bytes (PHY/MAC headers,
// FCS, ACK, compressed IPv6/UDP headers) and is sent at BitRate.
type Radio struct {
	// HopLatency is the per-hop latency beyond airtime (CSMA back-off,
	// processing, forwarding).
	HopLatency time.Duration
	// Loss is the probability that a message arriving at a simulated node
	// (a request, or the acknowledgement of an answer it posted) is lost.
	Loss float64
	// BitRate of the shared channel in bit/s; 0 means 250000 (IEEE
	// 802.15.4 at 2.4 GHz); negative disables the airtime model.
	BitRate int
	// SleepyPoll, when set, replaces every sleepy child's poll period: the
	// longest a request waits at the parent for the child to poll.
	SleepyPoll time.Duration
	// Seed drives loss and poll phases.
	Seed int64
}

// FramePayload is the application payload one 802.15.4 frame carries
// after 6LoWPAN compression; FrameOverhead the bytes each frame adds.
const (
	FramePayload  = 80
	FrameOverhead = 47
)

// Airtime is how long n payload bytes occupy the channel for one hop at
// bitRate bit/s.
func Airtime(n, bitRate int) time.Duration {
	if bitRate <= 0 || n <= 0 {
		return 0
	}
	frames := (n + FramePayload - 1) / FramePayload
	bits := (n + frames*FrameOverhead) * 8
	return time.Duration(int64(bits) * int64(time.Second) / int64(bitRate))
}

// air is the shared channel: it serialises airtime and counts what went
// over it.
type air struct {
	mu        sync.Mutex
	radio     Radio
	busyUntil time.Time
	rng       *rand.Rand
	stats     Stats
}

// Stats counts what crossed the simulated radio.
type Stats struct {
	// Messages is the number of CoAP messages the nodes received or sent
	// over the air (requests, answers, acknowledgements).
	Messages int
	// Bytes is the CoAP payload bytes times the hops each crossed.
	Bytes int
	// Airtime is the total channel time those bytes took.
	Airtime time.Duration
	// Lost is the number of messages the loss model dropped.
	Lost int
	// Requests per URI path ("d/dg", "d/dq", "d/dr", "d/da").
	Requests map[string]int
}

func newAir(r Radio) *air {
	if r.BitRate == 0 {
		r.BitRate = 250000
	}
	return &air{radio: r, rng: rand.New(rand.NewPCG(uint64(r.Seed), 0x6169720a)), stats: Stats{Requests: map[string]int{}}}
}

// transit books a message of n bytes over hops hops starting now and
// returns when it arrives.
func (a *air) transit(n, hops int) time.Time {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stats.Messages++
	a.stats.Bytes += n * hops
	at := Airtime(n, a.radio.BitRate) * time.Duration(hops)
	a.stats.Airtime += at
	start := now
	if a.busyUntil.After(start) {
		start = a.busyUntil
	}
	a.busyUntil = start.Add(at)
	return a.busyUntil.Add(time.Duration(hops) * a.radio.HopLatency)
}

// lose reports whether the next message is lost.
func (a *air) lose() bool {
	if a.radio.Loss <= 0 {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.rng.Float64() < a.radio.Loss {
		a.stats.Lost++
		return true
	}
	return false
}

// phase is a uniform fraction in [0,1) (a sleepy child's poll phase).
func (a *air) phase() float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.rng.Float64()
}

func (a *air) count(path string) {
	a.mu.Lock()
	a.stats.Requests[path]++
	a.mu.Unlock()
}

func (a *air) snapshot() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.stats
	s.Requests = map[string]int{}
	for k, v := range a.stats.Requests {
		s.Requests[k] = v
	}
	return s
}

func (a *air) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stats = Stats{Requests: map[string]int{}}
}

// sleepUntil waits until t or ctx ends; it reports false when ctx ended.
func sleepUntil(done <-chan struct{}, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return true
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-done:
		return false
	}
}
