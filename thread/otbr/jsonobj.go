package otbr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/threadmap/threadmap/thread/topology"
)

// object is one decoded JSON object whose keys are matched without regard
// to case: the legacy API writes PascalCase ("ExtAddress"), the JSON:API
// camelCase ("extAddress"), and both spell the same words. Renamed
// attributes (eui64 → eui, connectionTime → linkAge, ...) are looked up
// through alias lists.
type object struct {
	path string
	m    map[string]json.RawMessage
	// names maps a lower-cased key to its spelling in the answer.
	names map[string]string
	// pascal: some key began with an upper-case letter (the legacy style).
	pascal bool
}

// parseObject decodes raw as a JSON object; path names it in errors.
func parseObject(raw json.RawMessage, path string) (object, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return object{}, fmt.Errorf("%s: want a JSON object, got %s", path, describe(raw))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return object{}, fmt.Errorf("%s: %w", path, err)
	}
	o := object{path: path, m: make(map[string]json.RawMessage, len(m)), names: make(map[string]string, len(m))}
	for k, v := range m {
		if k != "" && k[0] >= 'A' && k[0] <= 'Z' {
			o.pascal = true
		}
		o.m[strings.ToLower(k)] = v
		o.names[strings.ToLower(k)] = k
	}
	return o, nil
}

// name is key (lower-cased, as o.m holds it) as the answer spelled it.
func (o object) name(key string) string {
	if n, ok := o.names[key]; ok {
		return n
	}
	return key
}

// parseArray decodes raw as a JSON array.
func parseArray(raw json.RawMessage, path string) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return nil, fmt.Errorf("%s: want a JSON array, got %s", path, describe(raw))
	}
	var a []json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// describe names a JSON value's kind for error messages (never its content:
// an answer may carry a secret).
func describe(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// get returns the first of names that is present and not null.
func (o object) get(names ...string) (json.RawMessage, string, bool) {
	for _, n := range names {
		if v, ok := o.m[strings.ToLower(n)]; ok {
			t := bytes.TrimSpace(v)
			if len(t) == 0 || bytes.Equal(t, []byte("null")) {
				continue
			}
			return t, o.path + "." + n, true
		}
	}
	return nil, "", false
}

func (o object) has(names ...string) bool {
	_, _, ok := o.get(names...)
	return ok
}

// read converts the first present of names with conv; a conversion error
// names the attribute's path.
func read[T any](o object, conv func(json.RawMessage) (T, error), names ...string) (T, bool, error) {
	var zero T
	v, p, ok := o.get(names...)
	if !ok {
		return zero, false, nil
	}
	x, err := conv(v)
	if err != nil {
		return zero, false, fmt.Errorf("%s: %w", p, err)
	}
	return x, true, nil
}

// str reads a string attribute.
func (o object) str(names ...string) (string, bool, error) {
	return read(o, rawString, names...)
}

// num reads a non-negative integer attribute (fractions are rounded down;
// MLE counter times are written as 44000.000 in the docs).
func (o object) num(names ...string) (uint64, bool, error) {
	return read(o, rawUint, names...)
}

// signed reads an integer that may be negative (RSSI).
func (o object) signed(names ...string) (int64, bool, error) {
	return read(o, rawSigned, names...)
}

// float reads a number attribute.
func (o object) float(names ...string) (float64, bool, error) {
	return read(o, rawFloat, names...)
}

// flag reads a boolean that older answers write as 0/1.
func (o object) flag(names ...string) (bool, bool, error) {
	v, p, ok := o.get(names...)
	if !ok {
		return false, false, nil
	}
	switch string(v) {
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	n, err := rawUint(v)
	if err != nil || n > 1 {
		return false, false, fmt.Errorf("%s: want a boolean or 0/1, got %s", p, describe(v))
	}
	return n == 1, true, nil
}

// obj reads a nested object.
func (o object) obj(names ...string) (object, bool, error) {
	v, p, ok := o.get(names...)
	if !ok {
		return object{}, false, nil
	}
	sub, err := parseObject(v, p)
	return sub, err == nil, err
}

// arr reads a nested array.
func (o object) arr(names ...string) ([]json.RawMessage, string, bool, error) {
	v, p, ok := o.get(names...)
	if !ok {
		return nil, "", false, nil
	}
	a, err := parseArray(v, p)
	return a, p, err == nil, err
}

// strList reads an array of strings.
func (o object) strList(names ...string) ([]string, bool, error) {
	a, p, ok, err := o.arr(names...)
	if !ok || err != nil {
		return nil, ok, err
	}
	out := make([]string, 0, len(a))
	for i, e := range a {
		s, err := rawString(e)
		if err != nil {
			return nil, false, fmt.Errorf("%s[%d]: %w", p, i, err)
		}
		out = append(out, s)
	}
	return out, true, nil
}

// rloc reads an RLOC16: a number (legacy, /node/rloc16) or "0x5000".
func (o object) rloc(names ...string) (topology.Rloc16, bool, error) {
	return read(o, rawRloc16, names...)
}

// needRloc is rloc for an attribute that must be there.
func (o object) needRloc(names ...string) (topology.Rloc16, error) {
	r, ok, err := o.rloc(names...)
	if err == nil && !ok {
		err = fmt.Errorf("%s: no %s", o.path, names[0])
	}
	return r, err
}

// ext reads an extended address written as 16 hex digits.
func (o object) ext(names ...string) (topology.ExtAddress, bool, error) {
	s, ok, err := o.str(names...)
	if !ok || err != nil {
		return 0, ok, err
	}
	e, err := topology.ParseExtAddress(s)
	if err != nil {
		_, p, _ := o.get(names...)
		return 0, false, fmt.Errorf("%s: %w", p, err)
	}
	return e, true, nil
}

// needExt is ext for an attribute that must be there.
func (o object) needExt(names ...string) (topology.ExtAddress, error) {
	e, ok, err := o.ext(names...)
	if err == nil && !ok {
		err = fmt.Errorf("%s: no %s", o.path, names[0])
	}
	return e, err
}

func rawString(v json.RawMessage) (string, error) {
	if len(v) == 0 || v[0] != '"' {
		return "", fmt.Errorf("want a string, got %s", describe(v))
	}
	var s string
	err := json.Unmarshal(v, &s)
	return s, err
}

func rawUint(v json.RawMessage) (uint64, error) {
	s := string(v)
	if len(s) == 0 || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) {
		return 0, fmt.Errorf("want a number, got %s", describe(v))
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > math.MaxUint64 || math.IsNaN(f) {
		return 0, fmt.Errorf("%q is not a non-negative number", s)
	}
	return uint64(f), nil
}

func rawFloat(v json.RawMessage) (float64, error) {
	s := string(v)
	if len(s) == 0 || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) {
		return 0, fmt.Errorf("want a number, got %s", describe(v))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return f, nil
}

// rawSigned reads an integer in the int32 range; fractions are rounded down.
func rawSigned(v json.RawMessage) (int64, error) {
	f, err := rawFloat(v)
	if err != nil {
		return 0, err
	}
	if f < math.MinInt32 || f > math.MaxInt32 {
		return 0, fmt.Errorf("%v out of range", f)
	}
	return int64(math.Floor(f)), nil
}

func rawRloc16(v json.RawMessage) (topology.Rloc16, error) {
	if len(v) > 0 && v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return 0, err
		}
		return topology.ParseRloc16(s)
	}
	n, err := rawUint(v)
	if err != nil {
		return 0, err
	}
	if n > 0xffff {
		return 0, fmt.Errorf("rloc16: %d is not a 16-bit number", n)
	}
	return topology.Rloc16(n), nil
}
