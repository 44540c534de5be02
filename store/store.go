package store

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/threadmap/threadmap/thread/topology"
)

// ErrNotFound is returned (wrapped) for an unknown snapshot id or network.
var ErrNotFound = errors.New("not found")

// ErrInvalid is wrapped by the errors of Put and PutBatch for a snapshot
// the store refuses (no taken_at, one out of range, another schema): the
// caller's fault, unlike a failing disk.
var ErrInvalid = errors.New("invalid snapshot")

var (
	bucketMeta = []byte("meta")
	bucketIDs  = []byte("ids")
	bucketNet  = []byte("net")
	bucketSnap = []byte("snap")
	bucketSum  = []byte("sum")
	keyVersion = []byte("version")
	keyCount   = []byte("count")
)

// addCount adds d to a network bucket's snapshot count.
func addCount(nb *bolt.Bucket, d int64) error {
	n := int64(readCount(nb)) + d
	if n < 0 {
		n = 0
	}
	return nb.Put(keyCount, binary.BigEndian.AppendUint64(nil, uint64(n)))
}

// readCount is a network bucket's snapshot count.
func readCount(nb *bolt.Bucket) uint64 {
	if v := nb.Get(keyCount); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// Options tune Open.
type Options struct {
	// ReadOnly opens the file shared, without writes (and without migrating).
	ReadOnly bool
	// Timeout bounds the wait for another process's lock on the file
	// (default 2 s; negative waits forever).
	Timeout time.Duration
}

// Store is an open snapshot file. Its methods are safe for concurrent use.
type Store struct {
	mu    sync.RWMutex // write-locked only while Compact swaps the file
	db    *bolt.DB
	path  string
	opts  Options
	codec *Codec
	// damaged is set (to the error) once bbolt stopped on a damaged page:
	// from then on writes are refused.
	damaged atomic.Pointer[error]
}

// DefaultPath is where the store lives unless --db moves it:
// $XDG_DATA_HOME/threadmap/threadmap.db, else
// ~/.local/share/threadmap/threadmap.db (on Windows, where neither exists,
// the roaming application data dir).
func DefaultPath() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "threadmap", "threadmap.db"), nil
	}
	if runtime.GOOS != "windows" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("store: no data directory: %w", err)
		}
		return filepath.Join(home, ".local", "share", "threadmap", "threadmap.db"), nil
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("store: no data directory: %w", err)
	}
	return filepath.Join(cfg, "threadmap", "threadmap.db"), nil
}

// Open opens (creating it and its directory if needed) the store at path,
// checks its page structure (a *DamagedError names what is wrong) and
// migrates it to CurrentVersion in one transaction.
func Open(path string, opts Options) (*Store, error) {
	if opts.Timeout == 0 {
		opts.Timeout = 2 * time.Second
	} else if opts.Timeout < 0 {
		opts.Timeout = 0
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
	}
	s := &Store{path: path, opts: opts, codec: NewCodec()}
	db, err := s.openDB()
	if err != nil {
		return nil, err
	}
	s.db = db
	return s, nil
}

func (s *Store) openDB() (*bolt.DB, error) {
	var db *bolt.DB
	err := s.guard("open", func() (err error) {
		db, err = bolt.Open(s.path, 0o600, &bolt.Options{Timeout: s.opts.Timeout, ReadOnly: s.opts.ReadOnly, FreelistType: bolt.FreelistMapType})
		return err
	})
	var de *DamagedError
	if errors.As(err, &de) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", s.path, err)
	}
	// bbolt holds the file's lock now: nobody writes it while it is checked.
	if err := quickCheck(s.path); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.guard("migrate", func() error { return migrate(db, s.codec, s.opts.ReadOnly) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", s.path, err)
	}
	return db, nil
}

// Close closes the file.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	if err != nil {
		return fmt.Errorf("close store %s: %w", s.path, err)
	}
	return nil
}

// Path is the file's path.
func (s *Store) Path() string { return s.path }

// Summary is a snapshot as listings show it.
type Summary struct {
	ID            string    `json:"id"`
	Network       string    `json:"network"`
	TakenAt       time.Time `json:"taken_at"`
	Nodes         int       `json:"nodes"`
	Routers       int       `json:"routers"`
	Links         int       `json:"links"`
	BorderRouters int       `json:"border_routers"`
	// Error is set when this snapshot's stored summary is unreadable; the
	// other fields but ID, Network and TakenAt are then zero.
	Error string `json:"error,omitempty"`
}

// Page is one page of a listing, newest first.
type Page struct {
	Snapshots []Summary `json:"snapshots"`
	// NextCursor continues the listing; empty on the last page.
	NextCursor string `json:"next_cursor"`
}

