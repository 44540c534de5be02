// Package demo runs `threadmap serve --demo`: a simulated Thread mesh
// (thread/threadsim) served in-process on loopback over the real wire
// protocols — TMF diagnostics on UDP and an OTBR REST API on HTTP (and a
// Matter server when one is wired) — plus the sources that scan it, and
// small changes over time (a child re-attaching to another router, a router
// link's quality dropping or recovering) so that history and diffs have
// something to show. No mDNS is sent: the border routers are handed over
// directly.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/threadmap/threadmap/backend/sources"
	"github.com/threadmap/threadmap/matter/matterclient"
	"github.com/threadmap/threadmap/matter/mattersim"
	"github.com/threadmap/threadmap/thread/commissioner"
	"github.com/threadmap/threadmap/thread/meshcop"
	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// Options choose the demo mesh.
type Options struct {
	Seed  int64
	Nodes int
	// Dialect is the OTBR REST dialect the simulated border router speaks
	// (default the current JSON:API).
	Dialect otbr.Dialect
	Logger  *slog.Logger
	// Progress, when set, receives the TMF crawl's progress (target id,
	// nodes asked so far, nodes that answered) while a scan runs.
	Progress func(targetID string, queried, answered int)
}

// Mesh is the mesh the demo starts with for these options: tests build it
// to know the truth the demo serves.
func Mesh(seed int64, nodes int) (*threadsim.Mesh, error) {
	return threadsim.Generate(threadsim.Options{Seed: seed, Nodes: nodes, NetworkName: "ThreadmapDemo"})
}

// tmfTarget is the TMF crawler's target id; baTarget the Border Agent
// source's.
const (
	tmfTarget = "tmf:demo"
	baTarget  = "border-agent:demo"
)

// Target is one source of the demo for the scheduler.
type Target struct {
	ID      string
	Network string
	Source  topology.Source
}

// Demo is the running simulated mesh and its sources.
type Demo struct {
	o   Options
	log *slog.Logger
	ctx context.Context

	mu       sync.Mutex
	mesh     *threadsim.Mesh
	sc       threadsim.Scenario
	run      *running
	step     int
	rng      *rand.Rand
	brs      []topology.BorderRouter
	retiring []retired
	// matter is the simulated Matter server: one for the demo's life,
	// updated on every change (its clients get node events).
	matter    *mattersim.Sim
	matterSrc *matterclient.Source
	matterURL string
}

// retired is a replaced generation, closed once no scan can still use it.
type retired struct {
	r     *running
	since time.Time
}

// retireAfter is how long a replaced generation keeps serving scans that
// started before the change.
const retireAfter = 3 * time.Minute

// running is one generation of simulators (a mutation starts a new one).
type running struct {
	sim      *threadsim.Sim
	ba       *threadsim.BorderAgent
	baSource *commissioner.Source
	client   *tmf.Client
	crawler  *tmf.Crawler
	rest     *otbr.Source
	restURL  string
	restStop func()
}

func (r *running) close() {
	if r.restStop != nil {
		r.restStop()
	}
	if r.client != nil {
		r.client.Close()
	}
	if r.ba != nil {
		r.ba.Close()
	}
	if r.sim != nil {
		r.sim.Close()
	}
}

