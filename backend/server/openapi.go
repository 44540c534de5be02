package server

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed openapi_components.json
var componentsJSON []byte

var ginParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// openAPIPath turns gin's "/snapshots/:id" into OpenAPI's "/snapshots/{id}".
func openAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// OpenAPI builds the OpenAPI 3 document from the route table.
func (s *Server) OpenAPI() map[string]any {
	var components map[string]any
	if err := json.Unmarshal(componentsJSON, &components); err != nil {
		panic("openapi_components.json: " + err.Error()) // embedded at build time; a test reads it
	}
	paths := map[string]any{}
	for _, r := range s.routes {
		p := openAPIPath(r.Path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		op := map[string]any{"operationId": r.ID, "summary": r.Summary, "tags": []string{r.Tag}}
		var params []any
		for _, pa := range r.Params {
			params = append(params, map[string]any{"name": pa.Name, "in": pa.In, "description": pa.Desc, "required": pa.Required, "schema": pa.Schema})
		}
		if params != nil {
			op["parameters"] = params
		}
		if r.Body != nil {
			content := map[string]any{}
			for _, ct := range r.Body {
				content[ct] = map[string]any{"schema": map[string]any{}}
			}
			op["requestBody"] = map[string]any{"required": true, "content": content}
		}
		resps := map[string]any{}
		codes := make([]int, 0, len(r.Responses))
		for code := range r.Responses {
			codes = append(codes, code)
		}
		sort.Ints(codes)
		for _, code := range codes {
			rs := r.Responses[code]
			ro := map[string]any{"description": rs.Desc}
			if rs.Content != "" {
				schema := map[string]any{}
				if rs.Schema != "" {
					schema["$ref"] = "#/components/schemas/" + rs.Schema
				}
				ro["content"] = map[string]any{rs.Content: map[string]any{"schema": schema}}
			}
			resps[strconv.Itoa(code)] = ro
		}
		if r.Mutating {
			op["security"] = []any{map[string]any{"bearer": []string{}}}
		}
		resps["default"] = map[string]any{"description": "error", "content": map[string]any{jsonType: map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
		op["responses"] = resps
		item[strings.ToLower(r.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "threadmap API", "version": "v1 (" + s.o.Version + ")",
			"description": "Thread mesh topology: networks, border routers, snapshots, diffs, exports, scans, insights and live events. See docs/API.md."},
		"paths":      paths,
		"components": components,
	}
}

func (s *Server) getOpenAPI(c *gin.Context) {
	writeJSON(c, http.StatusOK, s.OpenAPI())
}
