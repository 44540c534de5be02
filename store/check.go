package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Check reads the whole file: bbolt's own page consistency check, then
// every snapshot and summary record against the id index. It returns one
// error per problem found (nil when the file is sound).
func (s *Store) Check() error {
	var problems []error
	err := s.view("check", func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			problems = append(problems, fmt.Errorf("bbolt: %w", err))
		}
		indexed := map[uint64]string{}
		err := tx.Bucket(bucketIDs).ForEach(func(k, v []byte) error {
			if len(k) != 8 || len(v) < 17 {
				problems = append(problems, fmt.Errorf("%w: index entry %x", ErrCorrupt, k))
				return nil
			}
			id := binary.BigEndian.Uint64(k)
			indexed[id] = string(v[16:])
			netKey, tk := string(v[16:]), v[:16]
			if keyID(tk) != id {
				problems = append(problems, fmt.Errorf("snapshot %d: %w: index points at id %d", id, ErrCorrupt, keyID(tk)))
			}
			for _, which := range [][]byte{bucketSnap, bucketSum} {
				b := snapBucket(tx, netKey, which)
				if b == nil || b.Get(tk) == nil {
					problems = append(problems, fmt.Errorf("snapshot %d: %w: no %s record", id, ErrCorrupt, which))
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, key := range networkKeys(tx) {
			if sb := snapBucket(tx, key, bucketSnap); sb != nil {
				if n, c := uint64(sb.Stats().KeyN), readCount(tx.Bucket(bucketNet).Bucket([]byte(key))); n != c {
					problems = append(problems, fmt.Errorf("network %s: %w: count %d, %d snapshot records", key, ErrCorrupt, c, n))
				}
			}
			for _, which := range [][]byte{bucketSnap, bucketSum} {
				b := snapBucket(tx, key, which)
				if b == nil {
					continue
				}
				err := b.ForEach(func(k, v []byte) error {
					if len(k) != 16 {
						problems = append(problems, fmt.Errorf("network %s: %w: %s key %x", key, ErrCorrupt, which, k))
						return nil
					}
					id := keyID(k)
					if indexed[id] != key {
						problems = append(problems, fmt.Errorf("snapshot %d: %w: %s record not in the index", id, ErrCorrupt, which))
					}
					var err error
					if string(which) == string(bucketSnap) {
						_, err = s.codec.decodeSnapshotRecord(v)
					} else {
						var r *summaryRecord
						if r, err = s.codec.decodeSummaryRecord(v); err == nil && r.ID != id {
							err = fmt.Errorf("%w: summary names id %d", ErrCorrupt, r.ID)
						}
					}
					if err != nil {
						problems = append(problems, fmt.Errorf("snapshot %d: %s: %w", id, which, err))
					}
					return nil
				})
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("check %s: %w", s.path, err)
	}
	return errors.Join(problems...)
}
