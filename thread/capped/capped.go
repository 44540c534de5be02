// Package capped reads input up to a byte limit and fails past it, from
// any reader: regular files, pipes and character devices alike (a pipe or
// /dev/zero reports size 0, so a size check before reading holds for
// neither). Every file threadmap reads goes through it.
package capped

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrTooLarge is wrapped by the error for input past its limit.
var ErrTooLarge = errors.New("input too large")

// TooLarge is the error for input past max bytes: "input larger than N
// MiB" (errors.Is ErrTooLarge).
func TooLarge(max int64) error { return tooLarge(max) }

type tooLarge int64

func (e tooLarge) Error() string {
	switch max := int64(e); {
	case max >= 1<<20 && max%(1<<20) == 0:
		return fmt.Sprintf("input larger than %d MiB", max>>20)
	case max >= 1<<10 && max%(1<<10) == 0:
		return fmt.Sprintf("input larger than %d KiB", max>>10)
	default:
		return fmt.Sprintf("input larger than %d bytes", max)
	}
}

func (e tooLarge) Is(target error) bool { return target == ErrTooLarge }

// Reader reads from R and fails with TooLarge(Max) once more than Max
// bytes came (for streaming parsers).
type Reader struct {
	R   io.Reader
	Max int64
	n   int64
}

// NewReader caps r at max bytes.
func NewReader(r io.Reader, max int64) *Reader { return &Reader{R: r, Max: max} }

// Read reads; past Max it returns TooLarge(Max).
func (c *Reader) Read(p []byte) (int, error) {
	if c.n > c.Max {
		return 0, TooLarge(c.Max)
	}
	if rest := c.Max + 1 - c.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := c.R.Read(p)
	c.n += int64(n)
	if c.n > c.Max {
		return n - int(c.n-c.Max), TooLarge(c.Max)
	}
	return n, err
}

// ReadAll reads r to its end, at most max bytes.
func ReadAll(r io.Reader, max int64) ([]byte, error) {
	return io.ReadAll(NewReader(r, max))
}

// ReadFile reads the file at path (a regular file, a pipe or a device),
// at most max bytes; when ctx ends the read stops (the file is closed
// under it) with ctx's error.
func ReadFile(ctx context.Context, path string, max int64) ([]byte, error) {
	f, err := Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := ReadAll(f, max)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", path, ctx.Err())
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// File is an open file whose reads stop when the context of Open ends.
type File struct {
	*os.File
	stop func() bool
}

// Open opens path for reading (a directory is an error) and closes it
// when ctx ends, so a read blocked on a pipe returns.
func Open(ctx context.Context, path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		err = fmt.Errorf("%s is a directory", path)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return &File{File: f, stop: context.AfterFunc(ctx, func() { f.Close() })}, nil
}

// Close closes the file.
func (f *File) Close() error {
	f.stop()
	return f.File.Close()
}
