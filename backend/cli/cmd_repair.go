package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/threadmap/threadmap/store"
)

// repair --db FILE -o NEW: copies every snapshot whose record is readable
// from a damaged store file into a new one, keeping ids and times (the
// damaged file is only read). Exit status 0 when NEW was written (the lost
// snapshots are listed), 1 when nothing could be.
func runRepair(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "repair")
	db := fs.String("db", "", "the damaged snapshot store (default $THREADMAP_DB, else the data dir's threadmap.db)")
	out := fs.String("o", "", "the new store file to write (must not exist)")
	if _, err := parseFlags(fs, a, 0); err != nil {
		return err
	}
	if *out == "" {
		return usagef("usage: %s", synopses["repair"])
	}
	path, err := dbPath(env, *db)
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no snapshot store at %s: %w", path, err)
	}
	rep, err := store.Repair(path, *out)
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(env.Stdout, "damage: %v\n", p)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(env.Stdout, "note: %s\n", n)
	}
	fmt.Fprintf(env.Stdout, "copied %d snapshots of %d networks to %s", rep.Recovered, rep.Networks, *out)
	if rep.Settings {
		fmt.Fprint(env.Stdout, ", with the runtime settings")
	}
	fmt.Fprintln(env.Stdout)
	if len(rep.Lost) > 0 {
		shown := rep.Lost
		if len(shown) > maxListed {
			shown = shown[:maxListed]
		}
		more := ""
		if len(rep.Lost) > len(shown) {
			more = fmt.Sprintf(" … (%d in all)", len(rep.Lost))
		}
		fmt.Fprintf(env.Stdout, "lost %d snapshots (unreadable records): %s%s\n", len(rep.Lost), strings.Join(shown, " "), more)
	}
	fmt.Fprintf(env.Stdout, "check it with 'threadmap check --db %s', then use it in place of %s\n", *out, path)
	return nil
}
