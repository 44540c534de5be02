// Package server is threadmap's HTTP face: the JSON API under /api/v1 (as
// docs/API.md describes it), live events over Server-Sent Events, the
// Prometheus metrics, the OpenAPI document and the embedded UI. Routes are
// declared once in a table (routes.go) from which both gin's router and the
// OpenAPI document are built.
package server

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/threadmap/threadmap/backend/archive"
	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/backend/routers"
	"github.com/threadmap/threadmap/backend/scheduler"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/history"
	"github.com/threadmap/threadmap/thread/topology"
)

// Store is the snapshot store as the API uses it (*store.Store).
type Store interface {
	Put(s *topology.Snapshot) (string, error)
	Retain(p store.Policy) (int, error)
	Get(id string) (*topology.Snapshot, error)
	Latest(network string) (*topology.Snapshot, error)
	List(network string, from, to time.Time, limit int, cursor string) (store.Page, error)
	Networks() ([]store.NetworkInfo, error)
	Delete(id string) error
	Size() (int64, error)
}

// Archive saves a snapshot with everything that follows (latest cache,
// metrics, retention, snapshot.new): *archive.Archive.
type Archive interface {
	Save(ctx context.Context, s *topology.Snapshot, o archive.Origin) (string, error)
}

// Scanner starts scans and reports on them (*scheduler.Scheduler).
type Scanner interface {
	Trigger(network string) (scheduler.ScanInfo, error)
	TriggerAll() ([]scheduler.ScanInfo, error)
	Scans() []scheduler.ScanInfo
	Networks() []string
}

// BorderRouters lists the border routers known now (*routers.Registry).
type BorderRouters interface {
	List(network string) []routers.Entry
}

// Exporter writes s in format (json, cbor, graphml, dot, csv) to w and
// returns the content type and a file name extension.
type Exporter func(w io.Writer, s *topology.Snapshot, format string, redact bool) (contentType, ext string, err error)

// Differ compares two snapshots into the diff JSON of docs/API.md.
type Differ func(from, to *topology.Snapshot) any

// Insighter lists health insights for a snapshot of a network; history
// gives it older snapshots when it wants them.
type Insighter func(ctx context.Context, snap *topology.Snapshot) (any, error)

// SnapshotObserver is told about snapshots the API stored or deleted.
type SnapshotObserver interface {
	ObserveSnapshot(s *topology.Snapshot)
	ForgetNetwork(key string)
}

// Settings reads and changes the runtime settings (backend/app). Get and
// Patch return the effective settings as a JSON-encodable value; Patch
// takes a JSON merge-patch body and reports bad input as *FieldError.
type Settings interface {
	Get() (any, error)
	Patch(body []byte) (any, error)
}

// FieldError is bad input naming the field at fault; the API answers it
// with 400 bad_request.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Options are the server's parts and settings.
type Options struct {
	Store Store
	// Archive is the save path of imports; nil: one over Store that feeds
	// this server's latest cache, Observer and Events.
	Archive       Archive
	Scanner       Scanner       // nil: scans cannot be triggered (503)
	BorderRouters BorderRouters // nil: none known
	Events        *events.Bus
	Metrics       http.Handler // nil: /metrics answers 503
	Observer      SnapshotObserver
	Export        Exporter  // nil: only json and cbor
	Diff          Differ    // nil: /diff answers 503
	Insights      Insighter // nil: /insights answers 503
	Settings      Settings  // nil: /settings answers 503
	Names         NameStore // nil: /names answers 503 and nodes carry no user_name
	History       *history.Log
	// Sources lists the scan sources and their state (nil: /sources is empty).
	Sources SourceLister
	// Report renders the installer report (nil: /report answers 503).
	Report Reporter
	// DecodeCBOR reads a CBOR export (import); nil refuses CBOR.
	DecodeCBOR func([]byte) (*topology.Snapshot, error)
	UI         fs.FS // the built UI (frontend.Dist()); nil or without index.html: a how-to-build page
	Logger     *slog.Logger

	Version   string
	Demo      bool
	StartedAt time.Time
	// Loopback: the listen address only accepts loopback connections.
	Loopback bool
	// AllowedHosts are Host names a loopback listener answers besides
	// loopback names (a reverse proxy passing its public name on).
	AllowedHosts []string
	// Token, when set, is required (Authorization: Bearer) on mutating
	// endpoints, and beyond loopback on reading ones too unless PublicRead.
	Token string
	// PublicRead lets anyone read the API beyond loopback (--public-read).
	PublicRead bool
	// MaxBodyBytes bounds request bodies (default 1 MiB); MaxImportBytes the
	// import body (default 16 MiB: a 250-node snapshot is some 300 kB).
	MaxBodyBytes   int64
	MaxImportBytes int64
	// PingInterval is the SSE keep-alive comment period (default 15 s).
	PingInterval time.Duration
}

