package cli

import (
	"context"
	"errors"
)

// TODO(owner: meshcop): the real command.
func decodeTXT(ctx context.Context, env *Env, a []string) error {
	return errors.New("decode txt: not implemented yet")
}
