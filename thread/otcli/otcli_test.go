package otcli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

var otFixtures = topologytest.OpenThread()

func TestParseTranscript(t *testing.T) {
	in := "# node 9\r\n# captured 2026-11-25T12:17:03+0000\r\n\r\n> state\r\nrouter\r\nDone\r\n\r\n>   router   table  \r\n| ID | RLOC16 |\r\n+----+--------+\r\n|  9 | 0x2400 |\r\nDone\r\n> parent\r\nError 13: InvalidState\r\n"
	tr, err := ParseTranscript(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Comments) != 2 || len(tr.Commands) != 3 {
		t.Fatalf("comments %q, commands %+v", tr.Comments, tr.Commands)
	}
	c := tr.Commands[1]
	if c.Cmd != "router table" || c.Line != 8 || c.Status() != "" {
		t.Errorf("command %+v", c)
	}
	tab, err := ParseTable(c)
	if err != nil || len(tab.Rows) != 1 || tab.Get(tab.Rows[0], "rloc16") != "0x2400" || tab.Rows[0].Line != 11 {
		t.Errorf("table %+v, %v", tab, err)
	}
	if st := tr.Commands[2].Status(); st != "Error 13: InvalidState" {
		t.Errorf("status %q", st)
	}
	if ct, ok := captureTime(tr.Comments); !ok || !ct.Equal(time.Date(2026, 11, 25, 12, 17, 3, 0, time.UTC)) {
		t.Errorf("capture time %v %v", ct, ok)
	}
	if _, err := ParseTranscript(strings.NewReader("hello\nworld\n")); err == nil {
		t.Error("text without commands parsed")
	}
}

