package topologytest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/topology"
)

// TestSmallCurrentTruth pins the shape read from a real capture, so a
// change in how summary.json is read cannot go unnoticed by the tests that
// compare against it.
func TestSmallCurrentTruth(t *testing.T) {
	got := TruthShape(t, OpenThread("small-current", "summary.json"))
	want := topology.Shape{
		Nodes: map[string]string{
			"a698f01e4e296706": "0xe000 leader",
			"5a7324b8eee603d2": "0xd000 router",
			"eeb4e5ab8fbf07e8": "0xf800 router",
			"8eb0043d8ac6f721": "0xc800 router",
			"523d1e635ee46754": "0xe003 ftd-child",
			"d6232969c413030b": "0xd002 end-device",
			"66901f4604d368fe": "0xf801 sleepy-end-device",
			"32cf8caf78b775f5": "0xe002 sleepy-end-device",
			"1adbdd583b9a7286": "0xf802 end-device",
		},
		Parents: map[string]string{
			"523d1e635ee46754": "a698f01e4e296706",
			"d6232969c413030b": "5a7324b8eee603d2",
			"66901f4604d368fe": "eeb4e5ab8fbf07e8",
			"32cf8caf78b775f5": "a698f01e4e296706",
			"1adbdd583b9a7286": "eeb4e5ab8fbf07e8",
		},
		RouterLinks: map[string]bool{
			"5a7324b8eee603d2 a698f01e4e296706": true,
			"5a7324b8eee603d2 eeb4e5ab8fbf07e8": true,
			"8eb0043d8ac6f721 eeb4e5ab8fbf07e8": true,
		},
	}
	if d := want.Diff(got); len(d) > 0 {
		t.Errorf("small-current truth: %v", d)
	}
	// For a source that knows router eligibility, n4 is the FED it is.
	fed := TruthShape(t, OpenThread("small-current", "summary.json"), ShapeOptions{FTDChildRole: topology.RoleFED})
	if v := fed.Nodes["523d1e635ee46754"]; v != "0xe003 fed" {
		t.Errorf("n4 with FTDChildRole fed: %q", v)
	}
}

// TestBorderRouterOnlyInLinks: with-otbr-2025-09 lists the border router
// only as the far end of router links; it is a router all the same.
func TestBorderRouterOnlyInLinks(t *testing.T) {
	sh := TruthShape(t, OpenThread("small", "with-otbr-2025-09", "summary.json"))
	if v := sh.Nodes["1a5142e3cc605c7d"]; v != "0x1c00 router" {
		t.Errorf("border router: %q, want 0x1c00 router", v)
	}
}

func TestByRloc16(t *testing.T) {
	sh := topology.Shape{
		Nodes:       map[string]string{"aa": "0x2400 router", "bb": "0x2401 end-device", "cc": "0x2401 end-device", "dd": "0x3800 router"},
		Parents:     map[string]string{"bb": "aa"},
		RouterLinks: map[string]bool{"aa dd": true},
	}
	want := topology.Shape{
		// Two nodes on one RLOC16 stay two.
		Nodes:       map[string]string{"0x2400": "0x2400 router", "0x2401": "0x2401 end-device", "0x2401 cc": "0x2401 end-device", "0x3800": "0x3800 router"},
		Parents:     map[string]string{"0x2401": "0x2400"},
		RouterLinks: map[string]bool{"0x2400 0x3800": true},
	}
	if got := ByRloc16(sh); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestReadSummaryErrors(t *testing.T) {
	if _, err := ReadSummary(OpenThread("no-such-capture", "summary.json")); err == nil {
		t.Error("missing file read")
	}
	s := &Summary{Nodes: []SummaryNode{{ExtAddr: "aa", Rloc16: "0x2401", Role: "child", Mode: "xyz"}}}
	if _, err := s.Shape(ShapeOptions{}); err == nil {
		t.Error("bad mode accepted")
	}
}

// TestFixturesInRepository: the captured data is the project's own copy,
// so a plain clone has it.
func TestFixturesInRepository(t *testing.T) {
	got := OpenThread("small")
	if !strings.HasPrefix(got, RepoRoot()) || !strings.Contains(got, filepath.Join("testdata", "openthread", "small")) {
		t.Errorf("OpenThread(small) = %s, want it under %s", got, RepoRoot())
	}
	if _, err := os.Stat(filepath.Join(RepoRoot(), "go.mod")); err != nil {
		t.Errorf("RepoRoot %s: %v", RepoRoot(), err)
	}
	for _, f := range []string{"openthread/small/summary.json", "PROVENANCE.md", "LICENSES.md"} {
		if _, err := os.Stat(Fixtures(f)); err != nil {
			t.Error(err)
		}
	}
}
