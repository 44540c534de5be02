package store

import (
	"errors"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/threadmap/threadmap/store/internal/meshgen"
	"github.com/threadmap/threadmap/thread/topology"
)

func TestNamesSetListDeleteAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "names.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ext, name, err := st.SetName("1A:2B:3C:4D:5E:6F:70:81", "  Kitchen plug ")
	if err != nil || ext != "1a2b3c4d5e6f7081" || name != "Kitchen plug" {
		t.Fatalf("SetName = %q %q %v", ext, name, err)
	}
	if _, _, err := st.SetName("0x00000000000000ff", "Hall – light ☀"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.SetName("1a2b3c4d5e6f7081", "Kitchen plug 2"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Names()
	want := map[string]string{"1a2b3c4d5e6f7081": "Kitchen plug 2", "00000000000000ff": "Hall – light ☀"}
	if err != nil || len(got) != 2 || got["1a2b3c4d5e6f7081"] != want["1a2b3c4d5e6f7081"] || got["00000000000000ff"] != want["00000000000000ff"] {
		t.Fatalf("Names after reopen = %v %v, want %v", got, err, want)
	}
	if _, _, err := st.SetName("1a2b3c4d5e6f7081", "x"); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("SetName on a read-only store: %v", err)
	}
	st.Close()
	st, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if ext, err := st.DeleteName("1a2b3c4d5e6f7081"); err != nil || ext != "1a2b3c4d5e6f7081" {
		t.Fatalf("DeleteName = %q %v", ext, err)
	}
	if _, err := st.DeleteName("1a2b3c4d5e6f7081"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second DeleteName = %v, want ErrNotFound", err)
	}
	if got, _ := st.Names(); len(got) != 1 {
		t.Errorf("after delete: %v", got)
	}
}

func TestSetNameRejects(t *testing.T) {
	st := openTemp(t)
	for _, tc := range []struct{ ext, name, want string }{
		{"rloc:0x4400", "Router", "not 16 hex digits"},
		{"1a2b3c4d5e6f708g", "x", "not hex"},
		{"1a2b3c4d5e6f7081", "   ", "empty"},
		{"1a2b3c4d5e6f7081", strings.Repeat("é", 65), "65 characters, at most 64"},
		{"1a2b3c4d5e6f7081", "two\nlines", "does not print"},
		{"1a2b3c4d5e6f7081", "bell\a", "does not print"},
		{"1a2b3c4d5e6f7081", "bad \xff utf-8", "UTF-8"},
	} {
		if _, _, err := st.SetName(tc.ext, tc.name); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SetName(%q, %q) = %v, want an error saying %q", tc.ext, tc.name, err, tc.want)
		}
	}
	if _, _, err := st.SetName("1a2b3c4d5e6f7081", strings.Repeat("é", 64)); err != nil {
		t.Errorf("64 characters: %v", err)
	}
	if got, _ := st.Names(); len(got) != 1 {
		t.Errorf("names: %v", got)
	}
}

// A snapshot that carries user names (an export imported back) is stored
// without them: names live in the names bucket only.
func TestPutDropsUserNames(t *testing.T) {
	st := openTemp(t)
	snap := meshgen.Generate(rand.New(rand.NewPCG(3, 4)), 20, t0)
	snap.Nodes[2].UserName = "Imported name"
	id, err := st.Put(snap)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Nodes[2].UserName != "Imported name" {
		t.Errorf("Put changed the caller's snapshot")
	}
	got, err := st.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range got.Nodes {
		if n.UserName != "" {
			t.Errorf("stored node %s has user name %q", n.ID, n.UserName)
		}
	}
	named := topology.WithUserNames(got, map[string]string{got.Nodes[1].ExtAddr: "Hall"})
	if named.Nodes[1].UserName != "Hall" || got.Nodes[1].UserName != "" || named.Nodes[2].UserName != "" {
		t.Errorf("WithUserNames: %q (copy) %q (original)", named.Nodes[1].UserName, got.Nodes[1].UserName)
	}
}

