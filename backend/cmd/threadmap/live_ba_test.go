package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/commissioner"
	"github.com/threadmap/threadmap/thread/otlab"
	"github.com/threadmap/threadmap/thread/threadsim/netnstest"
	"github.com/threadmap/threadmap/thread/topology"
)

// liveBin builds threadmap once per test binary for the live tests.
var liveBin = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "threadmap-live-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "threadmap")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func needBin(t testing.TB) string {
	t.Helper()
	bin, err := liveBin()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// runInLAN runs threadmap with args in the lab's LAN namespace and returns
// stdout, stderr, exit status and how long it ran.
func runInLAN(t testing.TB, lab *otlab.Lab, timeout time.Duration, env []string, args ...string) (string, string, int, time.Duration) {
	t.Helper()
	return labRunEnv(t, lab, needBin(t), timeout, env, args...)
}

// liveTruth is every node's own view in threadmap's words; an FTD child's
// role follows what the code gives one whose router eligibility TMF
// cannot tell.
func liveTruth(t testing.TB, lab *otlab.Lab) topology.Shape {
	t.Helper()
	ftd := topology.ChildRole(topology.Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true})
	sh, err := lab.MustTruth(t).Shape(otlab.ShapeOptions{FTDChildRole: ftd})
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

func baAddr(port int) string { return net.JoinHostPort(otlab.BorderRouterAddr, strconv.Itoa(port)) }

func decodeScan(t testing.TB, out, errs string) *topology.Snapshot {
	t.Helper()
	snap, err := topology.DecodeJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("scan output: %v\nstdout %q\nstderr %s", err, out, errs)
	}
	return snap
}

// TestLiveScanBorderAgent: from the LAN namespace, `threadmap scan
// --border-agent [fd00:1ab::1]:PORT --pskc HEX --json` maps the real mesh
// through the real border router's Border Agent and equals every node's own
// view (ext address, RLOC16 and role of every node, every parent-child
// pair, every router link); `scan --otbr` on the same mesh is timed beside
// it.
func TestLiveScanBorderAgent(t *testing.T) {
	needBin(t) // build before taking the lab: others wait for it
	lab := otlab.Need(t)
	port, pskc := lab.BAPort(t), lab.PSKc(t)
	want := liveTruth(t, lab)
	out, errs, code, took := runInLAN(t, lab, 3*time.Minute, nil, "scan", "--border-agent", baAddr(port), "--pskc", pskc, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	snap := decodeScan(t, out, errs)
	if diff := want.Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("scan --border-agent differs from the nodes' own view: %v", diff)
	}
	if snap.Network.Name != otlab.NetworkName || snap.Network.ExtPanID != otlab.ExtPanID || snap.Network.MeshLocalPrefix != otlab.MeshLocal {
		t.Errorf("network %+v", snap.Network)
	}
	if strings.Contains(out+errs, pskc) {
		t.Error("the PSKc is in the scan's output")
	}
	t.Logf("scan --border-agent: %v (%+v)", took.Round(time.Millisecond), snap.Scan.Sources)
	_, oerrs, ocode, otook := runInLAN(t, lab, 5*time.Minute, nil, "scan", "--otbr", lab.RESTURL(), "--json")
	if ocode != 0 {
		t.Fatalf("scan --otbr: exit %d: %s", ocode, oerrs)
	}
	t.Logf("scan --otbr: %v; border agent / OTBR REST = %.2f", otook.Round(time.Millisecond), took.Seconds()/otook.Seconds())
}

