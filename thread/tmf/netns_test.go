package tmf_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// netnsPair is two network namespaces joined by a veth pair: "host" (the
// crawler, a host inside the mesh) and "mesh" (every simulated node on its
// real RLOC address). Names are unique per run; Cleanup deletes both.
type netnsPair struct {
	host, mesh     string
	hostIf, meshIf string
	hostAddr       netip.Addr
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("netns test needs root, and CI is set")
		}
		t.Skip("netns test needs root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("netns test needs iproute2's ip, and CI is set")
		}
		t.Skip("no ip command")
	}
}

func ipCmd(t *testing.T, stdin string, args ...string) {
	t.Helper()
	cmd := exec.Command("ip", args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// newNetnsPair makes the namespaces, the veth and the addresses: the mesh
// side gets every node's RLOC address (and the leader ALOC), the host side
// prefix::1, all in the mesh-local /64 (fd00::/8).
func newNetnsPair(t *testing.T, m *threadsim.Mesh) *netnsPair {
	t.Helper()
	var rb [3]byte
	if _, err := rand.Read(rb[:]); err != nil {
		t.Fatal(err)
	}
	tag := hex.EncodeToString(rb[:])
	p := &netnsPair{host: "tmfh-" + tag, mesh: "tmfm-" + tag, hostIf: "tmh" + tag, meshIf: "tmm" + tag}
	var a [16]byte
	copy(a[:8], m.Network.MeshLocalPrefix[:])
	a[15] = 1
	p.hostAddr = netip.AddrFrom16(a)

	ipCmd(t, "", "netns", "add", p.host)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", p.host).Run() })
	ipCmd(t, "", "netns", "add", p.mesh)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", p.mesh).Run() })
	ipCmd(t, "", "link", "add", p.hostIf, "netns", p.host, "type", "veth", "peer", "name", p.meshIf, "netns", p.mesh)
	var b strings.Builder
	fmt.Fprintf(&b, "link set lo up\nlink set %s up\n", p.meshIf)
	for _, addr := range m.AddrsToAssign() {
		fmt.Fprintf(&b, "addr add %s/64 dev %s nodad\n", addr, p.meshIf)
	}
	ipCmd(t, b.String(), "-n", p.mesh, "-batch", "-")
	ipCmd(t, fmt.Sprintf("link set lo up\nlink set %s up\naddr add %s/64 dev %s nodad\n", p.hostIf, p.hostAddr, p.hostIf),
		"-n", p.host, "-batch", "-")
	return p
}

// inNetns runs f with the calling goroutine's OS thread in namespace ns;
// sockets f opens stay in ns after it returns.
func inNetns(t *testing.T, ns string, f func()) {
	t.Helper()
	runtime.LockOSThread()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		t.Fatal(err)
	}
	defer orig.Close()
	target, err := os.Open("/run/netns/" + ns)
	if err != nil {
		runtime.UnlockOSThread()
		t.Fatal(err)
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		t.Fatalf("setns %s: %v", ns, err)
	}
	defer func() {
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			// Leave the thread locked: it exits with the goroutine instead
			// of serving others in the wrong namespace.
			t.Errorf("setns back: %v", err)
			return
		}
		runtime.UnlockOSThread()
	}()
	f()
}

// The must-show: real IPv6 mesh-local addresses inside namespaces, and a
// multicast DIAG_GET.qry to ff03::2 answered by every simulated router
// (and every REED child: OpenThread FTD children join ff03::2 too).
func TestNetnsMulticastQueryAndCrawl(t *testing.T) {
	needRoot(t)
	m, err := threadsim.Generate(threadsim.Options{Seed: 11, Nodes: 60, Routers: 10})
	if err != nil {
		t.Fatal(err)
	}
	p := newNetnsPair(t, m)

	var sim *threadsim.Sim
	inNetns(t, p.mesh, func() {
		sim, err = m.Start(context.Background(), threadsim.ServeOptions{Interface: p.meshIf, AckTimeout: 200 * time.Millisecond,
			Radio: &threadsim.Radio{HopLatency: time.Millisecond, BitRate: -1}})
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	res, err := tmf.ParsePrefix(m.Network.MeshLocalPrefixString())
	if err != nil {
		t.Fatal(err)
	}
	var cl *tmf.Client
	inNetns(t, p.host, func() {
		cl, err = tmf.NewClient(tmf.ClientConfig{Resolver: res, Interface: p.hostIf, AckTimeout: 200 * time.Millisecond,
			Listen: netip.AddrPortFrom(p.hostAddr, 0).String()})
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })

	// Multicast to all routers, then to all nodes.
	groups := []struct {
		group netip.Addr
		want  map[topology.Rloc16]bool
	}{
		{tmf.AllRouters, map[topology.Rloc16]bool{}},
		{tmf.AllNodes, map[topology.Rloc16]bool{}},
	}
	for _, n := range m.Nodes() {
		if n.Mode.FullThreadDevice {
			groups[0].want[n.Rloc16] = true // routers and REEDs, as in the OpenThread capture
		}
		if !n.IsSleepy() {
			groups[1].want[n.Rloc16] = true // sleepy children are not in ff03::1 (they only poll)
		}
	}
	for _, g := range groups {
		var mu sync.Mutex
		got := map[topology.Rloc16]bool{}
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		err := cl.QueryGroup(ctx, g.group, []diag.Type{diag.TypeExtMacAddress, diag.TypeAddress16},
			func(from netip.AddrPort, a *diag.Message) {
				mu.Lock()
				defer mu.Unlock()
				if a.Address16 == nil {
					t.Errorf("answer from %s without Address16", from)
					return
				}
				// Answers come from the node's real RLOC address.
				if want := m.RlocAddr(*a.Address16); from.Addr() != want || from.Port() != tmf.Port {
					t.Errorf("answer of %s came from %s, want [%s]:%d", a.Address16, from, want, tmf.Port)
				}
				got[*a.Address16] = true
			})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		for r := range g.want {
			if !got[r] {
				t.Errorf("%s: %s did not answer", g.group, r)
			}
		}
		for r := range got {
			if !g.want[r] {
				t.Errorf("%s: %s answered but is not a member", g.group, r)
			}
		}
		mu.Unlock()
		t.Logf("%s: %d answers", g.group, len(got))
	}

	// And the unicast crawl over real addresses gives the true topology.
	c, err := tmf.NewCrawler(tmf.Config{Transport: cl, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	snap, err := c.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := m.Truth().Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("netns crawl differs from truth: %v", diff)
	}
}
