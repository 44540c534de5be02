package metrics

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

func snapshot(lqIn int) *topology.Snapshot {
	s := topology.New(time.Unix(1_800_000_000, 0))
	s.Network = topology.Network{Name: "Home", ExtPanID: "dead00beef00cafe"}
	ftd := topology.Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true}
	r1, r2, c := topology.Rloc16(0x0400), topology.Rloc16(0x0800), topology.Rloc16(0x0401)
	s.Nodes = []topology.Node{
		{ID: "1111111111111111", ExtAddr: "1111111111111111", Rloc16: &r1, Mode: &ftd},
		{ID: "2222222222222222", ExtAddr: "2222222222222222", Rloc16: &r2, Mode: &ftd},
		{ID: "3333333333333333", ExtAddr: "3333333333333333", Rloc16: &c, Mode: &topology.Mode{}},
	}
	s.Network.LeaderRouterID = topology.Ptr(1)
	s.Links = []topology.Link{{Kind: topology.LinkRouter, A: "1111111111111111", B: "2222222222222222", LQIn: &lqIn, LQOut: topology.Ptr(3)}}
	topology.Normalize(s)
	return s
}

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestSnapshotGauges(t *testing.T) {
	m := New(func() (int64, error) { return 12345, nil })
	m.ObserveSnapshot(snapshot(1))
	m.ObserveScan("dead00beef00cafe", 1500*time.Millisecond, nil)
	m.ObserveSourceError("otbr")
	out := scrape(t, m)
	for _, want := range []string{
		`threadmap_nodes{network="dead00beef00cafe",role="leader"} 1`,
		`threadmap_nodes{network="dead00beef00cafe",role="router"} 1`,
		`threadmap_nodes{network="dead00beef00cafe",role="sleepy-end-device"} 1`,
		`threadmap_links{kind="router",lq="1",network="dead00beef00cafe"} 1`,
		`threadmap_links{kind="child",lq="unknown",network="dead00beef00cafe"} 1`,
		`threadmap_router_link_lq_in{a="1111111111111111",b="2222222222222222",network="dead00beef00cafe"} 1`,
		`threadmap_router_link_lq_out{a="1111111111111111",b="2222222222222222",network="dead00beef00cafe"} 3`,
		`threadmap_router_children{network="dead00beef00cafe",rloc16="0x0400",router="1111111111111111"} 1`,
		`threadmap_router_children{network="dead00beef00cafe",rloc16="0x0800",router="2222222222222222"} 0`,
		`threadmap_scan_duration_seconds_bucket{network="dead00beef00cafe",le="2.5"} 1`,
		`threadmap_source_errors_total{source="otbr"} 1`,
		`threadmap_store_bytes 12345`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s", want)
		}
	}
	// A newer snapshot replaces the series; an older one does not.
	newer := snapshot(3)
	newer.TakenAt = newer.TakenAt.Add(time.Minute)
	m.ObserveSnapshot(newer)
	m.ObserveSnapshot(snapshot(2))
	out = scrape(t, m)
	if !strings.Contains(out, `threadmap_links{kind="router",lq="3",network="dead00beef00cafe"} 1`) ||
		!strings.Contains(out, `threadmap_links{kind="router",lq="1",network="dead00beef00cafe"} 0`) {
		t.Errorf("newest snapshot not the one shown:\n%s", out)
	}
	m.ForgetNetwork("dead00beef00cafe")
	if strings.Contains(scrape(t, m), "threadmap_nodes{") {
		t.Error("forgotten network still exported")
	}
}

func TestStoreSizeErrorOmitsTheGauge(t *testing.T) {
	m := New(func() (int64, error) { return 0, errors.New("closed") })
	if strings.Contains(scrape(t, m), "threadmap_store_bytes") {
		t.Error("store size exported despite the error")
	}
}
