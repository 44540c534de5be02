package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// keySettings holds, in the meta bucket, the runtime settings the API
// changed: an opaque blob the caller encodes (backend/app writes JSON).
var keySettings = []byte("settings")

// GetSettings returns the stored settings blob, or nil when none is stored.
func (s *Store) GetSettings() ([]byte, error) {
	var out []byte
	err := s.view("get settings", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		if b == nil {
			return nil
		}
		if v := b.Get(keySettings); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get settings: %w", err)
	}
	return out, nil
}

// PutSettings replaces the stored settings blob in one transaction; an
// empty blob deletes it.
func (s *Store) PutSettings(blob []byte) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	err := s.update("put settings", func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if len(blob) == 0 {
			return b.Delete(keySettings)
		}
		return b.Put(keySettings, blob)
	})
	if err != nil {
		return fmt.Errorf("put settings: %w", err)
	}
	return nil
}
