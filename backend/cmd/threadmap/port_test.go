package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServePortInUse runs `threadmap serve` on a loopback port another
// listener holds, with and without --demo: it exits 1 with one line naming
// the address and what to do, and no Go panic or stack trace.
func TestServePortInUse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := buildThreadmap(t, dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	want := "threadmap serve: listen " + addr + ": address already in use (is another threadmap running? use --listen)\n"
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"plain", nil},
		{"demo", []string{"--demo"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			args := append([]string{"serve", "--listen", addr, "--db", filepath.Join(dir, tc.name+".db")}, tc.args...)
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Env = append(os.Environ(), "THREADMAP_TOKEN=", "THREADMAP_LISTEN=", "THREADMAP_DB=", "THREADMAP_CONFIG=")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("exit: %v, want status 1\nstderr:\n%s", err, stderr.String())
			}
			if got := stderr.String(); got != want {
				t.Errorf("stderr:\n%q\nwant the one line\n%q", got, want)
			}
			if strings.Contains(stderr.String(), "goroutine") || strings.Contains(stderr.String(), "panic") {
				t.Errorf("stack trace on stderr:\n%s", stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout: %q, want nothing", stdout.String())
			}
			if _, err := os.Stat(filepath.Join(dir, tc.name+".db")); err == nil {
				t.Errorf("the store file was created although serve could not listen")
			}
		})
	}
}