// A version-2 file (no names bucket) opens, migrates to 3 and keeps names.
func TestMigrateV2AddsNames(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(small(rand.New(rand.NewPCG(1, 1)), t0, "Two")); err != nil {
		t.Fatal(err)
	}
	// Make it a version-2 file: no names bucket, version 2.
	err = st.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketNames); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keyVersion, []byte{0, 0, 0, 0, 0, 0, 0, 2})
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "needs migrating") {
		t.Errorf("read-only open of a version-2 file: %v", err)
	}
	st, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.SetName("00000000000000aa", "After migration"); err != nil {
		t.Fatal(err)
	}
	if p, err := st.List("name:Two", t0.Add(-1), t0.Add(1), 0, ""); err != nil || len(p.Snapshots) != 1 {
		t.Errorf("snapshot after migration: %+v %v", p, err)
	}
	st.db.View(func(tx *bolt.Tx) error {
		if v, _ := fileVersion(tx); v != 3 {
			t.Errorf("version %d after migration, want 3", v)
		}
		return nil
	})
}

func TestMatchNetwork(t *testing.T) {
	infos := []NetworkInfo{
		{Key: "dead00beef00cafe", Network: topology.Network{Name: "MyHome", ExtPanID: "dead00beef00cafe"}},
		{Key: "1111111111111111", Network: topology.Network{Name: "Twin", ExtPanID: "1111111111111111"}},
		{Key: "2222222222222222", Network: topology.Network{Name: "Twin", ExtPanID: "2222222222222222"}},
		{Key: "name:Lab", Network: topology.Network{Name: "Lab"}},
	}
	for _, tc := range []struct{ spec, want, err string }{
		{"dead00beef00cafe", "dead00beef00cafe", ""},
		{"DEAD00BEEF00CAFE", "dead00beef00cafe", ""},
		{"0xdead00beef00cafe", "dead00beef00cafe", ""},
		{"name:MyHome", "dead00beef00cafe", ""},
		{"name:myhome", "dead00beef00cafe", ""},
		{"name:Lab", "name:Lab", ""},
		{"name:Twin", "", "shared by 1111111111111111, 2222222222222222"},
		{"name:Nope", "", "known: 1111111111111111 (name:Twin), 2222222222222222 (name:Twin), dead00beef00cafe (name:MyHome), name:Lab"},
		{"", "", "4 networks are stored"},
	} {
		got, err := MatchNetwork(infos, tc.spec)
		if got != tc.want || (tc.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("MatchNetwork(%q) = %q, %v; want %q, error with %q", tc.spec, got, err, tc.want, tc.err)
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			t.Errorf("MatchNetwork(%q): %v is not ErrNotFound", tc.spec, err)
		}
	}
	if got, err := MatchNetwork(infos[:1], ""); got != "dead00beef00cafe" || err != nil {
		t.Errorf("the only network: %q %v", got, err)
	}
}

func TestJoinByPrefix(t *testing.T) {
	infos := []NetworkInfo{
		{Key: "dead00beef00cafe", Network: topology.Network{Name: "MyHome", ExtPanID: "dead00beef00cafe", PanID: "0x1234", Channel: 15, MeshLocalPrefix: "fd00:5a11::/64"}},
		{Key: "1111111111111111", Network: topology.Network{Name: "A", ExtPanID: "1111111111111111", MeshLocalPrefix: "fd00:aa::/64"}},
		{Key: "2222222222222222", Network: topology.Network{Name: "B", ExtPanID: "2222222222222222", MeshLocalPrefix: "fd00:aa::/64"}},
	}
	s := &topology.Snapshot{Network: topology.Network{MeshLocalPrefix: "fd00:5a11::/64"}}
	if k := JoinByPrefix(infos, s); k != "dead00beef00cafe" || s.Network.Name != "MyHome" || s.Network.Channel != 15 || s.Network.PanID != "0x1234" {
		t.Errorf("join: %q %+v", k, s.Network)
	}
	for _, tc := range []topology.Network{
		{MeshLocalPrefix: "fd00:aa::/64"}, // two networks have it
		{MeshLocalPrefix: "fd00:bb::/64"}, // none has it
		{},                                // no prefix
		{Name: "Own", MeshLocalPrefix: "fd00:5a11::/64"}, // an identity of its own
	} {
		s := &topology.Snapshot{Network: tc}
		if k := JoinByPrefix(infos, s); k != "" || !reflect.DeepEqual(s.Network, tc) {
			t.Errorf("%+v joined %q: %+v", tc, k, s.Network)
		}
	}
}
