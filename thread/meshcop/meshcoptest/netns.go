// Package meshcoptest runs mDNS tests between two network namespaces the
// test creates (joined by a veth pair), so no multicast ever leaves on this
// machine's real interfaces. It also holds the helper-process side: a test
// binary re-executed inside a namespace advertises simulated border routers
// or browses for them.
package meshcoptest

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/internal/netns"
)

// NetnsPair is two network namespaces joined by a veth pair. Each end has an
// IPv6 link-local address and an fd00::/8 address; no IPv4 address, so the
// only mDNS that flows is IPv6 (ff02::fb) between the two namespaces.
type NetnsPair struct {
	A, B         string // namespace names
	IfA, IfB     string // the veth end inside A and inside B
	AddrA, AddrB netip.Addr
}

// NewNetnsPair creates the namespaces and removes them when the test ends.
// It needs root and iproute2: without them the test fails when the CI
// variable is set and is skipped otherwise.
func NewNetnsPair(t testing.TB) *NetnsPair {
	t.Helper()
	netns.NeedRoot(t)
	_, id := netns.Tag(t)
	p := &NetnsPair{
		A: "tm-mdns-" + id + "-a", B: "tm-mdns-" + id + "-b",
		IfA: "tm" + id + "a", IfB: "tm" + id + "b",
		AddrA: netip.MustParseAddr("fd00:7d:" + id[:4] + "::1"), AddrB: netip.MustParseAddr("fd00:7d:" + id[:4] + "::2"),
	}
	run := func(args ...string) {
		t.Helper()
		netns.IP(t, "", args...)
	}
	netns.Add(t, p.A, p.B)
	for _, ns := range []string{p.A, p.B} {
		// No duplicate address detection: addresses are usable at once.
		run("netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
		run("-n", ns, "link", "set", "lo", "up")
	}
	netns.Veth(t, p.IfA, p.A, p.IfB, p.B)
	for _, e := range []struct {
		ns, ifc string
		a6      netip.Addr
	}{{p.A, p.IfA, p.AddrA}, {p.B, p.IfB, p.AddrB}} {
		run("-n", e.ns, "addr", "add", e.a6.String()+"/64", "dev", e.ifc, "nodad")
		run("-n", e.ns, "link", "set", e.ifc, "up")
	}
	// Wait (bounded) until both ends have their link-local address.
	deadline := time.Now().Add(5 * time.Second)
	for _, e := range []struct{ ns, ifc string }{{p.A, p.IfA}, {p.B, p.IfB}} {
		for {
			out, _ := exec.Command("ip", "-n", e.ns, "-6", "addr", "show", "dev", e.ifc, "scope", "link").Output()
			if bytes.Contains(out, []byte("fe80::")) && !bytes.Contains(out, []byte("tentative")) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s in %s got no link-local address", e.ifc, e.ns)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return p
}

// SelfCommand re-executes this test binary inside namespace ns, running
// only the test named testName (which must hand over to the helper), with
// extra environment entries.
func SelfCommand(ctx context.Context, ns, testName string, env ...string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("test binary: %w", err)
	}
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, self, "-test.run=^"+testName+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	return cmd, nil
}
