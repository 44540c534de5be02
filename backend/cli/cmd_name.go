package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/threadmap/threadmap/store"
)

// name [--db FILE] EXT "NAME" | --clear EXT | --list: the names users give
// devices, kept in the store by ext address (they stay when a device
// re-attaches and gets a new RLOC16).
func runName(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "name")
	db := fs.String("db", "", "snapshot store (default $THREADMAP_DB, else the data dir's threadmap.db)")
	clear := fs.Bool("clear", false, "remove the name of EXT_ADDR")
	list := fs.Bool("list", false, "list every name")
	pos, err := parseFlags(fs, a, 2)
	if err != nil {
		return err
	}
	switch {
	case *list && len(pos) == 0 && !*clear:
	case *clear && len(pos) == 1 && !*list:
	case !*clear && !*list && len(pos) == 2:
	default:
		return usagef("usage: %s", synopses["name"])
	}
	if len(pos) > 0 && strings.HasPrefix(pos[0], "rloc:") {
		return usagef("%s: names are kept by extended address, which stays when a device re-attaches; this device is known only by its RLOC16, "+
			"which changes then. Scan with a source that reports ext addresses (TMF, OTBR REST, Matter) to name it", pos[0])
	}
	path, err := dbPath(env, *db)
	if err != nil {
		return err
	}
	st, err := openStore(path, !*list, "GET, PUT or DELETE /api/v1/names/EXT_ADDR")
	if err != nil {
		return err
	}
	defer st.Close()
	switch {
	case *list:
		names, err := st.Names()
		if err != nil {
			return err
		}
		exts := make([]string, 0, len(names))
		for e := range names {
			exts = append(exts, e)
		}
		sort.Strings(exts)
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "EXT ADDRESS\tNAME\n")
		for _, e := range exts {
			fmt.Fprintf(tw, "%s\t%s\n", e, names[e])
		}
		return tw.Flush()
	case *clear:
		ext, err := st.DeleteName(pos[0])
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%s has no name", pos[0])
		}
		if err != nil {
			return usageIfInput(err)
		}
		fmt.Fprintf(env.Stdout, "%s: name removed\n", ext)
		return nil
	}
	ext, name, err := st.SetName(pos[0], pos[1])
	if err != nil {
		return usageIfInput(err)
	}
	fmt.Fprintf(env.Stdout, "%s: %s\n", ext, name)
	return nil
}

// usageIfInput makes a bad ext address or name a usage error.
func usageIfInput(err error) error {
	if s := err.Error(); strings.Contains(s, "ext address") || strings.Contains(s, "name:") {
		return usagef("%v", err)
	}
	return err
}