// Server is the HTTP handler with its caches.
type Server struct {
	o      Options
	engine *gin.Engine
	log    *slog.Logger
	routes []route

	mu     sync.Mutex
	latest map[string]*cached // by network key

	namesMu sync.Mutex
	names   map[string]string // nil: not read yet

	done     chan struct{} // closed by Close: SSE streams end
	imports  chan struct{} // holds the one import running
	doneOnce sync.Once
}

// cached is a network's newest snapshot with its encoded JSON.
type cached struct {
	snap *topology.Snapshot
	json []byte
}

// New builds the server.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Events == nil {
		o.Events = events.NewBus()
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.MaxImportBytes <= 0 {
		o.MaxImportBytes = 16 << 20
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 15 * time.Second
	}
	if o.StartedAt.IsZero() {
		o.StartedAt = time.Now()
	}
	s := &Server{o: o, log: o.Logger, latest: map[string]*cached{}, done: make(chan struct{}), imports: make(chan struct{}, 1)}
	if s.o.Archive == nil {
		stored := []func(string, *topology.Snapshot){s.remember}
		if o.Observer != nil {
			stored = append(stored, func(_ string, snap *topology.Snapshot) { o.Observer.ObserveSnapshot(snap) })
		}
		s.o.Archive = archive.New(archive.Options{Store: o.Store, Events: o.Events, Stored: stored, Logger: o.Logger})
	}
	s.routes = s.routeTable()
	s.engine = s.buildEngine()
	return s
}

// Handler is the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.engine }

// Close ends the live event streams so that http.Server.Shutdown can finish.
func (s *Server) Close() { s.doneOnce.Do(func() { close(s.done) }) }

// HTTPServer wraps the handler in an http.Server with timeouts and header
// limits suited to the API (SSE streams lift their own write deadline).
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.engine,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// SnapshotStored tells the server a snapshot was stored (an archive's
// Stored hook), so that /topology/latest answers it without a store read.
func (s *Server) SnapshotStored(id string, snap *topology.Snapshot) {
	s.remember(id, snap)
}

func (s *Server) remember(id string, snap *topology.Snapshot) {
	c := *snap
	c.ID = id
	b, err := encodeJSON(s.named(&c))
	if err != nil {
		return
	}
	key := c.Network.Key()
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.latest[key]; old != nil && c.TakenAt.Before(old.snap.TakenAt) {
		return
	}
	s.latest[key] = &cached{snap: &c, json: b}
}

// forget drops cached latest snapshots with id (after a delete).
func (s *Server) forget(id string) (network string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, c := range s.latest {
		if c.snap.ID == id {
			delete(s.latest, k)
			return k
		}
	}
	return ""
}

// latestCached returns network's newest snapshot, reading the store once.
func (s *Server) latestCached(network string) (*cached, error) {
	s.mu.Lock()
	c := s.latest[network]
	s.mu.Unlock()
	if c != nil {
		return c, nil
	}
	snap, err := s.o.Store.Latest(network)
	if err != nil {
		return nil, err
	}
	s.remember(snap.ID, snap)
	s.mu.Lock()
	c = s.latest[network]
	s.mu.Unlock()
	if c == nil {
		return nil, errors.New("latest: cache race")
	}
	return c, nil
}
