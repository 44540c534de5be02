package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// scan (--sim N | --sim-scenario FILE | --tmf PREFIX | --border-agent HOST:PORT ... | --otbr URL | --matter-server URL) [--json].
// Each way in builds a topology.Source in its own file: simSources
// (cmd_scan_sim.go), tmfSource (cmd_scan_tmf.go), baFlags.source
// (cmd_scan_ba.go), otbrSource
// (cmd_scan_otbr.go), matterSource (cmd_scan_matter.go). Several may be
// given; their partial snapshots are merged.
func runScan(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "scan")
	simN := fs.Int("sim", 0, "crawl a simulated mesh of N nodes (started in-process on loopback)")
	simScenario := fs.String("sim-scenario", "", "crawl a simulated mesh loaded from a scenario file")
	tmfPrefix := fs.String("tmf", "", "crawl over TMF (CoAP UDP 61631) using this mesh-local prefix, e.g. fd00:db8::/64")
	var otbrURLs stringList
	fs.Var(&otbrURLs, "otbr", "OTBR REST base URL (repeatable), e.g. http://192.0.2.1:8081")
	matterURL := fs.String("matter-server", "", "Matter server WebSocket URL, e.g. ws://host:5580/ws")
	ba := registerBAFlags(fs) // cmd_scan_ba.go
	asJSON := fs.Bool("json", false, "print canonical topology JSON")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	seed := fs.Int64("seed", 1, "random seed of the simulated mesh")
	children := fs.String("children", "none", "TMF: which children to ask directly: none (routers' tables suffice), rx-on, or all (sleepy children answer only when they poll: slow)")
	detail := fs.String("detail", "full", "TMF: what to ask routers for: full (every diagnostic) or topology (only what the map needs: fastest)")
	if _, err := parseFlags(fs, a, 0); err != nil {
		return err
	}
	crawl, err := parseCrawlOptions(*children, *detail)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	var sources []topology.Source
	var cleanups []func()
	defer func() {
		for _, c := range cleanups {
			c()
		}
	}()
	if *simN > 0 || *simScenario != "" {
		srcs, cleanup, err := simSources(ctx, env, *simN, *simScenario, *seed, crawl)
		if err != nil {
			return err
		}
		cleanups = append(cleanups, cleanup)
		sources = append(sources, srcs...)
	}
	if *tmfPrefix != "" {
		src, err := tmfSource(env, *tmfPrefix, crawl)
		if err != nil {
			return err
		}
		sources = append(sources, src)
	}
	for _, u := range otbrURLs {
		src, err := otbrSource(env, u)
		if err != nil {
			return err
		}
		sources = append(sources, src)
	}
	if ba.addr != "" {
		src, err := ba.source(ctx, env, crawl)
		if err != nil {
			return err
		}
		sources = append(sources, src)
	}
	if *matterURL != "" {
		src, err := matterSource(env, *matterURL)
		if err != nil {
			return err
		}
		sources = append(sources, src)
	}
	if len(sources) == 0 {
		return usagef("usage: threadmap scan (--sim N | --sim-scenario FILE | --tmf PREFIX | --border-agent HOST:PORT (--pskc HEX | --passphrase P | --ephemeral-key KEY) | --otbr URL | --matter-server URL) [--json]")
	}
	var parts []*topology.Snapshot
	var failed []string
	for _, src := range sources {
		p, err := src.Collect(ctx)
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", src.Name(), err))
			continue
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return fmt.Errorf("no source answered: %v", failed)
	}
	snap := topology.Merge(parts...)
	for _, f := range failed {
		snap.Scan.Sources = append(snap.Scan.Sources, topology.SourceReport{Name: "error", Error: f})
	}
	return printSnapshot(env, snap, *asJSON)
}

// crawlOptions are the TMF crawler's knobs the command line exposes.
type crawlOptions struct {
	Children tmf.ChildQueries
	Detail   tmf.Detail
}

func parseCrawlOptions(children, detail string) (crawlOptions, error) {
	var o crawlOptions
	switch children {
	case "none", "":
		o.Children = tmf.ChildrenNone
	case "rx-on":
		o.Children = tmf.ChildrenRxOn
	case "all":
		o.Children = tmf.ChildrenAll
	default:
		return o, usagef("--children: %q is not none, rx-on or all", children)
	}
	switch detail {
	case "full", "":
		o.Detail = tmf.DetailFull
	case "topology":
		o.Detail = tmf.DetailTopology
	default:
		return o, usagef("--detail: %q is not full or topology", detail)
	}
	return o, nil
}
