package tmf_test

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/threadsim/netnstest"
	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// The must-show: real IPv6 mesh-local addresses inside namespaces, and a
// multicast DIAG_GET.qry to ff03::2 answered by every simulated router
// (and every REED child: OpenThread FTD children join ff03::2 too).
func TestNetnsMulticastQueryAndCrawl(t *testing.T) {
	m, p := netnstest.Mesh(t, threadsim.Options{Seed: 11, Nodes: 60, Routers: 10}, threadsim.ServeOptions{AckTimeout: 200 * time.Millisecond,
		Radio: &threadsim.Radio{HopLatency: time.Millisecond, BitRate: -1}})
	res, err := tmf.ParsePrefix(m.Network.MeshLocalPrefixString())
	if err != nil {
		t.Fatal(err)
	}
	var cl *tmf.Client
	netnstest.In(t, p.Host, func() {
		cl, err = tmf.NewClient(tmf.ClientConfig{Resolver: res, Interface: p.HostIf, AckTimeout: 200 * time.Millisecond,
			Listen: netip.AddrPortFrom(p.HostAddr, 0).String()})
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })

	// Multicast to all routers, then to all nodes.
	groups := []struct {
		group netip.Addr
		want  map[topology.Rloc16]bool
	}{
		{tmf.AllRouters, map[topology.Rloc16]bool{}},
		{tmf.AllNodes, map[topology.Rloc16]bool{}},
	}
	for _, n := range m.Nodes() {
		if n.Mode.FullThreadDevice {
			groups[0].want[n.Rloc16] = true // routers and REEDs, as in the OpenThread capture
		}
		if !n.IsSleepy() {
			groups[1].want[n.Rloc16] = true // sleepy children are not in ff03::1 (they only poll)
		}
	}
	for _, g := range groups {
		var mu sync.Mutex
		got := map[topology.Rloc16]bool{}
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		err := cl.QueryGroup(ctx, g.group, []diag.Type{diag.TypeExtMacAddress, diag.TypeAddress16},
			func(from netip.AddrPort, a *diag.Message) {
				mu.Lock()
				defer mu.Unlock()
				if a.Address16 == nil {
					t.Errorf("answer from %s without Address16", from)
					return
				}
				// Answers come from the node's real RLOC address.
				if want := m.RlocAddr(*a.Address16); from.Addr() != want || from.Port() != tmf.Port {
					t.Errorf("answer of %s came from %s, want [%s]:%d", a.Address16, from, want, tmf.Port)
				}
				got[*a.Address16] = true
			})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		for r := range g.want {
			if !got[r] {
				t.Errorf("%s: %s did not answer", g.group, r)
			}
		}
		for r := range got {
			if !g.want[r] {
				t.Errorf("%s: %s answered but is not a member", g.group, r)
			}
		}
		mu.Unlock()
		t.Logf("%s: %d answers", g.group, len(got))
	}

	// And the unicast crawl over real addresses gives the true topology.
	c, err := tmf.NewCrawler(tmf.Config{Transport: cl, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	snap, err := c.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := m.Truth().Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("netns crawl differs from truth: %v", diff)
	}
}
