// Package storetest helps tests of code that writes a store: a small disk
// that fills up.
package storetest

import (
	"os"
	"os/exec"
	"testing"
)

// Tmpfs mounts a tmpfs of size (mount's spelling: "1m") on a new temporary
// folder and returns it; it is unmounted when the test ends (register
// cleanups that close files in it after calling Tmpfs). Needs root: without
// it the test is skipped, or fails when CI is set.
func Tmpfs(t testing.TB, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("needs root to mount a tmpfs (CI runs as root)")
		}
		t.Skip("needs root to mount a tmpfs")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}
