package otcli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/threadmap/threadmap/thread/capped"
	"github.com/threadmap/threadmap/thread/topology"
)

// maxFile bounds one transcript file.
const maxFile = 64 << 20

// Load imports transcripts: each path is a transcript file or a directory
// whose *.txt files (searched recursively; .json twins and other files are
// ignored) are transcripts. All of them merge into one normalized snapshot
// (topology.Merge); its scan report (source "ot-cli") counts the files and
// carries the notes: commands skipped, commands that answered an error,
// and lines that could not be read, each naming the file and line. The
// notes are also returned one by one.
//
// A file that is not a transcript (no "> " command lines) is skipped with
// a note; Load fails only when no transcript at all was read.
func Load(ctx context.Context, paths ...string) (*topology.Snapshot, []Note, error) {
	start := time.Now()
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, fmt.Errorf("ot-cli import: %w", err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		found, err := capped.FilesIn(p, ".txt")
		if err != nil {
			return nil, nil, fmt.Errorf("ot-cli import: %w", err)
		}
		files = append(files, found...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("ot-cli import: no *.txt transcripts in %s", strings.Join(paths, ", "))
	}
	var parts []*topology.Snapshot
	var notes []Note
	report := topology.SourceReport{Name: SourceName, Target: strings.Join(paths, ",")}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, notes, err
		}
		report.Queried++
		name := displayName(f, paths)
		snap, n, err := loadFile(ctx, f, name)
		notes = append(notes, n...)
		if err != nil {
			if os.IsNotExist(err) || isReadErr(err) {
				report.Failed++
			}
			notes = append(notes, Note{File: name, Msg: err.Error()})
			continue
		}
		report.Answered++
		parts = append(parts, snap)
	}
	if len(parts) == 0 {
		return nil, notes, fmt.Errorf("ot-cli import: none of %d files is a transcript (first: %s)", len(files), notes[0])
	}
	merged := topology.Merge(parts...)
	sortNotes(notes)
	report.Notes = summarize(notes)
	report.DurationMs = time.Since(start).Milliseconds()
	merged.Scan.Sources = []topology.SourceReport{report}
	return merged, notes, nil
}

type readErr struct{ error }

func isReadErr(err error) bool { _, ok := err.(readErr); return ok }

func loadFile(ctx context.Context, path, name string) (*topology.Snapshot, []Note, error) {
	f, err := capped.Open(ctx, path)
	if err != nil {
		return nil, nil, readErr{err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, readErr{err}
	}
	t, err := ParseTranscript(capped.NewReader(f, maxFile))
	if errors.Is(err, capped.ErrTooLarge) || ctx.Err() != nil {
		return nil, nil, readErr{errors.Join(ctx.Err(), err)}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("not a transcript: %w", err)
	}
	snap, notes := ImportTranscript(name, t, st.ModTime())
	return snap, notes, nil
}

// displayName is path relative to the directory it was found under.
func displayName(f string, roots []string) string {
	for _, r := range roots {
		if rel, err := filepath.Rel(r, f); err == nil && !strings.HasPrefix(rel, "..") && rel != "." {
			return rel
		}
	}
	return filepath.Base(f)
}

// summarize folds notes that repeat across files ("router table answered
// Error 35 in 5 files") so the report stays readable.
func summarize(notes []Note) []string {
	type key struct{ cmd, msg string }
	files := map[key][]string{}
	var order []key
	for _, n := range notes {
		k := key{n.Cmd, n.Msg}
		if _, ok := files[k]; !ok {
			order = append(order, k)
		}
		where := n.File
		if n.Line > 0 {
			where = fmt.Sprintf("%s:%d", n.File, n.Line)
		}
		files[k] = append(files[k], where)
	}
	var out []string
	for _, k := range order {
		w := files[k]
		list := strings.Join(w, ", ")
		if len(w) > 4 {
			list = strings.Join(w[:4], ", ") + fmt.Sprintf(", … (%d in all)", len(w))
		}
		if k.cmd == "" {
			out = append(out, fmt.Sprintf("%s: %s", list, k.msg))
			continue
		}
		out = append(out, fmt.Sprintf("%q %s (%s)", k.cmd, k.msg, list))
	}
	return out
}
