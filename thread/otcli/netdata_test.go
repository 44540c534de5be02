package otcli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// TestNetdataShow: the real `netdata show` answers give the network the
// OTBR's prefix, route and SRP service; a sleepy child's stable-only copy
// (RLOC16s elided) is noted and not used.
func TestNetdataShow(t *testing.T) {
	for _, tt := range []struct {
		path   string
		elided bool
	}{
		{filepath.Join(otFixtures, "small-current", "nodes", "node01.txt"), false},
		{filepath.Join(otFixtures, "small-current", "otbr-node", "ot-ctl.txt"), false},
		{filepath.Join(otFixtures, "small-current", "nodes", "node07.txt"), true},
	} {
		t.Run(filepath.Base(filepath.Dir(tt.path))+"/"+filepath.Base(tt.path), func(t *testing.T) {
			snap, notes, err := Load(context.Background(), tt.path)
			if err != nil {
				t.Fatal(err)
			}
			nd := snap.Network.NetworkData
			if tt.elided {
				found := false
				for _, n := range notes {
					found = found || strings.Contains(n.String(), "stable-only network data")
				}
				if nd != nil || !found {
					t.Fatalf("elided data used (%+v) or not noted (%v)", nd, notes)
				}
				return
			}
			if nd == nil || nd.Source != SourceName || len(nd.Prefixes) != 2 || len(nd.Services) != 1 {
				t.Fatalf("network data %+v", nd)
			}
			br := nd.Prefixes[0].BorderRouters[0]
			if nd.Prefixes[0].Prefix != "fd95:9c6e:cffc:1::/64" || br.Rloc16 != 0xc800 || br.Preference != "low" ||
				!br.Preferred || !br.SLAAC || !br.OnMesh || !br.Stable || br.DHCP || br.DefaultRoute {
				t.Errorf("prefix %+v", nd.Prefixes[0])
			}
			if br.Node == "" {
				t.Errorf("border router node %q", br.Node)
			}
			if r := nd.Prefixes[1].Routes[0]; nd.Prefixes[1].Prefix != "fc00::/7" || r.Preference != "med" || !r.AdvPIO || !r.Stable {
				t.Errorf("route %+v", nd.Prefixes[1])
			}
			if sv := nd.Services[0]; sv.EnterpriseNumber != 44970 || sv.Kind != "srp-unicast" ||
				sv.Servers[0].Address != "fd00:5a11::5318:4d17:1b09:3c51" || sv.Servers[0].Port != 53536 {
				t.Errorf("service %+v", sv)
			}
			if nd.CommissionerSessionID == nil || *nd.CommissionerSessionID != 12563 {
				t.Errorf("commissioner session %v", nd.CommissionerSessionID)
			}
		})
	}
}

// TestBorderRoutersFromCaptures: every capture gives the same border
// routers as before Normalize became their one source (the sets below
// were read from the importer when otcli still flagged them itself from
// `netdata show` lines, meshdiag's "br" and `br state`) — the OTBR and
// nothing else, and none where the capture holds no network data. The
// truth's own is_border_router agrees where the summary lists the OTBR.
func TestBorderRoutersFromCaptures(t *testing.T) {
	otbr2025 := "1a5142e3cc605c7d 0x1c00"
	otbrCurrent := "8eb0043d8ac6f721 0xc800"
	for _, tc := range []struct {
		dir  string
		want string // "" = no border router
	}{
		{"small", otbr2025},
		{"small/nodes", ""}, // no border router joined yet
		{"small/diag", ""},
		{"small/with-otbr-2025-09", otbr2025},
		{"small/with-otbr-2025-09/nodes", ""}, // `networkdata show` was not a command there: no network data
		{"small/with-otbr-2025-09/diag", otbr2025},
		{"small-current", otbrCurrent},
		{"small-current/nodes", otbrCurrent},
		{"small-current/diag", otbrCurrent},
		{"small-current/otbr-node", otbrCurrent},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			snap, _, err := Load(context.Background(), filepath.Join(otFixtures, filepath.FromSlash(tc.dir)))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range snap.Nodes {
				if n.BorderRouter {
					got = append(got, n.ID+" "+n.Rloc16.String())
				}
			}
			if strings.Join(got, ",") != tc.want {
				t.Errorf("border routers %v, want %q", got, tc.want)
			}
		})
	}
	sum, err := topologytest.ReadSummary(filepath.Join(otFixtures, "small-current", "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range sum.Nodes {
		if n.BorderRouter != (n.ExtAddr+" "+n.Rloc16 == otbrCurrent) {
			t.Errorf("truth: %s %s is_border_router %v", n.ExtAddr, n.Rloc16, n.BorderRouter)
		}
	}
}
