package cli

import (
	"errors"

	"github.com/threadmap/threadmap/thread/topology"
)

// TODO(owner of the matter source): the real source.
func matterSource(env *Env, wsURL string) (topology.Source, error) {
	return nil, errors.New("scan: the matter source is not implemented yet")
}
