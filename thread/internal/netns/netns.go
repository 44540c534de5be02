// Package netns is the part the network-namespace test helpers
// (thread/meshcop/meshcoptest, thread/threadsim/netnstest) share: the root
// check, unique names, running ip, and namespaces and veth pairs that are
// removed when the test ends. Only test-support packages import it.
package netns

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// NeedRoot skips the test unless it runs as root with iproute2's ip at
// hand; when the CI variable is set it fails the test instead (CI runs as
// root, so a skip there would hide the test).
func NeedRoot(t testing.TB) {
	t.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "needs root"
	} else if _, err := exec.LookPath("ip"); err != nil {
		why = "needs iproute2's ip"
	}
	if why == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("netns test %s, and CI is set", why)
	}
	t.Skipf("netns test %s", why)
}

// Tag is three random bytes and their six hex digits, for names and
// addresses that no other run uses at the same time.
func Tag(t testing.TB) ([3]byte, string) {
	t.Helper()
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return b, hex.EncodeToString(b[:])
}

// IP runs `ip args...` with stdin (when not empty) as its input, e.g. a
// `-batch -` script, and fails the test when it fails.
func IP(t testing.TB, stdin string, args ...string) {
	t.Helper()
	cmd := exec.Command("ip", args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// Add creates the namespaces and deletes each when the test ends.
func Add(t testing.TB, names ...string) {
	t.Helper()
	for _, ns := range names {
		IP(t, "", "netns", "add", ns)
		t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	}
}

// Veth joins two namespaces with a veth pair: interface ifA inside nsA,
// ifB inside nsB (both go when their namespace is deleted).
func Veth(t testing.TB, ifA, nsA, ifB, nsB string) {
	t.Helper()
	IP(t, "", "link", "add", ifA, "netns", nsA, "type", "veth", "peer", "name", ifB, "netns", nsB)
}
