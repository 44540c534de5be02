package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

var matterFixtures = topologytest.Fixtures("matter_nodes", "ha_core")

func TestImportMatterDumpDirectory(t *testing.T) {
	snap, _ := runJSON(t, "import", "--from", "matter-dump", matterFixtures, "--json")
	// The largest network: ext PAN ID 12054125955590472924 "MyHome".
	if snap.Network.ExtPanID != "a748dbb0ecc944dc" || snap.Network.Name != "MyHome" {
		t.Errorf("network %+v", snap.Network)
	}
	n := snap.Node("de33f946aea695cc")
	if n == nil || n.Parent == nil || *n.Parent != "b288ebbc27457e4b" || n.Name != "Eve Thermo 20ECD1701" {
		t.Errorf("eve thermo: %+v", n)
	}
	notes := strings.Join(snap.Scan.Sources[0].Notes, "\n")
	if !strings.Contains(notes, "also in these dumps: network efc653eaf6d8486e") {
		t.Errorf("other networks not named: %s", notes)
	}
}

func TestImportMatterDumpFileAndTable(t *testing.T) {
	out, errs, code := runCLI(t, "import", "--from", "matter-dump", filepath.Join(matterFixtures, "eve_energy_20ecn4101.json"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "2e466e52243a02dd") || !strings.Contains(out, "Eve Energy 20ECN4101 (Eve Systems)") {
		t.Errorf("table:\n%s", out)
	}
}

func TestImportMatterDumpErrors(t *testing.T) {
	for _, c := range []struct {
		path, want string
	}{
		{"/nonexistent/dump.json", "no such file"},
		{filepath.Join(matterFixtures, "aqara_u200.json"), "no Matter node on a Thread network"},
	} {
		_, errs, code := runCLI(t, "import", "--from", "matter-dump", c.path)
		if code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", c.path, code, errs, c.want)
		}
	}
}
