// Package archive is the one way a snapshot enters the store, whoever took
// it (a scheduled or manual scan, an import): it is written in one store
// transaction, then the latest cache and the metrics learn of it, the
// retention policy in force is applied and snapshot.new is published.
package archive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/topology"
)

// Store is where snapshots are kept (*store.Store).
type Store interface {
	Put(s *topology.Snapshot) (string, error)
	Retain(p store.Policy) (int, error)
}

// Publisher receives snapshot.new (*events.Bus).
type Publisher interface {
	Publish(events.Payload)
}

// Options are the archive's parts. Store is required.
type Options struct {
	Store  Store
	Events Publisher // nil: no events
	// Retention is the policy in force, read at each save (the settings
	// can change it while the program runs); nil or a zero policy keeps all.
	Retention func() store.Policy
	// Stored are told about each stored snapshot, in order (the latest
	// cache, the metrics).
	Stored []func(id string, s *topology.Snapshot)
	Logger *slog.Logger
}

// Origin says where a snapshot came from, for snapshot.new.
type Origin struct {
	// ScanID is the scan that took it ("" for an import).
	ScanID string
	// Imported: it came through the import endpoint.
	Imported bool
}

// Archive saves snapshots. Safe for concurrent use.
type Archive struct {
	o   Options
	log *slog.Logger
}

// New returns the archive.
func New(o Options) *Archive {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Archive{o: o, log: o.Logger}
}

// Save stores s in one transaction and sets s.ID, then tells the Stored
// hooks, applies retention and publishes snapshot.new. When the store
// fails, nothing else happens and the error says why: errors.Is it
// store.ErrInvalid for a snapshot the store refuses, syscall.ENOSPC for a
// full disk. A retention failure is logged, not returned: the snapshot is
// stored.
func (a *Archive) Save(ctx context.Context, s *topology.Snapshot, o Origin) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("save snapshot: %w", err)
	}
	if s == nil {
		return "", fmt.Errorf("save snapshot: %w", errors.New("nil snapshot"))
	}
	s.ID = ""
	id, err := a.o.Store.Put(s)
	if err != nil {
		return "", err
	}
	s.ID = id
	key := s.Network.Key()
	a.log.Info("snapshot stored", "snapshot_id", id, "network", key, "nodes", len(s.Nodes), "links", len(s.Links),
		"scan_id", o.ScanID, "imported", o.Imported, "partial", s.Scan.Partial)
	for _, f := range a.o.Stored {
		f(id, s)
	}
	if a.o.Retention != nil {
		if p := a.o.Retention(); p.MaxCount > 0 || p.MaxAge > 0 {
			n, err := a.o.Store.Retain(p)
			switch {
			case err != nil:
				a.log.Error("retain", "error", err)
			case n > 0:
				a.log.Info("retention dropped old snapshots", "deleted", n)
			}
		}
	}
	if a.o.Events != nil {
		a.o.Events.Publish(events.SnapshotNewEvent{SnapshotID: id, Network: key, TakenAt: s.TakenAt, Nodes: len(s.Nodes),
			ScanID: o.ScanID, Imported: o.Imported, Partial: s.Scan.Partial})
	}
	return id, nil
}
