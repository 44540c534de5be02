package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/threadmap/threadmap/backend/server"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/diff"
	"github.com/threadmap/threadmap/thread/health"
	"github.com/threadmap/threadmap/thread/topology"
)

// exporter writes snapshots in the store's export formats.
// TODO(wire): store exports (graphml, dot, csv, redaction) when they land.
func exporter() server.Exporter {
	codec := store.NewCodec()
	return func(w io.Writer, s *topology.Snapshot, format string, redact bool) (string, string, error) {
		if redact {
			return "", "", fmt.Errorf("redaction is not available yet")
		}
		switch format {
		case "json":
			b, err := s.JSON()
			if err != nil {
				return "", "", err
			}
			_, err = w.Write(b)
			return "application/json", "json", err
		case "cbor":
			b, err := codec.MarshalSnapshot(s)
			if err != nil {
				return "", "", err
			}
			_, err = w.Write(b)
			return "application/cbor", "cbor", err
		}
		return "", "", fmt.Errorf("format %s is not available yet", format)
	}
}

// differ compares snapshots (store/diff).
func differ() server.Differ {
	return func(from, to *topology.Snapshot) any { return diff.Diff(from, to) }
}

// historyDepth is how many earlier snapshots insights read for parent churn.
const historyDepth = 24

// insighter lists health insights (thread/health) of a snapshot and, for
// parent churn, of the snapshots of its network that precede it.
func insighter(st *store.Store) server.Insighter {
	return func(ctx context.Context, s *topology.Snapshot) (any, error) {
		page, err := st.List(s.Network.Key(), time.Time{}, s.TakenAt, historyDepth, "")
		if err != nil {
			return nil, err
		}
		history := make([]*topology.Snapshot, 0, len(page.Snapshots))
		for _, sum := range page.Snapshots {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if h, err := st.Get(sum.ID); err == nil {
				history = append(history, h)
			}
		}
		return map[string]any{"insights": health.AnalyzeWithHistory(s, history)}, nil
	}
}
