// Package apischema describes the API's JSON shapes once, from the Go types
// that produce them: it reads the types by reflection (json tags: names,
// omitempty) and their doc comments and enum constants from the source
// (go/parser, go/doc), and writes the OpenAPI 3.0 component schemas the
// server serves and the TypeScript types the UI compiles against. The
// files are generated (go generate ./backend/app) and a test fails when a
// checked-in copy is stale.
//
// Rules: a field with omitempty may be absent (TypeScript "?", not in
// OpenAPI "required"); a pointer without omitempty may be null; a slice or
// map without omitempty is always present. Types that write their own JSON
// (json.Marshaler) need an entry in Options.Custom.
package apischema

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Type is one named shape of the API.
type Type struct {
	// Go is the type (a struct, or a string type with constants).
	Go reflect.Type
	// Name is the OpenAPI component name (default the Go name).
	Name string
	// TS is the TypeScript name (default Name).
	TS string
	// Const, for an enum, also emits `export const Const: readonly TS[]`
	// listing the values in declaration order.
	Const string
}

// Custom is the schema of a type that writes its own JSON.
type Custom struct {
	// Schema is its OpenAPI schema; TS its TypeScript type.
	Schema map[string]any
	TS     string
}

// Options say where the source is and how self-marshalled types look.
type Options struct {
	// Module is the module path; Root the folder of its go.mod.
	Module, Root string
	// Custom schemas by type.
	Custom map[reflect.Type]Custom
	// Present names the list and object fields ("TSName.json_name") the
	// producers always fill: TypeScript has them required. Others may be
	// absent (older snapshots, the UI's own partial objects) and lists null.
	Present map[string]bool
}

// Model is the described types.
type Model struct {
	shapes []*shape
	byType map[reflect.Type]*shape
	o      Options
	docs   map[string]*pkgDocs
	specs  map[reflect.Type]Type // the names Build was given
}

type shape struct {
	t      reflect.Type
	name   string
	ts     string
	con    string
	named  bool // given to Build, not only reached
	doc    string
	fields []field        // structs: their own fields
	embeds []reflect.Type // structs: embedded shapes (TypeScript extends, OpenAPI allOf)
	enum   []string       // string enums
}

type field struct {
	json     string
	t        reflect.Type
	optional bool // omitempty: may be absent
	doc      string
}

// valueType is the field's type as the JSON has it: an omitempty pointer
// is absent when nil, never null.
func (f field) valueType() reflect.Type {
	if f.optional && f.t.Kind() == reflect.Pointer {
		return f.t.Elem()
	}
	return f.t
}

// Build describes types and every named struct or enum they reach (by
// their Go names). Two shapes with one name are an error.
func Build(types []Type, o Options) (*Model, error) {
	m := &Model{byType: map[reflect.Type]*shape{}, o: o, docs: map[string]*pkgDocs{}, specs: map[reflect.Type]Type{}}
	for _, t := range types {
		m.specs[t.Go] = t
	}
	for _, t := range types {
		if _, err := m.add(t.Go, t); err != nil {
			return nil, err
		}
	}
	names := map[string]reflect.Type{}
	tsNames := map[string]reflect.Type{}
	for _, s := range m.shapes {
		if other, dup := names[s.name]; dup {
			return nil, fmt.Errorf("apischema: %s and %s are both named %s", other, s.t, s.name)
		}
		if other, dup := tsNames[s.ts]; dup {
			return nil, fmt.Errorf("apischema: %s and %s are both named %s in TypeScript", other, s.t, s.ts)
		}
		names[s.name], tsNames[s.ts] = s.t, s.t
	}
	return m, nil
}

