package cli

import (
	"context"
	"errors"
)

// TODO(owner of this command): replace with the real command.
func runServe(ctx context.Context, env *Env, a []string) error {
	return errors.New("serve: not implemented yet")
}
