// Package boltpage reads the pages of a bbolt file (go.etcd.io/bbolt, file
// format version 2) without trusting them: every page id, length and
// offset is checked against the file before it is used, so a damaged file
// gives errors naming the page, never a panic or an endless walk. The
// store checks a file with it before bbolt maps the file (bbolt trusts its
// pages: one bad page id can make it read outside the file or recurse for
// ever), and salvages records from a damaged file with it.
//
// The layout, as bbolt writes it (integers in the host's byte order):
//
//	page header (16 bytes)  id u64, flags u16, count u16, overflow u32; a
//	                        page spans 1+overflow pages of the page size
//	flags                   0x01 branch, 0x02 leaf, 0x04 meta, 0x10 freelist
//	branch element (16)     pos u32, ksize u32, child page id u64; the key
//	                        starts pos bytes after the element
//	leaf element (16)       flags u32 (0x01: the value is a nested bucket),
//	                        pos u32, ksize u32, vsize u32; the key, then the
//	                        value, start pos bytes after the element
//	meta (pages 0 and 1)    after the header: magic u32 0xED0CDAED, version
//	                        u32 2, page size u32, flags u32, root bucket
//	                        (root page u64, sequence u64), freelist page u64,
//	                        high-water page id u64, txid u64, checksum u64
//	                        (FNV-1a 64 of the meta bytes before it)
//	bucket value            root page u64, sequence u64; root 0 is an inline
//	                        bucket whose leaf page follows in the value
//	freelist page           count page ids (u64) after the header; a count
//	                        of 0xFFFF means the first u64 holds the count
package boltpage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// Page flags.
const (
	FlagBranch   = 0x01
	FlagLeaf     = 0x02
	FlagMeta     = 0x04
	FlagFreelist = 0x10
)

const (
	headerSize  = 16
	elementSize = 16
	metaSize    = 64
	magic       = 0xED0CDAED
	version     = 2
	// noFreelist is the freelist page id of a file that does not keep one.
	noFreelist = ^uint64(0)
	// bucketLeafFlag marks a leaf element whose value is a nested bucket.
	bucketLeafFlag = 0x01
	// maxDepth bounds nesting (buckets in buckets, and branch levels in one
	// bucket): a real file is a few levels deep.
	maxDepth = 64
)

var le = binary.NativeEndian

// Meta is the meta page bbolt uses: of the two, the valid one with the
// higher transaction id.
type Meta struct {
	PageSize     int
	Root         uint64 // the root bucket's root page
	RootSequence uint64
	Freelist     uint64 // page id, or all ones for none
	HighWater    uint64 // pages below this id are in use or free
	TxID         uint64
}

// File is a bbolt file opened for checking.
type File struct {
	r     io.ReaderAt
	size  int64
	Meta  Meta
	pages uint64 // whole pages in the file
	// MetaProblems lists meta pages that did not validate (normal after a
	// crash in the middle of a commit, as long as one does).
	MetaProblems []error
}

// Open reads both meta pages of the bbolt file r of size bytes. It fails
// only when neither validates.
func Open(r io.ReaderAt, size int64) (*File, error) {
	f := &File{r: r, size: size}
	var metas []Meta
	m0, err := f.readMeta(0, 0)
	if err != nil {
		f.MetaProblems = append(f.MetaProblems, err)
	} else {
		metas = append(metas, m0)
	}
	sizes := []int{os.Getpagesize(), 4096, 8192, 16384, 32768, 65536}
	if err == nil {
		sizes = []int{m0.PageSize}
	}
	var err1 error
	for _, ps := range sizes {
		var m1 Meta
		if m1, err1 = f.readMeta(1, ps); err1 == nil && (err != nil || m1.PageSize == m0.PageSize) {
			metas = append(metas, m1)
			break
		}
	}
	if err1 != nil {
		f.MetaProblems = append(f.MetaProblems, err1)
	}
	if len(metas) == 0 {
		return nil, fmt.Errorf("bbolt file: no valid meta page: %w", errors.Join(f.MetaProblems...))
	}
	f.Meta = metas[0]
	for _, m := range metas[1:] {
		if m.TxID > f.Meta.TxID {
			f.Meta = m
		}
	}
	f.pages = uint64(size) / uint64(f.Meta.PageSize)
	return f, nil
}

