package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/threadmap/threadmap/backend/pdf"
	"github.com/threadmap/threadmap/store/history"
	"github.com/threadmap/threadmap/store/report"
)

// report [--db FILE] [--network KEY] [--snapshot ID] [--since ID] -o FILE:
// the installer report of a stored snapshot, as one self-contained HTML
// page (FILE.html), or that page printed to PDF by a headless Chromium
// (FILE.pdf).
func runReport(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "report")
	sa := addStoreFlags(fs)
	id := fs.String("snapshot", "", "snapshot id (default: the newest)")
	since := fs.String("since", "", "also list what changed after this snapshot id")
	var out string
	fs.StringVar(&out, "o", "", "output file: .html, or .pdf (printed by Chromium; THREADMAP_CHROMIUM names the browser)")
	fs.StringVar(&out, "out", "", "the same as -o")
	if _, err := parseFlags(fs, a, 0); err != nil {
		return err
	}
	ext := strings.ToLower(filepath.Ext(out))
	if out == "" || ext != ".html" && ext != ".htm" && ext != ".pdf" {
		return usagef("-o FILE.html or -o FILE.pdf is required (usage: %s)", synopses["report"])
	}
	browser := ""
	if ext == ".pdf" {
		// Before any work: a missing browser is the likeliest failure.
		var err error
		if browser, err = pdf.FindBrowser(env.Getenv); err != nil {
			return err
		}
	}
	st, key, err := sa.open(env, "GET /api/v1/report")
	if err != nil {
		return err
	}
	defer st.Close()
	in, err := report.Build(ctx, st, history.New(st, history.Options{}), key, *id, *since)
	if err != nil {
		return err
	}
	in.Version = Version
	var page bytes.Buffer
	if err := report.Write(&page, in); err != nil {
		return err
	}
	doc := page.Bytes()
	if ext == ".pdf" {
		if doc, err = pdf.Print(ctx, doc, pdf.Options{Browser: browser}); err != nil {
			return err
		}
	}
	if err := os.WriteFile(out, doc, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: report of snapshot %s of network %s (%d devices)\n", out, in.Snapshot.ID, key, len(in.Snapshot.Nodes))
	return nil
}
