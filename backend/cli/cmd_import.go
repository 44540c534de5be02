package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/threadmap/threadmap/thread/topology"
)

// import --from (ot-cli | otbr | matter-dump) PATH [--json]. Each importer
// lives in its own file: importOTCLI (cmd_import_otcli.go), importOTBR
// (cmd_import_otbr.go), importMatterDump (cmd_import_matter.go).
func runImport(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "import")
	from := fs.String("from", "", "what the files are: ot-cli, otbr or matter-dump")
	asJSON := fs.Bool("json", false, "print canonical topology JSON")
	pos, err := parseFlags(fs, a, 1)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: threadmap import --from (ot-cli | otbr | matter-dump) PATH [--json]")
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
	return printSnapshot(env, snap, *asJSON)
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
