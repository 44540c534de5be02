package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/export"
	"github.com/threadmap/threadmap/thread/topology"
)

// export --db FILE --snapshot ID --format (json|cbor|graphml|dot|csv) [--redact] [--out FILE]
//
// --snapshot latest takes the newest snapshot (of --network KEY when the
// store holds several networks). Without --out the export goes to stdout;
// csv is then a zip of nodes.csv and links.csv, and --out DIR (an existing
// directory) writes the two files into it.
func runExport(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "export")
	db := fs.String("db", "", "snapshot store (default $THREADMAP_DB, else the data dir's threadmap.db)")
	id := fs.String("snapshot", "", "snapshot id, or latest")
	network := fs.String("network", "", "network key for --snapshot latest (ext PAN ID or name:NAME)")
	format := fs.String("format", "json", "json, cbor, graphml, dot or csv")
	redact := fs.Bool("redact", false, "replace ext addresses with pseudonyms and drop IPv6 addresses, names and network identity, for sharing")
	out := fs.String("out", "", "output file (csv: a .zip, or an existing directory for nodes.csv and links.csv); default stdout")
	if _, err := parseFlags(fs, a, 0); err != nil {
		return err
	}
	f, err := export.ParseFormat(*format)
	if err != nil {
		return usagef("%v", err)
	}
	if *id == "" {
		return usagef("usage: threadmap export --db FILE --snapshot ID --format (json|cbor|graphml|dot|csv) [--redact] [--out FILE]")
	}
	path, err := storePath(env, *db)
	if err != nil {
		return err
	}
	snap, err := loadSnapshot(path, *id, *network)
	if err != nil {
		return err
	}
	opts := export.Options{Redact: *redact}
	if *out != "" && f == export.CSV {
		if st, err := os.Stat(*out); err == nil && st.IsDir() {
			return writeCSVDir(*out, snap, opts)
		}
	}
	b, err := export.Bytes(snap, f, opts)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = env.Stdout.Write(b)
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// loadSnapshot opens the store read-only and reads one snapshot.
func loadSnapshot(path, id, network string) (*topology.Snapshot, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("export: no snapshot store at %s: %w", path, err)
	}
	// A running serve holds bbolt's exclusive lock for its whole life, so
	// waiting long would not help.
	st, err := store.Open(path, store.Options{ReadOnly: true, Timeout: 300 * time.Millisecond})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("export: %s is in use by a running threadmap serve; export through its API instead (GET /api/v1/snapshots/ID/export?format=...): %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	defer st.Close()
	var snap *topology.Snapshot
	if id == "latest" {
		snap, err = st.Latest(network)
	} else {
		if _, perr := store.ParseID(id); perr != nil {
			return nil, usagef("--snapshot: %v", perr)
		}
		snap, err = st.Get(id)
	}
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return snap, nil
}

func writeCSVDir(dir string, snap *topology.Snapshot, opts export.Options) error {
	if opts.Redact {
		snap = export.Redact(snap, opts.RedactKey)
	}
	for name, write := range map[string]func(io.Writer, *topology.Snapshot) error{
		"nodes.csv": export.WriteNodesCSV,
		"links.csv": export.WriteLinksCSV,
	} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		err = write(f, snap)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
	}
	return nil
}
