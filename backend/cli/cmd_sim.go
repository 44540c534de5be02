package cli

import (
	"context"
	"errors"
)

// TODO(owner of this command): replace with the real command.
func runSim(ctx context.Context, env *Env, a []string) error {
	return errors.New("sim: not implemented yet")
}
