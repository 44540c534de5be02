package otcli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
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
