package boltpage

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// sampleFile writes a bbolt file with what the store's files have: nested
// buckets, an inline bucket, values spanning overflow pages, a bucket
// spanning branch pages, and deletions (a non-empty freelist). It returns
// the file's bytes and every key/value bbolt reads back, by bucket path.
func sampleFile(t testing.TB) ([]byte, map[string]string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	err = db.Update(func(tx *bolt.Tx) error {
		big, _ := tx.CreateBucket([]byte("big"))
		for i := 0; i < 600; i++ {
			v := make([]byte, 20+rng.IntN(300))
			if i%50 == 0 {
				v = make([]byte, 9000) // overflow pages
			}
			for j := range v {
				v[j] = byte(rng.Uint32())
			}
			if err := big.Put([]byte(fmt.Sprintf("k%05d", i)), v); err != nil {
				return err
			}
		}
		net, _ := tx.CreateBucket([]byte("net"))
		a, _ := net.CreateBucket([]byte("a"))
		inner, _ := a.CreateBucket([]byte("snap"))
		_ = inner.Put([]byte("x"), []byte("inline value"))
		_, _ = tx.CreateBucket([]byte("empty"))
		return nil
	})
	if err == nil {
		err = db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("big"))
			for i := 0; i < 600; i += 3 {
				if err := b.Delete([]byte(fmt.Sprintf("k%05d", i))); err != nil {
					return err
				}
			}
			return nil
		})
	}
	want := map[string]string{}
	if err == nil {
		err = db.View(func(tx *bolt.Tx) error {
			var walk func(prefix string, b *bolt.Bucket) error
			walk = func(prefix string, b *bolt.Bucket) error {
				return b.ForEach(func(k, v []byte) error {
					if v == nil {
						return walk(prefix+string(k)+"/", b.Bucket(k))
					}
					want[prefix+string(k)] = string(v)
					return nil
				})
			}
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error { return walk(string(name)+"/", b) })
		})
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b, want
}

func walkAll(f *File) (map[string]string, []error) {
	got := map[string]string{}
	_, problems := f.Walk(Visitor{KV: func(path [][]byte, _ uint64, k, v []byte) {
		var p string
		for _, e := range path {
			p += string(e) + "/"
		}
		got[p+string(k)] = string(v)
	}})
	return got, problems
}

// TestWalkReadsWhatBboltReads: on a sound file Verify finds nothing and
// Walk yields exactly the key/values bbolt's own cursors do.
func TestWalkReadsWhatBboltReads(t *testing.T) {
	b, want := sampleFile(t)
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if p := f.Verify(); len(p) != 0 {
		t.Fatalf("Verify of a sound file: %v", p)
	}
	if ids, err := f.Freelist(); err != nil || len(ids) == 0 {
		t.Fatalf("freelist: %d ids, %v (the sample deletes keys)", len(ids), err)
	}
	got, problems := walkAll(f)
	if len(problems) != 0 || len(got) != len(want) {
		t.Fatalf("walk: %d values, %v; bbolt reads %d", len(got), problems, len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s differs", k)
		}
	}
}

// TestVerifyNamesDamage: a page header, a branch element pointing at its
// own page (a cycle), and a freelist naming a used page are each found,
// named by page, and the walk ends.
func TestVerifyNamesDamage(t *testing.T) {
	b, _ := sampleFile(t)
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	ps := uint64(f.Meta.PageSize)
	var branch uint64
	for id := uint64(2); id < f.Meta.HighWater; id++ {
		if h, err := f.Header(id); err == nil && h.Flags == FlagBranch {
			if p, err := f.Read(id); err == nil {
				if _, err := p.Branches(); err == nil && !isFree(f, id) {
					branch = id
					break
				}
			}
		}
	}
	if branch == 0 {
		t.Fatal("no branch page in the sample")
	}
	cases := map[string]func(c []byte){
		"header": func(c []byte) { le.PutUint64(c[branch*ps:], 99999) },
		"cycle": func(c []byte) {
			le.PutUint64(c[branch*ps+headerSize+8:], branch) // element 0's child: itself
		},
		"freelist": func(c []byte) {
			fl := f.Meta.Freelist * ps
			le.PutUint64(c[fl+headerSize:], branch)
		},
	}
	for name, damage := range cases {
		c := append([]byte(nil), b...)
		damage(c)
		g, err := Open(bytes.NewReader(c), int64(len(c)))
		if err != nil {
			t.Fatal(err)
		}
		p := g.Verify()
		if len(p) == 0 || !bytes.Contains([]byte(fmt.Sprint(p)), []byte(fmt.Sprintf("page %d", branch))) {
			t.Errorf("%s: Verify = %v, want a problem naming page %d", name, p, branch)
		}
	}
}

func isFree(f *File, id uint64) bool {
	ids, _ := f.Freelist()
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// FuzzFile: the sample file with any bytes written at any offset gives
// errors or values, never a panic, and the walk ends (each page at most
// once).
func FuzzFile(f *testing.F) {
	b, _ := sampleFile(f)
	f.Add(uint32(0), []byte{0})
	f.Add(uint32(4096+40), []byte{1, 2, 3})
	f.Add(uint32(2*4096+3), []byte{0xff})
	f.Add(uint32(len(b)/2), []byte{0x7f, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, at uint32, patch []byte) {
		c := append([]byte(nil), b...)
		copy(c[int(at)%len(c):], patch)
		g, err := Open(bytes.NewReader(c), int64(len(c)))
		if err != nil {
			return
		}
		_ = g.Verify()
		walkAll(g)
		_, _ = g.Freelist()
		for id := uint64(0); id < g.Pages(); id++ {
			if p, err := g.Read(id); err == nil {
				_, _ = p.Leaves(true)
				_, _ = p.Branches()
			}
		}
	})
}
