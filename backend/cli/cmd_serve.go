package cli

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/threadmap/threadmap/backend/app"
	"github.com/threadmap/threadmap/backend/config"
	"github.com/threadmap/threadmap/frontend"
)

// serveMemoryLimit is the garbage collector's soft memory limit for serve
// unless GOMEMLIMIT sets one.
const serveMemoryLimit = 100 << 20

// serve [--listen ADDR] [--db FILE] [--demo] [--otbr URL]... [--matter-server URL]
// [--interval D] [--token T] [--mdns-iface NAME]... [--no-discovery] [--config FILE]:
// the service. Settings come from flags > THREADMAP_* environment > the
// JSON config file > defaults (docs/CONFIG.md).
func runServe(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "serve")
	flags := config.RegisterFlags(fs)
	if _, err := parseFlags(fs, a, 0); err != nil {
		return err
	}
	cfg, err := flags.Resolve(getenv(env))
	if err != nil {
		return usagef("%v", err)
	}
	if os.Getenv("GOMEMLIMIT") == "" { // the runtime reads the real environment
		// A soft limit for the garbage collector: serve's live heap is a
		// few tens of MB, and without a limit the heap may grow to twice
		// that before a collection (GOMEMLIMIT, Go's own variable, wins).
		debug.SetMemoryLimit(serveMemoryLimit)
	}
	log := app.NewLogger(env.Stderr, cfg)
	b := app.Build{Version: Version}
	if frontend.Built() {
		b.UI = frontend.Dist()
	}
	if err := app.Run(ctx, cfg, b, log, nil); err != nil {
		return fmt.Errorf("%w", err)
	}
	return nil
}
