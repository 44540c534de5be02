package cli

import (
	"context"
	"os"
	"time"

	"github.com/threadmap/threadmap/backend/collect"
	"github.com/threadmap/threadmap/backend/sources"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// simRadio is the radio of a generated mesh on the command line: a few
// milliseconds per hop and the 250 kbit/s shared channel, so a scan takes
// about as long as it would on a real mesh of that size.
var simRadio = threadsim.Radio{HopLatency: 5 * time.Millisecond}

// loadMesh builds the simulated mesh of --sim N / --sim-scenario FILE
// (threadmap scan and threadmap sim).
func loadMesh(n int, scenario string, seed int64) (*threadsim.Mesh, error) {
	if scenario != "" {
		return threadsim.LoadScenario(scenario)
	}
	if n < 1 {
		return nil, usagef("--sim needs a node count of at least 1, got %d", n)
	}
	m, err := threadsim.Generate(threadsim.Options{Seed: seed, Nodes: n})
	if err != nil {
		return nil, usagef("%v", err)
	}
	m.Radio = simRadio
	return m, nil
}

// simTarget starts the simulated mesh on loopback (one UDP port per node)
// and returns the TMF crawler pointed at it; cleanup stops both.
func simTarget(ctx context.Context, n int, scenario string, seed int64, crawl sources.Crawl) (collect.Target, func(), error) {
	m, err := loadMesh(n, scenario, seed)
	if err != nil {
		return collect.Target{}, func() {}, err
	}
	sim, err := m.Start(context.WithoutCancel(ctx), threadsim.ServeOptions{})
	if err != nil {
		return collect.Target{}, func() {}, err
	}
	cl, err := tmf.NewClient(tmf.ClientConfig{Resolver: sim})
	if err != nil {
		sim.Close()
		return collect.Target{}, func() {}, err
	}
	truth := m.Truth()
	target := "sim:" + m.Network.Name
	c, err := tmf.NewCrawler(tmf.Config{Transport: cl, Target: target, Progress: crawl.Progress,
		Children: crawl.Children, Detail: crawl.Detail,
		// What a real scan learns from the MeshCoP advert, not from TMF.
		Network: topology.Network{Name: truth.Network.Name, ExtPanID: truth.Network.ExtPanID,
			PanID: truth.Network.PanID, Channel: truth.Network.Channel}})
	if err != nil {
		cl.Close()
		sim.Close()
		return collect.Target{}, func() {}, err
	}
	cleanup := func() {
		cl.Close()
		sim.Close()
	}
	return collect.Target{ID: target, Source: c}, cleanup, nil
}

func wantProgress(env *Env) bool {
	if env.Getenv != nil && env.Getenv("THREADMAP_PROGRESS") == "1" {
		return true
	}
	f, ok := env.Stderr.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
