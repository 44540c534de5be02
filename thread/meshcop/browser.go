package meshcop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/grandcat/zeroconf"
)

// EventKind says what happened to a border router.
type EventKind string

// Event kinds.
const (
	EventAppeared    EventKind = "appeared"
	EventUpdated     EventKind = "updated" // TXT, host, port or addresses changed
	EventDisappeared EventKind = "disappeared"
	// EventError reports a failed browse round (an interface went away, a
	// socket failed); the browser keeps trying.
	EventError EventKind = "error"
)

// Event is one change the Browser saw.
type Event struct {
	Kind EventKind `json:"kind"`
	// Service is the border router (for disappeared: as last seen).
	Service Service `json:"service"`
	// Network is Service.NetworkKey().
	Network string    `json:"network,omitempty"`
	Time    time.Time `json:"time"`
	Err     string    `json:"error,omitempty"`
}

// BrowserConfig configures a Browser.
type BrowserConfig struct {
	// Interfaces names the interfaces to send and receive mDNS on. It is
	// required: discovery never picks interfaces by itself.
	Interfaces []string
	// Interval is the length of one browse round: a PTR query is sent at its
	// start and answers are collected until its end. Default 10 s.
	Interval time.Duration
	// MissedRounds: a service that answers none of this many consecutive
	// rounds is gone (RFC 6762 10.5, passive observation of failures).
	// zeroconf v1.0.0 does not pass goodbye packets on, so this and the TTL
	// are how disappearances are noticed. Default 2.
	MissedRounds int
	// IPv4Only / IPv6Only restrict the mDNS traffic; by default both are
	// tried and whichever the interfaces support is used.
	IPv4Only, IPv6Only bool
	// Service and Domain default to "_meshcop._udp" and "local.".
	Service, Domain string
}

type tracked struct {
	svc    Service
	missed int
}

// Browser browses `_meshcop._udp` continuously and tracks border routers as
// they appear, change and disappear.
type Browser struct {
	cfg BrowserConfig

	mu       sync.Mutex
	services map[string]*tracked // by instance name
}

// NewBrowser checks the configuration (every interface must exist, be up and
// support multicast) and returns a Browser; Run starts it.
func NewBrowser(cfg BrowserConfig) (*Browser, error) {
	if len(cfg.Interfaces) == 0 {
		return nil, errors.New("meshcop browser: no interface chosen (name at least one, e.g. --mdns-iface eth0)")
	}
	if cfg.IPv4Only && cfg.IPv6Only {
		return nil, errors.New("meshcop browser: IPv4Only and IPv6Only both set")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 10 * time.Second
	}
	if cfg.MissedRounds <= 0 {
		cfg.MissedRounds = 2
	}
	if cfg.Service == "" {
		cfg.Service = ServiceType
	}
	if cfg.Domain == "" {
		cfg.Domain = "local."
	}
	if _, err := lookupInterfaces(cfg.Interfaces); err != nil {
		return nil, fmt.Errorf("meshcop browser: %w", err)
	}
	return &Browser{cfg: cfg, services: map[string]*tracked{}}, nil
}

func lookupInterfaces(names []string) ([]net.Interface, error) {
	var out []net.Interface
	for _, n := range names {
		ifi, err := net.InterfaceByName(n)
		if err != nil {
			return nil, fmt.Errorf("interface %q: %w", n, err)
		}
		if ifi.Flags&net.FlagUp == 0 {
			return nil, fmt.Errorf("interface %q is down", n)
		}
		if ifi.Flags&net.FlagMulticast == 0 {
			return nil, fmt.Errorf("interface %q does not support multicast", n)
		}
		out = append(out, *ifi)
	}
	return out, nil
}

// Run browses until ctx is done, sending every change on events (it blocks
// while events is full, so read it; a nil events sends nothing). It returns ctx's error, or an error
// right away when the first round cannot open its sockets. Run does not
// close events.
func (b *Browser) Run(ctx context.Context, events chan<- Event) error {
	first := true
	for {
		err := b.round(ctx, events)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			if first {
				return err
			}
			if !send(ctx, events, Event{Kind: EventError, Time: time.Now(), Err: err.Error()}) {
				return ctx.Err()
			}
			// Wait a round before retrying so a missing interface does not spin.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(b.cfg.Interval):
			}
		}
		first = false
	}
}

// Services returns the border routers currently known, sorted by instance.
func (b *Browser) Services() []Service {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Service, 0, len(b.services))
	for _, t := range b.services {
		out = append(out, t.svc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Instance < out[j].Instance })
	return out
}

// Networks groups Services by ext PAN ID.
func (b *Browser) Networks() []Network { return GroupNetworks(b.Services()) }

