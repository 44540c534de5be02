package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/threadmap/threadmap/backend/archive"
	"github.com/threadmap/threadmap/thread/topology"
)

// import --from (ot-cli | otbr | matter-dump) PATH [--db FILE] [--json].
// Each importer lives in its own file: importOTCLI (cmd_import_otcli.go),
// importOTBR (cmd_import_otbr.go), importMatterDump (cmd_import_matter.go).
// An import that finds no device is a failed run naming what it looked
// for. With --db the snapshot is also stored; one without a network
// identity of its own (a single OTBR diagnostics answer has only the
// mesh-local prefix) joins the stored network with the same mesh-local
// prefix (store.JoinByPrefix), and is refused when there is none, rather
// than stored as a nameless network.
func runImport(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "import")
	from := fs.String("from", "", "what the files are: ot-cli, otbr or matter-dump")
	asJSON := fs.Bool("json", false, "print canonical topology JSON")
	db := fs.String("db", "", "also store the snapshot in this store (a file without network identity joins the stored network of its mesh-local prefix)")
	pos, err := parseFlags(fs, a, 1)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: %s", synopses["import"])
	}
	var snap *topology.Snapshot
	switch *from {
	case "ot-cli":
		snap, err = importOTCLI(ctx, pos[0])
	case "otbr":
		snap, err = importOTBR(ctx, pos[0])
	case "matter-dump":
		snap, err = importMatterDump(ctx, pos[0])
	case "":
		return usagef("import: --from is required (ot-cli, otbr or matter-dump)")
	default:
		return usagef("import: unknown --from %q (want ot-cli, otbr or matter-dump)", *from)
	}
	if err != nil {
		return err
	}
	if len(snap.Nodes) == 0 {
		return nothingFound(*from, pos[0], snap)
	}
	if *db != "" {
		if err := storeImport(ctx, env, *db, pos[0], snap); err != nil {
			return err
		}
	}
	return printSnapshot(env, snap, *asJSON)
}

// lookedFor says what each importer reads, for an import that found nothing.
var lookedFor = map[string]string{
	"ot-cli":      "ot-ctl output (router table, child table, neighbor table, networkdiagnostic get, meshdiag topology)",
	"otbr":        "saved OTBR REST answers (GET /diagnostics, /api/diagnostics, /api/devices, /node, /node/dataset/active bodies)",
	"matter-dump": "Matter server or Home Assistant node dumps (get_nodes answers, diagnostics downloads)",
}

// nothingFound is the error of an import without a device.
func nothingFound(from, path string, snap *topology.Snapshot) error {
	var notes []string
	for _, r := range snap.Scan.Sources {
		notes = append(notes, r.Notes...)
		if r.Error != "" {
			notes = append(notes, r.Error)
		}
	}
	msg := fmt.Sprintf("no Thread device found in %s: looked for %s", path, lookedFor[from])
	if len(notes) > 0 {
		if len(notes) > 5 {
			notes = append(notes[:5], fmt.Sprintf("and %d more", len(notes)-5))
		}
		msg += "; " + strings.Join(notes, "; ")
	}
	return errors.New(msg)
}

// storeImport stores snap in the store at path, joining the stored network
// of its mesh-local prefix when it has no identity of its own.
func storeImport(ctx context.Context, env *Env, path, from string, snap *topology.Snapshot) error {
	st, err := openStore(path, true, "POST /api/v1/import")
	if err != nil {
		return err
	}
	defer st.Close()
	if snap.TakenAt.IsZero() {
		snap.TakenAt = time.Now().UTC()
	}
	joined := snap.Network.Key() == "unknown"
	id, err := archive.New(archive.Options{Store: st}).Save(ctx, snap, archive.Origin{Imported: true})
	if err != nil {
		return fmt.Errorf("%s: not stored: %w", from, err)
	}
	how := ""
	if joined {
		how = " (joined by its mesh-local prefix " + snap.Network.MeshLocalPrefix + ")"
	}
	fmt.Fprintf(env.Stderr, "stored snapshot %s of network %s%s\n", id, snap.Network.Key(), how)
	return nil
}

// printSnapshot prints canonical JSON, or the readable table.
func printSnapshot(env *Env, snap *topology.Snapshot, asJSON bool) error {
	if asJSON {
		b, err := snap.JSON()
		if err != nil {
			return err
		}
		_, err = env.Stdout.Write(b)
		return err
	}
	return writeTable(env.Stdout, snap)
}

// writeTable is the human-readable form of a snapshot.
func writeTable(w interface{ Write([]byte) (int, error) }, s *topology.Snapshot) error {
	fmt.Fprintf(w, "network %q  ext PAN ID %s  PAN ID %s  channel %d  mesh-local %s\n",
		s.Network.Name, s.Network.ExtPanID, s.Network.PanID, s.Network.Channel, s.Network.MeshLocalPrefix)
	fmt.Fprintf(w, "%-8s %-18s %-18s %-8s %-18s %s\n", "RLOC16", "EXT ADDRESS", "ROLE", "MODE", "PARENT", "NAME")
	for _, n := range s.Nodes {
		r, mode, parent := "-", "-", "-"
		if n.Rloc16 != nil {
			r = n.Rloc16.String()
		}
		if n.Mode != nil {
			mode = n.Mode.String()
		}
		if n.Parent != nil {
			parent = *n.Parent
		}
		name := n.Name
		switch {
		case name != "" && n.Vendor != "":
			name = fmt.Sprintf("%s (%s)", name, n.Vendor)
		case name == "":
			name = strings.TrimSpace(n.Vendor + " " + n.Model)
		}
		fmt.Fprintf(w, "%-8s %-18s %-18s %-8s %-18s %s\n", r, n.ExtAddr, n.Role, mode, parent, name)
	}
	var routerLinks, childLinks int
	for _, l := range s.Links {
		if l.Kind == topology.LinkRouter {
			routerLinks++
		} else {
			childLinks++
		}
	}
	fmt.Fprintf(w, "%d nodes, %d router links, %d parent-child links\n", len(s.Nodes), routerLinks, childLinks)
	for _, r := range s.Scan.Sources {
		fmt.Fprintf(w, "source %s %s: %d/%d answered in %d ms", r.Name, r.Target, r.Answered, r.Queried, r.DurationMs)
		if r.Error != "" {
			fmt.Fprintf(w, " (error: %s)", r.Error)
		}
		fmt.Fprintln(w)
		for _, n := range r.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
	}
	return nil
}
