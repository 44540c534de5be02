package cli

import (
	"errors"

	"github.com/threadmap/threadmap/thread/topology"
)

// TODO(owner of the otbr source): the real source.
func otbrSource(env *Env, baseURL string) (topology.Source, error) {
	return nil, errors.New("scan: the otbr source is not implemented yet")
}
