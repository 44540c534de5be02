package cli

import (
	"context"
	"fmt"

	"github.com/threadmap/threadmap/backend/app"
	"github.com/threadmap/threadmap/backend/config"
	"github.com/threadmap/threadmap/frontend"
)

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
