package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/commissioner"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/threadsim/netnstest"
	"github.com/threadmap/threadmap/thread/threadsim/simtest"
	"github.com/threadmap/threadmap/thread/topology"
)

// simBorderAgent serves a simulated mesh and its Border Agent on loopback.
func simBorderAgent(t *testing.T, seed int64, nodes int) (*threadsim.Sim, *threadsim.BorderAgent, string) {
	t.Helper()
	return simtest.BorderAgent(t, threadsim.Options{Seed: seed, Nodes: nodes}, threadsim.ServeOptions{}, threadsim.BorderAgentOptions{})
}

// scan --border-agent HOST:PORT --pskc HEX --json: the crawl through the
// simulated Border Agent gives the mesh, and the network's identity from
// MGMT_ACTIVE_GET.
func TestScanBorderAgent(t *testing.T) {
	sim, ba, pskc := simBorderAgent(t, 31, 40)
	snap, _ := runJSON(t, "scan", "--border-agent", ba.Addr().String(), "--pskc", pskc, "--json")
	truth := sim.Mesh().Truth()
	if diff := truth.Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("scan --border-agent differs from the mesh: %v", diff)
	}
	if snap.Network.Name != truth.Network.Name || snap.Network.ExtPanID != truth.Network.ExtPanID ||
		snap.Network.MeshLocalPrefix != truth.Network.MeshLocalPrefix || snap.Network.Channel != truth.Network.Channel {
		t.Errorf("network %+v, want %+v", snap.Network, truth.Network)
	}
	if r := snap.Scan.Sources; len(r) != 1 || r[0].Name != "border-agent" || r[0].Target != ba.Addr().String() {
		t.Errorf("report %+v", r)
	}
}

// The passphrase with the network's name and ext PAN ID, the PSKc from the
// environment, and an ephemeral key on its own port all open the session.
func TestScanBorderAgentCredentials(t *testing.T) {
	sim, ba, pskc := simBorderAgent(t, 33, 12)
	n := sim.Mesh().Network
	truth := sim.Mesh().Truth()
	check := func(name, out string) {
		t.Helper()
		snap := decodeSnap(t, out)
		if diff := truth.Shape().Diff(snap.Shape()); len(diff) > 0 {
			t.Errorf("%s: differs: %v", name, diff)
		}
	}
	out, errs, code := runCLI(t, "scan", "--border-agent", ba.Addr().String(), "--passphrase", threadsim.DefaultPassphrase,
		"--network-name", n.Name, "--ext-pan-id", fmt.Sprintf("%016x", n.ExtPanID), "--json")
	if code != 0 {
		t.Fatalf("passphrase: exit %d: %s", code, errs)
	}
	check("passphrase", out)
	out, errs, code = runCLIEnv(t, "", map[string]string{"THREADMAP_PSKC": pskc}, "scan", "--border-agent", ba.Addr().String(), "--json")
	if code != 0 {
		t.Fatalf("THREADMAP_PSKC: exit %d: %s", code, errs)
	}
	check("THREADMAP_PSKC", out)
	eph, err := ba.StartEphemeralKey("W10X10AB", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	out, errs, code = runCLI(t, "scan", "--border-agent", eph.String(), "--ephemeral-key", "W10X10AB", "--json")
	if code != 0 {
		t.Fatalf("ephemeral key: exit %d: %s", code, errs)
	}
	check("ephemeral key", out)
}

// A wrong PSKc fails with exit 1 and a message that names the cause and
// not the key; a scan while another commissioner is active fails naming
// it; a scan resigns when done.
func TestScanBorderAgentFailures(t *testing.T) {
	sim, ba, pskc := simBorderAgent(t, 35, 8)
	wrong := "ffeeddccbbaa99887766554433221100"
	_, errs, code := runCLI(t, "scan", "--border-agent", ba.Addr().String(), "--pskc", wrong, "--json")
	if code != 1 || !strings.Contains(errs, "wrong PSKc or ephemeral key?") || strings.Contains(errs, wrong) {
		t.Errorf("wrong PSKc: exit %d, stderr %q", code, errs)
	}
	k, _ := sim.Mesh().PSKc(threadsim.DefaultPassphrase)
	other, err := commissioner.Connect(t.Context(), ba.Addr().String(), commissioner.PSKc(k), commissioner.Config{CommissionerID: "installer laptop"})
	if err != nil {
		t.Fatal(err)
	}
	_, errs, code = runCLI(t, "scan", "--border-agent", ba.Addr().String(), "--pskc", pskc, "--json")
	if code != 1 || !strings.Contains(errs, `another commissioner ("installer laptop") is active`) {
		t.Errorf("second commissioner: exit %d, stderr %q", code, errs)
	}
	other.Close()
	if _, errs, code = runCLI(t, "scan", "--border-agent", ba.Addr().String(), "--pskc", pskc); code != 0 {
		t.Fatalf("after the other resigned: exit %d: %s", code, errs)
	}
	if ba.ActiveCommissioner() != "" {
		t.Error("the scan did not resign")
	}
}

func TestScanBorderAgentUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--border-agent", "127.0.0.1:1"}, "exactly one of --pskc HEX, --passphrase P or --ephemeral-key KEY"},
		{[]string{"--border-agent", "127.0.0.1:1", "--pskc", "00", "--ephemeral-key", "123456789"}, "exactly one of"},
		{[]string{"--border-agent", "127.0.0.1", "--pskc", "00112233445566778899aabbccddeeff"}, "want HOST:PORT"},
		{[]string{"--border-agent", "127.0.0.1:1", "--pskc", "0011"}, "32 hexadecimal digits"},
		{[]string{"--border-agent", "127.0.0.1:1", "--passphrase", "J01NME"}, "--passphrase needs the network name and ext PAN ID"},
		{[]string{"--border-agent", "127.0.0.1:1", "--ephemeral-key", "12"}, "6 to 32 characters"},
		{[]string{"--border-agent", "127.0.0.1:1", "--passphrase", "J01NME", "--network-name", "x", "--ext-pan-id", "zz"}, "want 16 hex digits"},
	} {
		_, errs, code := runCLI(t, append([]string{"scan"}, c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errs, c.want)
		}
		if strings.Contains(errs, "00112233445566778899aabbccddeeff") {
			t.Errorf("%v: the key is in the message", c.args)
		}
	}
}

// scan --tmf that no node answers (a LAN host, whose TMF OpenThread drops)
// says why and points to --border-agent. The test's own namespaces: a
// mesh prefix nobody serves.
func TestScanTMFNoAnswerHint(t *testing.T) {
	m, err := threadsim.Generate(threadsim.Options{Seed: 3, Nodes: 4})
	if err != nil {
		t.Fatal(err)
	}
	p := netnstest.New(t, m) // namespaces and routes, but no mesh started
	_, errs, code := runInNetns(t, p.Host, "scan", "--tmf", m.Network.MeshLocalPrefixString(), "--timeout", "3s")
	if code != 1 || !strings.Contains(errs, "OpenThread nodes drop TMF a LAN host sends") || !strings.Contains(errs, "--border-agent HOST:PORT") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func decodeSnap(t *testing.T, out string) *topology.Snapshot {
	t.Helper()
	snap, err := topology.DecodeJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	return snap
}
