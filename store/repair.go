package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/threadmap/threadmap/store/internal/boltpage"
)

// RepairReport says what Repair copied and what it could not.
type RepairReport struct {
	// Recovered is the number of snapshots copied, in Networks networks.
	Recovered int
	Networks  int
	// Lost lists the ids the file's index or summaries name whose record
	// could not be read (damaged, or on a page nothing leads to any more).
	Lost []string
	// Settings says whether the runtime settings were copied.
	Settings bool
	// Problems is the damage the walk met, as Open's check reports it.
	Problems []error
	// Notes say how liveness was decided where the file could not say.
	Notes []string
}

// repairBatch bounds one write transaction of Repair.
const repairBatch = 32 << 20

// Repair copies every readable snapshot of the store file at src into a
// new store file at dst (which must not exist), keeping ids and times. It
// never trusts src to bbolt: it walks src's pages itself (boltpage), takes
// each snapshot record whose checksum holds, and then scans the pages the
// walk could not reach (below a damaged branch page) for records of
// snapshots the index or the summaries name. Copies of deleted snapshots
// left on free pages are not brought back. Repair fails only when src has
// no valid meta page or dst cannot be written.
func Repair(src, dst string) (*RepairReport, error) {
	if _, err := os.Stat(dst); err == nil {
		return nil, fmt.Errorf("repair: %s exists; name a new file", dst)
	}
	// Take bbolt's shared lock when bbolt can open the file at all, so that
	// a running serve (which holds it exclusively) is not read mid-write.
	var lock *bolt.DB
	lockErr := (&Store{path: src}).guard("open", func() (err error) {
		lock, err = bolt.Open(src, 0o600, &bolt.Options{ReadOnly: true, Timeout: 300 * time.Millisecond})
		return err
	})
	if errors.Is(lockErr, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("repair: %s is in use by a running threadmap serve; stop it first: %w", src, lockErr)
	}
	if lock != nil {
		defer lock.Close()
	}
	f, closeFile, err := boltpage.OpenFile(src)
	if err != nil {
		return nil, fmt.Errorf("repair: %w", err)
	}
	defer closeFile()
	out, err := Open(dst, Options{})
	if err != nil {
		return nil, fmt.Errorf("repair: %w", err)
	}
	r := &repairer{src: f, dst: out, codec: out.codec, live: map[uint64][]byte{}, done: map[uint64]bool{}, nets: map[string]bool{}, report: &RepairReport{}}
	err = r.run()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(dst)
		return nil, fmt.Errorf("repair %s to %s: %w", src, dst, err)
	}
	return r.report, nil
}

type repairer struct {
	src    *boltpage.File
	dst    *Store
	codec  *Codec
	report *RepairReport
	// live maps each id the index or a summary names to its time key
	// (nil when only a summary of unknown key named it).
	live map[uint64][]byte
	done map[uint64]bool
	nets map[string]bool
	// seq is the id sequence of the ids bucket; maxID the largest id copied.
	seq, maxID uint64
	settings   []byte
	pending    []recovered
	size       int
	err        error
}

// recovered is one snapshot record ready to be written.
type recovered struct {
	id     uint64
	netKey string
	key    []byte
	rec    []byte
	sum    []byte
}

func (r *repairer) run() error {
	// Pass 1: the tree. The root's buckets come in key order: ids (the
	// index) before net, so liveness is known before any snapshot; the
	// summaries (net/K/sum) add to it for the raw pass.
	var reachedAny bool
	_, problems := r.src.Walk(boltpage.Visitor{
		Bucket: func(path [][]byte, seq uint64) {
			reachedAny = true
			if len(path) == 1 && bytes.Equal(path[0], bucketIDs) {
				r.seq = seq
			}
		},
		KV: func(path [][]byte, _ uint64, k, v []byte) {
			reachedAny = true
			switch {
			case len(path) == 1 && bytes.Equal(path[0], bucketIDs):
				if len(k) == 8 && len(v) >= 17 && keyID(v[:16]) == binary.BigEndian.Uint64(k) {
					r.live[binary.BigEndian.Uint64(k)] = append([]byte(nil), v[:16]...)
				}
			case len(path) == 1 && bytes.Equal(path[0], bucketMeta) && bytes.Equal(k, keySettings):
				r.settings = append([]byte(nil), v...)
			case len(path) == 3 && bytes.Equal(path[0], bucketNet) && bytes.Equal(path[2], bucketSum):
				if len(k) == 16 {
					if _, ok := r.live[keyID(k)]; !ok {
						r.live[keyID(k)] = append([]byte(nil), k...)
					}
				}
			case len(path) == 3 && bytes.Equal(path[0], bucketNet) && bytes.Equal(path[2], bucketSnap):
				r.take(string(path[1]), k, v)
			}
		},
	})
	r.report.Problems = append(r.src.MetaProblems, problems...)
	if r.err != nil {
		return r.err
	}
	// Pass 2: every leaf page again, for records the walk could not reach
	// (below a damaged page) or read (beside a damaged element).
	free := map[uint64]bool{}
	freeKnown := false
	if ids, err := r.src.Freelist(); err == nil {
		freeKnown = true
		for _, id := range ids {
			free[id] = true
		}
	}
	newerMetaLost := len(r.src.MetaProblems) > 0
	accept := func(id uint64, page uint64) bool {
		if _, ok := r.live[id]; ok {
			return true
		}
		switch {
		case newerMetaLost && id > r.seq:
			return true // written by the transaction whose meta page is damaged
		case !reachedAny:
			return !freeKnown || !free[page]
		}
		return false
	}
	if newerMetaLost {
		r.report.Notes = append(r.report.Notes, "the newest meta page is damaged: the previous transaction's tree was read, and records newer than it were taken from the pages after it")
	}
	if !reachedAny {
		r.report.Notes = append(r.report.Notes, "nothing could be reached from the root: every snapshot record on a page not marked free was taken (a snapshot deleted shortly before the damage may reappear)")
	}
	end := r.src.Pages()
	if !newerMetaLost {
		end = min(end, r.src.Meta.HighWater)
	}
	for id := uint64(2); id < end; id++ {
		h, err := r.src.Header(id)
		if err != nil || h.Flags != boltpage.FlagLeaf || uint64(h.Overflow) >= end-id {
			continue
		}
		p, err := r.src.ReadUpTo(id, end)
		if err != nil {
			continue
		}
		elems, _ := p.Leaves(true)
		for _, e := range elems {
			if e.Bucket || len(e.Key) != 16 || r.done[keyID(e.Key)] || !accept(keyID(e.Key), id) {
				continue
			}
			r.take("", e.Key, e.Value)
			if r.err != nil {
				return r.err
			}
		}
		id += uint64(p.Overflow)
	}
	if err := r.flush(); err != nil {
		return err
	}
	return r.finish()
}

