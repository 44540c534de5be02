package meshcop

import (
	"net/netip"
	"testing"
	"time"
)

// The tracking rules without the network: appear, refresh (no event),
// update (TXT changed), and disappearance by missed rounds and by TTL.
func TestBrowserTracking(t *testing.T) {
	b := &Browser{cfg: BrowserConfig{MissedRounds: 2}, services: map[string]*tracked{}}
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	mk := func(inst, nn string, at time.Time, ttl uint32) Service {
		s := NewService(inst, "h.local.", 49154, []netip.Addr{netip.MustParseAddr("fd00::1")}, []Entry{
			{Key: "xp", Value: []byte{1, 2, 3, 4, 5, 6, 7, 8}, HasValue: true},
			{Key: "nn", Value: []byte(nn), HasValue: true},
		})
		s.FirstSeen, s.LastSeen, s.TTL = at, at, ttl
		return s
	}
	steps := []struct {
		name string
		svc  *Service
		want EventKind // "" = no event
	}{
		{"appears", ptrTo(mk("a", "Net", t0, 3600)), EventAppeared},
		{"refresh", ptrTo(mk("a", "Net", t0.Add(time.Second), 3600)), ""},
		{"txt changes", ptrTo(mk("a", "Net2", t0.Add(2*time.Second), 3600)), EventUpdated},
		{"other appears", ptrTo(mk("b", "Net", t0.Add(2*time.Second), 3)), EventAppeared},
	}
	for _, s := range steps {
		ev, ok := b.observe(*s.svc)
		if (s.want == "") == ok || (ok && ev.Kind != s.want) {
			t.Fatalf("%s: event %v %v, want %q", s.name, ok, ev.Kind, s.want)
		}
		if ok && ev.Network != "0102030405060708" {
			t.Fatalf("%s: network %q", s.name, ev.Network)
		}
	}
	if got := b.services["a"].svc; !got.FirstSeen.Equal(t0) || !got.LastSeen.Equal(t0.Add(2*time.Second)) || got.Record.NetworkName != "Net2" {
		t.Fatalf("a tracked as %+v", got)
	}
	// Round 1: only a answers; b missed one round, TTL (3 s) not over yet.
	if evs := b.expire(map[string]bool{"a": true}, t0.Add(4*time.Second)); len(evs) != 0 {
		t.Fatalf("round 1 expired %v", evs)
	}
	// Round 2 at +6 s: b's TTL is over (and it missed 2 rounds): gone.
	evs := b.expire(map[string]bool{"a": true}, t0.Add(6*time.Second))
	if len(evs) != 1 || evs[0].Kind != EventDisappeared || evs[0].Service.Instance != "b" {
		t.Fatalf("round 2: %v", evs)
	}
	// a misses two rounds: gone although its TTL (1 h) is not over.
	if evs := b.expire(map[string]bool{}, t0.Add(7*time.Second)); len(evs) != 0 {
		t.Fatalf("a went after one missed round: %v", evs)
	}
	evs = b.expire(map[string]bool{}, t0.Add(8*time.Second))
	if len(evs) != 1 || evs[0].Service.Instance != "a" || len(b.Services()) != 0 {
		t.Fatalf("a after two missed rounds: %v", evs)
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestNewBrowserConfig(t *testing.T) {
	if _, err := NewBrowser(BrowserConfig{}); err == nil {
		t.Fatal("no interface accepted")
	}
	if _, err := NewBrowser(BrowserConfig{Interfaces: []string{"tm-no-such-if0"}}); err == nil {
		t.Fatal("missing interface accepted")
	}
	if _, err := NewBrowser(BrowserConfig{Interfaces: []string{"lo"}, IPv4Only: true, IPv6Only: true}); err == nil {
		t.Fatal("IPv4Only and IPv6Only accepted")
	}
}

func TestGroupNetworks(t *testing.T) {
	mk := func(inst, xp, nn string) Service {
		var es []Entry
		if xp != "" {
			var h HexBytes
			if err := h.UnmarshalText([]byte(xp)); err != nil {
				t.Fatal(err)
			}
			es = append(es, Entry{Key: "xp", Value: h, HasValue: true})
		}
		es = append(es, Entry{Key: "nn", Value: []byte(nn), HasValue: true})
		return NewService(inst, "", 0, nil, es)
	}
	nets := GroupNetworks([]Service{
		mk("z-google", "9e75e256f61409a3", "NEST-PAN-E1AF"), mk("a-otbr", "9E75E256F61409A3", "NEST-PAN-E1AF"),
		mk("apple", "9e75e256f61409a3", "Other name"), mk("lonely", "", "Lonely"),
	})
	if len(nets) != 2 || nets[0].Key != "9e75e256f61409a3" || nets[0].Name != "NEST-PAN-E1AF" || len(nets[0].BorderRouters) != 3 ||
		nets[0].BorderRouters[0].Instance != "a-otbr" || nets[1].Key != "name:Lonely" {
		t.Fatalf("networks %+v", nets)
	}
}

func TestAdvertService(t *testing.T) {
	adv := BorderRouterAdvert{Record: Record{RecordVersion: "1", ExtAddr: HexBytes{0x8e, 0xb0, 4, 0x3d, 0x8a, 0xc6, 0xf7, 0x21},
		ExtPanID: HexBytes{1, 2, 3, 4, 5, 6, 7, 8}, NetworkName: "Sim", VendorName: "threadmap", ModelName: "SimBR"}}
	s, err := adv.Service(time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	br := ToBorderRouter(s)
	if s.Instance != "threadmap SimBR #F721" || s.Host != "ot8eb0043d8ac6f721.local." || s.Port != DefaultMeshCoPPort ||
		br.ID != "threadmap SimBR #F721" || br.ExtPanID != "0102030405060708" || br.TXT["xa"] != "8eb0043d8ac6f721" {
		t.Fatalf("service %+v / %+v", s, br)
	}
	bad := BorderRouterAdvert{Record: Record{ExtAddr: HexBytes{1}}}
	if _, err := bad.Service(time.Now()); err == nil {
		t.Fatal("1-byte xa accepted")
	}
}
