package store

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/threadmap/threadmap/store/internal/boltpage"
)

// DamagedError says the store file's pages (not just one record) are
// damaged: bbolt cannot be trusted to read it. Open returns it when the
// quick check fails; any call returns it when bbolt stops on a damaged
// page, and the store then refuses writes.
type DamagedError struct {
	Path string
	// Problems name the pages (and buckets) at fault, first found first.
	Problems []error
}

// maxShown bounds the problems an error message lists.
const maxShown = 3

func (e *DamagedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "store %s is damaged: ", e.Path)
	for i, p := range e.Problems {
		if i == maxShown {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-maxShown)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Error())
	}
	fmt.Fprintf(&b, " (run 'threadmap check --db %s' for every problem, and 'threadmap repair --db %s -o NEW.db' to copy every readable snapshot to a new file)", e.Path, e.Path)
	return b.String()
}

// Unwrap lets errors.Is find ErrCorrupt.
func (e *DamagedError) Unwrap() error { return ErrCorrupt }

// quickCheck walks the page structure of the file at path (every page
// reachable from the root: ids, types, bounds, key order, the freelist)
// before bbolt is trusted with it.
func quickCheck(path string) error {
	f, closeFile, err := boltpage.OpenFile(path)
	if err != nil {
		return &DamagedError{Path: path, Problems: []error{err}}
	}
	defer closeFile()
	if problems := f.Verify(); len(problems) > 0 {
		return &DamagedError{Path: path, Problems: problems}
	}
	return nil
}

// guard runs fn, which reads or writes through bbolt, and turns a panic in
// it (bbolt asserting on a damaged page, or a fault reading the mapped
// file) into a DamagedError for this call. After one, writes are refused.
func (s *Store) guard(what string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		err = &DamagedError{Path: s.path, Problems: []error{fmt.Errorf("%s: bbolt stopped on a damaged page: %v", what, r)}}
		s.damaged.Store(&err)
	}()
	return fn()
}

// writable is nil unless a damaged page was seen: then it is why writes stop.
func (s *Store) writable() error {
	if p := s.damaged.Load(); p != nil {
		return fmt.Errorf("writes stopped: %w", *p)
	}
	return nil
}

// errClosed is returned by calls on a closed store.
var errClosed = errors.New("store closed")
