package meshcop

import (
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Entry is one TXT key/value pair as it travels on the wire (RFC 6763 6.3):
// the bytes before the first '=' are the key, the rest is the value. An
// entry without '=' is a boolean attribute (HasValue false).
type Entry struct {
	Key      string
	Value    []byte
	HasValue bool
}

// String is the entry in presentation form, as miekg/dns would print it.
func (e Entry) String() string { return Escape(e.wire()) }

// wire is the entry's bytes inside one TXT character-string.
func (e Entry) wire() []byte {
	if !e.HasValue {
		return []byte(e.Key)
	}
	b := make([]byte, 0, len(e.Key)+1+len(e.Value))
	b = append(b, e.Key...)
	b = append(b, '=')
	return append(b, e.Value...)
}

// ParseEntry splits one TXT character-string (exact bytes) into key and value.
func ParseEntry(b []byte) (Entry, error) {
	if len(b) == 0 {
		return Entry{}, fmt.Errorf("txt entry: empty string")
	}
	i := strings.IndexByte(string(b), '=')
	if i == 0 {
		return Entry{}, fmt.Errorf("txt entry %q: empty key", Escape(b))
	}
	if i < 0 {
		if !printableASCII(b) {
			return Entry{}, fmt.Errorf("txt entry %q: key is not printable ASCII", Escape(b))
		}
		return Entry{Key: string(b)}, nil
	}
	key := b[:i]
	if !printableASCII(key) {
		return Entry{}, fmt.Errorf("txt entry %q: key is not printable ASCII", Escape(b))
	}
	v := make([]byte, len(b)-i-1)
	copy(v, b[i+1:])
	return Entry{Key: string(key), Value: v, HasValue: true}, nil
}

func printableASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// Unescape turns one TXT string in presentation form (miekg/dns, avahi:
// `\DDD` decimal escapes, `\X` for any other X) into its exact bytes. A
// `\xHH` hex escape (dns-sd style) is accepted too when followed by two hex
// digits. A dangling backslash or a `\DDD` above 255 is an error.
func Unescape(s string) ([]byte, error) {
	if strings.IndexByte(s, '\\') < 0 {
		return []byte(s), nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(s) {
			return nil, fmt.Errorf("unescape txt: dangling backslash at byte %d", i)
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			v := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			if v > 255 {
				return nil, fmt.Errorf("unescape txt: \\%s at byte %d is above 255", s[i+1:i+4], i)
			}
			out = append(out, byte(v))
			i += 3
			continue
		}
		if s[i+1] == 'x' && i+3 < len(s) && isHex(s[i+2]) && isHex(s[i+3]) {
			var b [1]byte
			if _, err := hex.Decode(b[:], []byte(s[i+2:i+4])); err == nil {
				out = append(out, b[0])
				i += 3
				continue
			}
		}
		out = append(out, s[i+1])
		i++
	}
	return out, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// Escape writes exact bytes in the presentation form miekg/dns reads when it
// packs a TXT record: printable ASCII as is, `"` and `\` backslash-escaped,
// everything else as `\DDD`. Escape(Unescape(x)) is canonical and
// Unescape(Escape(b)) == b for every b.
func Escape(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c < 0x20 || c > 0x7e:
			fmt.Fprintf(&sb, "\\%03d", c)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// EntriesFromPresentation decodes the TXT strings zeroconf's ServiceEntry.Text
// (miekg/dns presentation form) holds, one entry per string. Empty strings
// (a TXT record with no data is one empty string) are skipped.
func EntriesFromPresentation(txt []string) ([]Entry, error) {
	var out []Entry
	for i, s := range txt {
		if s == "" {
			continue
		}
		b, err := Unescape(s)
		if err != nil {
			return out, fmt.Errorf("txt string %d: %w", i, err)
		}
		e, err := ParseEntry(b)
		if err != nil {
			return out, fmt.Errorf("txt string %d: %w", i, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// Presentation is the inverse of EntriesFromPresentation: the strings to hand
// to zeroconf.Register / RegisterProxy so the wire carries the exact bytes.
func Presentation(entries []Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.String()
	}
	return out
}

// EntriesFromWire decodes TXT RDATA (RFC 1035 3.3.14: a sequence of
// length-prefixed character-strings).
func EntriesFromWire(rdata []byte) ([]Entry, error) {
	var out []Entry
	for off := 0; off < len(rdata); {
		l := int(rdata[off])
		if off+1+l > len(rdata) {
			return out, fmt.Errorf("txt rdata: string at byte %d claims %d bytes, %d left", off, l, len(rdata)-off-1)
		}
		s := rdata[off+1 : off+1+l]
		off += 1 + l
		if l == 0 {
			continue
		}
		e, err := ParseEntry(s)
		if err != nil {
			return out, fmt.Errorf("txt rdata at byte %d: %w", off-l-1, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// Wire encodes entries as TXT RDATA. An entry longer than 255 bytes is an error.
func Wire(entries []Entry) ([]byte, error) {
	var out []byte
	for _, e := range entries {
		w := e.wire()
		if len(w) > 255 {
			return nil, fmt.Errorf("txt entry %q: %d bytes, at most 255 fit a character-string", e.Key, len(w))
		}
		out = append(out, byte(len(w)))
		out = append(out, w...)
	}
	return out, nil
}

// textOrEmpty returns b as text when it is valid UTF-8 without control
// characters, else "".
func textOrEmpty(b []byte) string {
	if !utf8.Valid(b) {
		return ""
	}
	for _, r := range string(b) {
		if r < 0x20 || r == 0x7f {
			return ""
		}
	}
	return string(b)
}
