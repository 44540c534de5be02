// Package app is `threadmap serve` assembled: it opens the store, starts
// discovery (or the demo mesh), the scan scheduler and the HTTP server,
// and on shutdown stops them in the order that keeps every snapshot either
// fully stored or not stored at all.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/threadmap/threadmap/backend/archive"
	"github.com/threadmap/threadmap/backend/config"
	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/backend/metrics"
	"github.com/threadmap/threadmap/backend/routers"
	"github.com/threadmap/threadmap/backend/scheduler"
	"github.com/threadmap/threadmap/backend/server"
	"github.com/threadmap/threadmap/backend/sources"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/history"
	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// Build is what the binary was built with.
type Build struct {
	Version string
	// UI is the built frontend (frontend.Dist()); nil when not built.
	UI fs.FS
}

// NewLogger makes the structured logger the configuration asks for.
func NewLogger(w io.Writer, c config.Config) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// App is a running service.
type App struct {
	cfg      config.Config
	log      *slog.Logger
	store    *store.Store
	bus      *events.Bus
	registry *routers.Registry
	metrics  *metrics.Metrics
	archive  *archive.Archive
	sched    *scheduler.Scheduler
	srv      *server.Server
	http     *http.Server
	ln       net.Listener
	bg       sync.WaitGroup
	cleanups []func()
	settings *settingsManager
	ba       *baSources      // Border Agent sources (sources_ba.go)
	ctx      context.Context // Run's: sources added later follow it

	matterMu   sync.Mutex
	matterID   string             // scheduler target id of the Matter server source ("" for none)
	matterStop context.CancelFunc // ends its Run
}

// Run runs `threadmap serve` until ctx ends (SIGINT/SIGTERM), then shuts
// down gracefully. ready, when not nil, receives the listen address once
// the server accepts connections.
func Run(ctx context.Context, c config.Config, b Build, log *slog.Logger, ready func(addr string)) error {
	a, err := start(ctx, c, b, log)
	if err != nil {
		return err
	}
	if ready != nil {
		ready(a.ln.Addr().String())
	}
	return a.wait(ctx)
}

