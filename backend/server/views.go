package server

import (
	"time"

	"github.com/threadmap/threadmap/backend/routers"
	"github.com/threadmap/threadmap/backend/scheduler"
	"github.com/threadmap/threadmap/thread/health"
)

// The answers of the API that are not a type of another package. Their
// JSON is the API (docs/API.md); the OpenAPI components and the UI's types
// are generated from them (backend/apischema).

// Info is GET /api/v1/info: the server's version and state.
type Info struct {
	Version string `json:"version"`
	// Schema is the canonical topology JSON's schema name.
	Schema    string    `json:"schema"`
	Demo      bool      `json:"demo"`
	StartedAt time.Time `json:"started_at"`
	// DBBytes is the size of the snapshot store file.
	DBBytes int64 `json:"db_bytes"`
	// AuthRequired: mutating endpoints need the bearer token.
	AuthRequired bool `json:"auth_required"`
	// Loopback: the server only accepts loopback connections.
	Loopback bool `json:"loopback"`
	// UIBuilt: the browser UI is embedded.
	UIBuilt bool `json:"ui_built"`
}

// NetworkSummary is one stored network of GET /api/v1/networks with its
// newest snapshot.
type NetworkSummary struct {
	// Key is the ext PAN ID (lower-case hex) or name:<network name>.
	Key              string     `json:"key"`
	Name             string     `json:"name"`
	ExtPanID         string     `json:"ext_pan_id"`
	PanID            string     `json:"pan_id"`
	Channel          int        `json:"channel"`
	LatestSnapshotID string     `json:"latest_snapshot_id"`
	LatestTakenAt    *time.Time `json:"latest_taken_at"`
	Nodes            int        `json:"nodes"`
	Routers          int        `json:"routers"`
	BorderRouters    int        `json:"border_routers"`
	// Snapshots is how many snapshots of the network are stored.
	Snapshots int `json:"snapshots"`
}

// Networks is GET /api/v1/networks.
type Networks struct {
	Networks []NetworkSummary `json:"networks"`
}

// BorderRouterList is GET /api/v1/border-routers.
type BorderRouterList struct {
	BorderRouters []routers.Entry `json:"border_routers"`
}

// Scans is GET /api/v1/scan: running scans and recent finished ones, newest first.
type Scans struct {
	Scans []scheduler.ScanInfo `json:"scans"`
}

// ScanAccepted is POST /api/v1/scan: the scan started (the first one when
// every network is scanned; Scans lists all of them then).
type ScanAccepted struct {
	ScanID  string               `json:"scan_id"`
	State   string               `json:"state"`
	Network string               `json:"network"`
	Scans   []scheduler.ScanInfo `json:"scans,omitempty"`
}

// Imported is POST /api/v1/import: the stored snapshot.
type Imported struct {
	SnapshotID string `json:"snapshot_id"`
	Network    string `json:"network"`
}

// Insights is GET /api/v1/insights, most severe first.
type Insights struct {
	Insights []health.Insight `json:"insights"`
}

// ErrorCode is the stable code of an error answer.
type ErrorCode string

// ErrorBody is every error answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong.
type ErrorDetail struct {
	Code    ErrorCode `json:"code"`
	Message string    `json:"message"`
}
