// Package netnstest puts a simulated Thread mesh on real IPv6 addresses
// for tests: two network namespaces made for the test ("host", a machine
// inside the mesh, and "mesh", every simulated node on its RLOC address)
// joined by a veth pair, all in the mesh-local /64 (fd00::/8). Names are
// unique per run and the namespaces are deleted when the test ends.
// Needs root: without it the test is skipped, or fails when CI is set.
package netnstest

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/threadmap/threadmap/thread/internal/netns"
	"github.com/threadmap/threadmap/thread/threadsim"
)

// Pair is the two namespaces and their veth ends.
type Pair struct {
	// Host and Mesh are the namespace names.
	Host, Mesh string
	// HostIf and MeshIf are the veth interfaces inside them.
	HostIf, MeshIf string
	// HostAddr is the host's mesh-local address (prefix::1).
	HostAddr netip.Addr
}

// NeedRoot skips the test without root (fails it when CI is set).
func NeedRoot(t testing.TB) {
	t.Helper()
	netns.NeedRoot(t)
}

// New makes the namespaces, the veth and the addresses: the mesh side
// gets every node's RLOC address and the leader ALOC, the host prefix::1.
func New(t testing.TB, m *threadsim.Mesh) *Pair {
	t.Helper()
	NeedRoot(t)
	_, tag := netns.Tag(t)
	p := &Pair{Host: "tmfh-" + tag, Mesh: "tmfm-" + tag, HostIf: "tmh" + tag, MeshIf: "tmm" + tag}
	var a [16]byte
	copy(a[:8], m.Network.MeshLocalPrefix[:])
	a[15] = 1
	p.HostAddr = netip.AddrFrom16(a)

	netns.Add(t, p.Host, p.Mesh)
	netns.Veth(t, p.HostIf, p.Host, p.MeshIf, p.Mesh)
	var b strings.Builder
	fmt.Fprintf(&b, "link set lo up\nlink set %s up\n", p.MeshIf)
	for _, addr := range m.AddrsToAssign() {
		fmt.Fprintf(&b, "addr add %s/64 dev %s nodad\n", addr, p.MeshIf)
	}
	netns.IP(t, b.String(), "-n", p.Mesh, "-batch", "-")
	netns.IP(t, fmt.Sprintf("link set lo up\nlink set %s up\naddr add %s/64 dev %s nodad\n", p.HostIf, p.HostAddr, p.HostIf),
		"-n", p.Host, "-batch", "-")
	return p
}

// In runs f with the calling goroutine's OS thread in namespace ns.
// Sockets f opens stay in ns after it returns; goroutines f starts do not
// run in ns, so f must open every socket itself.
func In(t testing.TB, ns string, f func()) {
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
			// Leave the thread locked: it ends with the goroutine instead
			// of running others in the wrong namespace.
			t.Errorf("setns back: %v", err)
			return
		}
		runtime.UnlockOSThread()
	}()
	f()
}

// StartMesh starts the mesh's TMF servers inside the mesh namespace, on
// the real addresses; they stop when the test ends.
func (p *Pair) StartMesh(t testing.TB, m *threadsim.Mesh, opts threadsim.ServeOptions) *threadsim.Sim {
	t.Helper()
	opts.Interface = p.MeshIf
	var sim *threadsim.Sim
	var err error
	In(t, p.Mesh, func() { sim, err = m.Start(context.Background(), opts) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

// Mesh generates a mesh with opts, makes the namespaces for it (New) and
// serves it there with serve (StartMesh). The root check comes first, so
// without root nothing is generated before the test is skipped (or fails,
// when CI is set).
func Mesh(t testing.TB, opts threadsim.Options, serve threadsim.ServeOptions) (*threadsim.Mesh, *Pair) {
	t.Helper()
	NeedRoot(t)
	m, err := threadsim.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	p := New(t, m)
	p.StartMesh(t, m, serve)
	return m, p
}
