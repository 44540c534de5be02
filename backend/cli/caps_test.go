package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// endlessFIFO makes a named pipe a writer fills with fill, max bytes at
// most (bounded: 96 MiB), until the reader hangs up.
func endlessFIFO(t *testing.T, fill byte) string {
	t.Helper()
	fifo := filepath.Join(t.TempDir(), "input")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		topologytest.SkipOrFail(t, "mkfifo: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		buf := make([]byte, 64<<10)
		for i := range buf {
			buf[i] = fill
		}
		for i := 0; i < 96<<4; i++ { // 96 MiB
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		// Unblock a writer still waiting for a reader, then wait for it.
		if r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			r.Close()
		}
		<-done
	})
	return fifo
}

// TestInputCaps is issue 13's reproducer 4: readers had no byte cap that
// held for pipes and character devices (they report size 0), so
// `decode diag|txt /dev/zero` and `import --from matter-dump /dev/urandom`
// read for ever, and a 200 MB dump took gigabytes. Every file input now
// stops at its cap with "input larger than N MiB" (exit 1).
func TestInputCaps(t *testing.T) {
	cases := []struct {
		name string
		args []string
		fill byte
		cap  string
	}{
		{"decode diag", []string{"decode", "diag"}, '0', "1 MiB"},
		{"decode txt", []string{"decode", "txt"}, ' ', "4 MiB"},
		{"import matter-dump", []string{"import", "--from", "matter-dump"}, ' ', "16 MiB"},
		{"import ot-cli", []string{"import", "--from", "ot-cli"}, '\n', "64 MiB"},
		{"import otbr", []string{"import", "--from", "otbr"}, ' ', "64 MiB"},
	}
	for _, c := range cases {
		t.Run("fifo "+c.name, func(t *testing.T) {
			_, errs, code := runCLI(t, append(c.args, endlessFIFO(t, c.fill))...)
			if code != 1 || !strings.Contains(errs, "input larger than "+c.cap) {
				t.Errorf("%s of an endless pipe: exit %d, %q; want exit 1, input larger than %s", c.name, code, errs, c.cap)
			}
		})
	}
	for _, c := range cases {
		for _, dev := range []string{"/dev/zero", "/dev/urandom"} {
			t.Run(dev+" "+c.name, func(t *testing.T) {
				if _, err := os.Stat(dev); err != nil {
					topologytest.SkipOrFail(t, "%v", err)
				}
				_, errs, code := runCLI(t, append(c.args, dev)...)
				want := "input larger than " + c.cap
				if c.name == "import ot-cli" && dev == "/dev/zero" {
					want = "longer than" // one endless line: the line cap comes first
				}
				if code != 1 || !strings.Contains(errs, want) {
					t.Errorf("%s %s: exit %d, %q; want exit 1, input larger than %s", c.name, dev, code, errs, c.cap)
				}
			})
		}
	}
	t.Run("stdin decode diag", func(t *testing.T) {
		_, errs, code := runCLIEnv(t, strings.Repeat("00", 1<<20), nil, "decode", "diag", "-")
		if code != 1 || !strings.Contains(errs, "input larger than 1 MiB") {
			t.Errorf("2 MiB of hex on stdin: exit %d, %q (it was cut at 1 MiB and decoded)", code, errs)
		}
	})
}
