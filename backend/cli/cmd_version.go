package cli

import (
	"context"
	"fmt"
)

// Version is set at build time (-ldflags "-X .../backend/cli.Version=...").
var Version = "dev"

func runVersion(ctx context.Context, env *Env, a []string) error {
	fmt.Fprintf(env.Stdout, "threadmap %s\n", Version)
	return nil
}
