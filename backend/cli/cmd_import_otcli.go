package cli

import (
	"context"

	"github.com/threadmap/threadmap/thread/otcli"
	"github.com/threadmap/threadmap/thread/topology"
)

// importOTCLI reads ot-cli / ot-ctl transcripts (a file, or a directory of
// *.txt transcripts merged into one topology). What it skipped is in the
// snapshot's scan report notes.
func importOTCLI(ctx context.Context, path string) (*topology.Snapshot, error) {
	snap, _, err := otcli.Load(ctx, path)
	return snap, err
}
