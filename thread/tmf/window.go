package tmf

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/topology"
)

// GroupQuerier sends DIAG_GET.qry to a realm-local group (Client does).
type GroupQuerier interface {
	QueryGroup(ctx context.Context, group netip.Addr, types []diag.Type, fn func(from netip.AddrPort, m *diag.Message)) error
}

// OTBRLegacyCollectTimeout is how long OTBR's legacy REST API collects
// diagnostic answers for GET /diagnostics (ot-br-posix src/rest/resource.cpp,
// kDiagCollectTimeout, 2 000 000 µs): the window of the baseline the
// crawler is measured against.
const OTBRLegacyCollectTimeout = 2 * time.Second

// MatterJSServerWindow is how long the matter.js Matter server
// (matter-js/matterjs-server, ws-controller ThreadDiagnosticsService,
// DEFAULT_WINDOW_MS = 20 000; its first batch is published after 5 s)
// collects the answers to one multicast DIAG_GET.qry to ff03::2 sent
// through a commissioner session or OTBR: the second windowed baseline.
const MatterJSServerWindow = 20 * time.Second

// CollectWindow is the fixed-window collection OTBR's legacy /diagnostics
// uses: one multicast DIAG_GET.qry for types to group, then whatever
// answers arrive within window (OTBRLegacyCollectTimeout to do as OTBR
// does), with no retries. It is the baseline the crawler is measured
// against. Ask for Address16 (1) so answers can be
// placed; later messages of a multi-message answer are placed by sender.
func CollectWindow(ctx context.Context, q GroupQuerier, group netip.Addr, types []diag.Type, window time.Duration, name string) (*topology.Snapshot, error) {
	start := time.Now()
	wctx, cancel := context.WithTimeout(ctx, window)
	defer cancel()
	var mu sync.Mutex
	type got struct {
		from netip.AddrPort
		m    *diag.Message
	}
	var answers []got
	err := q.QueryGroup(wctx, group, types, func(from netip.AddrPort, m *diag.Message) {
		mu.Lock()
		answers = append(answers, got{from, m})
		mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	s := topology.New(time.Now())
	who := map[netip.AddrPort]topology.Rloc16{}
	nodes := map[topology.Rloc16]bool{}
	for _, a := range answers {
		if a.m.Address16 != nil {
			who[a.from] = *a.m.Address16
		}
	}
	for _, a := range answers {
		var from *topology.Rloc16
		if r, ok := who[a.from]; ok {
			from = topology.Ptr(r)
			nodes[r] = true
		}
		a.m.AddTo(s, name, from)
	}
	s.Scan.Sources = []topology.SourceReport{{Name: name, Target: group.String(), Queried: len(nodes),
		Answered: len(nodes), DurationMs: time.Since(start).Milliseconds(),
		Notes: []string{"fixed " + window.String() + " collection window"}}}
	topology.Normalize(s)
	return s, nil
}