// take checks one snapshot record (netKey "" when found outside the tree:
// the record says its network) and queues it.
func (r *repairer) take(netKey string, k, v []byte) {
	if r.err != nil || len(k) != 16 {
		return
	}
	id := keyID(k)
	if id == 0 || r.done[id] {
		return
	}
	if lk := r.live[id]; len(lk) == 16 && !bytes.Equal(lk, k) {
		return // the index says this id has another time: a damaged key
	}
	snap, err := r.codec.decodeSnapshotRecord(v)
	if err != nil || !snap.TakenAt.Equal(keyTime(k)) {
		return // damaged: reported as lost if something names it
	}
	if netKey == "" {
		netKey = snap.Network.Key()
	}
	sum, err := r.codec.encodeSummaryRecord(summarize(id, netKey, snap))
	if err != nil {
		r.err = err
		return
	}
	r.done[id] = true
	r.nets[netKey] = true
	r.maxID = max(r.maxID, id)
	r.pending = append(r.pending, recovered{id: id, netKey: netKey, key: append([]byte(nil), k...), rec: append([]byte(nil), v...), sum: sum})
	if r.size += len(v); r.size >= repairBatch {
		r.err = r.flush()
	}
}

// flush writes the queued records in one transaction.
func (r *repairer) flush() error {
	if len(r.pending) == 0 {
		return nil
	}
	err := r.dst.db.Update(func(tx *bolt.Tx) error {
		for _, p := range r.pending {
			nb, err := tx.Bucket(bucketNet).CreateBucketIfNotExists([]byte(p.netKey))
			if err != nil {
				return fmt.Errorf("network bucket %q: %w", p.netKey, err)
			}
			sb, err := nb.CreateBucketIfNotExists(bucketSnap)
			if err != nil {
				return err
			}
			mb, err := nb.CreateBucketIfNotExists(bucketSum)
			if err != nil {
				return err
			}
			if err := sb.Put(p.key, p.rec); err != nil {
				return err
			}
			if err := mb.Put(p.key, p.sum); err != nil {
				return err
			}
			if err := addCount(nb, 1); err != nil {
				return err
			}
			if err := tx.Bucket(bucketIDs).Put(idKey(p.id), append(append([]byte(nil), p.key...), p.netKey...)); err != nil {
				return err
			}
		}
		return nil
	})
	r.report.Recovered += len(r.pending)
	r.pending, r.size = nil, 0
	return err
}

// finish sets the id sequence (no id is ever handed out twice), copies the
// settings and lists what was lost.
func (r *repairer) finish() error {
	err := r.dst.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketIDs).SetSequence(max(r.seq, r.maxID)); err != nil {
			return err
		}
		if len(r.settings) > 0 {
			return tx.Bucket(bucketMeta).Put(keySettings, r.settings)
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.report.Settings = len(r.settings) > 0
	r.report.Networks = len(r.nets)
	var lost []uint64
	for id := range r.live {
		if !r.done[id] {
			lost = append(lost, id)
		}
	}
	sort.Slice(lost, func(i, j int) bool { return lost[i] < lost[j] })
	for _, id := range lost {
		r.report.Lost = append(r.report.Lost, strconv.FormatUint(id, 10))
	}
	return nil
}