func start(ctx context.Context, c config.Config, b Build, log *slog.Logger) (a *App, err error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	// Take the port first: a port in use is the commonest start-up
	// failure, and it should cost one line, not a demo mesh started and
	// stopped.
	ln, err := listen(c.Listen)
	if err != nil {
		return nil, err
	}
	// The cleanups below close over app, not the named result a, which the
	// error returns set to nil.
	app := &App{cfg: c, log: log, ctx: ctx, ln: ln}
	app.cleanups = append(app.cleanups, func() { app.ln.Close() })
	defer func() {
		if err != nil {
			app.cleanup()
		}
	}()
	a = app
	shown := c.Redacted()
	log.Info("starting threadmap", "version", b.Version, "listen", c.Listen, "db", c.DB, "demo", c.Demo,
		"interval", c.Interval.D(), "otbr", shown.OTBR, "matter_server", shown.MatterServer, "token", c.Token != "")
	a.store, err = store.Open(c.DB, store.Options{})
	if err != nil {
		return nil, err
	}
	st := a.store
	a.cleanups = append(a.cleanups, func() {
		if err := st.Close(); err != nil {
			log.Error("close store", "error", err)
		}
	})
	a.bus = events.NewBus()
	a.ba, err = a.loadBASources(c)
	if err != nil {
		return nil, err
	}
	a.settings, err = a.loadSettings(c)
	if err != nil {
		return nil, err
	}
	c = a.settings.current()
	a.cfg = c
	a.registry = routers.NewRegistry(a.bus)
	a.metrics = metrics.New(a.store.Size)
	if nets, err := a.store.Networks(); err == nil {
		for _, n := range nets {
			if s, err := a.store.Latest(n.Key); err == nil {
				a.metrics.ObserveSnapshot(s)
			}
		}
	}
	// The one save path: scans and imports alike go through it. The
	// server's latest cache joins once the server exists.
	var srv *server.Server
	a.archive = archive.New(archive.Options{
		Store:     a.store,
		Events:    a.bus,
		Retention: a.retention,
		Stored: []func(string, *topology.Snapshot){
			func(id string, s *topology.Snapshot) { srv.SnapshotStored(id, s) },
			func(_ string, s *topology.Snapshot) { a.metrics.ObserveSnapshot(s) },
		},
		Logger: log.With("component", "archive"),
	})
	t := timing(c)
	a.sched = scheduler.New(scheduler.Options{
		Interval:         t.Interval,
		MaxBackoff:       t.MaxBackoff,
		ScanTimeout:      t.ScanTimeout,
		NetworkIntervals: t.NetworkIntervals,
		Store:            a.archive,
		Events:           a.bus,
		Logger:           log.With("component", "scheduler"),
		Observer: scheduler.Observer{
			ScanDone:     a.metrics.ObserveScan,
			SourceFailed: func(src string, _ error) { a.metrics.ObserveSourceError(src) },
		},
	})
	hist := history.New(a.store, history.Options{})
	srv = server.New(server.Options{
		Store:         a.store,
		Archive:       a.archive,
		Scanner:       a.sched,
		BorderRouters: a.registry,
		Events:        a.bus,
		Metrics:       a.metrics.Handler(),
		Observer:      a.metrics,
		Export:        exporter(),
		Diff:          differ(),
		Insights:      insighter(a.store),
		Settings:      a.settings,
		Names:         a.store,
		History:       hist,
		Sources:       a.sched,
		Report:        reporter(a.store, hist, b.Version),
		DecodeCBOR:    store.NewCodec().UnmarshalSnapshot,
		UI:            b.UI,
		Logger:        log.With("component", "http"),
		Version:       b.Version,
		Demo:          c.Demo,
		StartedAt:     time.Now(),
		Loopback:      c.Loopback(),
		Token:         c.Token,
		PublicRead:    c.PublicRead,
		AllowedHosts:  c.AllowedHosts,
	})
	a.srv = srv
	if err := a.addSources(ctx); err != nil {
		return nil, err
	}
	a.http = a.srv.HTTPServer(c.Listen)
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		if err := a.http.Serve(a.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "error", err)
		}
	}()
	log.Info("listening", "addr", a.ln.Addr().String(), "url", "http://"+a.ln.Addr().String()+"/")
	return a, nil
}

// listen opens the HTTP listener; a port in use is said in words a user
// acts on.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("listen %s: address already in use (is another threadmap running? use --listen)", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	return ln, nil
}

// retention is the policy in force: retention changed through the API
// applies from the next stored snapshot on.
func (a *App) retention() store.Policy {
	c := a.settings.current()
	return store.Policy{MaxCount: c.RetainCount, MaxAge: c.RetainAge.D()}
}

// wait runs the scheduler until ctx ends, then shuts everything down:
// the scheduler first (a scan mid-collection stores nothing; one that has
// collected finishes its single-transaction write), then HTTP, then the
// sources, then the store.
func (a *App) wait(ctx context.Context) error {
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		_ = a.sched.Run(ctx)
	}()
	<-ctx.Done()
	a.log.Info("shutting down")
	<-schedDone
	a.srv.Close()
	a.bus.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.http.Shutdown(sctx); err != nil {
		a.log.Warn("http shutdown", "error", err)
		a.http.Close()
	}
	a.bg.Wait()
	a.cleanup()
	a.log.Info("stopped")
	return nil
}

func (a *App) cleanup() {
	for i := len(a.cleanups) - 1; i >= 0; i-- {
		a.cleanups[i]()
	}
	a.cleanups = nil
}

