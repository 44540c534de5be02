package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// route is one endpoint: how gin serves it and how the OpenAPI document
// describes it. routeTable is the one source of truth for both.
type route struct {
	Method, Path string // gin path syntax (":id")
	ID           string // OpenAPI operationId
	Summary      string
	Tag          string
	Mutating     bool // needs the bearer token (when one is configured)
	Public       bool // reading needs no token even beyond loopback (the UI page)
	Params       []param
	Body         []string // request body content types (nil: no body)
	BodyLimit    int64    // 0: Options.MaxBodyBytes
	Responses    map[int]response
	Handler      gin.HandlerFunc
}

type param struct {
	Name, In, Desc string
	Required       bool
	Schema         map[string]any
}

type response struct {
	Desc    string
	Content string // media type ("" for none)
	Schema  string // component schema name, or "" for a free-form body
}

var (
	strSchema   = map[string]any{"type": "string"}
	timeSchema  = map[string]any{"type": "string", "format": "date-time"}
	boolSchema  = map[string]any{"type": "boolean"}
	limitSchema = map[string]any{"type": "integer", "minimum": 1, "maximum": 10000, "default": 100}
)

func qp(name, desc string, required bool, schema map[string]any) param {
	return param{Name: name, In: "query", Desc: desc, Required: required, Schema: schema}
}

var (
	networkParam = qp("network", "network key (lower-case ext PAN ID, or name:<network name>); may be left out when one network is known", false, strSchema)
	idParam      = param{Name: "id", In: "path", Desc: "snapshot id", Required: true, Schema: strSchema}
)

const jsonType = "application/json"

func errResp(desc string) response { return response{Desc: desc, Content: jsonType, Schema: "Error"} }

