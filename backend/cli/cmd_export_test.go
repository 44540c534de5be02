package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/export"
	"github.com/threadmap/threadmap/thread/topology"
)

func exportFixture(t *testing.T) (string, *topology.Snapshot) {
	t.Helper()
	s := topology.New(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	s.Network = topology.Network{Name: "Export Home", ExtPanID: "dead00beef00cafe", Channel: 15, LeaderRouterID: topology.Ptr(1)}
	mode := func(m string) *topology.Mode { md, _ := topology.ParseMode(m); return &md }
	s.Nodes = []topology.Node{
		{ID: "1111111111111111", ExtAddr: "1111111111111111", Rloc16: topology.Ptr(topology.Rloc16(0x0400)), Mode: mode("rdn"), Name: "Hall router", IPv6: []string{"fd11:22::ff:fe00:400"}, Sources: []string{"test"}},
		{ID: "2222222222222222", ExtAddr: "2222222222222222", Rloc16: topology.Ptr(topology.Rloc16(0x0800)), Mode: mode("rdn"), Sources: []string{"test"}},
		{ID: "3333333333333333", ExtAddr: "3333333333333333", Rloc16: topology.Ptr(topology.Rloc16(0x0801)), Mode: mode("-"), Sources: []string{"test"}},
	}
	s.Links = []topology.Link{{Kind: topology.LinkRouter, A: "1111111111111111", B: "2222222222222222", LQIn: topology.Ptr(3), LQOut: topology.Ptr(1)}}
	topology.Normalize(s)
	path := filepath.Join(t.TempDir(), "tm.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	old := *s
	old.TakenAt = s.TakenAt.Add(-time.Hour)
	if _, err := st.Put(&old); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(s); err != nil {
		t.Fatal(err)
	}
	return path, s
}

func TestExportFormats(t *testing.T) {
	db, snap := exportFixture(t)
	dir := t.TempDir()
	for _, f := range export.Formats {
		t.Run(string(f), func(t *testing.T) {
			out := filepath.Join(dir, "x."+f.Ext())
			_, stderr, code := runCLI(t, "export", "--db", db, "--snapshot", "2", "--format", string(f), "--out", out)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := export.Bytes(snap, f, export.Options{})
			if !bytes.Equal(b, want) {
				t.Fatalf("%s export differs from the package's", f)
			}
			if f == export.JSON || f == export.CBOR {
				back, err := export.Import(bytes.NewReader(b))
				if err != nil || !reflect.DeepEqual(back, snap) {
					t.Fatalf("import of the export: %v", err)
				}
			}
		})
	}
}

func TestExportStdoutLatestRedact(t *testing.T) {
	db, snap := exportFixture(t)
	out, stderr, code := runCLIEnv(t, "", map[string]string{"THREADMAP_DB": db}, "export", "--snapshot", "latest")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, err := topology.DecodeJSON(strings.NewReader(out))
	if err != nil || !reflect.DeepEqual(got, snap) {
		t.Fatalf("latest json export: %v", err)
	}
	out, _, code = runCLI(t, "export", "--db", db, "--snapshot", "1", "--format", "dot", "--redact")
	if code != 0 || !strings.Contains(out, "graph ") {
		t.Fatalf("redacted dot: exit %d\n%s", code, out)
	}
	for _, leak := range []string{"1111111111111111", "Export Home", "Hall router", "fd11:22", "dead00beef00cafe"} {
		if strings.Contains(out, leak) {
			t.Errorf("redacted export leaks %q", leak)
		}
	}
	csvDir := t.TempDir()
	if _, stderr, code := runCLI(t, "export", "--db", db, "--snapshot", "2", "--format", "csv", "--out", csvDir); code != 0 {
		t.Fatalf("csv into a directory: exit %d %s", code, stderr)
	}
	nodes, err := os.ReadFile(filepath.Join(csvDir, "nodes.csv"))
	if err != nil || strings.Count(string(nodes), "\n") != 4 {
		t.Errorf("nodes.csv: %v\n%s", err, nodes)
	}
	if _, err := os.Stat(filepath.Join(csvDir, "links.csv")); err != nil {
		t.Error(err)
	}
}

func TestExportErrors(t *testing.T) {
	db, _ := exportFixture(t)
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"export", "--db", db}, 2, "usage"},
		{[]string{"export", "--db", db, "--snapshot", "1", "--format", "png"}, 2, `format "png"`},
		{[]string{"export", "--db", db, "--snapshot", "abc"}, 2, "not a snapshot id"},
		{[]string{"export", "--db", db, "--snapshot", "9"}, 1, "not found"},
		{[]string{"export", "--db", filepath.Join(t.TempDir(), "none.db"), "--snapshot", "1"}, 1, "no snapshot store"},
		{[]string{"export", "--db", db, "--snapshot", "1", "stray"}, 2, "unexpected arguments"},
	}
	for _, c := range cases {
		_, stderr, code := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.msg)
		}
	}
	// A running serve holds the write lock: the export says so.
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, stderr, code := runCLI(t, "export", "--db", db, "--snapshot", "1")
	if code != 1 || !strings.Contains(stderr, "in use") {
		t.Errorf("locked store: exit %d %q", code, stderr)
	}
}