// TestLiveScanEphemeralKey: after `ba ephemeralkey start`, discover from
// the LAN lists the `_meshcop-e._udp` port, and a scan keyed by the
// ephemeral key on that port equals the nodes' own view.
func TestLiveScanEphemeralKey(t *testing.T) {
	needBin(t) // build before taking the lab: others wait for it
	lab := otlab.Need(t)
	want := liveTruth(t, lab)
	lab.MustCLI(t, "br", "ba ephemeralkey start 123456789 60000")
	defer lab.CLI(context.Background(), "br", "ba ephemeralkey stop")
	eport, err := strconv.Atoi(strings.TrimSpace(lab.MustCLI(t, "br", "ba ephemeralkey port")))
	if err != nil || eport <= 0 {
		t.Fatalf("ba ephemeralkey port: %v", err)
	}
	out, errs, code, _ := runInLAN(t, lab, time.Minute, nil, "discover", "--mdns-iface", otlab.LANIface, "--timeout", "4s", "--json")
	if code != 0 {
		t.Fatalf("discover: exit %d: %s", code, errs)
	}
	var disc struct {
		BRs []struct {
			Port             int `json:"port"`
			EphemeralKeyPort int `json:"ephemeral_key_port"`
		} `json:"border_routers"`
	}
	if err := json.Unmarshal([]byte(out), &disc); err != nil {
		t.Fatalf("discover: %v\n%s", err, out)
	}
	if len(disc.BRs) != 1 || disc.BRs[0].EphemeralKeyPort != eport || disc.BRs[0].Port != lab.BAPort(t) {
		t.Errorf("discover does not show the ephemeral key's port %d:\n%s", eport, out)
	}
	out, errs, code, took := runInLAN(t, lab, 3*time.Minute, nil, "scan", "--border-agent", baAddr(eport), "--ephemeral-key", "123456789", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	snap := decodeScan(t, out, errs)
	if diff := want.Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("scan --ephemeral-key differs from the nodes' own view: %v", diff)
	}
	t.Logf("scan --ephemeral-key: %v", took.Round(time.Millisecond))
}

// TestLiveScanWrongPSKc: a wrong PSKc fails the handshake with a clear
// error, long before the scan's deadline.
func TestLiveScanWrongPSKc(t *testing.T) {
	needBin(t) // build before taking the lab: others wait for it
	lab := otlab.Need(t)
	wrong := "00112233445566778899aabbccddeeff"
	out, errs, code, took := runInLAN(t, lab, time.Minute, nil, "scan", "--border-agent", baAddr(lab.BAPort(t)), "--pskc", wrong,
		"--json", "--timeout", "40s")
	if code != 1 || out != "" || !strings.Contains(errs, "DTLS handshake") || !strings.Contains(errs, "wrong PSKc") {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errs)
	}
	if took > 30*time.Second {
		t.Errorf("the wrong key took %v to fail", took)
	}
	t.Logf("wrong PSKc failed in %v: %s", took.Round(time.Millisecond), strings.TrimSpace(errs))
}

