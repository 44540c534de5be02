package cli

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/threadmap/threadmap/thread/capped"
	"github.com/threadmap/threadmap/thread/meshcop"
)

// decode txt (HEX | FILE | -): a MeshCoP `_meshcop._udp` TXT record as JSON.
// The input is JSON in any of the shapes users have at hand:
//   - the fixtures' shape: {"rv": {"hex": "31", "utf8": "1"}, ...}, or a
//     whole fixture record ({"txt": {...}, ...}) or file ({"records": [...]});
//   - a plain map {"rv": "1", "xp": "0x9e75e256f61409a3", ...};
//   - a list of "key=value" strings as avahi-browse or dns-sd print them.
//
// Plain values are in DNS presentation form (`\DDD`, `\xHH`, `\"`, `\\`);
// for the binary keys (id sb xp xa at pt sq bb omr vo) a "0x" prefix, or
// exactly the key's size in hex digits, means hex. An argument that is not
// a file and is hex is TXT RDATA as on the wire.
func decodeTXT(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "decode txt")
	pos, err := parseFlags(fs, a, 1)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: threadmap decode txt (HEX | FILE | -)")
	}
	data, from, err := txtInput(ctx, env, pos[0])
	if err != nil {
		return err
	}
	out, err := decodeTXTInput(data)
	if out != nil {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if werr := enc.Encode(out); werr != nil {
			return werr
		}
	}
	if err != nil {
		return fmt.Errorf("decode txt %s: %w", from, boundErr(err))
	}
	if r, ok := out.(*meshcop.Record); ok && len(r.Missing) > 0 {
		fmt.Fprintf(env.Stderr, "threadmap decode txt: note: %s lacks required key(s) %s\n", from, strings.Join(r.Missing, ", "))
	}
	return nil
}

func txtInput(ctx context.Context, env *Env, arg string) ([]byte, string, error) {
	const max = 4 << 20
	if arg == "-" {
		b, err := capped.ReadAll(env.Stdin, max)
		if err != nil {
			return nil, "", fmt.Errorf("decode txt: read stdin: %w", err)
		}
		return b, "stdin", nil
	}
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		b, err := capped.ReadFile(ctx, arg, max)
		if err != nil {
			return nil, "", fmt.Errorf("decode txt: %w", err)
		}
		return b, arg, nil
	}
	h := strings.TrimPrefix(strings.Join(strings.Fields(arg), ""), "0x")
	if _, err := hex.DecodeString(h); err == nil && h != "" {
		return []byte(`"` + h + `"`), "argument", nil // a JSON string: RDATA hex
	}
	return nil, "", usagef("decode txt: %q is neither a file nor hex", arg)
}

// txtRecordJSON is one decoded record of a fixture file.
type txtRecordJSON struct {
	Label    string          `json:"label,omitempty"`
	Instance string          `json:"instance,omitempty"`
	Record   *meshcop.Record `json:"record"`
	Error    string          `json:"error,omitempty"`
}

// decodeTXTInput decodes the JSON input; the result is a *meshcop.Record or,
// for a file of records, {"records": [...]}. It returns what it decoded
// together with an error naming each malformed record or value.
func decodeTXTInput(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		// Not JSON: key=value text as avahi-browse -r or dns-sd -L print it.
		list, terr := txtTextList(string(data))
		if terr != nil {
			return nil, fmt.Errorf("neither JSON (%v) nor key=value text (%v)", err, terr)
		}
		entries, terr := txtEntriesOf(nil, list)
		if terr != nil {
			return nil, terr
		}
		return recordOrErr(meshcop.Decode(entries))
	}
	if dec.More() {
		return nil, errors.New("json: more than one value")
	}
	if s, ok := v.(string); ok { // RDATA hex
		b, err := hex.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("rdata hex: %w", err)
		}
		es, err := meshcop.EntriesFromWire(b)
		if err != nil {
			return nil, err
		}
		return recordOrErr(meshcop.Decode(es))
	}
	if obj, ok := v.(map[string]any); ok {
		if recs, ok := obj["records"].([]any); ok {
			// Each record's raw JSON (for its key order), read once.
			var doc struct {
				Records []json.RawMessage `json:"records"`
			}
			if err := json.Unmarshal(data, &doc); err != nil || len(doc.Records) != len(recs) {
				doc.Records = make([]json.RawMessage, len(recs))
			}
			var out []txtRecordJSON
			var errs []error
			for i, rv := range recs {
				ro, _ := rv.(map[string]any)
				label, _ := ro["label"].(string)
				if label == "" {
					label = fmt.Sprintf("#%d", i)
				}
				label = shorten(label)
				inst, _ := ro["instance_name"].(string)
				entries, err := txtEntriesOf(doc.Records[i], ro)
				if err != nil {
					errs = append(errs, fmt.Errorf("record %s: %w", label, err))
					out = append(out, txtRecordJSON{Label: label, Instance: inst, Error: err.Error()})
					continue
				}
				r, err := meshcop.Decode(entries)
				j := txtRecordJSON{Label: label, Instance: inst, Record: r}
				if err != nil {
					j.Error = err.Error()
					errs = append(errs, fmt.Errorf("record %s: %w", label, err))
				}
				out = append(out, j)
			}
			return map[string]any{"records": out}, joinFew(errs)
		}
	}
	entries, err := txtEntriesOf(data, v)
	if err != nil {
		return nil, err
	}
	return recordOrErr(meshcop.Decode(entries))
}

