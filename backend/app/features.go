package app

import (
	"context"
	"io"

	"github.com/threadmap/threadmap/backend/server"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/diff"
	"github.com/threadmap/threadmap/store/export"
	"github.com/threadmap/threadmap/store/history"
	"github.com/threadmap/threadmap/store/report"
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

// insighter lists health insights (thread/health) of a snapshot with the
// parent churn of the snapshots before it (store/report.Insights).
func insighter(st *store.Store) server.Insighter {
	return func(ctx context.Context, s *topology.Snapshot) (any, error) {
		ins, err := report.Insights(ctx, st, s)
		if err != nil {
			return nil, err
		}
		return map[string]any{"insights": ins}, nil
	}
}

// reporter writes the installer report (store/report) of a snapshot.
func reporter(st *store.Store, log *history.Log, version string) server.Reporter {
	return func(ctx context.Context, w io.Writer, r server.ReportRequest) error {
		in, err := report.Build(ctx, st, log, r.Network, r.Snapshot, r.Since)
		if err != nil {
			return err
		}
		in.Version = version
		return report.Write(w, in)
	}
}
