package cli

import (
	"context"
	"errors"

	"github.com/threadmap/threadmap/thread/topology"
)

// TODO(owner of the matter importer): the real importer.
func importMatterDump(ctx context.Context, path string) (*topology.Snapshot, error) {
	return nil, errors.New("import: matter importer not implemented yet")
}
