package store

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/threadmap/threadmap/thread/topology"
)

// ErrCorrupt marks a stored record that does not verify or decode.
var ErrCorrupt = errors.New("corrupt record")

// Record codecs (the first byte of a record).
const (
	// codecCBOR: the payload is CBOR.
	codecCBOR = 1
	// codecCBORDeflate: the payload is CBOR compressed with DEFLATE (RFC
	// 1951). Snapshots repeat their keys and prefixes a lot: a 250-node
	// snapshot is ~160 kB of CBOR and ~20 kB deflated.
	codecCBORDeflate = 2
)

// maxInflated bounds a decompressed record, so a corrupt one cannot
// exhaust memory.
const maxInflated = 256 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Codec encodes and decodes snapshots as deterministic CBOR. It is safe for
// concurrent use.
type Codec struct {
	enc cbor.EncMode
	dec cbor.DecMode
}

// NewCodec returns the CBOR codec used for records and CBOR exports.
func NewCodec() *Codec {
	eo := cbor.CoreDetEncOptions()
	eo.Time = cbor.TimeRFC3339NanoUTC
	enc, err := eo.EncMode()
	if err != nil {
		panic(fmt.Sprintf("store: cbor enc options: %v", err)) // static options: a programming error
	}
	dec, err := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		MaxArrayElements: 1 << 20,
		MaxMapPairs:      1 << 20,
		MaxNestedLevels:  16,
	}.DecMode()
	if err != nil {
		panic(fmt.Sprintf("store: cbor dec options: %v", err))
	}
	return &Codec{enc: enc, dec: dec}
}

// MarshalSnapshot is the deterministic CBOR of s.
func (c *Codec) MarshalSnapshot(s *topology.Snapshot) ([]byte, error) {
	b, err := c.enc.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode snapshot cbor: %w", err)
	}
	return b, nil
}

// UnmarshalSnapshot decodes CBOR written by MarshalSnapshot and checks the schema.
func (c *Codec) UnmarshalSnapshot(b []byte) (*topology.Snapshot, error) {
	var s topology.Snapshot
	if err := c.dec.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("decode snapshot cbor: %w", err)
	}
	if s.Schema != topology.Schema {
		return nil, fmt.Errorf("decode snapshot cbor: schema %q, want %q", s.Schema, topology.Schema)
	}
	if s.Nodes == nil {
		s.Nodes = []topology.Node{}
	}
	if s.Links == nil {
		s.Links = []topology.Link{}
	}
	return &s, nil
}

// seal wraps a CBOR payload into a record: codec, payload, CRC-32C.
func seal(payload []byte) []byte { return sealAs(codecCBOR, payload) }

func sealAs(codec byte, payload []byte) []byte {
	out := make([]byte, 0, len(payload)+5)
	out = append(out, codec)
	out = append(out, payload...)
	return binary.BigEndian.AppendUint32(out, crc32.Checksum(out, castagnoli))
}

// open checks a record and returns its payload.
func open(rec []byte) ([]byte, error) {
	if len(rec) < 5 {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the 5-byte frame", ErrCorrupt, len(rec))
	}
	body, sum := rec[:len(rec)-4], binary.BigEndian.Uint32(rec[len(rec)-4:])
	if got := crc32.Checksum(body, castagnoli); got != sum {
		return nil, fmt.Errorf("%w: checksum %08x, want %08x", ErrCorrupt, got, sum)
	}
	switch body[0] {
	case codecCBOR:
		return body[1:], nil
	case codecCBORDeflate:
		r := flate.NewReader(bytes.NewReader(body[1:]))
		defer r.Close()
		out, err := io.ReadAll(io.LimitReader(r, maxInflated+1))
		if err != nil {
			return nil, fmt.Errorf("%w: inflate: %w", ErrCorrupt, err)
		}
		if len(out) > maxInflated {
			return nil, fmt.Errorf("%w: inflates beyond %d bytes", ErrCorrupt, maxInflated)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: unknown codec %d", ErrCorrupt, body[0])
}

// deflate compresses a payload (fastest level: records are written on
// every scan).
func deflate(payload []byte) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(payload) / 6)
	w, err := flate.NewWriter(&b, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(payload); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// encodeSnapshotRecord is the stored form of s.
func (c *Codec) encodeSnapshotRecord(s *topology.Snapshot) ([]byte, error) {
	b, err := c.MarshalSnapshot(s)
	if err != nil {
		return nil, err
	}
	z, err := deflate(b)
	if err != nil {
		return nil, fmt.Errorf("deflate snapshot: %w", err)
	}
	return sealAs(codecCBORDeflate, z), nil
}

// decodeSnapshotRecord reads a stored snapshot.
func (c *Codec) decodeSnapshotRecord(rec []byte) (*topology.Snapshot, error) {
	p, err := open(rec)
	if err != nil {
		return nil, err
	}
	s, err := c.UnmarshalSnapshot(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return s, nil
}

// summaryRecord is what the sum buckets hold: enough for listings without
// decoding whole snapshots.
type summaryRecord struct {
	ID            uint64           `cbor:"1,keyasint"`
	Network       string           `cbor:"2,keyasint"`
	TakenAt       time.Time        `cbor:"3,keyasint"`
	Nodes         int              `cbor:"4,keyasint"`
	Routers       int              `cbor:"5,keyasint"`
	Links         int              `cbor:"6,keyasint"`
	BorderRouters int              `cbor:"7,keyasint"`
	Identity      topology.Network `cbor:"8,keyasint"`
	// Error is set by the v1→v2 migration for a snapshot record it could not read.
	Error string `cbor:"9,keyasint,omitempty"`
}

func (c *Codec) encodeSummaryRecord(r *summaryRecord) ([]byte, error) {
	b, err := c.enc.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode summary cbor: %w", err)
	}
	return seal(b), nil
}

func (c *Codec) decodeSummaryRecord(rec []byte) (*summaryRecord, error) {
	p, err := open(rec)
	if err != nil {
		return nil, err
	}
	var r summaryRecord
	if err := c.dec.Unmarshal(p, &r); err != nil {
		return nil, fmt.Errorf("%w: decode summary cbor: %w", ErrCorrupt, err)
	}
	return &r, nil
}

// summarize counts what a listing shows of s.
func summarize(id uint64, key string, s *topology.Snapshot) *summaryRecord {
	r := &summaryRecord{ID: id, Network: key, TakenAt: s.TakenAt, Nodes: len(s.Nodes), Links: len(s.Links), Identity: s.Network}
	for _, n := range s.Nodes {
		if n.Role.IsRouterRole() {
			r.Routers++
		}
	}
	r.BorderRouters = CountBorderRouters(s)
	return r
}

// CountBorderRouters counts the distinct border routers a snapshot knows:
// nodes flagged border_router and discovered border routers, one each
// (a discovered one with the ext address of a node is that node).
func CountBorderRouters(s *topology.Snapshot) int {
	seen := map[string]bool{}
	for _, n := range s.Nodes {
		if n.BorderRouter {
			seen[n.ID] = true
		}
	}
	for _, br := range s.BorderRouters {
		k := br.ExtAddr
		if k == "" {
			k = "br:" + br.ID
		}
		seen[k] = true
	}
	return len(seen)
}
