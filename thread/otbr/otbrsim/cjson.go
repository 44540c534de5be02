package otbrsim

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The border router builds its answers with cJSON: cJSON_Print (tabs,
// "key":<TAB>value, arrays as [a, b]) for GET answers and
// cJSON_PrintUnformatted for POST /api/actions. These types keep key order
// so the simulator's bytes have the same shape as the real ones.

// kv is one object member.
type kv struct {
	k string
	v any
}

// obj is a JSON object with ordered members.
type obj []kv

// add appends a member.
func (o *obj) add(k string, v any) { *o = append(*o, kv{k, v}) }

// arr is a JSON array.
type arr []any

// rawJSON is inserted verbatim.
type rawJSON string

// printJSON prints v like cJSON_Print (formatted) or cJSON_PrintUnformatted.
func printJSON(v any, formatted bool) []byte {
	var b strings.Builder
	p := printer{b: &b, fmt: formatted}
	p.value(v, 0)
	return []byte(b.String())
}

type printer struct {
	b   *strings.Builder
	fmt bool
}

func (p printer) tabs(n int) {
	if p.fmt {
		for i := 0; i < n; i++ {
			p.b.WriteByte('\t')
		}
	}
}

func (p printer) value(v any, depth int) {
	switch x := v.(type) {
	case nil:
		p.b.WriteString("null")
	case bool:
		if x {
			p.b.WriteString("true")
		} else {
			p.b.WriteString("false")
		}
	case string:
		p.str(x)
	case int:
		p.b.WriteString(strconv.Itoa(x))
	case int64:
		p.b.WriteString(strconv.FormatInt(x, 10))
	case uint32:
		p.b.WriteString(strconv.FormatUint(uint64(x), 10))
	case uint64:
		p.b.WriteString(strconv.FormatUint(x, 10))
	case float64:
		p.number(x)
	case rawJSON:
		p.b.WriteString(string(x))
	case obj:
		p.object(x, depth)
	case arr:
		p.array(x, depth)
	case []string:
		a := make(arr, len(x))
		for i, s := range x {
			a[i] = s
		}
		p.array(a, depth)
	default:
		p.b.WriteString("null")
	}
}

// number follows cJSON's print_number: integers plainly, others with 15
// (else 17) significant digits.
func (p printer) number(d float64) {
	switch {
	case math.IsNaN(d) || math.IsInf(d, 0):
		p.b.WriteString("null")
	case d == math.Trunc(d) && math.Abs(d) < 1e15:
		p.b.WriteString(strconv.FormatInt(int64(d), 10))
	default:
		s := strconv.FormatFloat(d, 'g', 15, 64)
		if f, _ := strconv.ParseFloat(s, 64); f != d {
			s = strconv.FormatFloat(d, 'g', 17, 64)
		}
		p.b.WriteString(s)
	}
}

func (p printer) str(s string) {
	p.b.WriteByte('"')
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == '"':
			p.b.WriteString(`\"`)
		case r == '\\':
			p.b.WriteString(`\\`)
		case r == '\b':
			p.b.WriteString(`\b`)
		case r == '\f':
			p.b.WriteString(`\f`)
		case r == '\n':
			p.b.WriteString(`\n`)
		case r == '\r':
			p.b.WriteString(`\r`)
		case r == '\t':
			p.b.WriteString(`\t`)
		case r < 0x20:
			p.b.WriteString(`\u00`)
			p.b.WriteString(strconv.FormatInt(int64(r)>>4, 16))
			p.b.WriteString(strconv.FormatInt(int64(r)&15, 16))
		default:
			p.b.WriteString(s[:n])
		}
		s = s[n:]
	}
	p.b.WriteByte('"')
}

func (p printer) object(o obj, depth int) {
	p.b.WriteByte('{')
	if p.fmt {
		p.b.WriteByte('\n')
	}
	for i, m := range o {
		p.tabs(depth + 1)
		p.str(m.k)
		p.b.WriteByte(':')
		if p.fmt {
			p.b.WriteByte('\t')
		}
		p.value(m.v, depth+1)
		if i < len(o)-1 {
			p.b.WriteByte(',')
		}
		if p.fmt {
			p.b.WriteByte('\n')
		}
	}
	p.tabs(depth)
	p.b.WriteByte('}')
}

func (p printer) array(a arr, depth int) {
	p.b.WriteByte('[')
	for i, v := range a {
		p.value(v, depth+1)
		if i < len(a)-1 {
			p.b.WriteByte(',')
			if p.fmt {
				p.b.WriteByte(' ')
			}
		}
	}
	p.b.WriteByte(']')
}
