package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

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

// simSources starts the simulated mesh on loopback (one UDP port per node)
// and returns the TMF crawler pointed at it; cleanup stops both.
func simSources(ctx context.Context, env *Env, n int, scenario string, seed int64, crawl crawlOptions) ([]topology.Source, func(), error) {
	m, err := loadMesh(n, scenario, seed)
	if err != nil {
		return nil, func() {}, err
	}
	sim, err := m.Start(context.WithoutCancel(ctx), threadsim.ServeOptions{})
	if err != nil {
		return nil, func() {}, err
	}
	cl, err := tmf.NewClient(tmf.ClientConfig{Resolver: sim})
	if err != nil {
		sim.Close()
		return nil, func() {}, err
	}
	truth := m.Truth()
	progress, done := progressLine(env)
	c, err := tmf.NewCrawler(tmf.Config{Transport: cl, Target: "sim:" + m.Network.Name, Progress: progress,
		Children: crawl.Children, Detail: crawl.Detail,
		// What a real scan learns from the MeshCoP advert, not from TMF.
		Network: topology.Network{Name: truth.Network.Name, ExtPanID: truth.Network.ExtPanID,
			PanID: truth.Network.PanID, Channel: truth.Network.Channel}})
	if err != nil {
		cl.Close()
		sim.Close()
		return nil, func() {}, err
	}
	cleanup := func() {
		done()
		cl.Close()
		sim.Close()
	}
	return []topology.Source{c}, cleanup, nil
}

// progressLine returns a crawl progress callback that keeps one line on
// stderr up to date, and a function that ends the line. It is silent
// unless stderr is a terminal or THREADMAP_PROGRESS=1 (so --json output
// piped elsewhere stays clean either way: progress never goes to stdout).
func progressLine(env *Env) (func(tmf.Progress), func()) {
	if !wantProgress(env) {
		return nil, func() {}
	}
	shown := false
	var last string
	return func(p tmf.Progress) {
			line := fmt.Sprintf("\rcrawling (%s): %d/%d nodes, %d answered, %d timed out, %d failed, %.1fs ",
				p.Phase, p.Done, p.Known, p.Answered, p.TimedOut, p.Failed, p.Elapsed.Seconds())
			if line != last {
				io.WriteString(env.Stderr, line)
				last, shown = line, true
			}
		}, func() {
			if shown {
				io.WriteString(env.Stderr, "\n")
			}
		}
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
