package cli

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/topology"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// otFixtures is the project's copy of the OpenThread captures.
var otFixtures = topologytest.OpenThread()

// checkLinkQuality compares every router link's LQ in/out and link cost
// with the truth (each entry is router a's view), and, when the answer
// carries child-table link qualities, every child link's.
func checkLinkQuality(t *testing.T, summaryPath string, snap *topology.Snapshot, childLQ bool) {
	t.Helper()
	s, err := topologytest.ReadSummary(summaryPath)
	if err != nil {
		t.Fatal(err)
	}
	find := func(kind topology.LinkKind, a, b string) *topology.Link {
		for i := range snap.Links {
			l := &snap.Links[i]
			if l.Kind == kind && l.A == a && l.B == b {
				return l
			}
		}
		return nil
	}
	for _, tl := range s.RouterLinks {
		a, b, in, out := tl.AExt, tl.BExt, tl.LQIn, tl.LQOut
		if b < a {
			a, b, in, out = b, a, out, in
		}
		l := find(topology.LinkRouter, a, b)
		if l == nil || l.LQIn == nil || l.LQOut == nil || l.Cost == nil {
			t.Errorf("router link %s-%s: %+v", a, b, l)
			continue
		}
		if *l.LQIn != in || *l.LQOut != out || *l.Cost != tl.Cost {
			t.Errorf("router link %s-%s: LQ in/out %d/%d cost %d, want %d/%d cost %d", a, b, *l.LQIn, *l.LQOut, *l.Cost, in, out, tl.Cost)
		}
	}
	if !childLQ {
		return
	}
	parentExt := map[string]string{}
	for _, n := range s.Nodes {
		parentExt[n.Rloc16] = n.ExtAddr
	}
	for _, ce := range s.ChildEntries {
		l := find(topology.LinkChild, parentExt[ce.Parent], ce.Child)
		if l == nil || l.LQIn == nil || strconv.Itoa(*l.LQIn) != ce.LQIn {
			t.Errorf("child link %s-%s: %+v, want LQ in %s", ce.Parent, ce.Child, l, ce.LQIn)
		}
	}
}

func TestImportOTBRAnswersEqualTruth(t *testing.T) {
	legacyDir := filepath.Join(otFixtures, "small", "otbr-rest-2025-09-legacy")
	legacyTruth := filepath.Join(otFixtures, "small", "with-otbr-2025-09", "summary.json")
	currentDir := filepath.Join(otFixtures, "small-current", "otbr-rest")
	currentTruth := filepath.Join(otFixtures, "small-current", "summary.json")
	cases := []struct {
		name, file, truth string
		// legacy: the answer lists MEDs and SEDs only inside child tables,
		// by RLOC16, so the comparison is by RLOC16 and the entries the
		// answer does list are checked by ext address.
		legacy bool
	}{
		{"legacy /diagnostics", filepath.Join(legacyDir, "15_GET_diagnostics.body"), legacyTruth, true},
		{"legacy /diagnostics again", filepath.Join(legacyDir, "17_GET_diagnostics_again.body"), legacyTruth, true},
		{"legacy capture directory", legacyDir, legacyTruth, true},
		{"JSON:API /api/diagnostics", filepath.Join(currentDir, "36_GET_api_diagnostics.body"), currentTruth, false},
		{"plain JSON /api/diagnostics", filepath.Join(currentDir, "37_GET_api_diagnostics_plainjson.body"), currentTruth, false},
		{"JSON:API after query tasks", filepath.Join(currentDir, "query-tlvs-sequential", "06_GET_api_diagnostics.body"), currentTruth, false},
		{"plain JSON after query tasks", filepath.Join(currentDir, "query-tlvs-sequential", "07_GET_api_diagnostics_plainjson.body"), currentTruth, false},
		{"current capture directory", currentDir, currentTruth, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := topologytest.TruthShape(t, tc.truth)
			snap := importJSON(t, "otbr", tc.file)
			got := snap.Shape()
			if tc.legacy {
				if d := topologytest.ByRloc16(want).Diff(topologytest.ByRloc16(got)); len(d) > 0 {
					t.Errorf("shape by RLOC16 differs from %s:\n%s", tc.truth, strings.Join(d, "\n"))
				}
				// Every device the answer lists itself carries its true ext address.
				for _, n := range snap.Nodes {
					if n.ExtAddr == "" {
						continue
					}
					if _, ok := want.Nodes[n.ExtAddr]; !ok {
						t.Errorf("node %s (%s) not in truth", n.ExtAddr, n.Rloc16)
					}
				}
			} else if d := want.Diff(got); len(d) > 0 {
				t.Errorf("shape differs from %s:\n%s", tc.truth, strings.Join(d, "\n"))
			}
			// The legacy child table has no link quality.
			checkLinkQuality(t, tc.truth, snap, !tc.legacy)
			for _, n := range snap.Nodes {
				if len(n.Sources) != 1 || n.Sources[0] != "otbr" {
					t.Errorf("node %s sources %v, want [otbr]", n.ID, n.Sources)
				}
			}
			if snap.Network.PartitionID == nil || snap.Network.LeaderRouterID == nil {
				t.Errorf("no partition / leader from leader data: %+v", snap.Network)
			}
		})
	}
}