func (m *Model) add(t reflect.Type, spec Type) (*shape, error) {
	if s := m.byType[t]; s != nil {
		return s, nil
	}
	named, isNamed := m.specs[t]
	if isNamed {
		spec = named
	}
	s := &shape{t: t, name: spec.Name, ts: spec.TS, con: spec.Const, named: isNamed}
	if s.name == "" {
		s.name = t.Name()
	}
	if s.ts == "" {
		s.ts = s.name
	}
	m.byType[t] = s
	m.shapes = append(m.shapes, s)
	d, err := m.pkgDocs(t.PkgPath())
	if err != nil {
		return nil, err
	}
	s.doc = d.typeDoc[t.Name()]
	switch t.Kind() {
	case reflect.String:
		s.enum = d.enums[t.Name()]
		if len(s.enum) == 0 {
			return nil, fmt.Errorf("apischema: %s: a string type without constants", t)
		}
		return s, nil
	case reflect.Struct:
	default:
		return nil, fmt.Errorf("apischema: %s: only structs and string enums are shapes", t)
	}
	fields, embeds, err := m.fields(t, d)
	if err != nil {
		return nil, err
	}
	s.fields, s.embeds = fields, embeds
	return s, nil
}

// fields lists t's own JSON fields and the structs it embeds (whose
// fields encoding/json writes as t's).
func (m *Model) fields(t reflect.Type, d *pkgDocs) ([]field, []reflect.Type, error) {
	var out []field
	var embeds []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if _, err := m.add(et, Type{Go: et}); err != nil {
				return nil, nil, err
			}
			embeds = append(embeds, et)
			continue
		}
		if name == "" {
			name = f.Name
		}
		if err := m.reach(f.Type); err != nil {
			return nil, nil, fmt.Errorf("%s.%s: %w", t, f.Name, err)
		}
		out = append(out, field{json: name, t: f.Type, optional: strings.Contains(","+opts+",", ",omitempty,"),
			doc: d.fieldDoc[t.Name()+"."+f.Name]})
	}
	return out, embeds, nil
}

var (
	marshaler = reflect.TypeFor[json.Marshaler]()
	timeType  = reflect.TypeFor[time.Time]()
	rawType   = reflect.TypeFor[json.RawMessage]()
)

// reach adds the named shapes t refers to.
func (m *Model) reach(t reflect.Type) error {
	if _, ok := m.o.Custom[t]; ok || t == timeType || t == rawType {
		return nil
	}
	if t.Kind() != reflect.Pointer && (t.Implements(marshaler) || reflect.PointerTo(t).Implements(marshaler)) {
		return fmt.Errorf("%s writes its own JSON: give it an Options.Custom entry", t)
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return m.reach(t.Elem())
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return fmt.Errorf("map key %s: only string keys", t.Key())
		}
		return m.reach(t.Elem())
	case reflect.Struct:
		_, err := m.add(t, Type{Go: t})
		return err
	case reflect.String:
		if t.PkgPath() != "" && t.Name() != "" {
			d, err := m.pkgDocs(t.PkgPath())
			if err != nil {
				return err
			}
			if len(d.enums[t.Name()]) > 0 {
				_, err := m.add(t, Type{Go: t})
				return err
			}
		}
	}
	return nil
}

// sameAs is the earlier shape with exactly s's fields (a Go type defined
// as another: type Gone Appeared), or nil.
func (m *Model) sameAs(s *shape) *shape {
	if s.enum != nil || len(s.fields)+len(s.embeds) == 0 {
		return nil
	}
	for _, o := range m.shapes {
		if o == s {
			return nil
		}
		if o.enum == nil && sameFields(o.fields, s.fields) && reflect.DeepEqual(o.embeds, s.embeds) {
			return o
		}
	}
	return nil
}

func sameFields(a, b []field) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].json != b[i].json || a[i].t != b[i].t || a[i].optional != b[i].optional {
			return false
		}
	}
	return true
}