func send(ctx context.Context, events chan<- Event, ev Event) bool {
	if events == nil { // the caller only reads Services / Networks
		return ctx.Err() == nil
	}
	select {
	case events <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

func (b *Browser) newResolver() (*zeroconf.Resolver, error) {
	ifaces, err := lookupInterfaces(b.cfg.Interfaces)
	if err != nil {
		return nil, err
	}
	var tries []zeroconf.IPType
	switch {
	case b.cfg.IPv4Only:
		tries = []zeroconf.IPType{zeroconf.IPv4}
	case b.cfg.IPv6Only:
		tries = []zeroconf.IPType{zeroconf.IPv6}
	default:
		tries = []zeroconf.IPType{zeroconf.IPv4AndIPv6, zeroconf.IPv6, zeroconf.IPv4}
	}
	var errs []error
	for _, t := range tries {
		r, err := zeroconf.NewResolver(zeroconf.SelectIfaces(ifaces), zeroconf.SelectIPTraffic(t))
		if err == nil {
			return r, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("mdns on %s: %w", strings.Join(b.cfg.Interfaces, ","), errors.Join(errs...))
}

// round runs one browse round and then expires what it did not see.
func (b *Browser) round(ctx context.Context, events chan<- Event) error {
	res, err := b.newResolver()
	if err != nil {
		return fmt.Errorf("meshcop browse: %w", err)
	}
	rctx, cancel := context.WithTimeout(ctx, b.cfg.Interval)
	defer cancel()
	entries := make(chan *zeroconf.ServiceEntry, 16)
	if err := res.Browse(rctx, b.cfg.Service, b.cfg.Domain, entries); err != nil {
		return fmt.Errorf("meshcop browse %s: %w", b.cfg.Service, err)
	}
	seen := map[string]bool{}
	ok := true
	for e := range entries { // closed by zeroconf when rctx ends
		if !ok {
			continue // drain so zeroconf's goroutine can finish
		}
		svc := serviceFromEntry(e, time.Now())
		seen[svc.Instance] = true
		if ev, changed := b.observe(svc); changed {
			ok = send(ctx, events, ev)
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	for _, ev := range b.expire(seen, time.Now()) {
		if !send(ctx, events, ev) {
			return nil
		}
	}
	return nil
}

// serviceFromEntry turns a zeroconf entry into a Service. zeroconf gives
// the instance label and TXT in miekg/dns presentation form.
func serviceFromEntry(e *zeroconf.ServiceEntry, now time.Time) Service {
	instance := e.Instance
	if b, err := Unescape(instance); err == nil {
		instance = string(b)
	}
	var addrs []netip.Addr
	for _, ip := range append(append([]net.IP(nil), e.AddrIPv4...), e.AddrIPv6...) {
		if a, ok := netip.AddrFromSlice(ip); ok {
			addrs = append(addrs, a.Unmap())
		}
	}
	slices.SortFunc(addrs, func(x, y netip.Addr) int { return x.Compare(y) })
	addrs = slices.Compact(addrs)
	entries, perr := EntriesFromPresentation(e.Text)
	svc := NewService(instance, e.HostName, e.Port, addrs, entries)
	if perr != nil {
		svc.Record.Problems = append(svc.Record.Problems, perr.Error())
		svc.DecodeError = (&DecodeError{Problems: svc.Record.Problems}).Error()
	}
	svc.TTL = e.TTL
	svc.FirstSeen, svc.LastSeen = now, now
	return svc
}

// observe records a sighting; it returns the event to emit, if any.
func (b *Browser) observe(svc Service) (Event, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.services[svc.Instance]
	if t == nil {
		b.services[svc.Instance] = &tracked{svc: svc}
		return Event{Kind: EventAppeared, Service: svc, Network: svc.NetworkKey(), Time: svc.LastSeen}, true
	}
	t.missed = 0
	changed := !sameAdvert(t.svc, svc)
	svc.FirstSeen = t.svc.FirstSeen
	t.svc = svc
	if !changed {
		return Event{}, false // a refresh
	}
	return Event{Kind: EventUpdated, Service: svc, Network: svc.NetworkKey(), Time: svc.LastSeen}, true
}

func sameAdvert(a, b Service) bool {
	if a.Host != b.Host || a.Port != b.Port || !slices.Equal(a.Addresses, b.Addresses) || len(a.TXT) != len(b.TXT) {
		return false
	}
	for i := range a.TXT {
		x, y := a.TXT[i], b.TXT[i]
		if x.Key != y.Key || x.HasValue != y.HasValue || string(x.Value) != string(y.Value) {
			return false
		}
	}
	return true
}

// expire drops services that missed too many rounds or outlived their TTL.
func (b *Browser) expire(seen map[string]bool, now time.Time) []Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Event
	var names []string
	for name := range b.services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t := b.services[name]
		if seen[name] {
			continue
		}
		t.missed++
		ttlGone := t.svc.TTL > 0 && now.Sub(t.svc.LastSeen) > time.Duration(t.svc.TTL)*time.Second
		if t.missed >= b.cfg.MissedRounds || ttlGone {
			delete(b.services, name)
			out = append(out, Event{Kind: EventDisappeared, Service: t.svc, Network: t.svc.NetworkKey(), Time: now})
		}
	}
	return out
}

// MulticastInterfaces lists the interfaces that are up, multicast-capable
// and not loopback: the candidates to offer a user who must pick one
// (discovery itself never picks interfaces on its own).
func MulticastInterfaces() []string {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []string
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagUp != 0 && ifi.Flags&net.FlagMulticast != 0 && ifi.Flags&net.FlagLoopback == 0 {
			out = append(out, ifi.Name)
		}
	}
	return out
}
