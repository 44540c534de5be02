package otlab

import (
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/threadmap/threadmap/thread/topology"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// scenarioShape is the small scenario as its file designs it (ext
// addresses 5a11000000000N, the border router ...b1 through n3); the RLOC16s
// are left out (they change per start).
func scenarioShape(ftd topology.Role) (nodes map[string]string, parents map[string]string, links map[string]bool) {
	x := func(n string) string { return "5a1100000000000" + n }
	nodes = map[string]string{x("1"): "leader", x("2"): "router", x("3"): "router", "5a110000000000b1": "router",
		x("4"): string(ftd), x("5"): "end-device", x("6"): "sleepy-end-device", x("7"): "sleepy-end-device", x("8"): "end-device"}
	parents = map[string]string{x("4"): x("1"), x("7"): x("1"), x("5"): x("2"), x("6"): x("3"), x("8"): x("3")}
	links = map[string]bool{x("1") + " " + x("2"): true, x("2") + " " + x("3"): true, x("3") + " 5a110000000000b1": true}
	return
}

func roles(sh topology.Shape) map[string]string {
	out := map[string]string{}
	for id, v := range sh.Nodes {
		var r, role string
		if _, err := fmtSscan(v, &r, &role); err == nil {
			out[id] = role
		}
	}
	return out
}

// TestReadTruthCaptured reads a truth directory the lab wrote (a real run,
// kept in testdata) into the scenario's shape.
func TestReadTruthCaptured(t *testing.T) {
	tr, err := ReadTruth("testdata/truth-small")
	if err != nil {
		t.Fatal(err)
	}
	checkScenario(t, tr)
	n1 := tr.Nodes["1"]
	if n1.Rloc16 != 0x0400 || n1.PartitionID != 1323883580 || n1.LeaderID != 1 || len(n1.Children) != 2 || len(n1.Neighbors) != 3 {
		t.Errorf("n1 = %+v", n1)
	}
	if lq := tr.LinkQuality()["5a11000000000003 5a11000000000002"]; lq != [2]int{2, 2} {
		t.Errorf("n3's view of n2: %v, want LQ 2/2 (the weakened link)", lq)
	}
	if br := tr.Nodes["br"]; br.Sections["ba port"] == "" || br.Sections["pskc"] == "" {
		t.Errorf("br sections %v", br.Sections)
	}
	if _, err := tr.Shape(ShapeOptions{}); err == nil {
		t.Error("an FTD child without a chosen role was accepted")
	}
}

func checkScenario(t *testing.T, tr *Truth) {
	t.Helper()
	sh, err := tr.Shape(ShapeOptions{FTDChildRole: topology.RoleREED})
	if err != nil {
		t.Fatal(err)
	}
	nodes, parents, links := scenarioShape(topology.RoleREED)
	if got := roles(sh); !reflect.DeepEqual(got, nodes) {
		t.Errorf("roles %v, want %v", got, nodes)
	}
	if !reflect.DeepEqual(sh.Parents, parents) {
		t.Errorf("parents %v, want %v", sh.Parents, parents)
	}
	if !reflect.DeepEqual(sh.RouterLinks, links) {
		t.Errorf("router links %v, want %v", sh.RouterLinks, links)
	}
}

func TestReadTruthErrors(t *testing.T) {
	if _, err := ReadTruth(t.TempDir()); err == nil {
		t.Error("empty directory read")
	}
	dir := t.TempDir()
	os.WriteFile(dir+"/n1.txt", []byte("### state\nleader\nDone\n### rloc16\nzz\nDone\n"), 0o644)
	if _, err := ReadTruth(dir); err == nil {
		t.Error("bad rloc16 read")
	}
	os.WriteFile(dir+"/n1.txt", []byte("### router table\n| ID | RLOC16 |\n+--+\n| x | 0x0400 |\n"), 0o644)
	if _, err := ReadTruth(dir); err == nil {
		t.Error("bad router table read")
	}
	os.WriteFile(dir+"/n1.txt", []byte("(not running)\n"), 0o644)
	tr, err := ReadTruth(dir)
	if err != nil || tr.Nodes["1"].InMesh() {
		t.Errorf("not running: %+v %v", tr, err)
	}
}

// TestLiveLabMatchesScenario starts the real lab and checks that it came up
// as the scenario designs it: the harness every live test builds on.
func TestLiveLabMatchesScenario(t *testing.T) {
	lab := Need(t)
	checkScenario(t, lab.MustTruth(t))
	if p := lab.BAPort(t); p <= 0 {
		t.Errorf("ba port %d", p)
	}
	if k := lab.PSKc(t); len(k) != 32 {
		t.Errorf("pskc %q", k)
	}
}

func fmtSscan(s string, a ...any) (int, error) { return fmt.Sscan(s, a...) }