// addSources registers every configured source with the scheduler and
// starts discovery or the demo.
func (a *App) addSources(ctx context.Context) error {
	c := a.cfg
	if c.Demo {
		if err := a.startDemo(ctx); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	for _, u := range c.OTBR {
		if err := a.addOTBR(u); err != nil {
			return err
		}
	}
	for _, prefix := range c.TMF {
		if err := a.addTMF(prefix); err != nil {
			return err
		}
	}
	if c.MatterServer != "" {
		if err := a.addMatter(c.MatterServer); err != nil {
			return err
		}
	}
	switch {
	case c.Demo:
		a.log.Info("mDNS discovery off in demo mode: the demo hands its border routers over directly")
	case c.NoDiscovery:
		a.log.Info("mDNS discovery off (--no-discovery)")
	case len(c.MDNSIfaces) == 0:
		a.log.Info("mDNS discovery off: name the LAN interface(s) to browse with --mdns-iface (or THREADMAP_MDNS_IFACE)")
	default:
		if err := a.startDiscovery(ctx); err != nil {
			return err
		}
	}
	if len(a.sched.Networks()) == 0 && (c.NoDiscovery || len(c.MDNSIfaces) == 0) && !c.Demo {
		a.log.Warn("nothing to scan: give --otbr URL, --matter-server URL, --mdns-iface NAME, or try --demo")
	}
	return nil
}

// otbrTargetID is the scheduler id of the OTBR source at u: scan lists,
// metrics and logs show it, so credentials in u are "***".
func otbrTargetID(u string) string     { return "otbr:" + topology.RedactURL(strings.TrimRight(u, "/")) }
func tmfTargetID(prefix string) string { return "tmf:" + prefix }

// addOTBR adds the OTBR REST source at u to the scheduler (at start-up and
// when the settings gain a URL).
func (a *App) addOTBR(u string) error {
	u = strings.TrimRight(u, "/")
	src, err := sources.OTBR(u, a.cfg.OTBRDialect, sources.Crawl{})
	if err != nil {
		return fmt.Errorf("otbr %s: %w", topology.RedactURL(u), err)
	}
	a.sched.Add(scheduler.Target{ID: otbrTargetID(u), Source: src})
	return nil
}

// addTMF adds a TMF crawl of prefix to the scheduler.
func (a *App) addTMF(prefix string) error {
	id := tmfTargetID(prefix)
	src, err := sources.TMF(prefix, sources.Crawl{Progress: func(p tmf.Progress) { a.sched.SourceProgress(id, p.Done, p.Answered) }})
	if err != nil {
		return fmt.Errorf("tmf %s: %w", prefix, err)
	}
	a.sched.Add(scheduler.Target{ID: id, Source: src})
	return nil
}

// addMatter adds the Matter server source at u and follows the server
// (start_listening) so that scans read a live cache, until removeMatter or
// the end of Run.
func (a *App) addMatter(u string) error {
	src, err := sources.Matter(u)
	if err != nil {
		return fmt.Errorf("matter-server %s: %w", u, err)
	}
	ctx, cancel := context.WithCancel(a.ctx)
	a.matterMu.Lock()
	a.matterID, a.matterStop = "matter:"+src.URL(), cancel
	a.matterMu.Unlock()
	a.sched.Add(scheduler.Target{ID: "matter:" + src.URL(), Source: src})
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		if err := src.Run(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("matter server connection ended", "url", src.URL(), "error", err)
		}
	}()
	return nil
}

// removeMatter drops the Matter server source and ends its connection.
func (a *App) removeMatter() {
	a.matterMu.Lock()
	id, stop := a.matterID, a.matterStop
	a.matterID, a.matterStop = "", nil
	a.matterMu.Unlock()
	if id == "" {
		return
	}
	stop()
	a.removeSource(id)
}

// removeSource stops scanning target id and drops the metrics series its
// pending network left.
func (a *App) removeSource(id string) {
	a.sched.Remove(id)
	a.metrics.ForgetScans(scheduler.PendingNetwork(id))
}
