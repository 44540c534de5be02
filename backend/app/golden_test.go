package app

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/threadmap/threadmap/backend/server"
	"github.com/threadmap/threadmap/store/diff"
	"github.com/threadmap/threadmap/thread/health"
	"github.com/threadmap/threadmap/thread/topology"
)

var update = flag.Bool("update", false, "rewrite frontend/testdata from what Go produces")

// The UI's test data (frontend/testdata) is what Go produces: the two
// sample snapshots as the canonical JSON writes them (no field Go lacks,
// none of another type), their
// diff (store/diff), the insights of the second (thread/health) and the
// sample Network Data. go test ./backend/app -run Golden -update rewrites
// them after a model change.
func TestGoldenFrontendTestdata(t *testing.T) {
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "frontend", "testdata")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	snap := func(name string) *topology.Snapshot {
		s, err := topology.DecodeJSON(bytes.NewReader(read(name)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return s
	}
	a, b := snap("snapshot-a.json"), snap("snapshot-b.json")
	var nd topology.NetworkData
	if err := json.Unmarshal(read("network-data.json"), &nd); err != nil {
		t.Fatal(err)
	}
	strict := func(name string, v any) {
		dec := json.NewDecoder(bytes.NewReader(read(name)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			t.Errorf("frontend/testdata/%s does not decode into Go's type: %v", name, err)
		}
	}
	strict("snapshot-a.json", &topology.Snapshot{})
	strict("snapshot-b.json", &topology.Snapshot{})
	strict("diff-a-b.json", &diff.Result{})
	strict("insights.json", &server.Insights{})
	want := map[string]any{
		"snapshot-a.json":        a,
		"snapshot-b.json":        b,
		"network-data.json":      &nd,
		"diff-a-b.golden.json":   diff.Diff(a, b),
		"insights-b.golden.json": server.Insights{Insights: health.Analyze(b)},
	}
	for name, v := range want {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, _ := os.ReadFile(filepath.Join(dir, name))
		if !bytes.Equal(got, buf.Bytes()) {
			t.Errorf("frontend/testdata/%s is not what Go produces: go test ./backend/app -run Golden -update, then check the UI's tests", name)
		}
	}
}
