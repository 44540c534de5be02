package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/otcli"
	"github.com/threadmap/threadmap/thread/topology"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

func assertShape(t *testing.T, want topology.Shape, snap *topology.Snapshot) {
	t.Helper()
	if d := want.Diff(snap.Shape()); len(d) > 0 {
		t.Errorf("differs from summary.json:\n  %s", strings.Join(d, "\n  "))
	}
	for _, n := range snap.Nodes {
		if len(n.Flags) > 0 {
			t.Errorf("node %s flagged %v", n.ID, n.Flags)
		}
	}
}

// fedChild: the nodes' transcripts answer `routereligible`, so the ot-cli
// import knows n4 is a FED (n2's diagnostic views alone cannot tell).
var fedChild = topologytest.ShapeOptions{FTDChildRole: topology.RoleFED}

// TestImportOTCLIEqualsTruth: `threadmap import --from ot-cli DIR --json`
// on real OpenThread nodes' transcripts gives the mesh's ground truth.
func TestImportOTCLIEqualsTruth(t *testing.T) {
	for _, tc := range []struct{ name, dir, summary string }{
		{"small", "small/nodes", "small/summary.json"},
		{"small-current", "small-current/nodes", "small-current/summary.json"},
		{"small-with-otbr-2025-09", "small/with-otbr-2025-09/nodes", "small/with-otbr-2025-09/summary.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The transcripts say n4's routereligible is Disabled: a FED.
			want := topologytest.TruthShape(t, filepath.Join(otFixtures, tc.summary), fedChild)
			snap := importJSON(t, "ot-cli", filepath.Join(otFixtures, tc.dir))
			assertShape(t, want, snap)
			if snap.Network.Name != "OTLAB-small" || snap.Network.ExtPanID != "5a11000000000001" ||
				snap.Network.PanID != "0x5a11" || snap.Network.Channel != 15 || snap.Network.MeshLocalPrefix != "fd00:5a11::/64" {
				t.Errorf("network: %+v", snap.Network)
			}
			if len(snap.Scan.Sources) != 1 || snap.Scan.Sources[0].Answered != 8 || len(snap.Scan.Sources[0].Notes) == 0 {
				t.Errorf("scan report: %+v", snap.Scan)
			}
		})
	}
}

// TestImportOTCLIWithBorderRouter adds the border router's own ot-ctl
// transcript (CRLF line ends) to the nodes' transcripts.
func TestImportOTCLIWithBorderRouter(t *testing.T) {
	for _, tc := range []struct{ name, nodes, otbr, summary, brExt string }{
		{"small-current", "small-current/nodes", "small-current/otbr-node/ot-ctl.txt", "small-current/summary.json", "8eb0043d8ac6f721"},
		{"small-with-otbr-2025-09", "small/with-otbr-2025-09/nodes", "small/with-otbr-2025-09/otbr-node/ot-ctl.txt", "small/with-otbr-2025-09/summary.json", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := topologytest.TruthShape(t, filepath.Join(otFixtures, tc.summary), fedChild)
			snap, _, err := otcli.Load(context.Background(), filepath.Join(otFixtures, tc.nodes), filepath.Join(otFixtures, tc.otbr))
			if err != nil {
				t.Fatal(err)
			}
			assertShape(t, want, snap)
			if tc.brExt != "" {
				br := snap.Node(tc.brExt)
				if br == nil || !br.BorderRouter || br.StackVersion == "" {
					t.Errorf("border router node: %+v", br)
				}
			}
		})
	}
}

// TestImportOTCLIDiag imports n2's networkdiagnostic/meshdiag transcripts:
// the same routers, children and links as the ground truth.
func TestImportOTCLIDiag(t *testing.T) {
	for _, tc := range []struct{ name, dir, summary string }{
		{"small", "small/diag", "small/summary.json"},
		{"small-current", "small-current/diag", "small-current/summary.json"},
		{"small-with-otbr-2025-09", "small/with-otbr-2025-09/diag", "small/with-otbr-2025-09/summary.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := topologytest.TruthShape(t, filepath.Join(otFixtures, tc.summary))
			snap := importJSON(t, "ot-cli", filepath.Join(otFixtures, tc.dir))
			assertShape(t, want, snap)
		})
	}
}

func TestImportOTCLIBadInput(t *testing.T) {
	dir := t.TempDir()
	notTranscript := filepath.Join(dir, "notes.txt")
	os.WriteFile(notTranscript, []byte("just some text\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing path", []string{"import", "--from", "ot-cli", filepath.Join(dir, "nope")}, 1, "no such file"},
		{"empty dir", []string{"import", "--from", "ot-cli", t.TempDir()}, 1, "no *.txt transcripts"},
		{"not a transcript", []string{"import", "--from", "ot-cli", notTranscript}, 1, "no command lines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs, code := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tc.code, errs, tc.want)
			}
		})
	}
}
