package diag

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// TestNetworkDataToSnapshot: every real Network Data TLV decodes, and the
// snapshot carries it with the border router's RLOC16 resolved to its node.
func TestNetworkDataToSnapshot(t *testing.T) {
	n := 0
	for _, a := range allAnswers(t) {
		m, err := Decode(a.raw)
		if err != nil {
			t.Fatalf("%s %s: %v", a.file, a.from, err)
		}
		if m.NetworkData == nil {
			continue
		}
		n++
		nd, err := m.DecodedNetworkData()
		if err != nil {
			t.Fatalf("%s %s: %v", a.file, a.from, err)
		}
		if nd.Commissioning == nil {
			t.Errorf("%s %s: no commissioning data in %x", a.file, a.from, []byte(m.NetworkData))
		}
	}
	if n == 0 {
		t.Fatal("no answer with Network Data")
	}
	answers := readAnswers(t, filepath.Join(fixtures, "openthread", "small-current", "diag", "netdiag_ff03-1_netdata.txt"))
	var msgs []*Message
	for _, a := range answers[:7] { // the first query: the network with the OTBR
		m, err := Decode(a.raw)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	s := ToSnapshot("diag", time.Unix(0, 0), msgs)
	s = topology.Merge(s, &topology.Snapshot{TakenAt: time.Unix(0, 0), Nodes: []topology.Node{{
		ExtAddr: "1234567812345678", Rloc16: topology.Ptr(topology.Rloc16(0xc800)), Sources: []string{"test"}}}})
	nd := s.Network.NetworkData
	if nd == nil || nd.Source != "diag" || len(nd.Prefixes) != 2 || len(nd.Services) != 1 {
		t.Fatalf("network data %+v", nd)
	}
	br := nd.Prefixes[0].BorderRouters[0]
	if nd.Prefixes[0].Prefix != "fd95:9c6e:cffc:1::/64" || br.Node != "1234567812345678" || br.Preference != "low" || !br.OnMesh || !br.SLAAC {
		t.Errorf("prefix %+v", nd.Prefixes[0])
	}
	if r := nd.Prefixes[1].Routes[0]; nd.Prefixes[1].Prefix != "fc00::/7" || r.Rloc16 != 0xc800 || !r.AdvPIO {
		t.Errorf("route %+v", nd.Prefixes[1])
	}
	if sv := nd.Services[0]; sv.Kind != "srp-unicast" || sv.Servers[0].Port != 53536 {
		t.Errorf("service %+v", sv)
	}
}
