package cli

import (
	"context"
	"errors"
)

// TODO(owner of this command): replace with the real command.
func runDiscover(ctx context.Context, env *Env, a []string) error {
	return errors.New("discover: not implemented yet")
}