// TestLiveScanSecondCommissioner: while another commissioner holds the
// network, the scan is refused with a message naming it.
func TestLiveScanSecondCommissioner(t *testing.T) {
	needBin(t) // build before taking the lab: others wait for it
	lab := otlab.Need(t)
	port, pskc := lab.BAPort(t), lab.PSKc(t)
	var nc net.Conn
	var err error
	netnstest.In(t, otlab.LANNS, func() { nc, err = net.Dial("udp", baAddr(port)) })
	if err != nil {
		t.Fatal(err)
	}
	cred, err := commissioner.ParsePSKc(pskc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	other, err := commissioner.DialConn(ctx, nc, cred, commissioner.Config{CommissionerID: "installer laptop"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Petition(ctx); err != nil {
		t.Fatal(err)
	}
	out, errs, code, _ := runInLAN(t, lab, time.Minute, nil, "scan", "--border-agent", baAddr(port), "--pskc", pskc, "--json")
	if code != 1 || out != "" || !strings.Contains(errs, `another commissioner ("installer laptop") is active`) {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errs)
	}
	t.Logf("refused: %s", strings.TrimSpace(errs))
}

// TestLiveScanBorderRouterStopped: the border router stops in the middle
// of the scan (otbr-agent, a process the lab started, gets SIGTERM); the
// scan ends at once with a clear error and prints no map.
func TestLiveScanBorderRouterStopped(t *testing.T) {
	needBin(t) // build before taking the lab: others wait for it
	lab := otlab.Need(t)
	lab.MarkDirty()
	port, pskc := lab.BAPort(t), lab.PSKc(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Asking sleepy children directly keeps the session busy for tens of
	// seconds: the border router stops while it is.
	cmd := lab.InLAN(ctx, needBin(t), "scan", "--border-agent", baAddr(port), "--pskc", pskc, "--children", "all", "--json")
	cmd.Env = append(os.Environ(), "THREADMAP_PROGRESS=1")
	var out bytes.Buffer
	cmd.Stdout = &out
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var errs strings.Builder
	killed := false
	var killedAt time.Time
	sc := bufio.NewScanner(stderr)
	sc.Split(scanCROrLF)
	for sc.Scan() {
		line := sc.Text()
		errs.WriteString(line + "\n")
		if !killed && strings.Contains(line, "(children)") {
			pid, err := os.ReadFile(filepath.Join(lab.Run, "otbr", "otbr.pid"))
			if err != nil {
				t.Fatal(err)
			}
			n, err := strconv.Atoi(strings.TrimSpace(string(pid)))
			if err != nil {
				t.Fatal(err)
			}
			if err := syscall.Kill(n, syscall.SIGTERM); err != nil {
				t.Fatalf("stop otbr-agent %d: %v", n, err)
			}
			killed, killedAt = true, time.Now()
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("the scan never reached its children phase: %v\n%s", err, errs.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	took := time.Since(killedAt)
	if code != 1 || out.Len() != 0 || !strings.Contains(errs.String(), "session ended during the crawl") {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, out.String(), errs.String())
	}
	if took > 30*time.Second {
		t.Errorf("the scan took %v to notice", took)
	}
	t.Logf("ended %v after the border router stopped: %s", took.Round(time.Millisecond), lastLine(errs.String()))
}

// BenchmarkLiveBorderAgentVsOTBR times, on the lab's real mesh and from its
// LAN namespace, `scan --border-agent` (DTLS handshake with OpenThread's
// Border Agent, petition, the crawl through its UDP proxy, resign) against
// `scan --otbr` (otbr-agent's REST API, one diagnostic task per device) in
// the same run, and reports both and their ratio. Both maps must equal the
// nodes' own view.
func BenchmarkLiveBorderAgentVsOTBR(b *testing.B) {
	needBin(b)
	lab := otlab.Need(b)
	port, pskc := lab.BAPort(b), lab.PSKc(b)
	want := liveTruth(b, lab)
	var dBA, dREST time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, args := range [][]string{{"--border-agent", baAddr(port), "--pskc", pskc}, {"--otbr", lab.RESTURL()}} {
			out, errs, code, took := runInLAN(b, lab, 5*time.Minute, nil, append(append([]string{"scan"}, args...), "--json")...)
			if code != 0 {
				b.Fatalf("scan %s: exit %d: %s", args[0], code, errs)
			}
			if diff := want.Diff(decodeScan(b, out, errs).Shape()); len(diff) > 0 {
				b.Fatalf("scan %s differs from the nodes' own view: %v", args[0], diff)
			}
			if args[0] == "--otbr" {
				dREST += took
			} else {
				dBA += took
			}
		}
	}
	f := float64(b.N)
	b.ReportMetric(dBA.Seconds()/f, "border-agent-s")
	b.ReportMetric(dREST.Seconds()/f, "otbr-rest-s")
	b.ReportMetric(dREST.Seconds()/dBA.Seconds(), "otbr-rest/border-agent")
}

// scanCROrLF splits progress lines (\r) and lines (\n) alike.
func scanCROrLF(data []byte, atEOF bool) (int, []byte, error) {
	for i, b := range data {
		if b == '\n' || b == '\r' {
			return i + 1, data[:i], nil
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
