package topology

import (
	"encoding/json"
	"testing"
	"time"
)

func TestNetworkDataMergeNormalize(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	nd := func(src string, r Rloc16) *NetworkData {
		return &NetworkData{Source: src, Prefixes: []NetDataPrefix{{Prefix: "fd00::/64",
			BorderRouters: []NetDataBorderRouter{{Rloc16: r, Preference: "low", OnMesh: true}},
			Routes:        []NetDataRoute{{Rloc16: InvalidRloc16, Preference: "med"}}}},
			Services: []NetDataService{{ServiceID: 0, Servers: []NetDataServer{{Rloc16: 0x0400}}}}}
	}
	old := &Snapshot{TakenAt: t0, Network: Network{NetworkData: nd("old", 0x2400)}}
	fresh := &Snapshot{TakenAt: t0.Add(time.Minute), Network: Network{NetworkData: nd("fresh", 0xc800)},
		Nodes: []Node{{ExtAddr: "1111111111111111", Rloc16: Ptr(Rloc16(0xc800)), Sources: []string{"t"}}}}
	none := &Snapshot{TakenAt: t0.Add(2 * time.Minute)}
	s := Merge(fresh, none, old)
	got := s.Network.NetworkData
	if got == nil || got.Source != "fresh" {
		t.Fatalf("network data %+v, want the fresh one", got)
	}
	if n := got.Prefixes[0].BorderRouters[0].Node; n != "1111111111111111" {
		t.Errorf("border router node %q", n)
	}
	if n := got.Prefixes[0].Routes[0].Node; n != "" {
		t.Errorf("elided rloc16 resolved to %q", n)
	}
	if n := got.Services[0].Servers[0].Node; n != "rloc:0x0400" {
		t.Errorf("unknown server node %q", n)
	}
	if fresh.Network.NetworkData.Prefixes[0].BorderRouters[0].Node != "" {
		t.Error("Merge changed its input")
	}
	before, _ := json.Marshal(s)
	Normalize(s)
	after, _ := json.Marshal(s)
	if string(before) != string(after) {
		t.Errorf("Normalize not idempotent:\n%s\n%s", before, after)
	}
}
