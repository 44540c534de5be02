package meshcop_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/meshcop"
	"github.com/threadmap/threadmap/thread/meshcop/meshcoptest"
)

// TestMeshcopNetnsHelper is the helper process of the netns tests: it does
// nothing in a normal run.
func TestMeshcopNetnsHelper(t *testing.T) {
	if meshcoptest.Role() == "" {
		return
	}
	if err := meshcoptest.Main(os.Stdin, os.Stdout); err != nil {
		t.Fatal(err)
	}
}

// TestBrowseAcrossNetns advertises three simulated border routers in one
// namespace, browses from the other across the veth pair, checks every
// decoded TXT field and the grouping into networks, then stops one
// advertiser and sees that border router disappear.
func TestBrowseAcrossNetns(t *testing.T) {
	p := meshcoptest.NewNetnsPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	ads := meshcoptest.SampleAdverts(p)
	adv1 := meshcoptest.StartAdvertiser(t, ctx, p, "TestMeshcopNetnsHelper", []meshcop.BorderRouterAdvert{ads[0], ads[2]})
	adv2 := meshcoptest.StartAdvertiser(t, ctx, p, "TestMeshcopNetnsHelper", []meshcop.BorderRouterAdvert{ads[1]})

	br := meshcoptest.StartHelper(t, ctx, p.B, "TestMeshcopNetnsHelper", meshcoptest.EnvRole+"=browse", meshcoptest.EnvIface+"="+p.IfB, meshcoptest.EnvInterval+"=1s")
	wantInstance := meshcoptest.SampleInstances
	seen := map[string]meshcop.Event{}
	start := time.Now()
	for len(seen) < 3 {
		var ev meshcop.Event
		if err := json.Unmarshal([]byte(br.Next(t, 20*time.Second)), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Kind != meshcop.EventAppeared {
			t.Fatalf("unexpected event %s for %q (%s)", ev.Kind, ev.Service.Instance, ev.Err)
		}
		seen[ev.Service.Instance] = ev
	}
	t.Logf("3 border routers appeared after %v", time.Since(start).Round(time.Millisecond))

	for i, ad := range ads {
		ev, ok := seen[wantInstance[i]]
		if !ok {
			t.Fatalf("%q not seen; got %v", wantInstance[i], seen)
		}
		s := ev.Service
		if ev.Service.DecodeError != "" {
			t.Errorf("%s: decode error %s", s.Instance, s.DecodeError)
		}
		if s.Port != ad.Port || s.Host != ad.Host+".local." {
			t.Errorf("%s: host %s port %d, want %s %d", s.Instance, s.Host, s.Port, ad.Host, ad.Port)
		}
		if !reflect.DeepEqual(s.Addresses, []netip.Addr{p.AddrA}) {
			t.Errorf("%s: addresses %v", s.Instance, s.Addresses)
		}
		// The TXT bytes are exactly what was advertised, in order.
		sent, err := ad.Record.Entries()
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Record.TXT) != len(sent) {
			t.Fatalf("%s: %d TXT entries, sent %d", s.Instance, len(s.Record.TXT), len(sent))
		}
		for j, e := range sent {
			if got := s.Record.TXT[j]; got.Key != e.Key || got.Hex != hex.EncodeToString(e.Value) {
				t.Errorf("%s: TXT[%d] %s=%s, sent %s=%x", s.Instance, j, got.Key, got.Hex, e.Key, e.Value)
			}
		}
		// Every decoded field equals the decode of what was sent.
		want, err := meshcop.Decode(sent)
		if err != nil {
			t.Fatal(err)
		}
		gj, _ := json.Marshal(s.Record)
		wj, _ := json.Marshal(want)
		if string(gj) != string(wj) {
			t.Errorf("%s: decoded\n%s\nwant\n%s", s.Instance, gj, wj)
		}
		if ev.Network != strings.ToLower(ad.Record.ExtPanID.String()) {
			t.Errorf("%s: network %q", s.Instance, ev.Network)
		}
	}
	if st := seen[wantInstance[0]].Service.Record.State; st.Role != meshcop.RoleRouter || st.MultiAIL != meshcop.MultiAILNotDetected || !st.EPSKcSupported {
		t.Errorf("OTBR state %+v", st)
	}

	networks := func() []meshcop.Network {
		t.Helper()
		if _, err := br.Stdin.Write([]byte("networks\n")); err != nil {
			t.Fatal(err)
		}
		l := br.Next(t, 10*time.Second)
		var v struct {
			Networks []meshcop.Network `json:"networks"`
			Kind     string            `json:"kind"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatal(err)
		}
		if v.Kind != "" {
			t.Fatalf("unexpected event while asking for networks: %s", l)
		}
		return v.Networks
	}
	brNames := func(n meshcop.Network) []string {
		var out []string
		for _, s := range n.BorderRouters {
			out = append(out, s.Instance)
		}
		return out
	}
	nets := networks()
	if len(nets) != 2 || nets[0].Key != "5c22000000000001" || nets[0].Name != "HomeNet" ||
		!reflect.DeepEqual(brNames(nets[0]), []string{"Google-Nest-Hub-#ABED", "OpenThread BorderRouter #F721"}) ||
		nets[1].Key != "dead00beef00cafe" || !reflect.DeepEqual(brNames(nets[1]), []string{"Apple Inc. HomePod #1"}) {
		t.Fatalf("networks %+v", nets)
	}

	// The Google border router goes away: it must disappear, the others stay.
	adv2.Stop(t)
	stopped := time.Now()
	var ev meshcop.Event
	if err := json.Unmarshal([]byte(br.Next(t, 15*time.Second)), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Kind != meshcop.EventDisappeared || ev.Service.Instance != "Google-Nest-Hub-#ABED" || ev.Network != "5c22000000000001" {
		t.Fatalf("after stopping the Google advert: %+v", ev)
	}
	t.Logf("disappeared %v after its advertiser stopped", time.Since(stopped).Round(time.Millisecond))
	nets = networks()
	if len(nets) != 2 || !reflect.DeepEqual(brNames(nets[0]), []string{"OpenThread BorderRouter #F721"}) {
		t.Fatalf("networks after disappearance %+v", nets)
	}
	// Three more rounds: the remaining border routers keep answering and stay.
	noEvent(t, br, 3500*time.Millisecond, "while the others keep answering")

	// The OpenThread border router becomes leader: its TXT changes, and the
	// browser reports an update (the unchanged Apple advert is a refresh).
	changed := ads[0]
	st := *changed.Record.State
	st.Role = meshcop.RoleLeader
	changed.Record.State = &st
	adv1.Replace(t, []meshcop.BorderRouterAdvert{changed, ads[2]})
	if err := json.Unmarshal([]byte(br.Next(t, 15*time.Second)), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Kind != meshcop.EventUpdated || ev.Service.Instance != wantInstance[0] || ev.Service.Record.State.Role != meshcop.RoleLeader ||
		ev.Service.Record.State.Uint32() != 0x1e31 || !ev.Service.FirstSeen.Equal(seen[wantInstance[0]].Service.FirstSeen) {
		t.Fatalf("after the role change: %+v", ev)
	}
	noEvent(t, br, 2500*time.Millisecond, "after the update")
}

// noEvent fails the test when the browser helper's next line, within d, is
// an event (JSON); when says what was going on.
func noEvent(t *testing.T, br *meshcoptest.Proc, d time.Duration, when string) {
	t.Helper()
	select {
	case l := <-br.Lines:
		if strings.HasPrefix(l, "{") {
			t.Fatalf("unexpected event %s: %s", when, l)
		}
	case <-time.After(d):
	}
}
