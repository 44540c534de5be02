package app

import (
	"context"
	"fmt"

	"github.com/threadmap/threadmap/matter/matterclient"
	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// otbrSource is the OTBR REST source for baseURL (thread/otbr).
func otbrSource(baseURL string) (topology.Source, error) {
	return otbr.NewSource(baseURL, otbr.Options{})
}

// matterSource is the Matter server source (matter/matterclient).
func matterSource(wsURL string) (*matterclient.Source, error) {
	return matterclient.NewSource(wsURL, matterclient.Options{})
}

// tmfSource crawls a mesh over TMF (plain UDP to mesh-local prefix +
// RLOC16, port 61631) from a host inside the mesh; OpenThread answers TMF
// only from mesh-local or link-local sources. progress, when set, gets the
// crawl's progress.
func tmfSource(prefix string, progress func(queried, answered int)) (topology.Source, error) {
	res, err := tmf.ParsePrefix(prefix)
	if err != nil {
		return nil, err
	}
	return &tmfCrawl{prefix: prefix, res: res, progress: progress}, nil
}

// tmfCrawl opens its TMF endpoint only while it collects.
type tmfCrawl struct {
	prefix   string
	res      tmf.PrefixResolver
	progress func(queried, answered int)
}

func (s *tmfCrawl) Name() string { return "tmf" }

func (s *tmfCrawl) Collect(ctx context.Context) (*topology.Snapshot, error) {
	cl, err := tmf.NewClient(tmf.ClientConfig{Resolver: s.res})
	if err != nil {
		return nil, fmt.Errorf("tmf %s: %w", s.prefix, err)
	}
	defer cl.Close()
	var progress func(tmf.Progress)
	if s.progress != nil {
		progress = func(p tmf.Progress) { s.progress(p.Done, p.Answered) }
	}
	c, err := tmf.NewCrawler(tmf.Config{Transport: cl, Target: s.prefix, Progress: progress,
		Network: topology.Network{MeshLocalPrefix: s.prefix}})
	if err != nil {
		return nil, err
	}
	return c.Collect(ctx)
}
