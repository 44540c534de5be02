package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// keySettings holds, in the meta bucket, the runtime settings the API
// changed: an opaque blob the caller encodes (backend/app writes JSON).
var keySettings = []byte("settings")

// keyCredentials holds, in the meta bucket, the Border Agent credentials
// the user stored through the API: an opaque blob the caller encodes. The
// store file is created with mode 0600.
var keyCredentials = []byte("credentials")

// GetSettings returns the stored settings blob, or nil when none is stored.
func (s *Store) GetSettings() ([]byte, error) { return s.getMeta(keySettings, "settings") }

// PutSettings replaces the stored settings blob in one transaction; an
// empty blob deletes it.
func (s *Store) PutSettings(blob []byte) error { return s.putMeta(keySettings, "settings", blob) }

// GetCredentials returns the stored credentials blob, or nil when none is
// stored.
func (s *Store) GetCredentials() ([]byte, error) { return s.getMeta(keyCredentials, "credentials") }

// PutCredentials replaces the stored credentials blob in one transaction;
// an empty blob deletes it.
func (s *Store) PutCredentials(blob []byte) error {
	return s.putMeta(keyCredentials, "credentials", blob)
}

// getMeta reads one blob of the meta bucket.
func (s *Store) getMeta(key []byte, what string) ([]byte, error) {
	var out []byte
	err := s.view("get "+what, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		if b == nil {
			return nil
		}
		if v := b.Get(key); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", what, err)
	}
	return out, nil
}

// putMeta replaces one blob of the meta bucket (empty: deletes it).
func (s *Store) putMeta(key []byte, what string, blob []byte) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	err := s.update("put "+what, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if len(blob) == 0 {
			return b.Delete(key)
		}
		return b.Put(key, blob)
	})
	if err != nil {
		return fmt.Errorf("put %s: %w", what, err)
	}
	return nil
}
