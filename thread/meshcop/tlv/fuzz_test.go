package tlv

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"testing"
)

// seeds are the captured datasets and the commissioner's message layouts
// (testdata/fuzz holds a few more).
func seeds(f *testing.F) {
	for _, d := range datasets(f) {
		b, _ := hex.DecodeString(d.Hex)
		f.Add(b)
	}
	for _, s := range []string{"0a0974687265616400", "0b0212341001ff", "0d0600010203070e",
		"30ff000af0bff0bf4202beef01023110fd005a1100000000000000fffe000400", "1001ff0a03616263"} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
}

func FuzzDecode(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is not a *Error", err)
			}
			return
		}
		enc := m.Encode()
		if len(m.Secrets) == 0 && !bytes.Equal(enc, b) {
			t.Fatalf("round trip:\n got %x\nwant %x", enc, b)
		}
		m2, err := Decode(enc)
		if err != nil {
			t.Fatalf("re-decode of %x: %v", enc, err)
		}
		if !bytes.Equal(m2.Encode(), enc) {
			t.Fatalf("second round trip differs")
		}
		m.order, m2.order, m.Secrets = nil, nil, nil
		for i := range m.Unknown {
			m.Unknown[i].Offset = 0
		}
		for i := range m2.Unknown {
			m2.Unknown[i].Offset = 0
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("re-decode differs:\n%+v\n%+v", m, m2)
		}
	})
}

func FuzzSplit(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		tlvs, err := Split(b)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is not a *Error", err)
			}
			return
		}
		var out []byte
		for _, tl := range tlvs {
			if tl.Offset < 0 || tl.Offset >= len(b) {
				t.Fatalf("offset %d outside %d bytes", tl.Offset, len(b))
			}
			out = Append(out, tl)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("join:\n got %x\nwant %x", out, b)
		}
	})
}
