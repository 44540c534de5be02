package cli

import (
	"context"
	"errors"

	"github.com/threadmap/threadmap/thread/topology"
)

// TODO(owner of the otbr importer): the real importer.
func importOTBR(ctx context.Context, path string) (*topology.Snapshot, error) {
	return nil, errors.New("import: otbr importer not implemented yet")
}
