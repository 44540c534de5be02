package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/threadmap/threadmap/matter/meshbuild"
	"github.com/threadmap/threadmap/matter/nodedump"
	"github.com/threadmap/threadmap/thread/topology"
)

// importMatterDump reads Matter server node dumps and Home Assistant Matter
// diagnostics downloads (one file, or every *.json under a directory) and
// merges them into one topology per Thread network (ext PAN ID). It
// returns the network with the most Matter nodes; the report notes name
// the other networks found and every device not on a Thread map.
func importMatterDump(ctx context.Context, path string) (*topology.Snapshot, error) {
	dumps, err := nodedump.ReadPath(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	inputs := make([]meshbuild.Input, 0, len(dumps))
	for _, d := range dumps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := nodedump.Decode(d.Data)
		if err != nil {
			return nil, fmt.Errorf("import: %s: %w", d.Origin, err)
		}
		inputs = append(inputs, meshbuild.Input{Node: n, Origin: d.Origin, TakenAt: n.LastInterview})
	}
	res := meshbuild.Build(inputs, time.Now())
	snap := res.Largest()
	if snap == nil {
		return nil, fmt.Errorf("import: %s: no Matter node on a Thread network (%d nodes read): %s", path, len(inputs), strings.Join(res.Notes, "; "))
	}
	rep := &snap.Scan.Sources[0]
	rep.Target = path
	for _, other := range res.Networks[1:] {
		name := other.Network.Name
		if name == "" {
			name = "(name not in the dumps)"
		}
		rep.Notes = append(rep.Notes, fmt.Sprintf("also in these dumps: network %s %s with %d Matter nodes (not shown)", other.Network.Key(), name, other.Scan.Sources[0].Queried))
	}
	return snap, nil
}
