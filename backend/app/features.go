package app

import (
	"context"
	"fmt"
	"io"

	"github.com/threadmap/threadmap/backend/server"
	"github.com/threadmap/threadmap/store"
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

// differ compares snapshots. TODO(wire): store/diff.
func differ() server.Differ { return nil }

// insighter lists health insights. TODO(wire): thread/health.
func insighter(st *store.Store) server.Insighter {
	return func(ctx context.Context, s *topology.Snapshot) (any, error) {
		return nil, fmt.Errorf("insights not available yet")
	}
}
