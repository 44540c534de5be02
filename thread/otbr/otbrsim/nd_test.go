package otbrsim

import (
	"encoding/hex"
	"testing"

	"github.com/threadmap/threadmap/thread/netdata"
	"github.com/threadmap/threadmap/thread/otbr"
)

// TestNetworkDataNamesTheBorderRouter: the leader's network data the
// simulator serves decodes, and names the border router as a real one's
// does (OMR prefix with a Border Router entry, fc00::/7 Has Route).
func TestNetworkDataNamesTheBorderRouter(t *testing.T) {
	s, err := New(smallCurrent(t), otbr.DialectJSONAPI2026)
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(s.m.networkData())
	if err != nil {
		t.Fatal(err)
	}
	nd, err := netdata.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	br := s.m.self.rloc
	if len(nd.Prefixes) != 2 || len(nd.Prefixes[0].BorderRouters) != 1 || nd.Prefixes[0].BorderRouters[0].Rloc16 != br ||
		nd.Prefixes[0].Prefix.String() != "fd95:9c6e:cffc:1::/64" || len(nd.Prefixes[1].Routes) != 1 || nd.Prefixes[1].Routes[0].Rloc16 != br {
		t.Errorf("network data %+v: want the OMR prefix the capture's border router published, and fc00::/7, both naming %s", nd, br)
	}
}
