package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/threadmap/threadmap/store/history"
)

// changes [--db FILE] [--network KEY] [--since TIME] [--limit N] [--json]:
// what changed between consecutive stored snapshots, newest first.
func runChanges(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "changes")
	sa := addStoreFlags(fs)
	since := fs.String("since", "", "only changes seen at or after this time (RFC 3339, or a duration ago like 24h)")
	limit := fs.Int("limit", 100, "at most this many changes (newest first)")
	asJSON := fs.Bool("json", false, "print JSON (the API's change page)")
	if _, err := parseFlags(fs, a, 0); err != nil {
		return err
	}
	from, err := parseSince(*since)
	if err != nil {
		return err
	}
	if *limit < 1 {
		return usagef("--limit %d: want at least 1", *limit)
	}
	st, key, err := sa.open(env, "GET /api/v1/changes")
	if err != nil {
		return err
	}
	defer st.Close()
	page, err := history.New(st, history.Options{}).Changes(ctx, history.Query{Network: key, Since: from, Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(page)
	}
	names, err := st.Names()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "WHEN (UTC)\tSNAPSHOT\tCHANGE\tDEVICE\tDETAIL\n")
	for _, c := range page.Changes {
		who := c.Node
		if n := names[c.Node]; n != "" {
			who = n + " (" + c.Node + ")"
		}
		if who == "" && c.Link != nil {
			who = "router link"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.At.Format("2006-01-02 15:04:05"), c.SnapshotID, c.Kind, who, c.Detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	switch {
	case len(page.Changes) == 0:
		fmt.Fprintf(env.Stdout, "network %s: no changes\n", key)
	case page.NextCursor != "":
		fmt.Fprintf(env.Stdout, "network %s: the newest %d changes (--limit shows more)\n", key, len(page.Changes))
	}
	return nil
}
