package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/otcli"
	"github.com/threadmap/threadmap/thread/topology"
)

// otcliFixtures is ../shared/fixtures/openthread seen from backend/cli.
var otcliFixtures = filepath.Join("..", "..", "..", "shared", "fixtures", "openthread")

// otcliTruth reads a capture's summary.json as a topology.Shape: every
// node's RLOC16, ext address and role (the truth says "child"; its mode
// gives our role: rdn → reed, rn → end-device, - → sleepy-end-device),
// every parent-child pair, every router-router link (router_links has one
// entry per direction; the shape keeps one per pair).
func otcliTruth(t *testing.T, summary string) topology.Shape {
	t.Helper()
	b, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Nodes []struct {
			ExtAddr   string  `json:"extaddr"`
			Rloc16    string  `json:"rloc16"`
			Role      string  `json:"role"`
			Mode      string  `json:"mode"`
			ParentExt *string `json:"parent_extaddr"`
		} `json:"nodes"`
		RouterLinks []struct {
			A    string `json:"a_extaddr"`
			B    string `json:"b_extaddr"`
			ARlc string `json:"a"`
			BRlc string `json:"b"`
		} `json:"router_links"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	sh := topology.Shape{Nodes: map[string]string{}, Parents: map[string]string{}, RouterLinks: map[string]bool{}}
	for _, n := range s.Nodes {
		r, err := topology.ParseRloc16(n.Rloc16)
		if err != nil {
			t.Fatal(err)
		}
		role := topology.Role(n.Role)
		if n.Role == "child" {
			m, err := topology.ParseMode(n.Mode)
			if err != nil {
				t.Fatal(err)
			}
			role = topology.ChildRole(m)
		}
		sh.Nodes[n.ExtAddr] = r.String() + " " + string(role)
		if n.ParentExt != nil {
			sh.Parents[n.ExtAddr] = *n.ParentExt
		}
	}
	for _, l := range s.RouterLinks {
		for _, end := range [][2]string{{l.A, l.ARlc}, {l.B, l.BRlc}} {
			if _, ok := sh.Nodes[end[0]]; !ok { // a border router not listed as a node
				r, _ := topology.ParseRloc16(end[1])
				sh.Nodes[end[0]] = r.String() + " " + string(topology.RoleRouter)
			}
		}
		a, b := l.A, l.B
		if b < a {
			a, b = b, a
		}
		sh.RouterLinks[a+" "+b] = true
	}
	if len(sh.Nodes) == 0 || len(sh.RouterLinks) == 0 || len(sh.Parents) == 0 {
		t.Fatalf("%s: empty truth %+v", summary, sh)
	}
	return sh
}

func importOTCLIJSON(t *testing.T, path string) *topology.Snapshot {
	t.Helper()
	out, errs, code := runDiagCLI(t, "", "import", "--from", "ot-cli", path, "--json")
	if code != 0 {
		t.Fatalf("import %s: exit %d: %s", path, code, errs)
	}
	snap, err := topology.DecodeJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	return snap
}

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

// TestImportOTCLIEqualsTruth: `threadmap import --from ot-cli DIR --json`
// on real OpenThread nodes' transcripts gives the mesh's ground truth.
func TestImportOTCLIEqualsTruth(t *testing.T) {
	for _, tc := range []struct{ name, dir, summary string }{
		{"small", "small/nodes", "small/summary.json"},
		{"small-current", "small-current/nodes", "small-current/summary.json"},
		{"small-with-otbr-2025-09", "small/with-otbr-2025-09/nodes", "small/with-otbr-2025-09/summary.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := otcliTruth(t, filepath.Join(otcliFixtures, tc.summary))
			snap := importOTCLIJSON(t, filepath.Join(otcliFixtures, tc.dir))
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
			want := otcliTruth(t, filepath.Join(otcliFixtures, tc.summary))
			snap, _, err := otcli.Load(context.Background(), filepath.Join(otcliFixtures, tc.nodes), filepath.Join(otcliFixtures, tc.otbr))
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
			want := otcliTruth(t, filepath.Join(otcliFixtures, tc.summary))
			snap := importOTCLIJSON(t, filepath.Join(otcliFixtures, tc.dir))
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
			_, errs, code := runDiagCLI(t, "", tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tc.code, errs, tc.want)
			}
		})
	}
}