// routeTable lists every endpoint.
func (s *Server) routeTable() []route {
	e400, e404 := errResp("bad parameter"), errResp("unknown id or network")
	e401 := errResp("bearer token missing or wrong")
	e503 := errResp("the feature is not available in this build or configuration")
	return []route{
		{Method: "GET", Path: "/api/v1/info", ID: "getInfo", Summary: "server version and state", Tag: "server",
			Responses: map[int]response{200: {"server info", jsonType, "Info"}}, Handler: s.getInfo},
		{Method: "GET", Path: "/api/v1/networks", ID: "listNetworks", Summary: "stored networks with their newest snapshot", Tag: "topology",
			Responses: map[int]response{200: {"networks", jsonType, "Networks"}}, Handler: s.listNetworks},
		{Method: "GET", Path: "/api/v1/border-routers", ID: "listBorderRouters", Summary: "border routers known now (discovered, configured or in the newest snapshots)", Tag: "topology",
			Params:    []param{qp("network", "only this network's border routers", false, strSchema)},
			Responses: map[int]response{200: {"border routers", jsonType, "BorderRouters"}, 404: e404}, Handler: s.listBorderRouters},
		{Method: "GET", Path: "/api/v1/topology/latest", ID: "getLatestTopology", Summary: "the newest snapshot of a network, canonical topology JSON", Tag: "topology",
			Params:    []param{networkParam},
			Responses: map[int]response{200: {"canonical topology JSON", jsonType, "Topology"}, 400: e400, 404: e404}, Handler: s.getLatest},
		{Method: "GET", Path: "/api/v1/snapshots", ID: "listSnapshots", Summary: "snapshots of a network, newest first, by time range and page", Tag: "history",
			Params: []param{networkParam, qp("from", "oldest taken_at (RFC 3339)", false, timeSchema), qp("to", "newest taken_at (RFC 3339)", false, timeSchema),
				qp("limit", "page size", false, limitSchema), qp("cursor", "next_cursor of the previous page", false, strSchema)},
			Responses: map[int]response{200: {"one page of snapshot summaries", jsonType, "SnapshotPage"}, 400: e400, 404: e404}, Handler: s.listSnapshots},
		{Method: "GET", Path: "/api/v1/snapshots/:id", ID: "getSnapshot", Summary: "one snapshot, canonical topology JSON", Tag: "history",
			Params: []param{idParam}, Responses: map[int]response{200: {"canonical topology JSON", jsonType, "Topology"}, 404: e404}, Handler: s.getSnapshot},
		{Method: "DELETE", Path: "/api/v1/snapshots/:id", ID: "deleteSnapshot", Summary: "delete one snapshot", Tag: "history", Mutating: true,
			Params: []param{idParam}, Responses: map[int]response{204: {Desc: "deleted"}, 401: e401, 404: e404}, Handler: s.deleteSnapshot},
		{Method: "GET", Path: "/api/v1/snapshots/:id/export", ID: "exportSnapshot", Summary: "one snapshot as a file (csv: a zip of nodes.csv and links.csv)", Tag: "history",
			Params: []param{idParam,
				qp("format", "file format", false, map[string]any{"type": "string", "enum": exportFormats, "default": "json"}),
				qp("redact", "leave out names, IPv6 addresses and other identifying details", false, boolSchema)},
			Responses: map[int]response{200: {Desc: "the file (Content-Disposition: attachment)", Content: "application/octet-stream"}, 400: e400, 404: e404, 503: e503}, Handler: s.exportSnapshot},
		{Method: "GET", Path: "/api/v1/diff", ID: "diffSnapshots", Summary: "what changed between two snapshots", Tag: "history",
			Params:    []param{qp("from", "older snapshot id", true, strSchema), qp("to", "newer snapshot id", true, strSchema)},
			Responses: map[int]response{200: {"the diff", jsonType, "Diff"}, 400: e400, 404: e404, 503: e503}, Handler: s.diff},
		{Method: "GET", Path: "/api/v1/insights", ID: "getInsights", Summary: "health insights of a network's newest (or a given) snapshot", Tag: "topology",
			Params:    []param{networkParam, qp("snapshot", "snapshot id instead of the newest", false, strSchema)},
			Responses: map[int]response{200: {"insights", jsonType, "Insights"}, 400: e400, 404: e404, 503: e503}, Handler: s.insights},
		{Method: "GET", Path: "/api/v1/changes", ID: "listChanges", Summary: "what changed between consecutive snapshots of a network, newest first, across every stored snapshot", Tag: "history",
			Params: []param{networkParam, qp("since", "oldest taken_at of the newer snapshot of a pair (RFC 3339)", false, timeSchema),
				qp("until", "newest taken_at of the newer snapshot of a pair (RFC 3339)", false, timeSchema),
				qp("limit", "page size (changes)", false, limitSchema), qp("cursor", "next_cursor of the previous page", false, strSchema)},
			Responses: map[int]response{200: {"one page of changes", jsonType, "Changes"}, 400: e400, 404: e404, 503: e503}, Handler: s.listChanges},
		{Method: "GET", Path: "/api/v1/nodes/:id/history", ID: "getNodeHistory", Summary: "one device across the newest snapshots of its network, oldest first", Tag: "history",
			Params: []param{{Name: "id", In: "path", Desc: "node id (ext address, or rloc:0x4401)", Required: true, Schema: strSchema}, networkParam,
				qp("since", "oldest taken_at (RFC 3339)", false, timeSchema), qp("until", "newest taken_at (RFC 3339)", false, timeSchema),
				qp("limit", "how many of the newest snapshots", false, limitSchema)},
			Responses: map[int]response{200: {"the device's timeline", jsonType, "NodeHistory"}, 400: e400, 404: e404, 503: e503}, Handler: s.nodeHistory},
		{Method: "GET", Path: "/api/v1/names", ID: "listNames", Summary: "the names users gave devices, by ext address", Tag: "names",
			Responses: map[int]response{200: {"names", jsonType, "Names"}, 503: e503}, Handler: s.listNames},
		{Method: "PUT", Path: "/api/v1/names/:ext", ID: "putName", Summary: "name a device (by ext address); kept in the store, shown as user_name on every node the API and exports serve", Tag: "names", Mutating: true,
			Params: []param{{Name: "ext", In: "path", Desc: "the device's ext address (16 hex digits)", Required: true, Schema: strSchema}}, Body: []string{jsonType},
			Responses: map[int]response{200: {"the name as stored", jsonType, "Name"}, 400: e400, 401: e401, 503: e503}, Handler: s.putName},
		{Method: "DELETE", Path: "/api/v1/names/:ext", ID: "deleteName", Summary: "remove a device's name", Tag: "names", Mutating: true,
			Params:    []param{{Name: "ext", In: "path", Desc: "the device's ext address (16 hex digits)", Required: true, Schema: strSchema}},
			Responses: map[int]response{204: {Desc: "removed"}, 400: e400, 401: e401, 404: e404, 503: e503}, Handler: s.deleteName},
		{Method: "GET", Path: "/api/v1/sources", ID: "listSources", Summary: "the scan sources (border routers, Matter server, TMF) with their state, last error and next attempt", Tag: "scan",
			Responses: map[int]response{200: {"sources", jsonType, "Sources"}}, Handler: s.listSources},
		{Method: "GET", Path: "/api/v1/report", ID: "getReport", Summary: "installer report: one printable, self-contained HTML page (network, map with legend, devices, insights, changes)", Tag: "history",
			Params: []param{networkParam, qp("snapshot", "snapshot id instead of the newest", false, strSchema),
				qp("since", "list the changes after this snapshot id", false, strSchema)},
			Responses: map[int]response{200: {Desc: "the report", Content: "text/html"}, 400: e400, 404: e404, 503: e503}, Handler: s.getReport},
		{Method: "POST", Path: "/api/v1/scan", ID: "triggerScan", Summary: "start a scan now (of one network, or of every network)", Tag: "scan", Mutating: true,
			Params: []param{qp("network", "network key; every network when left out", false, strSchema)},
			Responses: map[int]response{202: {"scan started", jsonType, "ScanAccepted"}, 401: e401, 404: e404,
				409: errResp("a scan of this network is running"), 503: e503}, Handler: s.triggerScan},
		{Method: "GET", Path: "/api/v1/scan", ID: "listScans", Summary: "running and recent scans with progress", Tag: "scan",
			Responses: map[int]response{200: {"scans", jsonType, "Scans"}}, Handler: s.listScans},
		{Method: "POST", Path: "/api/v1/import", ID: "importSnapshot", Summary: "store a snapshot from a canonical JSON or CBOR export", Tag: "history", Mutating: true,
			Body: []string{jsonType, "application/cbor"}, BodyLimit: s.o.MaxImportBytes,
			Responses: map[int]response{201: {"stored", jsonType, "Imported"}, 400: e400, 401: e401, 413: errResp("body too large")}, Handler: s.importSnapshot},
		{Method: "GET", Path: "/api/v1/settings", ID: "getSettings", Summary: "the effective runtime settings and where each came from", Tag: "server",
			Responses: map[int]response{200: {"settings", jsonType, "Settings"}, 503: e503}, Handler: s.getSettings},
		{Method: "PATCH", Path: "/api/v1/settings", ID: "patchSettings", Summary: "change runtime settings (JSON merge patch); kept in the store across restarts", Tag: "server", Mutating: true,
			Body:      []string{jsonType, "application/merge-patch+json"},
			Responses: map[int]response{200: {"the settings now in effect", jsonType, "Settings"}, 400: e400, 401: e401, 413: errResp("body too large"), 503: e503}, Handler: s.patchSettings},
		{Method: "GET", Path: "/api/v1/events", ID: "events", Summary: "live events (Server-Sent Events): scan.*, snapshot.*, border_router.*, settings.changed, source.state, names.changed", Tag: "events",
			Responses: map[int]response{200: {Desc: "an endless text/event-stream", Content: "text/event-stream"}}, Handler: s.events},
		{Method: "GET", Path: "/api/v1/openapi.json", ID: "getOpenAPI", Summary: "this document", Tag: "server",
			Responses: map[int]response{200: {Desc: "OpenAPI 3 document", Content: jsonType}}, Handler: s.getOpenAPI},
		{Method: "GET", Path: "/metrics", ID: "getMetrics", Summary: "Prometheus metrics (text format)", Tag: "server",
			Responses: map[int]response{200: {Desc: "metrics", Content: "text/plain"}, 503: e503}, Handler: s.getMetrics},
		{Method: "GET", Path: "/", ID: "getUI", Summary: "the browser UI (any other non-API path falls back to it)", Tag: "ui",
			Public: true, Responses: map[int]response{200: {Desc: "index.html", Content: "text/html"}}, Handler: s.serveUI},
	}
}

