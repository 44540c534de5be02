package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim/otbrsimtest"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/topology"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// TestScanOTBRSimulatorEqualsTruth: `threadmap scan --otbr URL --json`
// against the simulated border router, over real HTTP on loopback, returns
// the simulated mesh's true topology in every dialect. The legacy API by
// its nature lists MEDs and SEDs only inside child tables (by RLOC16), so
// there the comparison is by RLOC16 and the devices it lists must carry
// their true ext address.
func TestScanOTBRSimulatorEqualsTruth(t *testing.T) {
	mesh, err := threadsim.Generate(threadsim.Options{Seed: 7, Nodes: 30})
	if err != nil {
		t.Fatal(err)
	}
	truth := mesh.Truth()
	want := truth.Shape()
	for _, dialect := range []otbr.Dialect{otbr.DialectLegacy, otbr.DialectJSONAPI, otbr.DialectJSONAPI2026} {
		t.Run(string(dialect), func(t *testing.T) {
			sim, url := otbrsimtest.Start(t, truth, dialect, otbrsim.Options{LegacyCollect: 300e6})
			snap, _ := runJSON(t, "scan", "--otbr", url, "--json", "--timeout", "60s")
			got := snap.Shape()
			if dialect == otbr.DialectLegacy {
				if d := topologytest.ByRloc16(want).Diff(topologytest.ByRloc16(got)); len(d) > 0 {
					t.Errorf("shape by RLOC16 differs from the truth:\n%s", strings.Join(d, "\n"))
				}
				for _, n := range snap.Nodes {
					if n.ExtAddr != "" && want.Nodes[n.ExtAddr] == "" {
						t.Errorf("node %s not in the truth", n.ExtAddr)
					}
				}
			} else if d := want.Diff(got); len(d) > 0 {
				t.Errorf("shape differs from the truth:\n%s", strings.Join(d, "\n"))
			}
			// Link qualities as each end measures them.
			for _, tl := range truth.Links {
				if dialect == otbr.DialectLegacy && tl.Kind == topology.LinkChild {
					continue // the legacy child table has no link quality
				}
				var got *topology.Link
				for i := range snap.Links {
					if l := &snap.Links[i]; l.Kind == tl.Kind && l.A == tl.A && l.B == tl.B {
						got = l
					}
				}
				switch {
				case got == nil:
					t.Errorf("%s link %s-%s missing", tl.Kind, tl.A, tl.B)
				case tl.LQIn != nil && (got.LQIn == nil || *got.LQIn != *tl.LQIn):
					t.Errorf("%s link %s-%s: LQ in %v, want %d", tl.Kind, tl.A, tl.B, got.LQIn, *tl.LQIn)
				case tl.LQOut != nil && (got.LQOut == nil || *got.LQOut != *tl.LQOut):
					t.Errorf("%s link %s-%s: LQ out %v, want %d", tl.Kind, tl.A, tl.B, got.LQOut, *tl.LQOut)
				}
			}
			if len(snap.Scan.Sources) != 1 || snap.Scan.Sources[0].Name != "otbr" || snap.Scan.Sources[0].Error != "" {
				t.Errorf("scan report %+v", snap.Scan.Sources)
			}
			if !strings.Contains(strings.Join(snap.Scan.Sources[0].Notes, " "), "dialect "+string(dialect)) {
				t.Errorf("detected dialect: notes %v, want %s", snap.Scan.Sources[0].Notes, dialect)
			}
			br := snap.Node(sim.BorderRouterExtAddr())
			if br == nil || !br.BorderRouter {
				t.Errorf("border router node %s missing or not flagged", sim.BorderRouterExtAddr())
			}
			if len(snap.BorderRouters) != 1 || snap.BorderRouters[0].RestURL != url || snap.BorderRouters[0].ExtAddr != sim.BorderRouterExtAddr() {
				t.Errorf("border routers %+v, want one with rest_url %s", snap.BorderRouters, url)
			}
			for _, tb := range truth.BorderRouters {
				if tb.ExtAddr == sim.BorderRouterExtAddr() && len(snap.BorderRouters) == 1 && snap.BorderRouters[0].ID != tb.ID {
					t.Errorf("border router id %s, want the truth's border agent id %s", snap.BorderRouters[0].ID, tb.ID)
				}
			}
			if snap.Network.Name != truth.Network.Name || snap.Network.ExtPanID != truth.Network.ExtPanID || snap.Network.Channel != truth.Network.Channel {
				t.Errorf("network %+v, want %+v", snap.Network, truth.Network)
			}
		})
	}
}

// TestScanOTBRDialectOverride: THREADMAP_OTBR_DIALECT forces a dialect;
// a bad value is bad usage, a bad URL too.
func TestScanOTBRDialectOverride(t *testing.T) {
	mesh, err := threadsim.Generate(threadsim.Options{Seed: 2, Nodes: 8})
	if err != nil {
		t.Fatal(err)
	}
	_, url := otbrsimtest.Start(t, mesh.Truth(), otbr.DialectLegacy, otbrsim.Options{LegacyCollect: 100e6})
	run := func(dialect string, args ...string) (string, string, int) {
		return runCLIEnv(t, "", map[string]string{"THREADMAP_OTBR_DIALECT": dialect}, args...)
	}
	out, errs, code := run("legacy", "scan", "--otbr", url, "--json")
	if code != 0 || !strings.Contains(out, `"dialect legacy"`) {
		t.Errorf("forced legacy: exit %d %s", code, errs)
	}
	if _, errs, code := run("soap", "scan", "--otbr", url); code != 2 || !strings.Contains(errs, "unknown dialect") {
		t.Errorf("bad dialect: exit %d %q", code, errs)
	}
	if _, errs, code := run("", "scan", "--otbr", "ftp://x"); code != 2 || !strings.Contains(errs, "scheme") {
		t.Errorf("bad URL: exit %d %q", code, errs)
	}
	// A forced JSON:API against the legacy server: what /node said, and
	// the failure in the scan report; a partial scan exits 3.
	out, errs, code = run("jsonapi", "scan", "--otbr", url, "--json", "--timeout", "20s")
	if code != 3 || !strings.Contains(out, `"error": "updateDeviceCollectionTask: POST /api/actions: HTTP 404 (Not Found)"`) ||
		!strings.Contains(out, `"partial": true`) || !strings.Contains(errs, "partial scan") {
		t.Errorf("JSON:API against legacy: exit %d %q\n%s", code, errs, out)
	}
	// The setting is serve's: the flag beats the environment, the
	// environment beats the config file.
	cfg := filepath.Join(t.TempDir(), "threadmap.json")
	if err := os.WriteFile(cfg, []byte(`{"otbr_dialect": "jsonapi"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errs, code := run("legacy", "scan", "--otbr", url, "--json", "--config", cfg); code != 0 || !strings.Contains(out, `"dialect legacy"`) {
		t.Errorf("env over file: exit %d %s", code, errs)
	}
	if out, errs, code := run("jsonapi", "scan", "--otbr", url, "--json", "--otbr-dialect", "legacy"); code != 0 || !strings.Contains(out, `"dialect legacy"`) {
		t.Errorf("flag over env: exit %d %s", code, errs)
	}
	if out, _, code := run("", "scan", "--otbr", url, "--json", "--config", cfg, "--timeout", "20s"); code != 3 || !strings.Contains(out, `"dialect jsonapi"`) {
		t.Errorf("file: exit %d", code)
	}
}
