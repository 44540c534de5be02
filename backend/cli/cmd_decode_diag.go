package cli

import (
	"context"
	"errors"
)

// TODO(owner: diag codec): the real command.
func decodeDiag(ctx context.Context, env *Env, a []string) error {
	return errors.New("decode diag: not implemented yet")
}