// OpenAPI is the components.schemas object.
func (m *Model) OpenAPI() map[string]any {
	out := map[string]any{}
	for _, s := range m.shapes {
		var sch map[string]any
		if o := m.sameAs(s); o != nil {
			sch = map[string]any{"allOf": []any{map[string]any{"$ref": "#/components/schemas/" + o.name}}}
		} else if s.enum != nil {
			sch = map[string]any{"type": "string", "enum": s.enum}
		} else {
			props := map[string]any{}
			var required []string
			for _, f := range s.fields {
				p := m.schema(f.valueType())
				if k := f.t.Kind(); !f.optional && (k == reflect.Slice || k == reflect.Map) && !m.o.Present[s.ts+"."+f.json] {
					p["nullable"] = true // encoding/json writes a nil list as null
				}
				if f.doc != "" {
					p = withDesc(p, f.doc)
				}
				props[f.json] = p
				if !f.optional {
					required = append(required, f.json)
				}
			}
			sch = map[string]any{"type": "object", "properties": props}
			if len(required) > 0 {
				sch["required"] = required
			}
			if len(s.embeds) > 0 {
				var all []any
				for _, e := range s.embeds {
					all = append(all, map[string]any{"$ref": "#/components/schemas/" + m.byType[e].name})
				}
				sch = map[string]any{"allOf": append(all, sch)}
			}
		}
		if s.doc != "" {
			sch["description"] = s.doc
		}
		out[s.name] = sch
	}
	return out
}

// withDesc adds a description; next to a $ref OpenAPI 3.0 ignores
// siblings, so a reference is wrapped in allOf.
func withDesc(p map[string]any, desc string) map[string]any {
	if _, ref := p["$ref"]; ref {
		p = map[string]any{"allOf": []any{p}}
	}
	p["description"] = desc
	return p
}

func (m *Model) schema(t reflect.Type) map[string]any {
	if c, ok := m.o.Custom[t]; ok {
		return copyMap(c.Schema)
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{}
	}
	if s := m.byType[t]; s != nil {
		return map[string]any{"$ref": "#/components/schemas/" + s.name}
	}
	switch t.Kind() {
	case reflect.Pointer:
		p := m.schema(t.Elem())
		if _, ref := p["$ref"]; ref {
			p = map[string]any{"allOf": []any{p}}
		}
		p["nullable"] = true
		return p
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": m.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": m.schema(t.Elem())}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		p := map[string]any{"type": "integer"}
		if t.Kind() == reflect.Int64 || t.Kind() == reflect.Uint64 {
			p["format"] = "int64"
		}
		return p
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	}
	return map[string]any{}
}

func copyMap(in map[string]any) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// TypeScript is the types file: header is its opening comment.
func (m *Model) TypeScript(header string) []byte {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(header), "\n") {
		b.WriteString("// " + line + "\n")
	}
	for _, s := range m.shapes {
		b.WriteString("\n")
		writeDoc(&b, "", s.doc)
		if o := m.sameAs(s); o != nil {
			fmt.Fprintf(&b, "export type %s = %s;\n", s.ts, o.ts)
			continue
		}
		if s.enum != nil {
			quoted := make([]string, len(s.enum))
			for i, v := range s.enum {
				quoted[i] = "'" + v + "'"
			}
			union := strings.Join(quoted, " | ")
			if !s.named {
				// Reached, not named: open, so that a value a newer server
				// adds (or the UI's own data) still type-checks.
				union += " | (string & {})"
			}
			fmt.Fprintf(&b, "export type %s = %s;\n", s.ts, union)
			if s.con != "" {
				fmt.Fprintf(&b, "\n/** Every %s, in declaration order. */\nexport const %s: readonly %s[] = [%s];\n", s.ts, s.con, s.ts, strings.Join(quoted, ", "))
			}
			continue
		}
		ext := ""
		for i, e := range s.embeds {
			if i == 0 {
				ext = " extends "
			} else {
				ext += ", "
			}
			ext += m.byType[e].ts
		}
		fmt.Fprintf(&b, "export interface %s%s {\n", s.ts, ext)
		for _, f := range s.fields {
			writeDoc(&b, "  ", f.doc)
			opt, typ := "", m.ts(f.valueType())
			switch k := f.t.Kind(); {
			case f.optional:
				opt = "?"
			case m.o.Present[s.ts+"."+f.json]:
			case k == reflect.Slice || k == reflect.Map:
				// A nil list is null, and older snapshots or the UI's own
				// objects may lack it: the UI copes with both.
				opt, typ = "?", typ+" | null"
			case k == reflect.Struct && f.t != timeType:
				opt = "?"
			}
			name := f.json
			if !isIdent(name) {
				name = strconv.Quote(name)
			}
			fmt.Fprintf(&b, "  %s%s: %s;\n", name, opt, typ)
		}
		b.WriteString("}\n")
	}
	return []byte(b.String())
}

