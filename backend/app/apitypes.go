package app

//go:generate go run ./apigen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"

	"github.com/threadmap/threadmap/backend/apischema"
	"github.com/threadmap/threadmap/backend/config"
	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/backend/routers"
	"github.com/threadmap/threadmap/backend/scheduler"
	"github.com/threadmap/threadmap/backend/server"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/diff"
	"github.com/threadmap/threadmap/store/history"
	"github.com/threadmap/threadmap/thread/health"
	"github.com/threadmap/threadmap/thread/topology"
)

// APITypes are the shapes of the HTTP API (answers and event payloads),
// named as the OpenAPI document and the UI call them; what they refer to
// comes along under its Go name.
func APITypes() []apischema.Type {
	return []apischema.Type{
		{Go: reflect.TypeFor[topology.Snapshot](), Name: "Topology", TS: "Snapshot"},
		{Go: reflect.TypeFor[topology.Node](), TS: "TopoNode"},
		{Go: reflect.TypeFor[topology.Link](), TS: "TopoLink"},
		{Go: reflect.TypeFor[topology.Role](), Const: "ROLES"},
		{Go: reflect.TypeFor[topology.Scan](), Name: "ScanReport"},
		{Go: reflect.TypeFor[topology.LinkKind]()},
		{Go: reflect.TypeFor[health.Severity]()},
		{Go: reflect.TypeFor[server.ErrorBody](), Name: "Error", TS: "APIError"},
		{Go: reflect.TypeFor[server.Info]()},
		{Go: reflect.TypeFor[server.Networks]()},
		{Go: reflect.TypeFor[routers.Entry](), Name: "BorderRouterEntry"},
		{Go: reflect.TypeFor[server.BorderRouterList](), Name: "BorderRouters"},
		{Go: reflect.TypeFor[store.Page](), Name: "SnapshotPage"},
		{Go: reflect.TypeFor[store.Summary](), Name: "SnapshotSummary"},
		{Go: reflect.TypeFor[diff.Result](), Name: "Diff"},
		{Go: reflect.TypeFor[diff.ValueChange](), Name: "DiffValueChange"},
		{Go: reflect.TypeFor[diff.ParentChange](), Name: "DiffParentChange"},
		{Go: reflect.TypeFor[diff.LinkRef](), Name: "DiffLink"},
		{Go: reflect.TypeFor[diff.LinkChange](), Name: "DiffLinkChange"},
		{Go: reflect.TypeFor[diff.IntChange](), Name: "DiffIntChange"},
		{Go: reflect.TypeFor[server.Insights]()},
		{Go: reflect.TypeFor[health.LinkRef](), Name: "InsightLink"},
		{Go: reflect.TypeFor[scheduler.ScanInfo](), Name: "Scan"},
		{Go: reflect.TypeFor[scheduler.Progress](), Name: "ScanProgress"},
		{Go: reflect.TypeFor[server.Scans]()},
		{Go: reflect.TypeFor[server.ScanAccepted]()},
		{Go: reflect.TypeFor[server.Imported]()},
		{Go: reflect.TypeFor[SettingsView](), Name: "Settings"},
		{Go: reflect.TypeFor[events.ScanStartedEvent]()},
		{Go: reflect.TypeFor[events.ScanProgressEvent]()},
		{Go: reflect.TypeFor[events.ScanFinishedEvent]()},
		{Go: reflect.TypeFor[events.SnapshotNewEvent]()},
		{Go: reflect.TypeFor[events.SnapshotDeletedEvent]()},
		{Go: reflect.TypeFor[events.BorderRouterAppearedEvent]()},
		{Go: reflect.TypeFor[events.BorderRouterDisappearedEvent]()},
		{Go: reflect.TypeFor[events.SourceStatus](), Name: "Source"},
		{Go: reflect.TypeFor[events.SourceStateEvent]()},
		{Go: reflect.TypeFor[events.NamesChangedEvent]()},
		{Go: reflect.TypeFor[server.Sources]()},
		{Go: reflect.TypeFor[server.Names]()},
		{Go: reflect.TypeFor[server.Name]()},
		{Go: reflect.TypeFor[history.Page](), Name: "Changes"},
		{Go: reflect.TypeFor[history.Change](), Name: "ChangeEvent"},
		{Go: reflect.TypeFor[history.Timeline](), Name: "NodeHistory"},
		{Go: reflect.TypeFor[history.Point](), Name: "NodeHistoryPoint"},
	}
}

// apiSchemaOptions say how the types that write their own JSON look.
func apiSchemaOptions(root string) apischema.Options {
	return apischema.Options{Module: "github.com/threadmap/threadmap", Root: root, Present: map[string]bool{
		"Snapshot.network": true, "Snapshot.nodes": true, "Snapshot.links": true, "TopoNode.sources": true, // topology.New, DecodeJSON
	}, Custom: map[reflect.Type]apischema.Custom{
		reflect.TypeFor[topology.Rloc16](): {Schema: map[string]any{"type": "string", "pattern": "^0x[0-9a-f]{4}$",
			"description": "RLOC16 as 0x%04x"}, TS: "string"},
		reflect.TypeFor[config.Duration](): {Schema: map[string]any{"type": "string", "example": "1m0s",
			"description": "a Go duration"}, TS: "string"},
	}}
}

// Generated files, relative to the module root.
const (
	OpenAPIComponentsFile = "backend/server/openapi_components.json"
	TypeScriptFile        = "frontend/src/types.ts"
)

// GenerateAPIFiles returns the OpenAPI components and the TypeScript types
// from APITypes, by file (relative to root, the module root).
func GenerateAPIFiles(root string) (map[string][]byte, error) {
	m, err := apischema.Build(APITypes(), apiSchemaOptions(root))
	if err != nil {
		return nil, err
	}
	components := map[string]any{
		"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
			"description": "required on mutating endpoints when the server listens beyond loopback (or has a token configured)"}},
		"schemas": m.OpenAPI(),
	}
	oa, err := json.MarshalIndent(components, "", "  ")
	if err != nil {
		return nil, err
	}
	ts := m.TypeScript(`Code generated by go generate ./backend/app (backend/apischema); DO NOT EDIT.
The shapes of threadmap's HTTP API (docs/API.md), its live events and the
canonical topology JSON (schema "threadmap.topology/v1"), from the Go types
that produce them. Field names are the JSON names; "?" fields may be absent.`)
	return map[string][]byte{OpenAPIComponentsFile: append(oa, '\n'), TypeScriptFile: ts}, nil
}

// ModuleRoot is the folder with go.mod above dir.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
	}
}
