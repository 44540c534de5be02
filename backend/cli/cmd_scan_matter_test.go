package cli

import (
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/matter/mattersim/mattersimtest"
)

// scan --matter-server against the simulator serving the mesh the
// fixture dumps describe (a real WebSocket on loopback).
func TestScanMatterServer(t *testing.T) {
	truth, _ := runJSON(t, "import", "--from", "matter-dump", filepath.Join(matterFixtures, "eve_shutter.json"), "--json")
	_, addr := mattersimtest.Serve(t, truth)

	got, _ := runJSON(t, "scan", "--matter-server", addr, "--json")
	if got.Network.Key() != "a748dbb0ecc944dc" || got.Node("5a2e7ff293f479d6") == nil || got.Node("5a2e7ff293f479d6").Name != "Eve Shutter Switch 20ECI1701" {
		t.Errorf("scan: network %s node %+v", got.Network.Key(), got.Node("5a2e7ff293f479d6"))
	}
	if diff := truth.Shape().Diff(got.Shape()); len(diff) > 0 {
		t.Errorf("scan differs from the served mesh:\n%s", strings.Join(diff, "\n"))
	}
}

func TestScanMatterServerErrors(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	_, errs, code := runCLI(t, "scan", "--matter-server", addr, "--timeout", "5s")
	if code != 1 || !strings.Contains(errs, "cannot connect") {
		t.Errorf("absent server: exit %d: %s", code, errs)
	}
	_, errs, code = runCLI(t, "scan", "--matter-server", "ftp://x")
	if code != 2 || !strings.Contains(errs, "want ws://") {
		t.Errorf("bad URL: exit %d: %s", code, errs)
	}
}
