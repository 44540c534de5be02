package store

import (
	"errors"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/threadmap/threadmap/store/internal/meshgen"
	"github.com/threadmap/threadmap/thread/topology"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

func fixtureDir(name string) string {
	return topologytest.OpenThread(name)
}

// fixtureSnapshots are the real captures (and one generated mesh) as snapshots.
func fixtureSnapshots(t testing.TB) []*topology.Snapshot {
	t.Helper()
	var out []*topology.Snapshot
	for _, d := range []string{"small", "small-current"} {
		s, err := meshgen.Fixture(fixtureDir(d))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return append(out, meshgen.Generate(rand.New(rand.NewPCG(1, 1)), 30, t0))
}

// overwrite replaces the stored record of id in bucket which.
func overwrite(t testing.TB, st *Store, id uint64, which []byte, rec []byte) {
	t.Helper()
	err := st.db.Update(func(tx *boltTx) error {
		netKey, k, err := locate(tx, id)
		if err != nil {
			return err
		}
		return snapBucket(tx, netKey, which).Put(k, rec)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func stored(t testing.TB, st *Store, id uint64, which []byte) []byte {
	var out []byte
	st.view("test", func(tx *boltTx) error {
		netKey, k, _ := locate(tx, id)
		out = append([]byte(nil), snapBucket(tx, netKey, which).Get(k)...)
		return nil
	})
	return out
}

func TestCorruptRecordIsolated(t *testing.T) {
	st := openTemp(t)
	rng := rand.New(rand.NewPCG(10, 10))
	for i := 0; i < 10; i++ {
		if _, err := st.Put(meshgen.Generate(rng, 12, t0.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	rec := stored(t, st, 4, bucketSnap)
	rec[len(rec)/2] ^= 0x5a
	overwrite(t, st, 4, bucketSnap, rec)
	overwrite(t, st, 6, bucketSum, []byte{1, 2})
	if _, err := st.Get("4"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Get of the corrupted record: %v, want ErrCorrupt", err)
	}
	for _, id := range []string{"1", "3", "5", "6", "10"} {
		if _, err := st.Get(id); err != nil {
			t.Errorf("Get(%s) beside a corrupted record: %v", id, err)
		}
	}
	p, err := st.List("dead00beef00cafe", time.Time{}, time.Time{}, 0, "")
	if err != nil || len(p.Snapshots) != 10 {
		t.Fatalf("List beside corrupted records: %d, %v", len(p.Snapshots), err)
	}
	for _, s := range p.Snapshots {
		if (s.ID == "6") != (s.Error != "") || (s.ID == "6" && !s.TakenAt.Equal(t0.Add(5*time.Minute))) {
			t.Errorf("summary %+v", s)
		}
	}
	if l, err := st.Latest("dead00beef00cafe"); err != nil || l.ID != "10" {
		t.Errorf("Latest: %v", err)
	}
	if err := st.Check(); err == nil {
		t.Error("Check finds nothing wrong")
	}
	if err := st.Delete("4"); err != nil {
		t.Errorf("delete of a corrupted snapshot: %v", err)
	}
}

// FuzzSnapshotCBOR: decoding any bytes as a stored snapshot's CBOR is an
// error or a snapshot whose encoding is stable, never a panic.
func FuzzSnapshotCBOR(f *testing.F) {
	c := NewCodec()
	for _, s := range fixtureSnapshots(f) {
		b, err := c.MarshalSnapshot(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0xa0})
	f.Add([]byte{0xbf, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := c.UnmarshalSnapshot(b)
		if err != nil {
			return
		}
		b1, err := c.MarshalSnapshot(s)
		if err != nil {
			t.Fatalf("decoded snapshot does not encode: %v", err)
		}
		s2, err := c.UnmarshalSnapshot(b1)
		if err != nil {
			t.Fatalf("re-encoded snapshot does not decode: %v", err)
		}
		b2, _ := c.MarshalSnapshot(s2)
		if string(b1) != string(b2) {
			t.Fatal("encoding not stable")
		}
	})
}

// FuzzStoredRecord puts arbitrary bytes (raw, or framed as a record of
// any codec) where snapshot 2's record and summary live: Get(2) is an error or a snapshot, and snapshots 1 and 3
// and the listing keep working.
func FuzzStoredRecord(f *testing.F) {
	c := NewCodec()
	for _, s := range fixtureSnapshots(f) {
		rec, err := c.encodeSnapshotRecord(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(rec, byte(0))
		f.Add(rec[1:len(rec)-4], byte(codecCBORDeflate))
		b, _ := c.MarshalSnapshot(s)
		f.Add(b, byte(codecCBOR))
		sum, _ := c.encodeSummaryRecord(summarize(2, "k", s))
		f.Add(sum, byte(0))
	}
	f.Add([]byte{}, byte(0))
	f.Add([]byte{0xff, 0xff}, byte(codecCBORDeflate))
	dir := f.TempDir()
	n := 0
	snaps := fixtureSnapshots(f)
	f.Fuzz(func(t *testing.T, data []byte, codec byte) {
		n++
		st, err := Open(filepath.Join(dir, "f"+FormatID(uint64(n))+".db"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		for i := 0; i < 3; i++ {
			if _, err := st.Put(snaps[0]); err != nil {
				t.Fatal(err)
			}
		}
		snaps[0].ID = ""
		rec := data // codec 0: the bytes as they are, else framed with that codec
		if codec != 0 {
			rec = sealAs(codec, data)
		}
		overwrite(t, st, 2, bucketSnap, rec)
		overwrite(t, st, 2, bucketSum, rec)
		if s, err := st.Get("2"); err == nil && s == nil {
			t.Fatal("Get(2): no snapshot and no error")
		}
		for _, id := range []string{"1", "3"} {
			s, err := st.Get(id)
			if err != nil {
				t.Fatalf("Get(%s) beside a fuzzed record: %v", id, err)
			}
			s.ID = ""
			if !reflect.DeepEqual(s, snaps[0]) {
				t.Fatalf("snapshot %s changed", id)
			}
		}
		p, err := st.List(snaps[0].Network.Key(), time.Time{}, time.Time{}, 0, "")
		if err != nil || len(p.Snapshots) != 3 {
			t.Fatalf("List beside a fuzzed record: %d, %v", len(p.Snapshots), err)
		}
	})
}
