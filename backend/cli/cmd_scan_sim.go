package cli

import (
	"context"
	"errors"

	"github.com/threadmap/threadmap/thread/topology"
)

// TODO(owner: tmf crawler / threadsim): start the simulated mesh on loopback
// and return the crawler pointed at it; cleanup stops the simulator.
func simSources(ctx context.Context, env *Env, n int, scenario string, seed int64) ([]topology.Source, func(), error) {
	return nil, func() {}, errors.New("scan --sim: not implemented yet")
}
