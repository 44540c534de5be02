package cli

import (
	"context"
	"fmt"
)

// Version is set at build time (-ldflags "-X .../backend/cli.Version=...").
var Version = "dev"

func runVersion(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "version")
	if _, err := parseFlags(fs, a, 0); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "threadmap %s\n", Version)
	return nil
}
