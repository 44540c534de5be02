package server

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/store/diff"
	"github.com/threadmap/threadmap/thread/topology"
)

// What the API serves is what its OpenAPI document describes: every key of
// the answers is a property of its schema, every required property is
// there, nullable only where the schema says so.
func TestServedAnswersMatchTheirSchemas(t *testing.T) {
	f := newFixture(t, Options{Loopback: true, Diff: func(a, b *topology.Snapshot) any { return diff.Diff(a, b) }})
	var components struct {
		Schemas map[string]map[string]any `json:"schemas"`
	}
	if err := json.Unmarshal(componentsJSON, &components); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, schema string }{
		{"/api/v1/info", "Info"},
		{"/api/v1/networks", "Networks"},
		{"/api/v1/border-routers", "BorderRouters"},
		{"/api/v1/topology/latest", "Topology"},
		{"/api/v1/snapshots/" + f.ids[0], "Topology"},
		{"/api/v1/snapshots", "SnapshotPage"},
		{"/api/v1/diff?from=" + f.ids[0] + "&to=" + f.ids[1], "Diff"},
		{"/api/v1/scan", "Scans"},
		{"/api/v1/snapshots/nope", "Error"},
	} {
		_, body, _ := f.do("GET", c.path, nil)
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		for _, problem := range conform(components.Schemas, map[string]any{"$ref": "#/components/schemas/" + c.schema}, v, c.schema) {
			t.Errorf("%s: %s", c.path, problem)
		}
	}
}

// conform lists where v departs from schema s (a subset of OpenAPI 3.0:
// $ref, allOf, nullable, type, properties, required, items,
// additionalProperties, enum).
func conform(all map[string]map[string]any, s map[string]any, v any, at string) []string {
	if ref, ok := s["$ref"].(string); ok {
		return conform(all, all[strings.TrimPrefix(ref, "#/components/schemas/")], v, at)
	}
	if v == nil {
		if s["nullable"] == true {
			return nil
		}
		return []string{at + ": null where the schema allows none"}
	}
	if list, ok := s["allOf"].([]any); ok {
		// One object schema of every part's properties and requirements.
		merged := map[string]any{"type": "object"}
		props, req := map[string]any{}, []any{}
		for _, sub := range list {
			part := sub.(map[string]any)
			if ref, ok := part["$ref"].(string); ok {
				part = all[strings.TrimPrefix(ref, "#/components/schemas/")]
			}
			if _, nested := part["allOf"]; nested || part["properties"] == nil {
				return conform(all, part, v, at) // a plain alias
			}
			for k, p := range part["properties"].(map[string]any) {
				props[k] = p
			}
			r, _ := part["required"].([]any)
			req = append(req, r...)
		}
		merged["properties"], merged["required"] = props, req
		return conform(all, merged, v, at)
	}
	var out []string
	switch x := v.(type) {
	case map[string]any:
		if t, _ := s["type"].(string); t != "object" && t != "" {
			return []string{at + ": an object where the schema says " + t}
		}
		props, _ := s["properties"].(map[string]any)
		if extra, ok := s["additionalProperties"].(map[string]any); ok && props == nil {
			for k, y := range x {
				out = append(out, conform(all, extra, y, at+"."+k)...)
			}
			return out
		}
		req, _ := s["required"].([]any)
		for _, r := range req {
			if _, ok := x[r.(string)]; !ok {
				out = append(out, at+": required "+r.(string)+" missing")
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p, ok := props[k].(map[string]any)
			if !ok {
				out = append(out, at+": "+k+" is not in the schema")
				continue
			}
			out = append(out, conform(all, p, x[k], at+"."+k)...)
		}
	case []any:
		if s["type"] != "array" {
			return []string{at + ": an array where the schema says " + toString(s["type"])}
		}
		for i, y := range x {
			if i < 3 { // the first few say enough
				out = append(out, conform(all, s["items"].(map[string]any), y, at+"[]")...)
			}
		}
	case string:
		if s["type"] != "string" {
			return []string{at + ": a string where the schema says " + toString(s["type"])}
		}
		if enum, ok := s["enum"].([]any); ok {
			found := false
			for _, e := range enum {
				found = found || e == x
			}
			if !found {
				out = append(out, at+": "+x+" is not one of the enum")
			}
		}
	case float64:
		if s["type"] != "integer" && s["type"] != "number" {
			return []string{at + ": a number where the schema says " + toString(s["type"])}
		}
	case bool:
		if s["type"] != "boolean" {
			return []string{at + ": a boolean where the schema says " + toString(s["type"])}
		}
	}
	return out
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}
