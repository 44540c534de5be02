package nodedump

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Values in a node dump are JSON as python-matter-server writes them: TLV
// integers as JSON numbers (64-bit ones up to 2^64−1, so never float64),
// octet strings as base64, structs as objects keyed by field number (older
// dumps: by field name), nullable values as null. Diagnostics downloads
// replace some values with "**REDACTED**"; contributors hand-mask others
// with asterisks; a failed read shows up as {"TLVValue": null, "Reason": ...}.

// parseValue decodes one attribute value with UseNumber so integers keep
// every bit.
func parseValue(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the value")
	}
	return v, nil
}

// parseValues decodes the values of keys in one pass (one JSON array, one
// decoder); when that fails, value by value, naming each bad one.
func parseValues(attrs map[string]json.RawMessage, keys []string, p *problems) map[string]any {
	out := make(map[string]any, len(keys))
	valid := make([]string, 0, len(keys))
	for _, k := range keys {
		// Only a value built in Go can be invalid here (a decoded
		// RawMessage is one valid value); it must not shift the others.
		if !json.Valid(attrs[k]) {
			p.add(k, "not JSON: %.40q", string(attrs[k]))
			continue
		}
		valid = append(valid, k)
	}
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, k := range valid {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(attrs[k])
	}
	buf.WriteByte(']')
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	var list []any
	if err := dec.Decode(&list); err == nil && len(list) == len(valid) && !dec.More() {
		for i, k := range valid {
			out[k] = list[i]
		}
		return out
	}
	for _, k := range valid {
		v, err := parseValue(attrs[k])
		if err != nil {
			p.add(k, "not JSON: %v", err)
			continue
		}
		out[k] = v
	}
	return out
}

// Redacted reports whether s is a redaction placeholder ("**REDACTED**",
// or nothing but asterisks).
func Redacted(s string) bool {
	if s == "" {
		return false
	}
	if strings.Contains(s, "REDACTED") {
		return true
	}
	return strings.Trim(s, "*") == ""
}

// absent reports whether v carries no value: null, a redaction placeholder,
// or a failed read ({"TLVValue": null, "Reason": ...}).
func absent(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return Redacted(t)
	case map[string]any:
		if _, ok := t["TLVValue"]; ok {
			if _, ok := t["Reason"]; ok {
				return true
			}
		}
	}
	return false
}

// problems collects what could not be decoded, each naming where.
type problems struct{ list []string }

func (p *problems) add(path, format string, a ...any) {
	p.list = append(p.list, path+": "+fmt.Sprintf(format, a...))
}

func describe(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case json.Number:
		return "number " + t.String()
	case string:
		if len(t) > 40 {
			t = t[:40] + "..."
		}
		return strconv.Quote(t)
	case bool:
		return "bool"
	case []any:
		return fmt.Sprintf("list of %d", len(t))
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// toUint reads an unsigned integer of at most bits bits. A decimal string
// is accepted too; with b64 also a base64 octet string of at most bits/8
// bytes (big-endian), the other way ext addresses arrive.
func toUint(v any, bits int, b64 bool) (uint64, error) {
	switch t := v.(type) {
	case json.Number:
		u, err := strconv.ParseUint(t.String(), 10, bits)
		if err != nil {
			return 0, fmt.Errorf("%s is not a %d-bit unsigned integer", t, bits)
		}
		return u, nil
	case string:
		if u, err := strconv.ParseUint(t, 10, bits); err == nil {
			return u, nil
		}
		if b64 {
			b, err := decodeBase64(t)
			if err == nil && len(b) > 0 && len(b) <= bits/8 {
				var u uint64
				for _, x := range b {
					u = u<<8 | uint64(x)
				}
				return u, nil
			}
		}
	}
	return 0, fmt.Errorf("%s is not a %d-bit unsigned integer", describe(v), bits)
}

func toInt(v any, bits int) (int64, error) {
	if n, ok := v.(json.Number); ok {
		i, err := strconv.ParseInt(n.String(), 10, bits)
		if err == nil {
			return i, nil
		}
	}
	if s, ok := v.(string); ok {
		if i, err := strconv.ParseInt(s, 10, bits); err == nil {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%s is not a %d-bit integer", describe(v), bits)
}

func toBool(v any) (bool, error) {
	if b, ok := v.(bool); ok {
		return b, nil
	}
	return false, fmt.Errorf("%s is not a bool", describe(v))
}

func toString(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", fmt.Errorf("%s is not a string", describe(v))
}

// decodeBase64 reads standard base64, with or without padding.
func decodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("%s is not base64", describe(s))
	}
	return b, nil
}

func toBytes(v any) ([]byte, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%s is not a base64 octet string", describe(v))
	}
	return decodeBase64(s)
}

// field looks a struct field up by number, then by any of its names (the
// older python-matter-server dumps key structs by field name).
func field(obj map[string]any, num int, names ...string) (any, bool) {
	if v, ok := obj[strconv.Itoa(num)]; ok {
		return v, true
	}
	for _, n := range names {
		if v, ok := obj[n]; ok {
			return v, true
		}
	}
	return nil, false
}

// structReader reads fields of one struct value, recording problems.
type structReader struct {
	obj  map[string]any
	path string
	p    *problems
}

func (r structReader) get(num int, names ...string) (any, bool) {
	v, ok := field(r.obj, num, names...)
	if !ok || absent(v) {
		return nil, false
	}
	return v, true
}

// fieldOf converts field num with conv; a value that does not convert is
// recorded as a problem and reads as nil.
func fieldOf[T any](r structReader, num int, conv func(any) (T, error), names ...string) *T {
	v, ok := r.get(num, names...)
	if !ok {
		return nil
	}
	x, err := conv(v)
	if err != nil {
		r.p.add(fmt.Sprintf("%s field %d", r.path, num), "%v", err)
		return nil
	}
	return &x
}

func (r structReader) uint(num, bits int, b64 bool, names ...string) *uint64 {
	return fieldOf(r, num, func(v any) (uint64, error) { return toUint(v, bits, b64) }, names...)
}

func (r structReader) int(num, bits int, names ...string) *int64 {
	return fieldOf(r, num, func(v any) (int64, error) { return toInt(v, bits) }, names...)
}

func (r structReader) bool(num int, names ...string) *bool {
	return fieldOf(r, num, toBool, names...)
}

func (r structReader) string(num int, names ...string) *string {
	return fieldOf(r, num, toString, names...)
}

func (r structReader) bytes(num int, names ...string) []byte {
	return val(fieldOf(r, num, toBytes, names...))
}

func val[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// sortedKeys returns the map's keys in a stable order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// clampInt converts an int64 that came from a bounded TLV integer.
func clampInt(i int64) int {
	if i > math.MaxInt32 {
		return math.MaxInt32
	}
	if i < math.MinInt32 {
		return math.MinInt32
	}
	return int(i)
}
