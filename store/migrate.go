package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// CurrentVersion is the schema version this package writes.
const CurrentVersion = 3

// migrations[N] takes a file from version N to N+1, inside the one
// transaction Open runs them in.
var migrations = [CurrentVersion]func(tx *bolt.Tx, c *Codec) error{
	0: migrateCreate,
	1: migrateSummaries,
	2: migrateNames,
}

// migrateCreate: version 0 (a new file) gets the top-level buckets.
func migrateCreate(tx *bolt.Tx, _ *Codec) error {
	for _, name := range [][]byte{bucketMeta, bucketIDs, bucketNet} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// migrateSummaries: version 1 listed snapshots by decoding them; version 2
// keeps a summary beside each and a count per network. An unreadable
// snapshot gets a summary that says so, so listings still show it.
func migrateSummaries(tx *bolt.Tx, c *Codec) error {
	for _, key := range networkKeys(tx) {
		nb := tx.Bucket(bucketNet).Bucket([]byte(key))
		sb := nb.Bucket(bucketSnap)
		mb, err := nb.CreateBucketIfNotExists(bucketSum)
		if err != nil {
			return fmt.Errorf("network %s: %w", key, err)
		}
		if sb == nil {
			continue
		}
		var count int64
		err = sb.ForEach(func(k, v []byte) error {
			if len(k) != 16 {
				return nil
			}
			count++
			var r *summaryRecord
			snap, err := c.decodeSnapshotRecord(v)
			if err != nil {
				r = &summaryRecord{ID: keyID(k), Network: key, TakenAt: keyTime(k), Error: err.Error()}
			} else {
				r = summarize(keyID(k), key, snap)
			}
			rec, err := c.encodeSummaryRecord(r)
			if err != nil {
				return err
			}
			return mb.Put(k, rec)
		})
		if err == nil {
			err = addCount(nb, count)
		}
		if err != nil {
			return fmt.Errorf("network %s: %w", key, err)
		}
	}
	return nil
}

// migrateNames: version 3 keeps the names users gave devices, by ext
// address, in their own bucket.
func migrateNames(tx *bolt.Tx, _ *Codec) error {
	if _, err := tx.CreateBucketIfNotExists(bucketNames); err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketNames, err)
	}
	return nil
}

// fileVersion reads the schema version (0 without a meta bucket).
func fileVersion(tx *bolt.Tx) (uint64, error) {
	m := tx.Bucket(bucketMeta)
	if m == nil {
		return 0, nil
	}
	v := m.Get(keyVersion)
	if len(v) != 8 {
		return 0, fmt.Errorf("%w: meta version of %d bytes", ErrCorrupt, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// migrate brings db to CurrentVersion in one transaction.
func migrate(db *bolt.DB, c *Codec, readOnly bool) error {
	var v uint64
	if err := db.View(func(tx *bolt.Tx) (err error) { v, err = fileVersion(tx); return err }); err != nil {
		return err
	}
	switch {
	case v == CurrentVersion:
		return nil
	case v > CurrentVersion:
		return fmt.Errorf("schema version %d is newer than this program's %d", v, CurrentVersion)
	case readOnly:
		return fmt.Errorf("schema version %d needs migrating to %d: open it read-write once", v, CurrentVersion)
	}
	return db.Update(func(tx *bolt.Tx) error {
		v, err := fileVersion(tx)
		if err != nil {
			return err
		}
		for ; v < CurrentVersion; v++ {
			if err := migrations[v](tx, c); err != nil {
				return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
			}
		}
		return tx.Bucket(bucketMeta).Put(keyVersion, binary.BigEndian.AppendUint64(nil, CurrentVersion))
	})
}
