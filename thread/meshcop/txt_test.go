package meshcop

import (
	"bytes"
	"encoding/hex"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/miekg/dns"
)

func TestUnescape(t *testing.T) {
	cases := []struct {
		in   string
		want []byte
		err  bool
	}{
		{"plain", []byte("plain"), false},
		{`sb=\000\000\028\049`, []byte{'s', 'b', '=', 0, 0, 28, 49}, false},
		{`a\"b\\c`, []byte(`a"b\c`), false},
		{`OTLab\ SimBR\ #F721`, []byte("OTLab SimBR #F721"), false},
		{`x\xfe\x00`, []byte{'x', 0xfe, 0}, false},
		{`\255`, []byte{255}, false},
		{`\256`, nil, true},
		{`dangling\`, nil, true},
		{`\12`, []byte("12"), false}, // not three digits: the escaped character itself
	}
	for _, c := range cases {
		got, err := Unescape(c.in)
		if (err != nil) != c.err || (!c.err && !bytes.Equal(got, c.want)) {
			t.Errorf("Unescape(%q) = %q, %v; want %q (error %v)", c.in, got, err, c.want, c.err)
		}
	}
}

// What zeroconf.Register does with TXT strings: miekg/dns packs them,
// reading `\DDD` and `\X` escapes; a receiver's miekg/dns unpacks them back
// to presentation form. Escape must survive that round trip for every byte
// value, and the bytes on the wire must be exactly the entry's bytes.
func TestMiekgWireRoundTrip(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	entries := []Entry{
		{Key: "b0", Value: all[:200], HasValue: true},
		{Key: "b1", Value: all[200:], HasValue: true},
		{Key: "bs", Value: []byte(`\123\\"`), HasValue: true},
		{Key: "sb", Value: []byte{0, 0, 0x1c, 0x31}, HasValue: true},
		{Key: "eq", Value: []byte("a=b"), HasValue: true},
		{Key: "flag"},
	}
	rr := &dns.TXT{Hdr: dns.RR_Header{Name: "x._meshcop._udp.local.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 120},
		Txt: Presentation(entries)}
	m := new(dns.Msg)
	m.Response = true
	m.Answer = []dns.RR{rr}
	packed, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	wantWire, err := Wire(entries)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(packed, wantWire) {
		t.Fatalf("packed RDATA is not the exact entry bytes:\n%x\nwant suffix\n%x", packed, wantWire)
	}
	var back dns.Msg
	if err := back.Unpack(packed); err != nil {
		t.Fatal(err)
	}
	got, err := EntriesFromPresentation(back.Answer[0].(*dns.TXT).Txt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, entries) {
		t.Fatalf("round trip:\n%v\nwant\n%v", Presentation(got), Presentation(entries))
	}

	// Why escaping matters: handing miekg the raw bytes loses a backslash
	// followed by digits (it reads it as an escape).
	raw := &dns.TXT{Hdr: rr.Hdr, Txt: []string{"bs=" + string([]byte(`\123`))}}
	m.Answer = []dns.RR{raw}
	p2, _ := m.Pack()
	if bytes.Contains(p2, []byte(`bs=\123`)) {
		t.Fatal("expected miekg to reinterpret an unescaped backslash")
	}
}

func TestWire(t *testing.T) {
	es := []Entry{{Key: "rv", Value: []byte("1"), HasValue: true}, {Key: "f"}}
	w, err := Wire(es)
	if err != nil || hex.EncodeToString(w) != "0472763d310166" {
		t.Fatalf("wire %x %v", w, err)
	}
	back, err := EntriesFromWire(append(w, 0)) // an empty string is skipped
	if err != nil || !reflect.DeepEqual(back, es) {
		t.Fatalf("back %v %v", back, err)
	}
	if _, err := EntriesFromWire([]byte{5, 'a'}); err == nil {
		t.Fatal("truncated rdata accepted")
	}
	if _, err := EntriesFromWire([]byte{2, '=', 'a'}); err == nil {
		t.Fatal("empty key accepted")
	}
	if _, err := Wire([]Entry{{Key: "k", Value: make([]byte, 254), HasValue: true}}); err == nil {
		t.Fatal("256-byte string accepted")
	}
}

func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, r := range loadMeshcopFixtures(f) {
		w, err := Wire(r.TXT.entries(f))
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, w)
	}
	for _, b := range loadOTBRBrowse(f, filepath.Join(fixtures, "openthread", "small-current", "otbr-mdns", "meshcop_udp_browse.txt")) {
		var m dns.Msg
		if err := m.Unpack(b.Raw); err != nil {
			f.Fatal(err)
		}
		for _, rr := range m.Extra {
			if txt, ok := rr.(*dns.TXT); ok {
				es, err := EntriesFromPresentation(txt.Txt)
				if err != nil {
					f.Fatal(err)
				}
				w, _ := Wire(es)
				seeds = append(seeds, w)
			}
		}
	}
	return seeds
}

// FuzzDecodeWire: TXT RDATA never panics the decoder; a record that
// decodes cleanly re-encodes to the same set of entries.
func FuzzDecodeWire(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := EntriesFromWire(b)
		if err != nil {
			return
		}
		r, err := Decode(es)
		if r == nil {
			t.Fatal("nil record")
		}
		if len(r.TXT) != len(es) {
			t.Fatalf("lost entries: %d of %d", len(r.TXT), len(es))
		}
		if err != nil {
			return
		}
		enc, err := r.Entries()
		if err != nil {
			t.Fatalf("clean record does not encode: %v", err)
		}
		r2, err := Decode(enc)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		r.TXT, r2.TXT = nil, nil
		if !reflect.DeepEqual(r, r2) {
			t.Fatalf("re-decode differs:\n%+v\n%+v", r, r2)
		}
	})
}

// FuzzPresentation: any string either fails to unescape with an error or
// gives bytes that Escape/Unescape round-trip; DecodeTXT never panics.
func FuzzPresentation(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		es, _ := EntriesFromWire(s)
		for _, p := range Presentation(es) {
			f.Add(p)
		}
	}
	f.Add(`\256`)
	f.Add(`x\`)
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Unescape(s)
		_, _ = DecodeTXT([]string{s})
		if err != nil {
			return
		}
		back, err := Unescape(Escape(b))
		if err != nil || !bytes.Equal(back, b) {
			t.Fatalf("Escape round trip of %q: %q %v", b, back, err)
		}
	})
}