// Start serves the demo mesh on loopback until ctx ends (the Matter
// simulator stops then) or Close.
func Start(ctx context.Context, o Options) (*Demo, error) {
	if o.Dialect == "" {
		o.Dialect = otbr.DialectJSONAPI2026
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	m, err := Mesh(o.Seed, o.Nodes)
	if err != nil {
		return nil, fmt.Errorf("demo mesh: %w", err)
	}
	d := &Demo{o: o, log: o.Logger, ctx: ctx, mesh: m, sc: scenarioOf(m, o.Seed),
		rng: rand.New(rand.NewPCG(uint64(o.Seed), 0xdec0))}
	d.run, err = d.serve(ctx, m)
	if err != nil {
		return nil, err
	}
	truth := m.Truth()
	if err := d.startMatter(ctx, truth); err != nil {
		d.Close()
		return nil, err
	}
	for _, n := range m.BorderRouters() {
		br, err := advertised(m, n, d.run.ba)
		if err != nil {
			d.Close()
			return nil, err
		}
		if br.ExtAddr == d.restBR() {
			br.RestURL = d.run.restURL
		}
		d.brs = append(d.brs, br)
	}
	d.log.Info("demo mesh serving on loopback", "network", truth.Network.Name, "ext_pan_id", truth.Network.ExtPanID,
		"nodes", len(truth.Nodes), "routers", len(m.Routers), "otbr_rest", d.run.restURL, "matter_server", d.matterURL)
	return d, nil
}

// startMatter serves the simulated Matter server on loopback and makes its
// client source, following the server as `serve --matter-server` does.
func (d *Demo) startMatter(ctx context.Context, truth *topology.Snapshot) error {
	sim, err := mattersim.New(truth)
	if err != nil {
		return fmt.Errorf("demo: Matter server simulator: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: Matter server simulator: %w", err)
	}
	go func() { _ = sim.Serve(ctx, ln) }()
	d.matter = sim
	d.matterURL = "ws://" + ln.Addr().String() + "/ws"
	d.matterSrc, err = matterclient.NewSource(d.matterURL, matterclient.Options{ExtPanID: truth.Network.ExtPanID})
	if err != nil {
		return fmt.Errorf("demo: Matter source: %w", err)
	}
	return nil
}

// MatterSource is the demo's Matter server client; Run it to follow the
// server (Collect works without).
func (d *Demo) MatterSource() *matterclient.Source { return d.matterSrc }

// advertised is border router n as mDNS discovery would report it: the
// MeshCoP TXT record its simulated border agent would publish (from
// threadsim), turned into a service and into the model by the meshcop
// package, so that the demo's border routers carry the same decoded TXT
// fields and state as discovered ones. The border router the simulated
// Border Agent plays advertises that agent's port.
func advertised(m *threadsim.Mesh, n *threadsim.Node, ba *threadsim.BorderAgent) (topology.BorderRouter, error) {
	addrs := []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	var adv meshcop.BorderRouterAdvert
	if ba != nil && n == m.BorderRouters()[0] {
		adv = ba.Advert(n, addrs)
	} else {
		// A typical border agent: DTLS with PSKc, interface active, high
		// availability, and the node's real role.
		sb := meshcop.StateBitmap{ConnMode: 1, IfStatus: 2, Availability: 1, Role: meshcop.RoleRouter}
		if n == m.Leader {
			sb.Role = meshcop.RoleLeader
		}
		adv = m.Advert(n, meshcop.DefaultMeshCoPPort, sb, addrs)
	}
	svc, err := adv.Service(time.Now())
	if err != nil {
		return topology.BorderRouter{}, fmt.Errorf("demo: border router %s: %w", n.Rloc16, err)
	}
	br := meshcop.ToBorderRouter(svc)
	br.Sources = []string{"demo"}
	return br, nil
}

// restBR is the ext address of the border router the REST simulator plays.
func (d *Demo) restBR() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.restBRLocked()
}

func (d *Demo) restBRLocked() string {
	if brs := d.mesh.BorderRouters(); len(brs) > 0 {
		return brs[0].ExtAddr.String()
	}
	return ""
}

// serve starts TMF servers for every node, the TMF client and crawler, and
// the OTBR REST simulator with its client source.
func (d *Demo) serve(ctx context.Context, m *threadsim.Mesh) (*running, error) {
	r := &running{}
	var err error
	r.sim, err = m.Start(ctx, threadsim.ServeOptions{Host: "127.0.0.1"})
	if err != nil {
		return nil, fmt.Errorf("demo: start TMF servers: %w", err)
	}
	r.client, err = tmf.NewClient(tmf.ClientConfig{Resolver: r.sim, Listen: "127.0.0.1:0"})
	if err != nil {
		r.close()
		return nil, fmt.Errorf("demo: TMF client: %w", err)
	}
	truth := m.Truth()
	net := truth.Network
	var progress func(tmf.Progress)
	if d.o.Progress != nil {
		progress = func(p tmf.Progress) { d.o.Progress(tmfTarget, p.Done, p.Answered) }
	}
	r.crawler, err = tmf.NewCrawler(tmf.Config{Transport: r.client, Target: "demo mesh " + net.MeshLocalPrefix, Progress: progress,
		Network: topology.Network{Name: net.Name, ExtPanID: net.ExtPanID, PanID: net.PanID, Channel: net.Channel, MeshLocalPrefix: net.MeshLocalPrefix}})
	if err != nil {
		r.close()
		return nil, fmt.Errorf("demo: TMF crawler: %w", err)
	}
	if err := d.serveBorderAgent(ctx, m, r); err != nil {
		r.close()
		return nil, err
	}
	sim, err := otbrsim.NewWithOptions(truth, d.o.Dialect, otbrsim.Options{})
	if err != nil {
		r.close()
		return nil, fmt.Errorf("demo: OTBR REST simulator: %w", err)
	}
	r.restURL, r.restStop, err = sim.Start("127.0.0.1:0")
	if err != nil {
		r.close()
		return nil, fmt.Errorf("demo: OTBR REST simulator: %w", err)
	}
	r.rest, err = otbr.NewSource(r.restURL, otbr.Options{})
	if err != nil {
		r.close()
		return nil, fmt.Errorf("demo: OTBR REST source: %w", err)
	}
	return r, nil
}

