package cli

import (
	"errors"

	"github.com/threadmap/threadmap/thread/topology"
)

// TODO(owner of the tmf source): the real source.
func tmfSource(env *Env, prefix string) (topology.Source, error) {
	return nil, errors.New("scan: the tmf source is not implemented yet")
}