// buildEngine registers the route table on a new gin engine.
func (s *Server) buildEngine() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.Use(s.recoverJSON, s.accessLog, securityHeaders, s.hostGuard)
	for _, r := range s.routes {
		limit := r.BodyLimit
		if limit == 0 {
			limit = s.o.MaxBodyBytes
		}
		chain := []gin.HandlerFunc{limitBody(limit)}
		switch {
		case r.Mutating:
			chain = append(chain, s.authorize)
		case !r.Public:
			chain = append(chain, s.authorizeRead)
		}
		chain = append(chain, r.Handler)
		e.Handle(r.Method, r.Path, chain...)
	}
	e.NoMethod(func(c *gin.Context) {
		s.abort(c, &apiError{http.StatusMethodNotAllowed, CodeMethod, c.Request.Method + " is not allowed on " + c.Request.URL.Path})
	})
	e.NoRoute(func(c *gin.Context) {
		if strings.HasPrefix(c.Request.URL.Path, "/api/") || c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
			s.abort(c, notFound("no such endpoint: "+c.Request.Method+" "+c.Request.URL.Path))
			return
		}
		s.serveUI(c)
	})
	return e
}

// recoverJSON turns a handler panic into a logged 500 JSON answer.
func (s *Server) recoverJSON(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.log.Error("handler panic", "method", c.Request.Method, "path", c.Request.URL.Path, "panic", r)
			if !c.Writer.Written() {
				b := ErrorBody{Error: ErrorDetail{Code: CodeInternal, Message: "internal error (see the server log)"}}
				writeJSON(c, http.StatusInternalServerError, b)
			}
			c.Abort()
		}
	}()
	c.Next()
}

// accessLog logs each request at debug level, server errors at error level.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	st := c.Writer.Status()
	lvl := slogDebug
	if st >= 500 {
		lvl = slogError
	}
	s.log.Log(c.Request.Context(), lvl, "http", "method", c.Request.Method, "path", c.Request.URL.Path,
		"status", st, "bytes", c.Writer.Size(), "duration", time.Since(start))
}
