package app

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"sync"

	"github.com/threadmap/threadmap/backend/demo"
	"github.com/threadmap/threadmap/backend/scheduler"
	"github.com/threadmap/threadmap/backend/sources"
	"github.com/threadmap/threadmap/thread/meshcop"
	"github.com/threadmap/threadmap/thread/otbr"
)

// startDiscovery browses _meshcop._udp on the configured interfaces: a
// border router that appears is registered (border_router.appeared) and
// probed for the OTBR REST API; when it answers it becomes a source of its
// network. One that disappears is dropped again.
func (a *App) startDiscovery(ctx context.Context) error {
	b, err := meshcop.NewBrowser(meshcop.BrowserConfig{Interfaces: a.cfg.MDNSIfaces})
	if err != nil {
		return fmt.Errorf("discovery: %w", err)
	}
	evs := make(chan meshcop.Event, 64)
	log := a.log.With("component", "discovery")
	a.bg.Add(2)
	go func() {
		defer a.bg.Done()
		if err := b.Run(ctx, evs); err != nil && ctx.Err() == nil {
			log.Error("mDNS browse stopped", "error", err)
		}
	}()
	go func() {
		defer a.bg.Done()
		var mu sync.Mutex
		probed := map[string]string{} // border router id → source id
		for {
			var ev meshcop.Event
			select {
			case <-ctx.Done():
				return
			case ev = <-evs:
			}
			br := meshcop.ToBorderRouter(ev.Service)
			switch ev.Kind {
			case meshcop.EventAppeared, meshcop.EventUpdated:
				if a.registry.Upsert(br) {
					log.Info("border router appeared", "id", br.ID, "vendor", br.Vendor, "network", ev.Network, "host", br.Host)
				}
				a.ba.seen(ev.Service, ev.Network)
				mu.Lock()
				_, done := probed[br.ID]
				mu.Unlock()
				if !done {
					go func(svc meshcop.Service, network string) {
						id := a.probeREST(ctx, svc, network)
						mu.Lock()
						probed[br.ID] = id
						mu.Unlock()
					}(ev.Service, ev.Network)
				}
			case meshcop.EventDisappeared:
				log.Info("border router disappeared", "id", br.ID)
				a.registry.Remove(br.ID)
				a.ba.gone(ev.Service, ev.Network)
				mu.Lock()
				if id := probed[br.ID]; id != "" {
					a.removeSource(id)
				}
				delete(probed, br.ID)
				mu.Unlock()
			case meshcop.EventError:
				log.Warn("mDNS browse round failed", "error", ev.Err)
			}
		}
	}()
	log.Info("mDNS discovery on", "interfaces", a.cfg.MDNSIfaces)
	return nil
}

// probeREST tries the OTBR REST API on each address of a discovered border
// router and adds the first that answers as a source; it returns the
// source id ("" when none answered).
func (a *App) probeREST(ctx context.Context, svc meshcop.Service, network string) string {
	for _, addr := range probeOrder(svc.Addresses) {
		u := restURL(addr, a.cfg.OTBRPort)
		g, err := otbr.Probe(ctx, u)
		if err != nil {
			a.log.Debug("no OTBR REST API", "url", u, "error", err)
			continue
		}
		src, err := sources.OTBR(u, a.cfg.OTBRDialect, sources.Crawl{})
		if err != nil {
			a.log.Warn("OTBR REST source", "url", u, "error", err)
			continue
		}
		id := "otbr:" + u
		a.sched.Add(scheduler.Target{ID: id, Network: network, Source: src})
		br := meshcop.ToBorderRouter(svc)
		br.RestURL = u
		a.registry.Upsert(br)
		a.log.Info("border router speaks OTBR REST", "url", u, "dialect", g.Dialect, "network", network)
		return id
	}
	return ""
}

// probeOrder puts IPv4 first, then routable IPv6, then link-local IPv6:
// the order in which a REST API is most likely to answer.
func probeOrder(addrs []netip.Addr) []netip.Addr {
	rank := func(a netip.Addr) int {
		switch {
		case a.Is4() || a.Is4In6():
			return 0
		case a.IsLinkLocalUnicast():
			return 2
		}
		return 1
	}
	out := append([]netip.Addr(nil), addrs...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// restURL is http://addr:port (IPv6 in brackets, a zone escaped as %25
// the way RFC 6874 writes it in a URL).
func restURL(addr netip.Addr, port int) string {
	host := addr.Unmap().WithZone("").String()
	if z := addr.Zone(); z != "" {
		host += "%25" + z
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(port))
}

// startDemo serves the simulated mesh on loopback and hands its sources
// and border routers over directly (no mDNS).
func (a *App) startDemo(ctx context.Context) error {
	dctx, cancel := context.WithCancel(ctx)
	d, err := demo.Start(dctx, demo.Options{Seed: a.cfg.DemoSeed, Nodes: a.cfg.DemoNodes, Logger: a.log.With("component", "demo"),
		Progress: a.sched.SourceProgress})
	if err != nil {
		cancel()
		return err
	}
	a.cleanups = append(a.cleanups, func() { cancel(); d.Close() })
	add := func(ts []demo.Target) {
		for _, t := range ts {
			a.sched.Add(scheduler.Target{ID: t.ID, Network: t.Network, Source: t.Source})
		}
	}
	add(d.Targets())
	for _, br := range d.BorderRouters() {
		a.registry.Upsert(br)
	}
	a.bg.Add(2)
	go func() {
		defer a.bg.Done()
		if err := d.MatterSource().Run(dctx); err != nil && dctx.Err() == nil {
			a.log.Warn("demo Matter server connection ended", "error", err)
		}
	}()
	go func() {
		defer a.bg.Done()
		d.RunMutations(dctx, a.cfg.DemoMutate.D(), func(ts []demo.Target) {
			add(ts)
			for _, br := range d.BorderRouters() {
				a.registry.Upsert(br)
			}
		})
	}()
	return nil
}
