package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/threadmap/threadmap/store"
)

// snapshots [--db FILE] [--network KEY] [--since TIME] [--limit N] [--json]:
// the stored snapshots of a network, newest first.
func runSnapshots(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "snapshots")
	sa := addStoreFlags(fs)
	since := fs.String("since", "", "only snapshots taken at or after this time (RFC 3339, e.g. 2026-11-25T12:00:00Z, or a duration ago like 24h)")
	limit := fs.Int("limit", 50, "at most this many (newest first)")
	asJSON := fs.Bool("json", false, "print JSON (the API's snapshot page)")
	if _, err := parseFlags(fs, a, 0); err != nil {
		return err
	}
	from, err := parseSince(*since)
	if err != nil {
		return err
	}
	if *limit < 1 || *limit > store.MaxLimit {
		return usagef("--limit %d: want 1 to %d", *limit, store.MaxLimit)
	}
	st, key, err := sa.open(env, "GET /api/v1/snapshots")
	if err != nil {
		return err
	}
	defer st.Close()
	page, err := st.List(key, from, time.Time{}, *limit, "")
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(page)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "ID\tTAKEN AT (UTC)\tNODES\tROUTERS\tLINKS\tBORDER ROUTERS\n")
	for _, s := range page.Snapshots {
		if s.Error != "" {
			fmt.Fprintf(tw, "%s\t%s\tunreadable: %s\t\t\t\n", s.ID, s.TakenAt.Format("2006-01-02 15:04:05"), s.Error)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\n", s.ID, s.TakenAt.Format("2006-01-02 15:04:05"), s.Nodes, s.Routers, s.Links, s.BorderRouters)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	more := ""
	if page.NextCursor != "" {
		more = fmt.Sprintf(" (the newest %d; --limit shows more)", len(page.Snapshots))
	}
	fmt.Fprintf(env.Stdout, "network %s: %d snapshots%s\n", key, len(page.Snapshots), more)
	return nil
}

// parseSince reads --since: an RFC 3339 time, or a duration before now.
func parseSince(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return time.Now().Add(-d), nil
	}
	return time.Time{}, usagef("--since %q: want an RFC 3339 time like 2026-11-25T12:00:00Z, or a duration ago like 24h", v)
}