// TestImportOTBRDirectoryKeepsSecretsOut: a capture directory holds the
// active dataset with the network key and PSKc; neither may reach the
// output, while the public dataset fields do.
func TestImportOTBRDirectoryKeepsSecretsOut(t *testing.T) {
	dir := filepath.Join(otFixtures, "small", "otbr-rest-2025-09-legacy")
	out, errs, code := runCLI(t, "import", "--from", "otbr", dir, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, secret := range []string{"00112233445566778899", "F0BFD24237B50CEF4E3D6553EA4557B9", "f0bfd24237b50cef4e3d6553ea4557b9"} {
		if strings.Contains(strings.ToLower(out+errs), strings.ToLower(secret)) {
			t.Errorf("secret %s… leaked into the output", secret[:8])
		}
	}
	snap, err := topology.DecodeJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	n := snap.Network
	if n.Name != "OTLAB-small" || n.ExtPanID != "5a11000000000001" || n.PanID != "0x5a11" || n.Channel != 15 || n.MeshLocalPrefix != "fd00:5a11::/64" {
		t.Errorf("network %+v", n)
	}
	var brs []string
	for _, b := range snap.BorderRouters {
		brs = append(brs, b.ID+"/"+b.ExtAddr)
	}
	sort.Strings(brs)
	if len(brs) != 1 || brs[0] != "9f2e141fa05a5db86da0830f36c02a2d/1a5142e3cc605c7d" {
		t.Errorf("border routers %v, want one with border agent id 9f2e… and ext address 1a5142e3cc605c7d", brs)
	}
	if br := snap.Node("1a5142e3cc605c7d"); br == nil || !br.BorderRouter {
		t.Errorf("border router node %+v", br)
	}
}

func TestImportOTBRBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := map[string]string{
		"404.body":       `{"title": "Not Found", "status": 404, "detail": ""}`,
		"truncated.json": `[{"ExtAddress": "BAD7A8E7B2CA0B48", "Rloc16": 9218`,
		"badrloc.json":   `[{"extAddress": "bad7a8e7b2ca0b48", "rloc16": "0x12345"}]`,
		"badext.json":    `[{"extAddress": "xyz", "rloc16": "0x5000"}]`,
	}
	for name, body := range bad {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, errs, code := runCLI(t, "import", "--from", "otbr", p)
		if code != 1 || !strings.Contains(errs, name) {
			t.Errorf("%s: exit %d, stderr %q: want 1 and a message naming the file", name, code, errs)
		}
	}
}
