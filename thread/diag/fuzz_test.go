package diag

import (
	"bytes"
	"path/filepath"
	"reflect"
	"testing"
)

// fuzzSeeds adds the real answers and the commissioner vector as seeds
// (testdata/fuzz holds a few more, derived from the same fixtures).
func fuzzSeeds(f *testing.F) {
	for _, a := range allAnswers(f) {
		f.Add(a.raw)
	}
	for _, v := range loadVectors(f) {
		f.Add(mustHex(f, v.Hex))
	}
}

// minimal reports whether every TLV in b uses the shortest length form,
// so that re-encoding must give b back byte for byte.
func minimal(tlvs []TLV) bool {
	for _, t := range tlvs {
		if t.Extended && len(t.Value) < 255 {
			return false
		}
	}
	return true
}

func FuzzDecode(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is not a *Error", err)
			}
			return
		}
		enc := m.Encode()
		tlvs, _ := ParseTLVs(b)
		if minimal(tlvs) && !bytes.Equal(enc, b) {
			t.Fatalf("round trip:\n got %x\nwant %x", enc, b)
		}
		m2, err := Decode(enc)
		if err != nil {
			t.Fatalf("re-decode of %x: %v", enc, err)
		}
		m.order, m2.order = nil, nil
		for i := range m.Unknown {
			m.Unknown[i].Offset = 0
		}
		for i := range m2.Unknown {
			m2.Unknown[i].Offset = 0
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("re-decode differs:\n%+v\n%+v", m, m2)
		}
		_ = m.String()
	})
}

func FuzzParseTLVs(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		tlvs, err := ParseTLVs(b)
		if err != nil {
			return
		}
		var out []byte
		for _, tl := range tlvs {
			if tl.Offset < 0 || tl.Offset >= len(b) {
				t.Fatalf("offset %d outside %d bytes", tl.Offset, len(b))
			}
			out = AppendTLV(out, tl)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("join:\n got %x\nwant %x", out, b)
		}
	})
}

// BenchmarkDecode decodes, and BenchmarkEncode re-encodes, the leader's
// full answer from the small mesh (325 bytes, 18 TLVs).
func BenchmarkDecode(b *testing.B) {
	raw := leaderAnswer(b)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	m, err := Decode(leaderAnswer(b))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = m.Encode()
	}
}

func leaderAnswer(b *testing.B) []byte {
	for _, a := range readAnswers(b, filepath.Join(fixtures, "openthread", "small", "diag", "netdiag_unicast_0x2400.txt")) {
		return a.raw
	}
	b.Fatal("no answer")
	return nil
}
