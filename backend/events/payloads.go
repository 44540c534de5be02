package events

import (
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// Payload is the data of one kind of event: a Go struct whose JSON is the
// event's data and whose EventName is the event's name. docs/API.md lists
// them; the OpenAPI document and the UI's types are generated from them.
type Payload interface {
	EventName() string
}

// ScanStartedEvent is scan.started: a scan of one network began.
type ScanStartedEvent struct {
	ScanID  string `json:"scan_id"`
	Network string `json:"network"`
	// Sources is how many sources the scan asks.
	Sources int `json:"sources"`
}

// EventName is scan.started.
func (ScanStartedEvent) EventName() string { return ScanStarted }

// ScanProgressEvent is scan.progress: after each source finishes and, for
// the TMF crawl, while it runs (counts so far, summed over the sources).
type ScanProgressEvent struct {
	ScanID   string `json:"scan_id"`
	Network  string `json:"network"`
	Queried  int    `json:"queried"`
	Answered int    `json:"answered"`
	// Sources finished out of SourcesTotal.
	Sources      int `json:"sources"`
	SourcesTotal int `json:"sources_total"`
	// Source is the target that reported.
	Source string `json:"source"`
}

// EventName is scan.progress.
func (ScanProgressEvent) EventName() string { return ScanProgress }

// ScanFinishedEvent is scan.finished: a scan ended (state finished, failed
// or cancelled).
type ScanFinishedEvent struct {
	ScanID  string `json:"scan_id"`
	Network string `json:"network"`
	State   string `json:"state"`
	// SnapshotID is the first snapshot stored ("" for none); SnapshotIDs
	// all of them (one per network the sources reached).
	SnapshotID  string   `json:"snapshot_id"`
	SnapshotIDs []string `json:"snapshot_ids"`
	// Error says why the scan failed, or which sources did not answer.
	Error string `json:"error"`
	// Partial: a map was stored, but some sources or nodes did not answer
	// within the budget.
	Partial bool `json:"partial"`
}

// EventName is scan.finished.
func (ScanFinishedEvent) EventName() string { return ScanFinished }

// SnapshotNewEvent is snapshot.new: a snapshot was stored, by a scan or an
// import.
type SnapshotNewEvent struct {
	SnapshotID string    `json:"snapshot_id"`
	Network    string    `json:"network"`
	TakenAt    time.Time `json:"taken_at"`
	Nodes      int       `json:"nodes"`
	// ScanID is the scan that stored it ("" for an import).
	ScanID string `json:"scan_id,omitempty"`
	// Imported: it came through POST /api/v1/import.
	Imported bool `json:"imported,omitempty"`
	// Partial: some sources or nodes did not answer in the scan that took it.
	Partial bool `json:"partial,omitempty"`
}

// EventName is snapshot.new.
func (SnapshotNewEvent) EventName() string { return SnapshotNew }

// SnapshotDeletedEvent is snapshot.deleted: a snapshot was deleted through
// the API.
type SnapshotDeletedEvent struct {
	SnapshotID string `json:"snapshot_id"`
	Network    string `json:"network"`
}

// EventName is snapshot.deleted.
func (SnapshotDeletedEvent) EventName() string { return SnapshotDeleted }

// BorderRouterAppearedEvent is border_router.appeared: discovery (or the
// demo, or a probed OTBR) made a border router known.
type BorderRouterAppearedEvent struct {
	topology.BorderRouter
	// Network is the network key it advertises.
	Network string `json:"network"`
}

// EventName is border_router.appeared.
func (BorderRouterAppearedEvent) EventName() string { return BorderRouterAppeared }

// BorderRouterDisappearedEvent is border_router.disappeared, with the
// border router as it was last known.
type BorderRouterDisappearedEvent BorderRouterAppearedEvent

// EventName is border_router.disappeared.
func (BorderRouterDisappearedEvent) EventName() string { return BorderRouterGone }
