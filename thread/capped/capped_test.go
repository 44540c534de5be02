package capped

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

func TestReadAllCaps(t *testing.T) {
	for _, n := range []int{0, 1, 1023, 1024} {
		b, err := ReadAll(bytes.NewReader(make([]byte, n)), 1024)
		if err != nil || len(b) != n {
			t.Errorf("%d bytes under a 1 KiB cap: %d, %v", n, len(b), err)
		}
	}
	for _, n := range []int{1025, 1 << 20} {
		_, err := ReadAll(bytes.NewReader(make([]byte, n)), 1024)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "input larger than 1 KiB") {
			t.Errorf("%d bytes under a 1 KiB cap: %v", n, err)
		}
	}
	if err := TooLarge(4 << 20); err.Error() != "input larger than 4 MiB" {
		t.Errorf("message %q", err)
	}
}

// TestReadFileDevicesAndPipes: /dev/zero (size 0, endless) and a pipe
// whose writer never stops are cut at the cap; a pipe whose writer never
// writes returns when the context ends.
func TestReadFileDevicesAndPipes(t *testing.T) {
	if _, err := ReadFile(context.Background(), "/dev/zero", 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Errorf("/dev/zero: %v", err)
	}
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		topologytest.SkipOrFail(t, "mkfifo: %v", err)
	}
	done := make(chan struct{})
	go func() { // endless writer, until the reader hangs up
		defer close(done)
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		buf := make([]byte, 64<<10)
		for i := 0; i < 1<<14; i++ {
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	}()
	if _, err := ReadFile(context.Background(), fifo, 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Errorf("endless pipe: %v", err)
	}
	<-done
	go func() { // a writer that opens and then says nothing
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			<-time.After(10 * time.Second)
			w.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := ReadFile(ctx, fifo, 1<<20); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("silent pipe: %v, want the context's error", err)
	}
	if _, err := ReadFile(context.Background(), t.TempDir(), 10); err == nil {
		t.Error("a directory read as a file")
	}
}
