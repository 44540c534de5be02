package threadsim

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseScenario: any input gives a mesh or an error, never a panic;
// a mesh that parses is consistent (Truth has every node once).
func FuzzParseScenario(f *testing.F) {
	home, err := os.ReadFile(filepath.Join("testdata", "home.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(home)
	f.Add([]byte(`{"seed": 3, "generate": {"nodes": 12, "routers": 3}, "radio": {"hop_latency_ms": 20, "loss": 0.05}}`))
	f.Add([]byte(`{"routers": [{"rloc16": "0x0400", "leader": true}], "children": [{"rloc16": "0x0401", "mode": "-"}]}`))
	f.Add([]byte(`{"routers": [{"rloc16": "0x0400", "leader": true}, {"rloc16": "0x0800"}], "links": [{"a": "0x0400", "b": "0x0800", "lq_a": 3, "lq_b": 0}]}`))
	f.Add([]byte(`{"network": {"ext_pan_id": "zz"}, "generate": {"nodes": 2}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseScenario(b)
		if err != nil {
			return
		}
		if len(m.Nodes()) > 2000 {
			return // big generated meshes are valid; skip the slow check
		}
		truth := m.Truth()
		if len(truth.Nodes) != len(m.Nodes()) {
			t.Fatalf("truth has %d nodes, mesh %d", len(truth.Nodes), len(m.Nodes()))
		}
	})
}
