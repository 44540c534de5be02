package cli

import (
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/topology"
)

// The crawler's knobs on the command line: asking routers only for what the
// map needs, and asking rx-on children directly, still give the true mesh;
// rx-on children then answer for themselves.
func TestScanSimCrawlOptions(t *testing.T) {
	snap, _ := runJSON(t, "scan", "--sim", "40", "--seed", "7", "--detail", "topology", "--children", "rx-on", "--json")
	m, err := threadsim.Generate(threadsim.Options{Seed: 7, Nodes: 40})
	if err != nil {
		t.Fatal(err)
	}
	if diff := m.Truth().Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("differs from the mesh: %v", diff)
	}
	rxOnChildren, answered := 0, 0
	for _, n := range snap.Nodes {
		if n.Role == topology.RoleEndDevice || n.Role == topology.RoleREED {
			rxOnChildren++
			if n.Status == topology.StatusAnswered {
				answered++
			}
		}
	}
	if rxOnChildren == 0 || answered != rxOnChildren {
		t.Errorf("%d of %d rx-on children answered for themselves", answered, rxOnChildren)
	}
}

func TestScanCrawlOptionsUsage(t *testing.T) {
	for _, args := range [][]string{
		{"scan", "--sim", "5", "--children", "some"},
		{"scan", "--sim", "5", "--detail", "most"},
	} {
		if _, stderr, code := runCLI(t, args...); code != 2 || !strings.Contains(stderr, args[3]) {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming %s", args, code, stderr, args[3])
		}
	}
}