// txtTextList reads key=value text: either double-quoted strings (avahi's
// txt = ["rv=1" "sb=\000..."]; inside, backslash escapes are kept for the
// presentation-form decode) or one key=value per line.
func txtTextList(s string) ([]any, error) {
	var out []any
	if strings.Contains(s, `"`) {
		for i := 0; i < len(s); i++ {
			if s[i] != '"' {
				continue
			}
			var sb strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					sb.WriteByte(s[j])
					j++
				}
				sb.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated quoted string at byte %d", i)
			}
			out = append(out, sb.String())
			i = j
		}
	} else {
		for _, l := range strings.Split(s, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no entries")
	}
	return out, nil
}

// maxErrors and maxErrorText bound what an error of decode says: a few
// problems of many, and a few KB in all (the JSON output has the rest).
const (
	maxErrors    = 5
	maxErrorText = 2048
)

// joinFew joins the first maxErrors errors and counts the rest.
func joinFew(errs []error) error {
	if len(errs) <= maxErrors {
		return errors.Join(errs...)
	}
	return errors.Join(append(errs[:maxErrors:maxErrors], fmt.Errorf("… and %d more", len(errs)-maxErrors))...)
}

// boundErr cuts err's message to maxErrorText bytes (what.Is still finds
// what it wraps).
func boundErr(err error) error {
	if len(err.Error()) <= maxErrorText {
		return err
	}
	return &cutError{err}
}

type cutError struct{ err error }

func (e *cutError) Error() string {
	m := e.err.Error()
	i := maxErrorText
	for i > 0 && !utf8.RuneStart(m[i]) {
		i--
	}
	return fmt.Sprintf("%s… (%d more bytes)", m[:i], len(m)-i)
}

func (e *cutError) Unwrap() error { return e.err }

func recordOrErr(r *meshcop.Record, err error) (any, error) { return r, err }

// txtEntriesOf finds the TXT entries of one JSON value: a list of
// "key=value" strings, a map of key -> value (string or {"hex": ...}), or a
// record object with a "txt" member. Key order follows the input (it is the
// wire order in the fixtures), so raw, the JSON v was decoded from, is
// re-read for it (nil: sorted keys).
func txtEntriesOf(raw []byte, v any) ([]meshcop.Entry, error) {
	switch x := v.(type) {
	case []any:
		var out []meshcop.Entry
		for i, item := range x {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("list item %d: want a \"key=value\" string, got %T", i, item)
			}
			k, val, hasVal := strings.Cut(s, "=")
			e := meshcop.Entry{Key: k, HasValue: hasVal}
			if hasVal {
				b, err := userTXTValue(k, val)
				if err != nil {
					return nil, fmt.Errorf("list item %d (%s): %w", i, shorten(k), err)
				}
				e.Value = b
			}
			if k == "" {
				return nil, fmt.Errorf("list item %d: empty key", i)
			}
			out = append(out, e)
		}
		return out, nil
	case map[string]any:
		if t, ok := x["txt"]; ok {
			return txtEntriesOf(raw, t)
		}
		keys, err := txtObjectKeyOrder(raw)
		if err != nil || len(keys) != len(x) {
			keys = txtSortedKeys(x)
		}
		var out []meshcop.Entry
		for _, k := range keys {
			b, err := txtMapValue(k, x[k])
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", shorten(k), err)
			}
			out = append(out, meshcop.Entry{Key: k, Value: b, HasValue: true})
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a TXT record (object or list of \"key=value\"), got %T", v)
}

func txtMapValue(k string, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return userTXTValue(k, x)
	case map[string]any:
		if h, ok := x["hex"].(string); ok {
			b, err := hex.DecodeString(h)
			if err != nil {
				return nil, fmt.Errorf("hex: %w", err)
			}
			return b, nil
		}
		for _, tk := range []string{"utf8", "text"} {
			if s, ok := x[tk].(string); ok {
				return []byte(s), nil
			}
		}
		return nil, errors.New(`want {"hex": ...} or {"utf8": ...}`)
	}
	return nil, fmt.Errorf("want a string or {\"hex\": ...}, got %T", v)
}

// binaryTXTKeys maps binary keys to their size in bytes (0: any size).
var binaryTXTKeys = map[string]int{"id": 16, "sb": 4, "xp": 8, "xa": 8, "at": 8, "pt": 4, "sq": 1, "bb": 2, "omr": 0, "vo": 0}

// userTXTValue reads a value as a user typed or copied it.
func userTXTValue(k, s string) ([]byte, error) {
	if size, bin := binaryTXTKeys[k]; bin {
		h, prefixed := strings.CutPrefix(s, "0x")
		if !prefixed {
			h, prefixed = strings.CutPrefix(s, "0X")
		}
		if b, err := hex.DecodeString(h); err == nil && (prefixed || (size > 0 && len(b) == size)) {
			return b, nil
		} else if prefixed {
			return nil, fmt.Errorf("0x value: %w", err)
		}
	}
	return meshcop.Unescape(s)
}

// txtObjectKeyOrder returns the member names, in input order, of the TXT
// object raw (its "txt" member when it has one).
func txtObjectKeyOrder(raw []byte) ([]string, error) {
	if len(raw) == 0 {
		return nil, errors.New("no raw JSON")
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, err
	}
	if t, ok := probe["txt"]; ok {
		raw = t
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not an object")
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := t.(string)
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

func txtSortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