func (m *Model) ts(t reflect.Type) string {
	if c, ok := m.o.Custom[t]; ok {
		return c.TS
	}
	switch {
	case t == timeType:
		return "string"
	case t == rawType:
		return "unknown"
	}
	if s := m.byType[t]; s != nil {
		return s.ts
	}
	switch t.Kind() {
	case reflect.Pointer:
		return m.ts(t.Elem()) + " | null"
	case reflect.Slice, reflect.Array:
		e := m.ts(t.Elem())
		if strings.Contains(e, " ") {
			e = "(" + e + ")"
		}
		return e + "[]"
	case reflect.Map:
		return "Record<string, " + m.ts(t.Elem()) + ">"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	}
	return "unknown"
}

func writeDoc(b *strings.Builder, indent, doc string) {
	if doc == "" {
		return
	}
	lines := strings.Split(strings.TrimSpace(doc), "\n")
	if len(lines) == 1 {
		fmt.Fprintf(b, "%s/** %s */\n", indent, strings.ReplaceAll(lines[0], "*/", "*\\/"))
		return
	}
	fmt.Fprintf(b, "%s/**\n", indent)
	for _, l := range lines {
		fmt.Fprintf(b, "%s * %s\n", indent, strings.TrimRight(strings.ReplaceAll(l, "*/", "*\\/"), " "))
	}
	fmt.Fprintf(b, "%s */\n", indent)
}

func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// pkgDocs are the doc comments and string constants of one package.
type pkgDocs struct {
	typeDoc  map[string]string   // type name → doc
	fieldDoc map[string]string   // "Type.Field" → doc
	enums    map[string][]string // type name → constant values in order
}

func (m *Model) pkgDocs(path string) (*pkgDocs, error) {
	if d := m.docs[path]; d != nil {
		return d, nil
	}
	d := &pkgDocs{typeDoc: map[string]string{}, fieldDoc: map[string]string{}, enums: map[string][]string{}}
	m.docs[path] = d
	rel, ok := strings.CutPrefix(path, m.o.Module)
	if !ok {
		return d, nil // outside the module (time, ...): no docs
	}
	dir := filepath.Join(m.o.Root, filepath.FromSlash(strings.TrimPrefix(rel, "/")))
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("apischema: source of %s: %w", path, err)
	}
	var files []*ast.File
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("apischema: %w", err)
		}
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, path, doc.PreserveAST)
	if err != nil {
		return nil, fmt.Errorf("apischema: docs of %s: %w", path, err)
	}
	for _, t := range p.Types {
		d.typeDoc[t.Name] = clean(t.Doc)
		for _, c := range t.Consts {
			for _, spec := range c.Decl.Specs {
				vs := spec.(*ast.ValueSpec)
				for _, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, err := strconv.Unquote(lit.Value); err == nil {
							d.enums[t.Name] = append(d.enums[t.Name], s)
						}
					}
				}
			}
		}
		for _, spec := range t.Decl.Specs {
			ts, ok := spec.(*ast.TypeSpec)
			if !ok {
				continue
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			for _, f := range st.Fields.List {
				text := clean(f.Doc.Text())
				if text == "" {
					text = clean(f.Comment.Text())
				}
				for _, n := range f.Names {
					if text != "" {
						d.fieldDoc[ts.Name.Name+"."+n.Name] = text
					}
				}
			}
		}
	}
	return d, nil
}

// clean is a doc comment as plain text on as few lines as it needs.
func clean(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	paras := strings.Split(s, "\n\n")
	for i, p := range paras {
		paras[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(paras, "\n")
}
