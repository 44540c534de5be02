package cli

import (
	"context"
	"fmt"

	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// tmfSource crawls over plain UDP to mesh-local prefix + RLOC16, port
// 61631: for hosts that sit inside the mesh (and network-namespace tests).
// OpenThread accepts TMF only from mesh-local or link-local sources, so a
// LAN host needs the Border Agent path instead.
func tmfSource(env *Env, prefix string, crawl crawlOptions) (topology.Source, error) {
	res, err := tmf.ParsePrefix(prefix)
	if err != nil {
		return nil, usagef("--tmf: %v", err)
	}
	return &tmfScan{env: env, res: res, prefix: res.String(), crawl: crawl}, nil
}

// noTMFHint explains a TMF crawl nobody answered.
const noTMFHint = "no Thread node answered TMF from this host: OpenThread nodes drop TMF a LAN host sends through the border router (\"untrusted origin\"). " +
	"Map the mesh through the Border Agent instead: threadmap scan --border-agent HOST:PORT --pskc HEX (threadmap discover lists border agents and their ports; ot-ctl pskc prints the PSKc)"

// tmfScan opens the TMF endpoint only while it collects.
type tmfScan struct {
	env    *Env
	res    tmf.PrefixResolver
	prefix string
	crawl  crawlOptions
}

func (s *tmfScan) Name() string { return "tmf" }

func (s *tmfScan) Collect(ctx context.Context) (*topology.Snapshot, error) {
	cl, err := tmf.NewClient(tmf.ClientConfig{Resolver: s.res})
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	progress, done := progressLine(s.env)
	defer done()
	c, err := tmf.NewCrawler(tmf.Config{Transport: cl, Target: s.prefix, Progress: progress,
		Children: s.crawl.Children, Detail: s.crawl.Detail,
		Network: topology.Network{MeshLocalPrefix: s.prefix}})
	if err != nil {
		return nil, err
	}
	snap, err := c.Collect(ctx)
	if err != nil {
		// The crawl fails only when no start node answered at all.
		return nil, fmt.Errorf("crawl %s: %w\n%s", s.prefix, err, noTMFHint)
	}
	return snap, nil
}
