package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/threadmap/threadmap/thread/topology"
)

// bucketNames holds the names users gave devices: ext address (8 bytes,
// big-endian) → the name in UTF-8. Names are kept apart from snapshots so
// that one name covers every snapshot, past and future, of the device.
var bucketNames = []byte("names")

// MaxNameLen is the longest name, in characters.
const MaxNameLen = 64

// CheckName returns name without surrounding white space, or an error when
// it is empty, longer than MaxNameLen characters or holds a character that
// does not print (control characters, line breaks).
func CheckName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch n := utf8.RuneCountInString(name); {
	case !utf8.ValidString(name):
		return "", errors.New("name: not valid UTF-8")
	case n == 0:
		return "", errors.New("name: empty (to remove a name, delete it)")
	case n > MaxNameLen:
		return "", fmt.Errorf("name: %d characters, at most %d", n, MaxNameLen)
	}
	for i, r := range name {
		if !unicode.IsPrint(r) {
			return "", fmt.Errorf("name: character %U at byte %d does not print", r, i)
		}
	}
	return name, nil
}

// Names returns every stored name, by ext address (16 lower-case hex digits).
func (s *Store) Names() (map[string]string, error) {
	out := map[string]string{}
	err := s.view("names", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketNames)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				return nil // nothing this package writes
			}
			out[topology.ExtAddress(binary.BigEndian.Uint64(k)).String()] = string(v)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("names: %w", err)
	}
	return out, nil
}

// SetName names the device with ext address ext (any spelling
// topology.ParseExtAddress reads), replacing an earlier name, in one
// transaction. It returns the address and name as stored.
func (s *Store) SetName(ext, name string) (string, string, error) {
	addr, err := topology.ParseExtAddress(ext)
	if err != nil {
		return "", "", fmt.Errorf("set name: %w", err)
	}
	name, err = CheckName(name)
	if err != nil {
		return "", "", fmt.Errorf("set name of %s: %w", addr, err)
	}
	err = s.write("set name", func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketNames)
		if err != nil {
			return err
		}
		return b.Put(binary.BigEndian.AppendUint64(nil, uint64(addr)), []byte(name))
	})
	if err != nil {
		return "", "", fmt.Errorf("set name of %s: %w", addr, err)
	}
	return addr.String(), name, nil
}

// DeleteName removes the name of ext; ErrNotFound when it had none.
func (s *Store) DeleteName(ext string) (string, error) {
	addr, err := topology.ParseExtAddress(ext)
	if err != nil {
		return "", fmt.Errorf("delete name: %w", err)
	}
	err = s.write("delete name", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketNames)
		k := binary.BigEndian.AppendUint64(nil, uint64(addr))
		if b == nil || b.Get(k) == nil {
			return fmt.Errorf("%s has no name: %w", addr, ErrNotFound)
		}
		return b.Delete(k)
	})
	if err != nil {
		return "", fmt.Errorf("delete name: %w", err)
	}
	return addr.String(), nil
}

// write runs fn in a write transaction (update), taking s.mu for it.
func (s *Store) write(what string, fn func(tx *bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.opts.ReadOnly {
		return errors.New("store opened read-only")
	}
	return s.update(what, fn)
}