// serveBorderAgent starts the simulated Border Agent of the first border
// router and the source that maps the mesh through it (a commissioner
// session keyed by the PSKc of threadsim.DefaultPassphrase).
func (d *Demo) serveBorderAgent(ctx context.Context, m *threadsim.Mesh, r *running) error {
	var err error
	r.ba, err = r.sim.StartBorderAgent(ctx, threadsim.BorderAgentOptions{Listen: "127.0.0.1:0"})
	if err != nil {
		return fmt.Errorf("demo: border agent: %w", err)
	}
	k, err := m.PSKc(threadsim.DefaultPassphrase)
	if err != nil {
		return err
	}
	var progress func(tmf.Progress)
	if d.o.Progress != nil {
		progress = func(p tmf.Progress) { d.o.Progress(baTarget, p.Done, p.Answered) }
	}
	r.baSource, err = sources.BorderAgent(r.ba.Addr().String(), commissioner.PSKc(k), "", sources.Crawl{Progress: progress})
	if err != nil {
		return fmt.Errorf("demo: border agent source: %w", err)
	}
	return nil
}

// NetworkKey is the demo network's key.
func (d *Demo) NetworkKey() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return fmt.Sprintf("%016x", d.mesh.Network.ExtPanID)
}

// Targets are the sources that scan the demo mesh now.
func (d *Demo) Targets() []Target {
	key := d.NetworkKey()
	d.mu.Lock()
	defer d.mu.Unlock()
	return []Target{
		{ID: tmfTarget, Network: key, Source: d.run.crawler},
		{ID: baTarget, Network: key, Source: d.run.baSource},
		{ID: "otbr:demo", Network: key, Source: d.run.rest},
		{ID: "matter:demo", Network: key, Source: d.matterSrc},
	}
}

// BorderRouters are the simulated border routers, as discovery would report them.
func (d *Demo) BorderRouters() []topology.BorderRouter {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]topology.BorderRouter(nil), d.brs...)
}

// Truth is the mesh's true topology now.
func (d *Demo) Truth() *topology.Snapshot {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.mesh.Truth()
}

// Close stops every simulator.
func (d *Demo) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, x := range d.retiring {
		x.r.close()
	}
	d.retiring = nil
	if d.run != nil {
		d.run.close()
		d.run = nil
	}
}

// Mutate changes the mesh a little and restarts the simulators on it; it
// returns what changed. Scans in flight against the previous simulators
// finish against them: those are closed by a later Mutate (after
// retireAfter) or Close.
func (d *Demo) Mutate() (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.run == nil {
		return "", errors.New("demo: closed")
	}
	sc := cloneScenario(d.sc)
	var what string
	var err error
	if d.step%2 == 0 {
		what, err = reattachChild(&sc, d.rng)
	} else {
		what, err = changeLinkQuality(&sc, d.rng)
	}
	d.step++
	if err != nil {
		return "", err
	}
	m, err := buildScenario(sc, d.mesh.Radio)
	if err != nil {
		return "", fmt.Errorf("demo: mutated mesh: %w", err)
	}
	old := d.mesh
	d.mesh = m
	r, err := d.serve(d.ctx, m)
	if err != nil {
		d.mesh = old
		return "", err
	}
	keep := d.retiring[:0]
	for _, x := range d.retiring {
		if time.Since(x.since) > retireAfter {
			x.r.close()
		} else {
			keep = append(keep, x)
		}
	}
	d.retiring = append(keep, retired{r: d.run, since: time.Now()})
	d.run = r
	d.sc = sc
	if err := d.matter.Update(m.Truth()); err != nil {
		d.log.Warn("demo: Matter server update", "error", err)
	}
	rest := d.restBRLocked()
	for i := range d.brs {
		if d.brs[i].ExtAddr == rest {
			d.brs[i].RestURL = r.restURL
			d.brs[i].Port = int(r.ba.Addr().Port())
		}
	}
	return what, nil
}

// RunMutations calls Mutate every period until ctx ends, then onChange
// with the new targets after each change.
func (d *Demo) RunMutations(ctx context.Context, every time.Duration, onChange func([]Target)) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		what, err := d.Mutate()
		if err != nil {
			d.log.Warn("demo mutation failed", "error", err)
			continue
		}
		d.log.Info("demo mesh changed", "change", what)
		if onChange != nil {
			onChange(d.Targets())
		}
	}
}
