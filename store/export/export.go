// Package export writes a snapshot in the formats users take elsewhere —
// canonical JSON, CBOR, GraphML (yEd, Gephi), Graphviz DOT, CSV (nodes.csv
// and links.csv, zipped) — and reads the JSON and CBOR exports back. An
// export can be redacted for sharing.
package export

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/topology"
)

// Format is an export format.
type Format string

// The formats.
const (
	JSON    Format = "json"
	CBOR    Format = "cbor"
	GraphML Format = "graphml"
	DOT     Format = "dot"
	CSV     Format = "csv" // a zip of nodes.csv and links.csv
)

// Formats lists every format, in the order the CLI shows them.
var Formats = []Format{JSON, CBOR, GraphML, DOT, CSV}

// ParseFormat reads a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == strings.ToLower(s) {
			return f, nil
		}
	}
	return "", fmt.Errorf("export format %q: want one of json, cbor, graphml, dot, csv", s)
}

// Ext is the file name extension (csv exports are zips).
func (f Format) Ext() string {
	if f == CSV {
		return "zip"
	}
	return string(f)
}

// ContentType is the MIME type of the format.
func (f Format) ContentType() string {
	switch f {
	case JSON:
		return "application/json"
	case CBOR:
		return "application/cbor"
	case GraphML:
		return "application/graphml+xml"
	case DOT:
		return "text/vnd.graphviz"
	case CSV:
		return "application/zip"
	}
	return "application/octet-stream"
}

// Options tune an export.
type Options struct {
	// Redact replaces identifiers with pseudonyms (see Redact).
	Redact bool
	// RedactKey keys the pseudonyms; the same key gives the same pseudonym
	// for the same device in every export (nil: a fixed key, so pseudonyms
	// are stable across exports and users).
	RedactKey []byte
}

// Filename is a file name for the export of s: threadmap-<network>-<id>.<ext>.
func Filename(s *topology.Snapshot, f Format, opts Options) string {
	net := "network"
	if !opts.Redact {
		net = s.Network.Name
		if net == "" {
			net = s.Network.ExtPanID
		}
	}
	id := s.ID
	if id == "" {
		id = s.TakenAt.UTC().Format("20060102T150405Z")
	}
	safe := func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}
	if opts.Redact {
		id += "-redacted"
	}
	return "threadmap-" + strings.Map(safe, net) + "-" + strings.Map(safe, id) + "." + f.Ext()
}

// Write writes s to w in format f.
func Write(w io.Writer, s *topology.Snapshot, f Format, opts Options) error {
	if s == nil {
		return fmt.Errorf("export %s: no snapshot", f)
	}
	if opts.Redact {
		s = Redact(s, opts.RedactKey)
	}
	var err error
	switch f {
	case JSON:
		var b []byte
		if b, err = s.JSON(); err == nil {
			_, err = w.Write(b)
		}
	case CBOR:
		var b []byte
		if b, err = store.NewCodec().MarshalSnapshot(s); err == nil {
			_, err = w.Write(b)
		}
	case GraphML:
		err = writeGraphML(w, s)
	case DOT:
		err = writeDOT(w, s)
	case CSV:
		err = writeCSVZip(w, s)
	default:
		err = fmt.Errorf("unknown format")
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", f, err)
	}
	return nil
}

// Bytes is Write into memory.
func Bytes(s *topology.Snapshot, f Format, opts Options) ([]byte, error) {
	var b bytes.Buffer
	if err := Write(&b, s, f, opts); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// MaxImport bounds what Import reads.
const MaxImport = 64 << 20

// Import reads a JSON or CBOR export (told apart by the first byte: JSON
// starts with "{" after white space, CBOR with a map header).
func Import(r io.Reader) (*topology.Snapshot, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxImport+1))
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if len(b) > MaxImport {
		return nil, fmt.Errorf("import: larger than %d bytes", MaxImport)
	}
	t := bytes.TrimLeft(b, " \t\r\n")
	switch {
	case len(t) == 0:
		return nil, fmt.Errorf("import: empty input")
	case t[0] == '{':
		s, err := topology.DecodeJSON(bytes.NewReader(t))
		if err != nil {
			return nil, fmt.Errorf("import json: %w", err)
		}
		return s, nil
	case b[0]>>5 == 5: // CBOR major type 5: map
		s, err := store.NewCodec().UnmarshalSnapshot(b)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		return s, nil
	}
	return nil, fmt.Errorf("import: neither a JSON nor a CBOR snapshot export (first byte 0x%02x)", b[0])
}