func TestBadLinesBecomeNotes(t *testing.T) {
	in := strings.Join([]string{
		"> rloc16", "2400", "Done",
		"> extaddr", "ae983c48b31eb30a", "Done",
		"> router table",
		"| ID | RLOC16 | LQ In | LQ Out | Extended MAC     | Link |",
		"+----+--------+-------+--------+------------------+------+",
		"| 14 | 0x3800 | 3 | 3 | zz | 1 |",
		"Done",
		"> child table",
		"| ID | RLOC16 | R | D |",
		"| 2 | 0x2402 | 1 |",
		"Done",
		"> leaderdata", "Partition ID: lots", "Done",
		"> networkdiagnostic get ff03::1 0 1", "DIAG_GET.rsp/ans from fd00::ff:fe00:3800: 0008aabb", "Done",
		"> meshdiag topology", "id:09 rloc16:0xzzzz ext-addr:ae983c48b31eb30a ver:5", "Done",
		"> frobnicate", "Done",
	}, "\n")
	tr, err := ParseTranscript(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	snap, notes := ImportTranscript("bad.txt", tr, time.Unix(0, 0))
	want := map[string]string{
		"router table":                      "bad.txt:7: router table: line 10",
		"child table":                       "bad.txt:12: child table: line 14: 3 cells, the header has 4",
		"leaderdata":                        "bad.txt:16: leaderdata: partition id",
		"networkdiagnostic get ff03::1 0 1": "ExtMacAddress(0) at byte 0",
		"meshdiag topology":                 "rloc16",
		"frobnicate":                        "skipped",
	}
	got := map[string]string{}
	for _, n := range notes {
		got[n.Cmd] = n.String()
	}
	for cmd, w := range want {
		if !strings.Contains(got[cmd], w) {
			t.Errorf("note for %q: %q, want it to contain %q", cmd, got[cmd], w)
		}
	}
	if snap.Node("ae983c48b31eb30a") == nil {
		t.Errorf("the node itself was lost: %+v", snap.Nodes)
	}
}

// TestSingleDiagTranscripts: each of n2's diagnostic views alone gives the
// whole mesh (by RLOC16): meshdiag topology with children, and the
// multicast networkdiagnostic answers (sleepy children do not answer, but
// their parents' Child Table TLVs list them).
func TestSingleDiagTranscripts(t *testing.T) {
	for _, mesh := range []string{"small", "small-current"} {
		for _, file := range []string{"meshdiag_topology_ip6-addrs_children.txt", "netdiag_ff03-1_main.txt"} {
			t.Run(mesh+"/"+file, func(t *testing.T) {
				want := topologytest.ByRloc16(topologytest.TruthShape(t, filepath.Join(otFixtures, mesh, "summary.json")))
				snap, notes, err := Load(context.Background(), filepath.Join(otFixtures, mesh, "diag", file))
				if err != nil {
					t.Fatal(err)
				}
				if len(notes) > 0 {
					t.Errorf("notes: %v", notes)
				}
				if d := want.Diff(topologytest.ByRloc16(snap.Shape())); len(d) > 0 {
					t.Errorf("differs from summary.json:\n  %s", strings.Join(d, "\n  "))
				}
			})
		}
	}
}

// TestSecretsStayOut: dataset active prints the network key and PSKc; they
// must not reach the snapshot.
func TestSecretsStayOut(t *testing.T) {
	snap, _, err := Load(context.Background(), filepath.Join(otFixtures, "small", "nodes"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := snap.JSON()
	for _, secret := range []string{"00112233445566778899aabbccddeeff", "f0bfd24237b50cef4e3d6553ea4557b9"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("secret %s in the snapshot", secret)
		}
	}
}

func FuzzImport(f *testing.F) {
	for _, p := range []string{"small/nodes/node01.txt", "small/nodes/node05.txt", "small/diag/meshdiag_topology_ip6-addrs_children.txt",
		"small/diag/meshdiag_childtable_0x2400.txt", "small/diag/netdiag_ff03-1_main.txt", "small-current/otbr-node/ot-ctl.txt"} {
		if b, err := os.ReadFile(filepath.Join(otFixtures, p)); err == nil {
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		tr, err := ParseTranscript(strings.NewReader(s))
		if err != nil {
			return
		}
		snap, _ := ImportTranscript("fuzz.txt", tr, time.Unix(0, 0))
		topology.Normalize(snap)
		if _, err := snap.JSON(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRouterEligibleFromTranscripts: the nodes' own transcripts say which
// FTD child may become a router (`routereligible`); n4 answers Disabled,
// so the import calls it a FED — the role the capture README gives it —
// and the whole mesh equals the truth read with that role. Each of the
// captures; the MTD builds answer InvalidCommand and stay unknown.
func TestRouterEligibleFromTranscripts(t *testing.T) {
	for _, mesh := range []string{"small", "small/with-otbr-2025-09", "small-current"} {
		t.Run(mesh, func(t *testing.T) {
			dir := filepath.Join(otFixtures, filepath.FromSlash(mesh))
			want := topologytest.TruthShape(t, filepath.Join(dir, "summary.json"), topologytest.ShapeOptions{FTDChildRole: topology.RoleFED})
			snap, _, err := Load(context.Background(), filepath.Join(dir, "nodes"))
			if err != nil {
				t.Fatal(err)
			}
			if d := want.Diff(snap.Shape()); len(d) > 0 {
				t.Errorf("differs from the truth (FTD child = fed):\n  %s", strings.Join(d, "\n  "))
			}
			sum, err := topologytest.ReadSummary(filepath.Join(dir, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range sum.Nodes {
				got := snap.Node(n.ExtAddr)
				if got == nil || got.Status != topology.StatusAnswered {
					continue // no transcript of its own here (the border router's is in otbr-node)
				}
				switch {
				case n.Role == "child" && n.Mode == "rdn":
					if got.RouterEligible == nil || *got.RouterEligible || got.Role != topology.RoleFED || got.FieldSources["role"] != SourceName {
						t.Errorf("FTD child %s: eligible %v role %s from %q", n.ExtAddr, got.RouterEligible, got.Role, got.FieldSources["role"])
					}
				case n.Role != "child":
					if got.RouterEligible == nil || !*got.RouterEligible {
						t.Errorf("router %s: eligible %v", n.ExtAddr, got.RouterEligible)
					}
				}
			}
		})
	}
}
