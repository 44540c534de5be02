package cli

import (
	"context"
	"errors"

	"github.com/threadmap/threadmap/thread/topology"
)

// TODO(owner of the otcli importer): the real importer.
func importOTCLI(ctx context.Context, path string) (*topology.Snapshot, error) {
	return nil, errors.New("import: otcli importer not implemented yet")
}
