package export

import (
	"bytes"
	"testing"
)

// FuzzImport: any bytes given to Import are an error or a snapshot that
// exports in every format, and whose JSON and CBOR exports are stable from
// then on (export → import → export gives the same bytes); never a panic.
// (Exact equality with the first import needs our own exports as input:
// arbitrary JSON may say "counters": {} or a non-UTC time, which CBOR
// normalizes.)
func FuzzImport(f *testing.F) {
	for _, s := range snapshots(f) {
		for _, fm := range []Format{JSON, CBOR} {
			b, err := Bytes(s, fm, Options{})
			if err != nil {
				f.Fatal(err)
			}
			if len(b) > 64<<10 {
				continue // the 250-node mesh: too big a seed for the mutator
			}
			f.Add(b)
		}
	}
	f.Add([]byte(`{"schema":"threadmap.topology/v1","taken_at":"2026-11-25T12:00:00+01:00","nodes":[{"id":"a","sources":[],"counters":{},"flags":[]}],"links":[]}`))
	f.Add([]byte(`{"schema":"threadmap.topology/v1","taken_at":"2026-11-25T12:00:00Z","nodes":[{"id":"x","rloc16":"0x0400"}],"links":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Import(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, fm := range []Format{CBOR, JSON, GraphML, DOT, CSV} {
			if _, err := Bytes(s, fm, Options{Redact: fm == DOT}); err != nil {
				t.Fatalf("imported snapshot does not export as %s: %v", fm, err)
			}
		}
		for _, fm := range []Format{CBOR, JSON} {
			b1, _ := Bytes(s, fm, Options{})
			back, err := Import(bytes.NewReader(b1))
			if err != nil {
				t.Fatalf("%s export of an imported snapshot does not import: %v", fm, err)
			}
			b2, _ := Bytes(back, fm, Options{})
			if !bytes.Equal(b1, b2) {
				t.Fatalf("%s export → import → export not stable", fm)
			}
		}
	})
}
