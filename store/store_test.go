package store

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/threadmap/threadmap/store/internal/meshgen"
	"github.com/threadmap/threadmap/thread/topology"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "sub", "threadmap.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func small(rng *rand.Rand, at time.Time, name string) *topology.Snapshot {
	s := meshgen.Generate(rng, 20, at)
	s.Network.ExtPanID = ""
	s.Network.Name = name
	return s
}

func TestPutGetRoundTrip(t *testing.T) {
	st := openTemp(t)
	rng := rand.New(rand.NewPCG(1, 2))
	snap := meshgen.Generate(rng, 250, t0)
	id, err := st.Put(snap)
	if err != nil {
		t.Fatal(err)
	}
	if id != "1" || snap.ID != id {
		t.Fatalf("id %q, snap.ID %q; want 1", id, snap.ID)
	}
	got, err := st.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, snap) {
		a, _ := snap.JSON()
		b, _ := got.JSON()
		t.Fatalf("round trip differs:\nput %s\ngot %s", a[:400], b[:400])
	}
	if _, err := st.Get("99"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(99) = %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "0", "01", "x", "-1", "18446744073709551616"} {
		if _, err := st.Get(bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", bad, err)
		}
	}
}

func TestPutRejects(t *testing.T) {
	st := openTemp(t)
	cases := map[string]*topology.Snapshot{
		"nil":      nil,
		"no time":  {Schema: topology.Schema},
		"schema":   {Schema: "other/v9", TakenAt: t0},
		"too late": {TakenAt: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for name, s := range cases {
		if _, err := st.Put(s); err == nil || !strings.HasPrefix(err.Error(), "put snapshot") {
			t.Errorf("%s: err %v, want a put snapshot error", name, err)
		}
	}
}

func TestListLatestNetworks(t *testing.T) {
	st := openTemp(t)
	rng := rand.New(rand.NewPCG(3, 4))
	var homeIDs []string
	for i := 0; i < 25; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		id, err := st.Put(small(rng, at, "Home"))
		if err != nil {
			t.Fatal(err)
		}
		homeIDs = append(homeIDs, id)
		if _, err := st.Put(small(rng, at, "Office")); err != nil {
			t.Fatal(err)
		}
	}
	// Same taken_at twice: both kept, the later id first.
	dup, err := st.Put(small(rng, t0.Add(24*time.Minute), "Home"))
	if err != nil {
		t.Fatal(err)
	}
	homeIDs = append(homeIDs, dup)

	var all []string
	cursor := ""
	for pages := 0; ; pages++ {
		p, err := st.List("name:Home", time.Time{}, time.Time{}, 7, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range p.Snapshots {
			if s.Network != "name:Home" || s.Nodes != 20 || s.Routers == 0 || s.Links == 0 || s.Error != "" {
				t.Errorf("summary %+v", s)
			}
			all = append(all, s.ID)
		}
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	want := make([]string, 0, len(homeIDs))
	want = append(want, dup)
	for i := len(homeIDs) - 2; i >= 0; i-- {
		want = append(want, homeIDs[i])
	}
	if !reflect.DeepEqual(all, want) {
		t.Fatalf("paged listing\n got %v\nwant %v", all, want)
	}

	p, err := st.List("name:Home", t0.Add(5*time.Minute), t0.Add(9*time.Minute), 0, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range p.Snapshots {
		got = append(got, s.ID)
	}
	if w := []string{homeIDs[9], homeIDs[8], homeIDs[7], homeIDs[6], homeIDs[5]}; !reflect.DeepEqual(got, w) || p.NextCursor != "" {
		t.Errorf("range listing %v (cursor %q), want %v", got, p.NextCursor, w)
	}
	if p, _ := st.List("nope", time.Time{}, time.Time{}, 0, ""); len(p.Snapshots) != 0 {
		t.Errorf("unknown network lists %v", p.Snapshots)
	}
	if _, err := st.List("name:Home", time.Time{}, time.Time{}, 0, "garbage!"); err == nil {
		t.Error("bad cursor accepted")
	}

	l, err := st.Latest("name:Home")
	if err != nil || l.ID != dup {
		t.Fatalf("Latest = %v, %v; want %s", l, err, dup)
	}
	if _, err := st.Latest(""); !errors.Is(err, ErrNotFound) {
		t.Errorf("Latest(\"\") with two networks: %v", err)
	}
	nets, err := st.Networks()
	if err != nil || len(nets) != 2 {
		t.Fatalf("Networks = %v, %v", nets, err)
	}
	for _, n := range nets {
		if n.Network.Name == "" || n.Key != n.Network.Key() || n.Snapshots < 25 || n.Latest.TakenAt != t0.Add(24*time.Minute) {
			t.Errorf("network %+v", n)
		}
	}
}

func TestDeleteRetainCompact(t *testing.T) {
	st := openTemp(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 30; i++ {
		for _, name := range []string{"A", "B"} {
			if _, err := st.Put(small(rng, t0.Add(time.Duration(i)*time.Hour), name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := st.Delete("1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get("1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted snapshot: %v", err)
	}
	if err := st.Delete("1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	// 29 left in A, 30 in B; keep 20 newest but nothing older than 15 h.
	n, err := st.Retain(Policy{MaxCount: 20, MaxAge: 15 * time.Hour, Now: t0.Add(29 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if n != 29+30-16-16 {
		t.Errorf("retain deleted %d, want %d", n, 29+30-32)
	}
	for _, net := range []string{"name:A", "name:B"} {
		p, _ := st.List(net, time.Time{}, time.Time{}, 100, "")
		if len(p.Snapshots) != 16 || p.Snapshots[15].TakenAt != t0.Add(14*time.Hour) {
			t.Errorf("%s after retain: %d snapshots, oldest %v", net, len(p.Snapshots), p.Snapshots[len(p.Snapshots)-1].TakenAt)
		}
	}
	before, _ := st.Size()
	if err := st.Compact(filepath.Join(t.TempDir(), "copy.db")); err != nil {
		t.Fatal(err)
	}
	if err := st.Compact(""); err != nil {
		t.Fatal(err)
	}
	after, _ := st.Size()
	if after >= before {
		t.Errorf("compaction: %d → %d bytes", before, after)
	}
	l, err := st.Latest("name:B")
	if err != nil || !l.TakenAt.Equal(t0.Add(29*time.Hour)) {
		t.Fatalf("after compaction Latest = %v, %v", l, err)
	}
	id, err := st.Put(small(rng, t0.Add(31*time.Hour), "A"))
	if err != nil || id != "61" {
		t.Fatalf("put after compaction: id %q, %v (want 61: ids never reused)", id, err)
	}
}

// TestMigrateFromV1 writes a version-1 file by hand (snapshot records and
// the id index, no summaries) and opens it.
func TestMigrateFromV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	rng := rand.New(rand.NewPCG(7, 8))
	c := NewCodec()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, _ := tx.CreateBucket(bucketMeta)
		meta.Put(keyVersion, binary.BigEndian.AppendUint64(nil, 1))
		ids, _ := tx.CreateBucket(bucketIDs)
		nets, _ := tx.CreateBucket(bucketNet)
		nb, _ := nets.CreateBucket([]byte("name:Old"))
		sb, _ := nb.CreateBucket(bucketSnap)
		for i := uint64(1); i <= 3; i++ {
			s := small(rng, t0.Add(time.Duration(i)*time.Minute), "Old")
			s.ID = FormatID(i)
			rec, err := c.encodeSnapshotRecord(s)
			if err != nil {
				return err
			}
			if i == 2 {
				rec[10] ^= 0xff // one unreadable record must not stop the migration
			}
			k := timeKey(s.TakenAt, i)
			sb.Put(k, rec)
			ids.Put(idKey(i), append(k, "name:Old"...))
		}
		return ids.SetSequence(3)
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(path, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "needs migrating") {
		t.Fatalf("read-only open of v1: %v", err)
	}
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.List("name:Old", time.Time{}, time.Time{}, 0, "")
	if err != nil || len(p.Snapshots) != 3 {
		t.Fatalf("list after migration: %+v, %v", p, err)
	}
	for _, s := range p.Snapshots {
		if (s.ID == "2") != (s.Error != "") || (s.ID != "2" && s.Nodes != 20) {
			t.Errorf("migrated summary %+v", s)
		}
	}
	if id, err := st.Put(small(rng, t0, "Old")); err != nil || id != "4" {
		t.Errorf("put after migration: %q %v", id, err)
	}
	if nets, err := st.Networks(); err != nil || len(nets) != 1 || nets[0].Snapshots != 4 {
		t.Errorf("networks after migration: %+v %v", nets, err)
	}
	if err := st.Check(); err == nil || !strings.Contains(err.Error(), "snapshot 2") || strings.Contains(err.Error(), "count") {
		t.Errorf("check after migration: %v (want only the corrupt snapshot 2)", err)
	}
	st.db.View(func(tx *bolt.Tx) error {
		if v, _ := fileVersion(tx); v != CurrentVersion {
			t.Errorf("version %d after migration", v)
		}
		return nil
	})
}

func TestNewerVersionRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v9.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyVersion, binary.BigEndian.AppendUint64(nil, 9))
	})
	st.Close()
	if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("open of a newer file: %v", err)
	}
}

// TestNoSecretFields walks the stored model: no field may hold a network
// key, PSKc or any other credential.
func TestNoSecretFields(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type, string)
	walk = func(ty reflect.Type, path string) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Map {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || seen[ty] {
			return
		}
		seen[ty] = true
		for i := 0; i < ty.NumField(); i++ {
			f := ty.Field(i)
			name := strings.ToLower(f.Name + " " + f.Tag.Get("json"))
			for _, bad := range []string{"networkkey", "network_key", "masterkey", "pskc", "psk", "password", "passphrase", "secret", "credential", "token"} {
				if strings.Contains(name, bad) {
					t.Errorf("%s.%s looks like a secret; the store must never hold one", path, f.Name)
				}
			}
			walk(f.Type, path+"."+f.Name)
		}
	}
	walk(reflect.TypeOf(topology.Snapshot{}), "Snapshot")
	walk(reflect.TypeOf(summaryRecord{}), "summaryRecord")
	if len(seen) < 8 {
		t.Fatalf("walked only %d types", len(seen))
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/x/data")
	if p, _ := DefaultPath(); p != "/x/data/threadmap/threadmap.db" {
		t.Errorf("with XDG_DATA_HOME: %s", p)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/u")
	if p, _ := DefaultPath(); p != "/home/u/.local/share/threadmap/threadmap.db" {
		t.Errorf("without: %s", p)
	}
}

func TestPutBatch(t *testing.T) {
	st := openTemp(t)
	rng := rand.New(rand.NewPCG(11, 11))
	a, b := small(rng, t0, "A"), small(rng, t0.Add(time.Second), "B")
	if _, err := st.PutBatch([]*topology.Snapshot{a, {}}); err == nil {
		t.Fatal("batch with an invalid snapshot stored")
	}
	if nets, _ := st.Networks(); len(nets) != 0 {
		t.Fatalf("a failed batch left %v", nets)
	}
	ids, err := st.PutBatch([]*topology.Snapshot{a, b})
	if err != nil || !reflect.DeepEqual(ids, []string{"1", "2"}) || a.ID != "1" || b.ID != "2" {
		t.Fatalf("PutBatch = %v, %v (ids on snapshots %q %q)", ids, err, a.ID, b.ID)
	}
	if got, err := st.Get("2"); err != nil || !reflect.DeepEqual(got, b) {
		t.Fatalf("Get(2) after batch: %v", err)
	}
}

// TestConcurrent runs writers, readers and an in-place compaction at once
// (run it with -race).
func TestConcurrent(t *testing.T) {
	st := openTemp(t)
	done := make(chan error, 8)
	for w := 0; w < 2; w++ {
		go func(w int) {
			rng := rand.New(rand.NewPCG(uint64(w), 3))
			for i := 0; i < 20; i++ {
				if _, err := st.Put(small(rng, t0.Add(time.Duration(i)*time.Second), "N"+FormatID(uint64(w)))); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}(w)
	}
	for r := 0; r < 2; r++ {
		go func() {
			for i := 0; i < 40; i++ {
				if _, err := st.List("name:N0", time.Time{}, time.Time{}, 10, ""); err != nil {
					done <- err
					return
				}
				if _, err := st.Get("1"); err != nil && !errors.Is(err, ErrNotFound) {
					done <- err
					return
				}
				if _, err := st.Networks(); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	go func() {
		for i := 0; i < 3; i++ {
			if err := st.Compact(""); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < 5; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
	nets, _ := st.Networks()
	if len(nets) != 2 || nets[0].Snapshots != 20 || nets[1].Snapshots != 20 {
		t.Fatalf("networks after concurrent writes: %+v", nets)
	}
}

func TestRetainPolicies(t *testing.T) {
	cases := []struct {
		p    Policy
		kept int // of 10 snapshots a minute apart, the newest at t0+9m
	}{
		{Policy{}, 10},
		{Policy{MaxCount: 3}, 3},
		{Policy{MaxCount: 30}, 10},
		{Policy{MaxAge: 4*time.Minute + time.Second, Now: t0.Add(9 * time.Minute)}, 5},
		{Policy{MaxAge: 4 * time.Minute, Now: t0.Add(9 * time.Minute)}, 5}, // exactly 4 min old stays
		{Policy{MaxAge: time.Minute, Now: t0.Add(time.Hour)}, 0},
		{Policy{MaxAge: time.Hour, Now: t0}, 10},
		{Policy{MaxCount: 7, MaxAge: 4 * time.Minute, Now: t0.Add(9 * time.Minute)}, 5},
		{Policy{MaxCount: 2, MaxAge: 4 * time.Minute, Now: t0.Add(9 * time.Minute)}, 2},
	}
	for _, c := range cases {
		st := openTemp(t)
		rng := rand.New(rand.NewPCG(12, 12))
		for i := 0; i < 10; i++ {
			if _, err := st.Put(small(rng, t0.Add(time.Duration(i)*time.Minute), "R")); err != nil {
				t.Fatal(err)
			}
		}
		n, err := st.Retain(c.p)
		p, _ := st.List("name:R", time.Time{}, time.Time{}, 0, "")
		nets, _ := st.Networks()
		if err != nil || n != 10-c.kept || len(p.Snapshots) != c.kept || (c.kept > 0 && (nets[0].Snapshots != c.kept || !p.Snapshots[0].TakenAt.Equal(t0.Add(9*time.Minute)))) {
			t.Errorf("%+v: deleted %d, %d listed, %v; want %d kept", c.p, n, len(p.Snapshots), err, c.kept)
		}
		if err := st.Check(); err != nil {
			t.Errorf("%+v: %v", c.p, err)
		}
	}
	if _, err := openTemp(t).Retain(Policy{MaxCount: -1}); err == nil {
		t.Error("negative policy accepted")
	}
}
