package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/topology"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// run runs bin with args and returns stdout, stderr and the exit status.
func run(t *testing.T, bin string, stdout *os.File, args ...string) (string, string, int) {
	t.Helper()
	return runEnv(t, bin, stdout, "THREADMAP_PROGRESS=", args...)
}

// runEnv is run with one more environment variable.
func runEnv(t *testing.T, bin string, stdout *os.File, env string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "THREADMAP_DB=", env)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdout != nil {
		cmd.Stdout = stdout
	}
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// seedCLIStore stores two snapshots of the demo mesh, the second with one child
// moved to another router, and returns the file, the network key and the
// moved child's id.
func seedCLIStore(t *testing.T, dir string) (string, *topology.Snapshot, string) {
	m, err := threadsim.Generate(threadsim.Options{Seed: 1, Nodes: 24, NetworkName: "ThreadmapDemo"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cli.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := m.Truth()
	a.TakenAt = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if _, err := st.Put(a); err != nil {
		t.Fatal(err)
	}
	b := m.Truth()
	b.TakenAt = a.TakenAt.Add(time.Hour)
	var moved string
	for i := range b.Nodes {
		n := &b.Nodes[i]
		if n.Parent == nil || moved != "" {
			continue
		}
		for _, r := range b.Nodes {
			if r.Role.IsRouterRole() && r.ID != *n.Parent {
				for j := range b.Links {
					if b.Links[j].Kind == topology.LinkChild && b.Links[j].B == n.ID {
						b.Links[j].A = r.ID
					}
				}
				n.Parent, moved = topology.Ptr(r.ID), n.ID
				break
			}
		}
	}
	if _, err := st.Put(b); err != nil {
		t.Fatal(err)
	}
	return path, b, moved
}

// pty opens a pseudo-terminal and returns its terminal end.
func pty(t *testing.T) *os.File {
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		topologytest.SkipOrFail(t, "no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		topologytest.SkipOrFail(t, "unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		topologytest.SkipOrFail(t, "pty number: %v", err)
	}
	slave, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		topologytest.SkipOrFail(t, "open pty: %v", err)
	}
	t.Cleanup(func() { slave.Close() })
	go io.Copy(io.Discard, master) // a terminal's reader: writes never block
	return slave
}

// TestCommandLine runs the threadmap binary as a user would: the command
// list for --help, -h on every command, no doubled prefixes, the store
// commands (snapshots, changes, name, report, export --network name:X),
// and binary exports refused on a terminal.
func TestCommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := buildThreadmap(t, dir)
	for _, h := range []string{"--help", "-h", "help"} {
		out, _, code := run(t, bin, nil, h)
		if code != 0 || !strings.Contains(out, "usage: threadmap <command>") || !strings.Contains(out, "snapshots") || strings.Contains(out, "-allowed-host") {
			t.Errorf("threadmap %s: status %d, output:\n%s", h, code, out)
		}
	}
	for _, c := range []string{"serve", "scan", "import", "decode", "discover", "export", "sim", "snapshots", "changes", "name", "report", "version"} {
		out, errOut, code := run(t, bin, nil, c, "-h")
		if code != 0 || !strings.HasPrefix(out, "usage: threadmap "+c) || errOut != "" {
			t.Errorf("threadmap %s -h: status %d, stdout %q, stderr %q", c, code, out, errOut)
		}
	}
	_, errOut, code := run(t, bin, nil, "import", "--from", "otbr", filepath.Join(dir, "missing"))
	if code != 1 || strings.Contains(errOut, "import: import") || !strings.HasPrefix(errOut, "threadmap import: ") {
		t.Errorf("doubled prefix: status %d, %q", code, errOut)
	}
	_, errOut, code = run(t, bin, nil, "decode", "nope")
	if code != 2 || strings.Contains(errOut, "decode: decode") {
		t.Errorf("decode nope: status %d, %q", code, errOut)
	}

	db, snap, moved := seedCLIStore(t, dir)
	key := snap.Network.Key()
	out, errOut, code := run(t, bin, nil, "snapshots", "--db", db)
	if code != 0 || !strings.Contains(out, "network "+key+": 2 snapshots") || !strings.Contains(out, "2026-12-01 10:00:00") {
		t.Errorf("snapshots: %d %s %s", code, out, errOut)
	}
	out, errOut, code = run(t, bin, nil, "changes", "--db", db, "--network", "name:ThreadmapDemo")
	if code != 0 || !strings.Contains(out, "parent-changed") || !strings.Contains(out, moved) {
		t.Errorf("changes: %d %s %s", code, out, errOut)
	}
	_, errOut, code = run(t, bin, nil, "changes", "--db", db, "--network", "name:Nope")
	if code != 2 || !strings.Contains(errOut, "name:ThreadmapDemo") {
		t.Errorf("changes of an unknown network: %d %q (want the known ones listed)", code, errOut)
	}
	if out, errOut, code = run(t, bin, nil, "name", "--db", db, moved, "Kitchen plug"); code != 0 || !strings.Contains(out, "Kitchen plug") {
		t.Errorf("name: %d %s %s", code, out, errOut)
	}
	if _, errOut, code = run(t, bin, nil, "name", "--db", db, "rloc:0x4401", "x"); code != 2 || !strings.Contains(errOut, "extended address") {
		t.Errorf("name of an RLOC16-only device: %d %q", code, errOut)
	}
	out, _, _ = run(t, bin, nil, "changes", "--db", db)
	if !strings.Contains(out, "Kitchen plug ("+moved+")") {
		t.Errorf("changes do not show the name:\n%s", out)
	}
	out, errOut, code = run(t, bin, nil, "export", "--db", db, "--snapshot", "latest", "--network", "name:ThreadmapDemo", "--format", "json")
	if code != 0 || !strings.Contains(out, `"user_name": "Kitchen plug"`) {
		t.Errorf("export --network name:X: %d %s", code, errOut)
	}
	html := filepath.Join(dir, "r.html")
	out, errOut, code = run(t, bin, nil, "report", "--db", db, "--since", "1", "-o", html)
	page, _ := os.ReadFile(html)
	if code != 0 || !strings.Contains(string(page), `<svg class="map"`) || !strings.Contains(string(page), "Kitchen plug") || !strings.Contains(string(page), "parent-changed") {
		t.Errorf("report: %d %s %s (%d bytes)", code, out, errOut, len(page))
	}
	if _, errOut, code = run(t, bin, nil, "report", "--db", db, "-o", filepath.Join(dir, "r.txt")); code != 2 || !strings.Contains(errOut, ".pdf") {
		t.Errorf("report -o r.txt: %d %q", code, errOut)
	}
	if out, _, code = run(t, bin, nil, "name", "--db", db, "--clear", moved); code != 0 {
		t.Errorf("name --clear: %d %s", code, out)
	}

	// An import that finds nothing fails, naming what it looked for.
	junk := filepath.Join(dir, "junk")
	os.Mkdir(junk, 0o755)
	os.WriteFile(filepath.Join(junk, "notes.txt"), []byte("hello"), 0o644)
	os.WriteFile(filepath.Join(junk, "other.json"), []byte(`{"x": 1}`), 0o644)
	if _, errOut, code = run(t, bin, nil, "import", "--from", "otbr", junk); code != 1 ||
		!strings.Contains(errOut, "no Thread device found") || !strings.Contains(errOut, "/api/diagnostics") || !strings.Contains(errOut, "notes.txt") {
		t.Errorf("import of unrelated files: %d %q", code, errOut)
	}
	// A single OTBR diagnostics answer joins the stored network of its
	// mesh-local prefix; without one it is not stored as a nameless network.
	rest := filepath.Join("..", "..", "..", "thread", "topology", "topologytest", "testdata", "openthread", "small-current", "otbr-rest")
	one := filepath.Join(rest, "36_GET_api_diagnostics.body")
	idb := filepath.Join(dir, "import.db")
	if _, errOut, code = run(t, bin, nil, "import", "--from", "otbr", one, "--db", idb); code != 1 || !strings.Contains(errOut, "no stored network has its mesh-local prefix fd00:5a11::/64") {
		t.Errorf("lone diagnostics into an empty store: %d %q", code, errOut)
	}
	if _, errOut, code = run(t, bin, nil, "import", "--from", "otbr", rest, "--db", idb); code != 0 || !strings.Contains(errOut, "stored snapshot 1 of network 5a11000000000001") {
		t.Errorf("import of the saved answers: %d %q", code, errOut)
	}
	if _, errOut, code = run(t, bin, nil, "import", "--from", "otbr", one, "--db", idb, "--json"); code != 0 ||
		!strings.Contains(errOut, "stored snapshot 2 of network 5a11000000000001 (joined by its mesh-local prefix fd00:5a11::/64)") {
		t.Errorf("lone diagnostics after them: %d %q", code, errOut)
	}
	if out, _, _ := run(t, bin, nil, "snapshots", "--db", idb); !strings.Contains(out, "network 5a11000000000001: 2 snapshots") {
		t.Errorf("snapshots after the imports:\n%s", out)
	}

	// scan shows a progress line for every source, answering or not.
	sim, err := otbrsim.New(snap, otbr.DialectJSONAPI2026)
	if err != nil {
		t.Fatal(err)
	}
	restURL, stopREST, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stopREST()
	_, errOut, code = runEnv(t, bin, nil, "THREADMAP_PROGRESS=1", "scan", "--otbr", restURL, "--matter-server", "ws://127.0.0.1:1/ws")
	if !strings.Contains(errOut, "otbr "+restURL+": "+strconv.Itoa(len(snap.Nodes))+" nodes, ") ||
		!strings.Contains(errOut, "matter ws://127.0.0.1:1/ws: failed after") {
		t.Errorf("scan progress lines (status %d):\n%s", code, errOut)
	}

	// Binary formats refuse a terminal, but not a file or a pipe.
	tty := pty(t)
	for _, f := range []string{"cbor", "csv"} {
		_, errOut, code := run(t, bin, tty, "export", "--db", db, "--snapshot", "2", "--format", f)
		if code != 2 || !strings.Contains(errOut, "-o FILE") {
			t.Errorf("export --format %s to a terminal: status %d, %q", f, code, errOut)
		}
		out, _, code = run(t, bin, nil, "export", "--db", db, "--snapshot", "2", "--format", f)
		if code != 0 || len(out) == 0 {
			t.Errorf("export --format %s to a pipe: status %d, %d bytes", f, code, len(out))
		}
	}
	if _, _, code := run(t, bin, tty, "export", "--db", db, "--snapshot", "2", "--format", "dot"); code != 0 {
		t.Errorf("export --format dot to a terminal: status %d", code)
	}
}
