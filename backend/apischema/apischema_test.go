package apischema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

type color string

type inner struct {
	N int `json:"n"`
}

type sample struct {
	Name     string            `json:"name"`
	Opt      string            `json:"opt,omitempty"`
	Ptr      *int              `json:"ptr"`
	OptPtr   *int              `json:"opt_ptr,omitempty"`
	List     []inner           `json:"list"`
	Map      map[string]uint64 `json:"map"`
	When     time.Time         `json:"when"`
	Skip     string            `json:"-"`
	Inner    inner             `json:"inner"`
	Embedded                   // its fields are sample's: extends, allOf
}

type Embedded struct {
	E bool `json:"e"`
}

type again inner

type selfish struct{}

func (selfish) MarshalJSON() ([]byte, error) { return []byte(`"x"`), nil }

type withSelfish struct {
	S selfish `json:"s"`
}

func TestRules(t *testing.T) {
	m, err := Build([]Type{{Go: reflect.TypeFor[sample](), TS: "Sample"}, {Go: reflect.TypeFor[again]()}}, Options{Module: "none"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(m.OpenAPI())
	oa := string(b)
	for _, want := range []string{
		`"sample":{"allOf":[{"$ref":"#/components/schemas/Embedded"},{"properties"`,
		`"required":["name","ptr","list","map","when","inner"]`,
		`"ptr":{"nullable":true,"type":"integer"}`,
		`"opt_ptr":{"type":"integer"}`,
		`"list":{"items":{"$ref":"#/components/schemas/inner"},"nullable":true,"type":"array"}`,
		`"map":{"additionalProperties":{"format":"int64","type":"integer"},"nullable":true,"type":"object"}`,
		`"when":{"format":"date-time","type":"string"}`,
		`"again":{"allOf":[{"$ref":"#/components/schemas/inner"}]}`,
	} {
		if !strings.Contains(oa, want) {
			t.Errorf("OpenAPI lacks %s:\n%s", want, oa)
		}
	}
	if strings.Contains(oa, "Skip") {
		t.Errorf("json:\"-\" leaked: %s", oa)
	}
	ts := string(m.TypeScript("header"))
	for _, want := range []string{
		"// header\n", "export interface Sample extends Embedded {", "  name: string;", "  opt?: string;", "  ptr: number | null;",
		"  opt_ptr?: number;", "  list?: inner[] | null;", "  map?: Record<string, number> | null;", "  when: string;",
		"  inner?: inner;", "export interface Embedded {\n  e: boolean;", "export type again = inner;",
	} {
		if !strings.Contains(ts, want) {
			t.Errorf("TypeScript lacks %q:\n%s", want, ts)
		}
	}
	if _, err := Build([]Type{{Go: reflect.TypeFor[withSelfish]()}}, Options{Module: "none"}); err == nil || !strings.Contains(err.Error(), "Custom") {
		t.Errorf("a type writing its own JSON without a Custom entry: %v", err)
	}
	if _, err := Build([]Type{{Go: reflect.TypeFor[color]()}}, Options{Module: "none"}); err == nil {
		t.Error("a string type without constants is a shape")
	}
}
