package app

import (
	"context"
	"io"
	"time"

	"github.com/threadmap/threadmap/backend/server"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/diff"
	"github.com/threadmap/threadmap/store/export"
	"github.com/threadmap/threadmap/thread/health"
	"github.com/threadmap/threadmap/thread/topology"
)

// exporter writes snapshots in the store's export formats (store/export).
func exporter() server.Exporter {
	return func(w io.Writer, s *topology.Snapshot, format string, redact bool) (string, string, error) {
		f, err := export.ParseFormat(format)
		if err != nil {
			return "", "", err
		}
		if err := export.Write(w, s, f, export.Options{Redact: redact}); err != nil {
			return "", "", err
		}
		return f.ContentType(), f.Ext(), nil
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