// NetworkInfo is one stored network: its key, the identity its newest
// snapshot recorded, the newest snapshot's summary and how many are kept.
type NetworkInfo struct {
	Key       string           `json:"key"`
	Network   topology.Network `json:"network"`
	Latest    Summary          `json:"latest"`
	Snapshots int              `json:"snapshots"`
}

// timeKey is the 16-byte key of a snapshot in its network's buckets.
func timeKey(t time.Time, id uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(t.UnixNano())^(1<<63))
	binary.BigEndian.PutUint64(k[8:], id)
	return k
}

func keyTime(k []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(k)^(1<<63))).UTC()
}

func keyID(k []byte) uint64 { return binary.BigEndian.Uint64(k[8:16]) }

func idKey(id uint64) []byte { return binary.BigEndian.AppendUint64(nil, id) }

// ParseID reads a snapshot id.
func ParseID(id string) (uint64, error) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 || strconv.FormatUint(n, 10) != id {
		return 0, fmt.Errorf("snapshot id %q: not a snapshot id (a positive decimal number)", id)
	}
	return n, nil
}

// FormatID writes a snapshot id.
func FormatID(id uint64) string { return strconv.FormatUint(id, 10) }

// timeRange is what UnixNano can represent.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// Put stores snap in one transaction (one commit, synced to disk before
// Put returns), assigns it a new id and sets snap.ID. An empty Schema is
// set to topology.Schema; TakenAt must be set and is kept in UTC.
func (s *Store) Put(snap *topology.Snapshot) (string, error) {
	ids, err := s.PutBatch([]*topology.Snapshot{snap})
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// prepared is a snapshot encoded outside the write transaction.
type prepared struct {
	snap   *topology.Snapshot
	netKey string
	rec    []byte
	sum    *summaryRecord
}

func (s *Store) prepare(snap *topology.Snapshot) (prepared, error) {
	if snap == nil {
		return prepared{}, fmt.Errorf("put snapshot: nil: %w", ErrInvalid)
	}
	if snap.TakenAt.IsZero() {
		return prepared{}, fmt.Errorf("put snapshot: taken_at not set: %w", ErrInvalid)
	}
	if snap.TakenAt.Before(minTime) || snap.TakenAt.After(maxTime) {
		return prepared{}, fmt.Errorf("put snapshot: taken_at %s out of range: %w", snap.TakenAt, ErrInvalid)
	}
	if snap.Schema == "" {
		snap.Schema = topology.Schema
	}
	if snap.Schema != topology.Schema {
		return prepared{}, fmt.Errorf("put snapshot: schema %q, want %q: %w", snap.Schema, topology.Schema, ErrInvalid)
	}
	snap.TakenAt = snap.TakenAt.UTC()
	// The id is not stored in the record (its key says it), so the
	// record can be encoded before the id is known, outside the lock.
	// Names users gave devices live in the names bucket, not in snapshots.
	c := *topology.WithUserNames(snap, nil)
	c.ID = ""
	rec, err := s.codec.encodeSnapshotRecord(&c)
	if err != nil {
		return prepared{}, fmt.Errorf("put snapshot: %w", err)
	}
	key := snap.Network.Key()
	return prepared{snap: snap, netKey: key, rec: rec, sum: summarize(0, key, snap)}, nil
}

// PutBatch stores several snapshots in one transaction (all or none), as
// Put does each; for imports and bulk loads.
func (s *Store) PutBatch(snaps []*topology.Snapshot) ([]string, error) {
	preps := make([]prepared, len(snaps))
	errs := make([]error, len(snaps))
	// Encoding dominates a bulk load: spread it over the CPUs.
	workers := min(runtime.GOMAXPROCS(0), len(snaps))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(snaps); i += workers {
				preps[i], errs[i] = s.prepare(snaps[i])
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := make([]string, len(preps))
	err := s.update("put snapshot", func(tx *bolt.Tx) error {
		for i, p := range preps {
			id, err := s.putTx(tx, p)
			if err != nil {
				return err
			}
			ids[i] = FormatID(id)
		}
		return nil
	})
	if err != nil {
		what := fmt.Sprintf("put %d snapshots", len(preps))
		if len(preps) == 1 {
			what = "put snapshot of " + preps[0].netKey
		}
		if errors.Is(err, syscall.ENOSPC) {
			return nil, fmt.Errorf("%s: disk full, nothing written (earlier snapshots are intact): %w", what, err)
		}
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	for i, p := range preps {
		p.snap.ID = ids[i]
	}
	return ids, nil
}

func (s *Store) putTx(tx *bolt.Tx, p prepared) (uint64, error) {
	ids := tx.Bucket(bucketIDs)
	id, err := ids.NextSequence()
	if err != nil {
		return 0, err
	}
	sr := *p.sum
	sr.ID = id
	sum, err := s.codec.encodeSummaryRecord(&sr)
	if err != nil {
		return 0, err
	}
	nb, err := tx.Bucket(bucketNet).CreateBucketIfNotExists([]byte(p.netKey))
	if err != nil {
		return 0, fmt.Errorf("network bucket %q: %w", p.netKey, err)
	}
	sb, err := nb.CreateBucketIfNotExists(bucketSnap)
	if err != nil {
		return 0, err
	}
	mb, err := nb.CreateBucketIfNotExists(bucketSum)
	if err != nil {
		return 0, err
	}
	k := timeKey(p.snap.TakenAt, id)
	if err := sb.Put(k, p.rec); err != nil {
		return 0, err
	}
	if err := addCount(nb, 1); err != nil {
		return 0, err
	}
	if err := mb.Put(k, sum); err != nil {
		return 0, err
	}
	return id, ids.Put(idKey(id), append(append([]byte(nil), k...), p.netKey...))
}

// locate finds id's network bucket and time key.
func locate(tx *bolt.Tx, id uint64) (netKey string, k []byte, err error) {
	v := tx.Bucket(bucketIDs).Get(idKey(id))
	if v == nil {
		return "", nil, fmt.Errorf("snapshot %d: %w", id, ErrNotFound)
	}
	if len(v) < 17 {
		return "", nil, fmt.Errorf("snapshot %d: %w: index entry of %d bytes", id, ErrCorrupt, len(v))
	}
	return string(v[16:]), append([]byte(nil), v[:16]...), nil
}

// view runs fn in a read transaction, guarded (what names the call for
// a DamagedError).
func (s *Store) view(what string, fn func(tx *bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.db == nil {
		return errClosed
	}
	return s.guard(what, func() error { return s.db.View(fn) })
}

// update runs fn in a write transaction, guarded; the caller holds s.mu.
// It refuses once a damaged page was seen.
func (s *Store) update(what string, fn func(tx *bolt.Tx) error) error {
	if s.db == nil {
		return errClosed
	}
	if err := s.writable(); err != nil {
		return err
	}
	return s.guard(what, func() error { return s.db.Update(fn) })
}

// Get returns the snapshot with id (ErrNotFound when unknown, ErrCorrupt
// when its record does not verify).
func (s *Store) Get(id string) (*topology.Snapshot, error) {
	n, err := ParseID(id)
	if err != nil {
		return nil, fmt.Errorf("get: %w: %w", ErrNotFound, err)
	}
	var snap *topology.Snapshot
	err = s.view("get snapshot "+id, func(tx *bolt.Tx) error {
		netKey, k, err := locate(tx, n)
		if err != nil {
			return err
		}
		sb := snapBucket(tx, netKey, bucketSnap)
		var rec []byte
		if sb != nil {
			rec = sb.Get(k)
		}
		if rec == nil {
			return fmt.Errorf("snapshot %d: %w: indexed but its record is missing", n, ErrCorrupt)
		}
		snap, err = s.codec.decodeSnapshotRecord(rec)
		if err != nil {
			return fmt.Errorf("snapshot %d: %w", n, err)
		}
		snap.ID = FormatID(n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	return snap, nil
}

func snapBucket(tx *bolt.Tx, netKey string, which []byte) *bolt.Bucket {
	nb := tx.Bucket(bucketNet).Bucket([]byte(netKey))
	if nb == nil {
		return nil
	}
	return nb.Bucket(which)
}

// Latest returns the newest snapshot of network (a key as
// topology.Network.Key gives it). With network "" it is the newest
// snapshot when exactly one network is stored.
func (s *Store) Latest(network string) (*topology.Snapshot, error) {
	var id uint64
	err := s.view("latest snapshot of "+strconv.Quote(network), func(tx *bolt.Tx) error {
		if network == "" {
			keys := networkKeys(tx)
			switch len(keys) {
			case 0:
				return fmt.Errorf("no snapshots: %w", ErrNotFound)
			case 1:
				network = keys[0]
			default:
				return fmt.Errorf("%d networks stored, name one: %w", len(keys), ErrNotFound)
			}
		}
		sb := snapBucket(tx, network, bucketSnap)
		if sb == nil {
			return fmt.Errorf("network %q: %w", network, ErrNotFound)
		}
		k, _ := sb.Cursor().Last()
		if k == nil {
			return fmt.Errorf("network %q has no snapshots: %w", network, ErrNotFound)
		}
		id = keyID(k)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("latest: %w", err)
	}
	return s.Get(FormatID(id))
}

func networkKeys(tx *bolt.Tx) []string {
	var keys []string
	_ = tx.Bucket(bucketNet).ForEachBucket(func(k []byte) error {
		keys = append(keys, string(k))
		return nil
	})
	return keys
}

func (s *Store) summaryAt(k, v []byte, network string) Summary {
	sum := Summary{ID: FormatID(keyID(k)), Network: network, TakenAt: keyTime(k)}
	r, err := s.codec.decodeSummaryRecord(v)
	if err != nil {
		sum.Error = err.Error()
		return sum
	}
	sum.Nodes, sum.Routers, sum.Links, sum.BorderRouters, sum.Error = r.Nodes, r.Routers, r.Links, r.BorderRouters, r.Error
	return sum
}

// DefaultLimit and MaxLimit bound a List page.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// List returns the summaries of network's snapshots taken in [from, to]
// (a zero time leaves that end open), newest first, at most limit of them
// (0: DefaultLimit), continuing after cursor (from a previous Page; "" to
// start). An unknown network lists nothing.
func (s *Store) List(network string, from, to time.Time, limit int, cursor string) (Page, error) {
	page := Page{Snapshots: []Summary{}}
	if limit <= 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		limit = MaxLimit
	}
	// start: the first key not to list (exclusive upper bound).
	var start []byte
	if !to.IsZero() {
		if to.After(maxTime) {
			to = maxTime
		}
		if to.Before(minTime) {
			return page, nil
		}
		start = timeKey(to, math.MaxUint64)
	}
	if cursor != "" {
		c, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(c) != 16 {
			return page, fmt.Errorf("list: cursor %q: not a cursor from this store", cursor)
		}
		if start == nil || bytes.Compare(c, start) < 0 {
			start = c
		}
	}
	var stop []byte
	if !from.IsZero() {
		if from.Before(minTime) {
			from = minTime
		}
		if from.After(maxTime) {
			return page, nil
		}
		stop = timeKey(from, 0)
	}
	err := s.view("list "+strconv.Quote(network), func(tx *bolt.Tx) error {
		b := snapBucket(tx, network, bucketSum)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		var k, v, lastKey []byte
		if start == nil {
			k, v = c.Last()
		} else {
			k, v = c.Seek(start)
			if k == nil {
				k, v = c.Last()
			}
			for k != nil && bytes.Compare(k, start) >= 0 {
				k, v = c.Prev()
			}
		}
		for ; k != nil; k, v = c.Prev() {
			if stop != nil && bytes.Compare(k, stop) < 0 {
				return nil
			}
			if len(k) != 16 {
				continue // not a time key; nothing this package writes
			}
			if len(page.Snapshots) == limit {
				page.NextCursor = base64.RawURLEncoding.EncodeToString(lastKey)
				return nil
			}
			page.Snapshots = append(page.Snapshots, s.summaryAt(k, v, network))
			lastKey = k
		}
		return nil
	})
	if err != nil {
		return page, fmt.Errorf("list %s: %w", network, err)
	}
	return page, nil
}

// Networks lists the stored networks with their newest snapshot.
func (s *Store) Networks() ([]NetworkInfo, error) {
	out := []NetworkInfo{}
	err := s.view("networks", func(tx *bolt.Tx) error {
		for _, key := range networkKeys(tx) {
			b := snapBucket(tx, key, bucketSum)
			if b == nil {
				continue
			}
			k, v := b.Cursor().Last()
			if k == nil {
				continue // every snapshot deleted
			}
			count := readCount(tx.Bucket(bucketNet).Bucket([]byte(key)))
			info := NetworkInfo{Key: key, Latest: s.summaryAt(k, v, key), Snapshots: int(count)}
			if r, err := s.codec.decodeSummaryRecord(v); err == nil {
				info.Network = r.Identity
			}
			out = append(out, info)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("networks: %w", err)
	}
	return out, nil
}

// Delete removes snapshot id.
func (s *Store) Delete(id string) error {
	n, err := ParseID(id)
	if err != nil {
		return fmt.Errorf("delete: %w: %w", ErrNotFound, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	err = s.update("delete snapshot "+id, func(tx *bolt.Tx) error { return deleteTx(tx, n) })
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}

func deleteTx(tx *bolt.Tx, id uint64) error {
	netKey, k, err := locate(tx, id)
	if err != nil {
		return err
	}
	nb := tx.Bucket(bucketNet).Bucket([]byte(netKey))
	if nb == nil {
		return fmt.Errorf("snapshot %d: %w: network %q missing", id, ErrCorrupt, netKey)
	}
	if sb := nb.Bucket(bucketSnap); sb != nil && sb.Get(k) != nil {
		if err := sb.Delete(k); err != nil {
			return err
		}
		if err := addCount(nb, -1); err != nil {
			return err
		}
	}
	if mb := nb.Bucket(bucketSum); mb != nil {
		if err := mb.Delete(k); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketIDs).Delete(idKey(id))
}

// Policy says which snapshots Retain keeps, per network.
type Policy struct {
	// MaxCount keeps at most this many newest snapshots (0: no limit).
	MaxCount int
	// MaxAge drops snapshots taken longer ago than this (0: no limit).
	MaxAge time.Duration
	// Now is the reference time for MaxAge (zero: time.Now()).
	Now time.Time
}

// Retain deletes, in each network, the snapshots the policy does not keep,
// in one transaction, and returns how many it deleted. The file does not
// shrink until Compact.
func (s *Store) Retain(p Policy) (int, error) {
	if p.MaxCount < 0 || p.MaxAge < 0 {
		return 0, fmt.Errorf("retain: negative policy %+v", p)
	}
	if p.Now.IsZero() {
		p.Now = time.Now()
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	deleted := 0
	err := s.update("retain", func(tx *bolt.Tx) error {
		for _, key := range networkKeys(tx) {
			b := snapBucket(tx, key, bucketSum)
			if b == nil {
				continue
			}
			// Keys are in time order: walk back over what is kept (at most
			// MaxCount keys, or a seek to the age cutoff), then everything
			// older goes.
			cutoff := p.Now.Add(-p.MaxAge)
			old := func(k []byte) bool { return p.MaxAge > 0 && keyTime(k).Before(cutoff) }
			c := b.Cursor()
			var k []byte
			switch {
			case p.MaxCount > 0:
				k, _ = c.Last()
				for kept := 0; k != nil && kept < p.MaxCount && !old(k); kept++ {
					k, _ = c.Prev()
				}
			case p.MaxAge > 0:
				if k, _ = c.Seek(timeKey(cutoff, 0)); k == nil {
					k, _ = c.Last()
				} else {
					k, _ = c.Prev()
				}
			}
			var drop []uint64
			for ; k != nil; k, _ = c.Prev() {
				if len(k) == 16 {
					drop = append(drop, keyID(k))
				}
			}
			for _, id := range drop {
				if err := deleteTx(tx, id); err != nil {
					return fmt.Errorf("network %s: %w", key, err)
				}
			}
			deleted += len(drop)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("retain: %w", err)
	}
	return deleted, nil
}

// Size is the file's size in bytes.
func (s *Store) Size() (int64, error) {
	var n int64
	err := s.view("size", func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n, err
}

// compactTxSize bounds each transaction of a compaction.
const compactTxSize = 64 << 20

// Compact rewrites the store without free pages. With dst "" it compacts
// in place: into a temporary file beside the store, then an atomic rename
// over it (other calls wait meanwhile). Otherwise it writes a compacted
// copy to dst, which must not exist yet.
func (s *Store) Compact(dst string) error {
	if s.opts.ReadOnly && dst == "" {
		return errors.New("compact: store opened read-only")
	}
	if dst != "" {
		if _, err := os.Stat(dst); err == nil {
			return fmt.Errorf("compact to %s: file exists", dst)
		}
		s.mu.RLock()
		defer s.mu.RUnlock()
		return s.compactTo(dst)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return errors.New("compact: store closed")
	}
	tmp := s.path + ".compact.tmp"
	_ = os.Remove(tmp) // a leftover of an interrupted compaction
	if err := s.compactTo(tmp); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := s.db.Close(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("compact: close %s: %w", s.path, err)
	}
	s.db = nil
	renameErr := os.Rename(tmp, s.path)
	if renameErr == nil {
		renameErr = syncDir(filepath.Dir(s.path))
	}
	db, err := s.openDB()
	if err != nil {
		return fmt.Errorf("compact: reopen: %w", errors.Join(renameErr, err))
	}
	s.db = db
	if renameErr != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("compact: %w", renameErr)
	}
	return nil
}

func (s *Store) compactTo(dst string) error {
	if s.db == nil {
		return errors.New("compact: store closed")
	}
	out, err := bolt.Open(dst, 0o600, &bolt.Options{Timeout: s.opts.Timeout, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return fmt.Errorf("compact: open %s: %w", dst, err)
	}
	err = s.guard("compact", func() error { return bolt.Compact(out, s.db, compactTxSize) })
	if cerr := out.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("compact to %s: %w", dst, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
