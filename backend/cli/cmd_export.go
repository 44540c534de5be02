package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mattn/go-isatty"

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
	var out string
	fs.StringVar(&out, "out", "", "output file (csv: a .zip, or an existing directory for nodes.csv and links.csv); default stdout")
	fs.StringVar(&out, "o", "", "the same as --out")
	if _, err := parseFlags(fs, a, 0); err != nil {
		return err
	}
	f, err := export.ParseFormat(*format)
	if err != nil {
		return usagef("%v", err)
	}
	if *id == "" {
		return usagef("usage: %s", synopses["export"])
	}
	if out == "" && (f == export.CBOR || f == export.CSV) && isTerminal(env.Stdout) {
		return usagef("--format %s is binary (%s); give -o FILE, or redirect stdout to a file", f, map[export.Format]string{export.CBOR: "CBOR", export.CSV: "a zip of nodes.csv and links.csv"}[f])
	}
	path, err := dbPath(env, *db)
	if err != nil {
		return err
	}
	snap, err := loadSnapshot(path, *id, *network)
	if err != nil {
		return err
	}
	if err := applyNames(path, snap); err != nil {
		return err
	}
	opts := export.Options{Redact: *redact}
	if out != "" && f == export.CSV {
		if st, err := os.Stat(out); err == nil && st.IsDir() {
			return writeCSVDir(out, snap, opts)
		}
	}
	b, err := export.Bytes(snap, f, opts)
	if err != nil {
		return err
	}
	if out == "" {
		_, err = env.Stdout.Write(b)
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// loadSnapshot opens the store read-only and reads one snapshot: id, or
// with id "latest" the newest of network.
func loadSnapshot(path, id, network string) (*topology.Snapshot, error) {
	st, err := openStore(path, false, "GET /api/v1/snapshots/ID/export?format=...")
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var snap *topology.Snapshot
	if id == "latest" {
		key, err := resolveNetwork(st, network)
		if err != nil {
			return nil, err
		}
		snap, err = st.Latest(key)
		if err != nil {
			return nil, err
		}
		return snap, nil
	}
	if _, perr := store.ParseID(id); perr != nil {
		return nil, usagef("--snapshot: %v", perr)
	}
	return st.Get(id)
}

// applyNames sets the names users gave devices (the store's names) on snap.
func applyNames(path string, snap *topology.Snapshot) error {
	st, err := openStore(path, false, "GET /api/v1/names")
	if err != nil {
		return err
	}
	defer st.Close()
	names, err := st.Names()
	if err != nil {
		return err
	}
	*snap = *topology.WithUserNames(snap, names)
	return nil
}

// isTerminal reports whether w is a terminal (not merely a character
// device: /dev/null is one too).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
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