// OpenFile opens the file at path read-only; close it with the returned func.
func OpenFile(path string) (*File, func() error, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, nil, err
	}
	f, err := Open(fh, st.Size())
	if err != nil {
		fh.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, fh.Close, nil
}

// readMeta reads meta page id (0 or 1) assuming page size ps (unknown for page 0).
func (f *File) readMeta(id uint64, ps int) (Meta, error) {
	off := int64(id) * int64(ps)
	b := make([]byte, headerSize+metaSize)
	if _, err := f.r.ReadAt(b, off); err != nil {
		return Meta{}, fmt.Errorf("meta page %d: %w", id, err)
	}
	if got := le.Uint64(b); got != id {
		return Meta{}, fmt.Errorf("meta page %d: header names page %d", id, got)
	}
	if fl := le.Uint16(b[8:]); fl != FlagMeta {
		return Meta{}, fmt.Errorf("meta page %d: flags %#x, not a meta page", id, fl)
	}
	m := b[headerSize:]
	if le.Uint32(m) != magic {
		return Meta{}, fmt.Errorf("meta page %d: not a bbolt file (magic %#x)", id, le.Uint32(m))
	}
	if v := le.Uint32(m[4:]); v != version {
		return Meta{}, fmt.Errorf("meta page %d: bbolt file version %d, want %d", id, v, version)
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if got, want := h.Sum64(), le.Uint64(m[56:]); got != want {
		return Meta{}, fmt.Errorf("meta page %d: checksum %#x, want %#x", id, got, want)
	}
	out := Meta{
		PageSize:     int(le.Uint32(m[8:])),
		Root:         le.Uint64(m[16:]),
		RootSequence: le.Uint64(m[24:]),
		Freelist:     le.Uint64(m[32:]),
		HighWater:    le.Uint64(m[40:]),
		TxID:         le.Uint64(m[48:]),
	}
	if out.PageSize < 512 || out.PageSize > 1<<20 || out.PageSize&(out.PageSize-1) != 0 {
		return Meta{}, fmt.Errorf("meta page %d: page size %d", id, out.PageSize)
	}
	if ps != 0 && out.PageSize != ps {
		return Meta{}, fmt.Errorf("meta page %d: page size %d at offset %d", id, out.PageSize, off)
	}
	return out, nil
}

// Pages is the number of whole pages in the file.
func (f *File) Pages() uint64 { return f.pages }

// Page is one page as stored: its header and all its bytes (the header
// included, overflow pages appended).
type Page struct {
	ID       uint64
	Flags    uint16
	Count    uint16
	Overflow uint32
	Data     []byte
}

// limit is the first page id past what pages may use: the high-water mark,
// or the end of the file if that comes first.
func (f *File) limit() uint64 { return min(f.Meta.HighWater, f.pages) }

// Header reads only page id's header.
func (f *File) Header(id uint64) (*Page, error) {
	if id >= f.pages {
		return nil, fmt.Errorf("page %d: beyond the file's %d pages", id, f.pages)
	}
	b := make([]byte, headerSize)
	if _, err := f.r.ReadAt(b, int64(id)*int64(f.Meta.PageSize)); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	p := &Page{ID: le.Uint64(b), Flags: le.Uint16(b[8:]), Count: le.Uint16(b[10:]), Overflow: le.Uint32(b[12:])}
	if p.ID != id {
		return nil, fmt.Errorf("page %d: header names page %d", id, p.ID)
	}
	return p, nil
}

// Read reads page id with its overflow pages. The page must lie below
// the high-water mark and inside the file.
func (f *File) Read(id uint64) (*Page, error) { return f.ReadUpTo(id, f.limit()) }

// ReadUpTo is Read with pages allowed up to (not including) page lim, which
// is capped at the end of the file: for salvaging pages past a high-water
// mark that a damaged meta page lowered.
func (f *File) ReadUpTo(id, lim uint64) (*Page, error) {
	p, err := f.Header(id)
	if err != nil {
		return nil, err
	}
	if lim = min(lim, f.pages); id >= lim || uint64(p.Overflow) >= lim-id {
		return nil, fmt.Errorf("page %d: %d overflow pages run past page %d, the end of the used file", id, p.Overflow, lim)
	}
	p.Data = make([]byte, (uint64(p.Overflow)+1)*uint64(f.Meta.PageSize))
	if _, err := f.r.ReadAt(p.Data, int64(id)*int64(f.Meta.PageSize)); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	return p, nil
}

// inlinePage reads the leaf page embedded in an inline bucket's value.
func inlinePage(b []byte) (*Page, error) {
	if len(b) < headerSize {
		return nil, fmt.Errorf("inline bucket of %d bytes", len(b))
	}
	return &Page{ID: le.Uint64(b), Flags: le.Uint16(b[8:]), Count: le.Uint16(b[10:]), Overflow: le.Uint32(b[12:]), Data: b}, nil
}

// Branch is one element of a branch page.
type Branch struct {
	Key   []byte
	Child uint64
}

// Branches reads a branch page's elements.
func (p *Page) Branches() ([]Branch, error) {
	if p.Flags != FlagBranch {
		return nil, fmt.Errorf("page %d: flags %#x, not a branch page", p.ID, p.Flags)
	}
	out := make([]Branch, 0, p.Count)
	for i := 0; i < int(p.Count); i++ {
		e := headerSize + i*elementSize
		if e+elementSize > len(p.Data) {
			return nil, fmt.Errorf("page %d: branch element %d of %d past the page end", p.ID, i, p.Count)
		}
		pos, ksize := uint64(le.Uint32(p.Data[e:])), uint64(le.Uint32(p.Data[e+4:]))
		k0 := uint64(e) + pos
		if k0+ksize > uint64(len(p.Data)) {
			return nil, fmt.Errorf("page %d: branch element %d: key at %d+%d past the page's %d bytes", p.ID, i, k0, ksize, len(p.Data))
		}
		out = append(out, Branch{Key: p.Data[k0 : k0+ksize], Child: le.Uint64(p.Data[e+8:])})
	}
	return out, nil
}

// Leaf is one element of a leaf page.
type Leaf struct {
	Key, Value []byte
	// Bucket: Value is a nested bucket (root page, sequence, inline page).
	Bucket bool
}

// Leaves reads a leaf page's elements; with tolerant set it skips elements
// that do not fit the page (returning the first such error beside what it
// read) instead of stopping at the first.
func (p *Page) Leaves(tolerant bool) ([]Leaf, error) {
	if p.Flags != FlagLeaf {
		return nil, fmt.Errorf("page %d: flags %#x, not a leaf page", p.ID, p.Flags)
	}
	out := make([]Leaf, 0, p.Count)
	var first error
	for i := 0; i < int(p.Count); i++ {
		e := headerSize + i*elementSize
		if e+elementSize > len(p.Data) {
			err := fmt.Errorf("page %d: leaf element %d of %d past the page end", p.ID, i, p.Count)
			if !tolerant {
				return nil, err
			}
			return out, errors.Join(first, err)
		}
		flags := le.Uint32(p.Data[e:])
		pos, ksize, vsize := uint64(le.Uint32(p.Data[e+4:])), uint64(le.Uint32(p.Data[e+8:])), uint64(le.Uint32(p.Data[e+12:]))
		k0 := uint64(e) + pos
		if k0+ksize+vsize > uint64(len(p.Data)) {
			err := fmt.Errorf("page %d: leaf element %d: key and value at %d+%d+%d past the page's %d bytes", p.ID, i, k0, ksize, vsize, len(p.Data))
			if !tolerant {
				return nil, err
			}
			if first == nil {
				first = err
			}
			continue
		}
		out = append(out, Leaf{Key: p.Data[k0 : k0+ksize], Value: p.Data[k0+ksize : k0+ksize+vsize], Bucket: flags&bucketLeafFlag != 0})
	}
	return out, first
}

// Freelist reads the free page ids the file records (nil, nil when it
// keeps no freelist).
func (f *File) Freelist() ([]uint64, error) {
	if f.Meta.Freelist == noFreelist {
		return nil, nil
	}
	if f.Meta.Freelist < 2 || f.Meta.Freelist >= f.limit() {
		return nil, fmt.Errorf("freelist: page %d out of range", f.Meta.Freelist)
	}
	p, err := f.Read(f.Meta.Freelist)
	if err != nil {
		return nil, fmt.Errorf("freelist: %w", err)
	}
	if p.Flags != FlagFreelist {
		return nil, fmt.Errorf("freelist: page %d has flags %#x, not a freelist page", p.ID, p.Flags)
	}
	start, count := uint64(headerSize), uint64(p.Count)
	if count == 0xFFFF {
		if len(p.Data) < headerSize+8 {
			return nil, fmt.Errorf("freelist: page %d too short", p.ID)
		}
		count, start = le.Uint64(p.Data[headerSize:]), headerSize+8
	}
	if count > (uint64(len(p.Data))-start)/8 {
		return nil, fmt.Errorf("freelist: page %d claims %d ids, more than its %d bytes hold", p.ID, count, len(p.Data))
	}
	ids := make([]uint64, count)
	for i := range ids {
		ids[i] = le.Uint64(p.Data[start+uint64(i)*8:])
	}
	return ids, nil
}

// Visitor receives what Walk reaches. Either func may be nil.
type Visitor struct {
	// KV is called for every key/value (not a nested bucket) in the bucket
	// named by path (outermost first), found on page.
	KV func(path [][]byte, page uint64, key, value []byte)
	// Bucket is called for every nested bucket (path includes its name)
	// with its sequence.
	Bucket func(path [][]byte, sequence uint64)
}

// Walk follows every bucket's tree from the root, checking each page it
// reads (its id, type, element bounds, key order, and that no page is
// reached twice). A damaged page is reported and what hangs below it is
// skipped; the walk goes on with the rest. It returns the pages reached
// (overflow pages included) and the problems found.
func (f *File) Walk(v Visitor) (reached map[uint64]bool, problems []error) {
	w := &walker{f: f, v: v, reached: map[uint64]bool{0: true, 1: true}}
	if fl := f.Meta.Freelist; fl != noFreelist && fl < f.limit() {
		if h, err := f.Header(fl); err == nil && uint64(h.Overflow) < f.limit()-fl {
			for i := uint64(0); i <= uint64(h.Overflow); i++ {
				w.reached[fl+i] = true
			}
		}
	}
	w.tree(nil, f.Meta.Root, nil, nil, 0, 0)
	return w.reached, w.problems
}

type walker struct {
	f        *File
	v        Visitor
	reached  map[uint64]bool
	problems []error
}

func (w *walker) problem(path [][]byte, err error) {
	if len(path) > 0 {
		err = fmt.Errorf("bucket %s: %w", pathString(path), err)
	}
	w.problems = append(w.problems, err)
}

func pathString(path [][]byte) string {
	var b bytes.Buffer
	for i, p := range path {
		if i > 0 {
			b.WriteByte('/')
		}
		if printable(p) {
			b.Write(p)
		} else {
			fmt.Fprintf(&b, "%x", p)
		}
	}
	return b.String()
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return len(b) > 0
}

// tree walks the subtree at page id of the bucket at path; every key in it
// must lie in [lo, hi) (nil: open). depth counts branch levels, nest
// bucket nesting.
func (w *walker) tree(path [][]byte, id uint64, lo, hi []byte, depth, nest int) {
	if depth > maxDepth {
		w.problem(path, fmt.Errorf("page %d: more than %d branch levels", id, maxDepth))
		return
	}
	if id < 2 || id >= w.f.limit() {
		w.problem(path, fmt.Errorf("page %d: out of range (pages 2..%d are in use)", id, w.f.limit()-1))
		return
	}
	if w.reached[id] {
		w.problem(path, fmt.Errorf("page %d: reached twice", id))
		return
	}
	p, err := w.f.Read(id)
	if err != nil {
		w.reached[id] = true
		w.problem(path, err)
		return
	}
	for i := uint64(0); i <= uint64(p.Overflow); i++ {
		if w.reached[id+i] {
			w.problem(path, fmt.Errorf("page %d: its overflow page %d is reached twice", id, id+i))
			return
		}
		w.reached[id+i] = true
	}
	w.page(path, p, lo, hi, depth, nest)
}

// page reads one page (from the file, or an inline bucket's).
func (w *walker) page(path [][]byte, p *Page, lo, hi []byte, depth, nest int) {
	switch p.Flags {
	case FlagBranch:
		elems, err := p.Branches()
		if err != nil {
			w.problem(path, err)
			return
		}
		if len(elems) == 0 {
			w.problem(path, fmt.Errorf("page %d: empty branch page", p.ID))
			return
		}
		for i, e := range elems {
			if !inRange(e.Key, lo, hi) || (i > 0 && bytes.Compare(elems[i-1].Key, e.Key) >= 0) {
				w.problem(path, fmt.Errorf("page %d: branch key %d out of order", p.ID, i))
				continue
			}
			next := hi
			if i+1 < len(elems) {
				next = elems[i+1].Key
			}
			w.tree(path, e.Child, e.Key, next, depth+1, nest)
		}
	case FlagLeaf:
		elems, err := p.Leaves(false)
		if err != nil {
			w.problem(path, err)
			return
		}
		for i, e := range elems {
			if !inRange(e.Key, lo, hi) || (i > 0 && bytes.Compare(elems[i-1].Key, e.Key) >= 0) {
				w.problem(path, fmt.Errorf("page %d: leaf key %d out of order", p.ID, i))
				continue
			}
			if !e.Bucket {
				if w.v.KV != nil {
					w.v.KV(path, p.ID, e.Key, e.Value)
				}
				continue
			}
			w.bucket(append(path[:len(path):len(path)], e.Key), p.ID, e.Value, nest+1)
		}
	default:
		w.problem(path, fmt.Errorf("page %d: flags %#x, neither a branch nor a leaf page", p.ID, p.Flags))
	}
}

func (w *walker) bucket(path [][]byte, parent uint64, v []byte, nest int) {
	if nest > maxDepth {
		w.problem(path, fmt.Errorf("page %d: buckets nested more than %d deep", parent, maxDepth))
		return
	}
	if len(v) < 16 {
		w.problem(path, fmt.Errorf("page %d: bucket header of %d bytes", parent, len(v)))
		return
	}
	root, seq := le.Uint64(v), le.Uint64(v[8:])
	if w.v.Bucket != nil {
		w.v.Bucket(path, seq)
	}
	if root != 0 {
		w.tree(path, root, nil, nil, 0, nest)
		return
	}
	p, err := inlinePage(v[16:])
	if err != nil || p.Flags != FlagLeaf {
		if err == nil {
			err = fmt.Errorf("flags %#x, not a leaf", p.Flags)
		}
		w.problem(path, fmt.Errorf("page %d: inline bucket: %w", parent, err))
		return
	}
	p.ID = parent // for messages: the page that holds it
	w.page(path, p, nil, nil, 0, nest)
}

func inRange(k, lo, hi []byte) bool {
	return (lo == nil || bytes.Compare(k, lo) >= 0) && (hi == nil || bytes.Compare(k, hi) < 0)
}

// Verify is the structural check: Walk's problems, then the freelist (a
// freelist page, ids in range, none twice, none reached) and that every
// page below the high-water mark is either reached or free. It returns
// nil for a sound file.
func (f *File) Verify() []error {
	reached, problems := f.Walk(Visitor{})
	if f.Meta.HighWater*uint64(f.Meta.PageSize) > uint64(f.size) {
		problems = append(problems, fmt.Errorf("file of %d bytes is shorter than its %d pages of %d bytes: truncated", f.size, f.Meta.HighWater, f.Meta.PageSize))
	}
	if f.Meta.Freelist == noFreelist {
		return problems
	}
	free, err := f.Freelist()
	if err != nil {
		return append(problems, err)
	}
	freed := make(map[uint64]bool, len(free))
	for _, id := range free {
		switch {
		case id < 2 || id >= f.Meta.HighWater:
			problems = append(problems, fmt.Errorf("freelist: page %d out of range", id))
		case freed[id]:
			problems = append(problems, fmt.Errorf("freelist: page %d freed twice", id))
		case reached[id]:
			problems = append(problems, fmt.Errorf("freelist: page %d is free and in use", id))
		}
		freed[id] = true
	}
	if len(problems) > 0 {
		return problems // pages below a damaged one are unreached: no news
	}
	var lost []uint64
	for id := uint64(2); id < f.Meta.HighWater; id++ {
		if !reached[id] && !freed[id] {
			lost = append(lost, id)
		}
	}
	if len(lost) > 0 {
		problems = append(problems, fmt.Errorf("%d pages neither in use nor free (first: page %d)", len(lost), lost[0]))
	}
	return problems
}
