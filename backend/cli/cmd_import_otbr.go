package cli

import (
	"context"

	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/topology"
)

// importOTBR reads saved OTBR REST answers: a GET /diagnostics (legacy) or
// GET /api/diagnostics (JSON:API or plain JSON) body, or a directory of
// saved answers (diagnostics, devices, node, active dataset).
func importOTBR(ctx context.Context, path string) (*topology.Snapshot, error) {
	return otbr.Import(ctx, path)
}
