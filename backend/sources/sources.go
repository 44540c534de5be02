// Package sources builds the ways into a mesh as the program configures
// them — a TMF crawl of a mesh-local prefix, an OTBR REST API, a Matter
// server — once, for `threadmap scan` and `threadmap serve` alike.
package sources

import (
	"context"
	"fmt"

	"github.com/threadmap/threadmap/matter/matterclient"
	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// OTBR is the OTBR REST source at baseURL. dialect ("" detects it; legacy,
// jsonapi or jsonapi-2026 forces one) is the otbr-dialect setting.
func OTBR(baseURL, dialect string) (*otbr.Source, error) {
	var o otbr.Options
	if dialect != "" {
		d, err := otbr.ParseDialect(dialect)
		if err != nil {
			return nil, err
		}
		o.Dialect = d
	}
	return otbr.NewSource(baseURL, o)
}

// Matter is the Matter server source at wsURL ("host", "host:port" or
// ws://host:5580/ws). Collect connects and reads every node; Run follows
// the server so that scans read a live cache.
func Matter(wsURL string) (*matterclient.Source, error) {
	return matterclient.NewSource(wsURL, matterclient.Options{})
}

// Crawl are the TMF crawler's knobs.
type Crawl struct {
	// Children says which children are asked directly (default none: the
	// routers' tables suffice).
	Children tmf.ChildQueries
	// Detail says what routers are asked for (default every diagnostic).
	Detail tmf.Detail
	// Progress, when set, receives the crawl's progress.
	Progress func(tmf.Progress)
}

// ParseCrawl reads the command line's --children (none, rx-on, all) and
// --detail (full, topology) spellings; "" is the default.
func ParseCrawl(children, detail string) (Crawl, error) {
	var c Crawl
	switch children {
	case "none", "":
		c.Children = tmf.ChildrenNone
	case "rx-on":
		c.Children = tmf.ChildrenRxOn
	case "all":
		c.Children = tmf.ChildrenAll
	default:
		return c, fmt.Errorf("--children: %q is not none, rx-on or all", children)
	}
	switch detail {
	case "full", "":
		c.Detail = tmf.DetailFull
	case "topology":
		c.Detail = tmf.DetailTopology
	default:
		return c, fmt.Errorf("--detail: %q is not full or topology", detail)
	}
	return c, nil
}

// TMF crawls a mesh over plain UDP to mesh-local prefix + RLOC16, port
// 61631: for hosts that sit inside the mesh (and network-namespace tests).
// OpenThread answers TMF only from mesh-local or link-local sources, so a
// LAN host needs the Border Agent path instead. The TMF endpoint is open
// only while Collect runs.
func TMF(prefix string, c Crawl) (topology.Source, error) {
	res, err := tmf.ParsePrefix(prefix)
	if err != nil {
		return nil, err
	}
	return &tmfCrawl{res: res, prefix: res.String(), crawl: c}, nil
}

type tmfCrawl struct {
	res    tmf.PrefixResolver
	prefix string
	crawl  Crawl
}

func (s *tmfCrawl) Name() string { return "tmf" }

func (s *tmfCrawl) Collect(ctx context.Context) (*topology.Snapshot, error) {
	cl, err := tmf.NewClient(tmf.ClientConfig{Resolver: s.res})
	if err != nil {
		return nil, fmt.Errorf("tmf %s: %w", s.prefix, err)
	}
	defer cl.Close()
	c, err := tmf.NewCrawler(tmf.Config{Transport: cl, Target: s.prefix, Progress: s.crawl.Progress,
		Children: s.crawl.Children, Detail: s.crawl.Detail,
		Network: topology.Network{MeshLocalPrefix: s.prefix}})
	if err != nil {
		return nil, fmt.Errorf("tmf %s: %w", s.prefix, err)
	}
	snap, err := c.Collect(ctx)
	if err != nil {
		return nil, fmt.Errorf("crawl %s: %w", s.prefix, err)
	}
	return snap, nil
}
