package cli

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/threadmap/threadmap/backend/collect"
	"github.com/threadmap/threadmap/backend/config"
	"github.com/threadmap/threadmap/backend/sources"
	"github.com/threadmap/threadmap/thread/tmf"
)

// scan (--sim N | --sim-scenario FILE | --tmf PREFIX | --otbr URL | --matter-server URL) [--json].
// The sources come from backend/sources (the simulated mesh from
// cmd_scan_sim.go) and are collected by backend/collect, as `serve`
// collects them: in parallel under --timeout, merged, one snapshot per
// network printed. Exit status 3 when the scan is partial.
func runScan(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "scan")
	simN := fs.Int("sim", 0, "crawl a simulated mesh of N nodes (started in-process on loopback)")
	simScenario := fs.String("sim-scenario", "", "crawl a simulated mesh loaded from a scenario file")
	tmfPrefix := fs.String("tmf", "", "crawl over TMF (CoAP UDP 61631) using this mesh-local prefix, e.g. fd00:db8::/64")
	var otbrURLs stringList
	fs.Var(&otbrURLs, "otbr", "OTBR REST base URL (repeatable), e.g. http://192.0.2.1:8081")
	matterURL := fs.String("matter-server", "", "Matter server WebSocket URL, e.g. ws://host:5580/ws")
	asJSON := fs.Bool("json", false, "print canonical topology JSON")
	timeout := fs.Duration("timeout", 2*time.Minute, "the scan's budget: sources still collecting then give what they have")
	seed := fs.Int64("seed", 1, "random seed of the simulated mesh")
	children := fs.String("children", "none", "TMF: which children to ask directly: none (routers' tables suffice), rx-on, or all (sleepy children answer only when they poll: slow)")
	detail := fs.String("detail", "full", "TMF: what to ask routers for: full (every diagnostic) or topology (only what the map needs: fastest)")
	settings := config.RegisterFlags(fs, "otbr-dialect")
	if _, err := parseFlags(fs, a, 0); err != nil {
		return err
	}
	cfg, err := settings.Resolve(getenv(env))
	if err != nil {
		return usagef("%v", err)
	}
	crawl, err := sources.ParseCrawl(*children, *detail)
	if err != nil {
		return usagef("%v", err)
	}
	var targets []collect.Target
	var cleanups []func()
	defer func() {
		for _, c := range cleanups {
			c()
		}
	}()
	// crawlWithProgress gives a crawl its own progress line on stderr.
	crawlWithProgress := func() sources.Crawl {
		c := crawl
		var done func()
		c.Progress, done = progressLine(env)
		cleanups = append(cleanups, done)
		return c
	}
	if *simN > 0 || *simScenario != "" {
		t, cleanup, err := simTarget(ctx, *simN, *simScenario, *seed, crawlWithProgress())
		if err != nil {
			return err
		}
		cleanups = append(cleanups, cleanup)
		targets = append(targets, t)
	}
	if *tmfPrefix != "" {
		src, err := sources.TMF(*tmfPrefix, crawlWithProgress())
		if err != nil {
			return usagef("--tmf: %v", err)
		}
		targets = append(targets, collect.Target{ID: "tmf:" + *tmfPrefix, Source: src})
	}
	for _, u := range otbrURLs {
		src, err := sources.OTBR(u, cfg.OTBRDialect)
		if err != nil {
			return usagef("--otbr: %v", err)
		}
		targets = append(targets, collect.Target{ID: "otbr:" + strings.TrimRight(u, "/"), Source: src})
	}
	if *matterURL != "" {
		src, err := sources.Matter(*matterURL)
		if err != nil {
			return usagef("--matter-server: %v", err)
		}
		targets = append(targets, collect.Target{ID: "matter:" + src.URL(), Source: src})
	}
	if len(targets) == 0 {
		return usagef("usage: threadmap scan (--sim N | --sim-scenario FILE | --tmf PREFIX | --otbr URL | --matter-server URL) [--json]")
	}
	res := collect.Run(ctx, targets, collect.Options{Budget: *timeout})
	for _, c := range cleanups {
		c() // end the progress lines before the map is printed
	}
	cleanups = nil
	if len(res.Snapshots) == 0 {
		return fmt.Errorf("no source answered: %s", strings.Join(res.Failures(), "; "))
	}
	for _, snap := range res.Snapshots {
		if err := printSnapshot(env, snap, *asJSON); err != nil {
			return err
		}
	}
	if res.Partial {
		return partial(res)
	}
	return nil
}

// partial is the PartialError of a partial scan, naming what did not answer.
func partial(res *collect.Result) error {
	var why []string
	for _, s := range res.Sources {
		for _, r := range s.Reports() {
			switch {
			case r.Error != "":
				why = append(why, fmt.Sprintf("%s: %s", r.Target, r.Error))
			case r.TimedOut > 0:
				why = append(why, fmt.Sprintf("%s: %d node(s) did not answer", r.Target, r.TimedOut))
			case r.Partial:
				why = append(why, r.Target+": partial")
			}
		}
	}
	if res.Cancelled {
		why = append(why, "interrupted")
	}
	return &PartialError{Msg: "partial scan: " + strings.Join(why, "; ")}
}

// getenv is env's Getenv, or one that finds nothing.
func getenv(env *Env) func(string) string {
	if env.Getenv == nil {
		return func(string) string { return "" }
	}
	return env.Getenv
}

// progressLine returns a crawl progress callback that keeps one line on
// stderr up to date, and a function that ends the line. It is silent
// unless stderr is a terminal or THREADMAP_PROGRESS=1 (so --json output
// piped elsewhere stays clean either way: progress never goes to stdout).
func progressLine(env *Env) (func(tmf.Progress), func()) {
	if !wantProgress(env) {
		return nil, func() {}
	}
	var mu sync.Mutex // an abandoned crawl may still report after the end
	shown, ended := false, false
	var last string
	return func(p tmf.Progress) {
			mu.Lock()
			defer mu.Unlock()
			line := fmt.Sprintf("\rcrawling (%s): %d/%d nodes, %d answered, %d timed out, %d failed, %.1fs ",
				p.Phase, p.Done, p.Known, p.Answered, p.TimedOut, p.Failed, p.Elapsed.Seconds())
			if line != last && !ended {
				fmt.Fprint(env.Stderr, line)
				last, shown = line, true
			}
		}, func() {
			mu.Lock()
			defer mu.Unlock()
			if shown && !ended {
				fmt.Fprintln(env.Stderr)
			}
			ended = true
		}
}
