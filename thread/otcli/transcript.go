// Package otcli imports what OpenThread and OTBR users can copy from a
// terminal: transcripts of ot-cli / ot-ctl sessions, each a command on a
// line starting with "> " followed by its output up to the next command
// line. One transcript describes one node (the one the commands ran on)
// and whatever its tables, diagnostics and mesh-diagnostic queries say
// about other nodes; a directory of transcripts merges into one topology.
//
// The formats are OpenThread's CLI output as printed by current releases:
// "|"-separated tables with a header row, "Key: value" blocks, "Done" /
// "Error N: Text" status lines. Tables are read by their header names, so
// added or reordered columns do not break the importer.
//
// Understood commands: state, rloc16, extaddr, mode, routereligible (reed
// or fed for an FTD child), leaderdata,
// networkname, extpanid, panid, channel, partitionid, eui64, version,
// thread version, ipaddr (and ipaddr -v / mleid / rloc / linklocal),
// router table, child table, childip, neighbor table, parent, dataset
// active (network fields only: the network key and PSKc are never read),
// netdata show (the network data; topology.Normalize derives the border
// routers from it), counters mle, networkdiagnostic get …
// (decoded with thread/diag, the same code the TMF crawler uses) and
// meshdiag topology [ip6-addrs] [children], meshdiag childtable,
// childip6 and routerneighbortable. Anything else is skipped with a note
// in the scan report.
package otcli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Command is one command of a transcript and its output lines (trailing
// spaces and carriage returns removed; the status line kept).
type Command struct {
	// Line is the 1-based line number of the command line.
	Line   int
	Cmd    string
	Output []string
}

// Status returns the command's status: "" when it printed "Done" (or no
// status line at all), else the "Error N: Text" line.
func (c Command) Status() string {
	for i := len(c.Output) - 1; i >= 0; i-- {
		l := strings.TrimSpace(c.Output[i])
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "Error ") {
			return l
		}
		if l == "Done" {
			return ""
		}
	}
	// Some answers (networkdiagnostic) arrive after "Done": look anywhere.
	for _, l := range c.Output {
		if strings.HasPrefix(strings.TrimSpace(l), "Error ") {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// Body is the output without blank lines and "Done".
func (c Command) Body() []string {
	var out []string
	for _, l := range c.Output {
		t := strings.TrimSpace(l)
		if t == "" || t == "Done" {
			continue
		}
		out = append(out, l)
	}
	return out
}

// Transcript is one parsed session.
type Transcript struct {
	// Comments are the "#" lines before the first command (captures
	// often note the node and the time there).
	Comments []string
	Commands []Command
}

// maxLine bounds one transcript line (a long networkdiagnostic answer in
// hex is a few kB).
const maxLine = 1 << 20

// ParseTranscript splits a transcript into commands. Lines before the
// first command line that are not comments are an error only when no
// command follows at all.
func ParseTranscript(r io.Reader) (*Transcript, error) {
	t := &Transcript{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	var cur *Command
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \t\r")
		if strings.HasPrefix(line, "> ") || line == ">" {
			if cur != nil {
				t.Commands = append(t.Commands, *cur)
			}
			cmd := strings.Join(strings.Fields(strings.TrimPrefix(line, ">")), " ")
			cur = &Command{Line: n, Cmd: cmd}
			continue
		}
		if cur == nil {
			if strings.HasPrefix(line, "#") {
				t.Comments = append(t.Comments, strings.TrimSpace(strings.TrimPrefix(line, "#")))
			}
			continue
		}
		cur.Output = append(cur.Output, line)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return t, fmt.Errorf("line %d: longer than %d bytes", n+1, maxLine)
		}
		return t, fmt.Errorf("line %d: %w", n+1, err)
	}
	if cur != nil {
		t.Commands = append(t.Commands, *cur)
	}
	if len(t.Commands) == 0 {
		return t, fmt.Errorf("no command lines (lines starting with \"> \") in %d lines", n)
	}
	return t, nil
}

// Table is a parsed OpenThread CLI table: header names and rows of cells.
type Table struct {
	Header []string
	Rows   []TableRow
}

// TableRow is one row: cells by column, and the transcript line number.
type TableRow struct {
	Line  int
	Cells []string
}

// Get returns the cell under the column named name ("" when absent).
func (t *Table) Get(r TableRow, name string) string {
	for i, h := range t.Header {
		if strings.EqualFold(h, name) && i < len(r.Cells) {
			return r.Cells[i]
		}
	}
	return ""
}

// Has reports whether the table has a column named name.
func (t *Table) Has(name string) bool {
	for _, h := range t.Header {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

func splitRow(l string) []string {
	l = strings.TrimSpace(l)
	l = strings.TrimPrefix(l, "|")
	l = strings.TrimSuffix(l, "|")
	parts := strings.Split(l, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// ParseTable reads a "|"-separated table from a command's output: the
// first "|" line is the header, "+---" lines separate, every other "|"
// line is a row. A row with another cell count than the header is an error
// naming its line.
func ParseTable(c Command) (*Table, error) {
	t := &Table{}
	for i, l := range c.Output {
		s := strings.TrimSpace(l)
		if !strings.HasPrefix(s, "|") {
			continue
		}
		cells := splitRow(s)
		if t.Header == nil {
			t.Header = cells
			continue
		}
		if len(cells) != len(t.Header) {
			return t, fmt.Errorf("line %d: %d cells, the header has %d", c.Line+1+i, len(cells), len(t.Header))
		}
		t.Rows = append(t.Rows, TableRow{Line: c.Line + 1 + i, Cells: cells})
	}
	if t.Header == nil {
		return t, fmt.Errorf("line %d: %q printed no table", c.Line, c.Cmd)
	}
	return t, nil
}

// KeyValues reads "Key: value" lines (as leaderdata, parent and dataset
// active print them); keys are lower-cased.
func KeyValues(c Command) map[string]string {
	kv := map[string]string{}
	for _, l := range c.Body() {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		kv[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	return kv
}
