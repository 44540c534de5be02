// Package cli is the threadmap command line: one file per command, one
// dispatcher. Exit status: 0 success, 1 failed run (message on stderr),
// 2 bad usage, 3 partial scan (a map was printed; some sources or nodes
// did not answer within the budget). The spellings are a contract other tools script against.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Env is what a command sees of the world.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	Stdin  io.Reader
	// Getenv reads the environment (THREADMAP_* settings); tests replace it.
	Getenv func(string) string
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// commands is the table of subcommands; each lives in cmd_<name>.go.
func commands() map[string]command {
	return map[string]command{
		"serve":     {"discover border routers, scan on a schedule, serve the UI and API", runServe},
		"scan":      {"take one snapshot and print it", runScan},
		"import":    {"build a snapshot from files users already have", runImport},
		"decode":    {"decode Network Diagnostic TLVs or a MeshCoP TXT record", runDecode},
		"discover":  {"list border routers and networks on the LAN", runDiscover},
		"export":    {"write a stored snapshot in another format", runExport},
		"snapshots": {"list the stored snapshots of a network", runSnapshots},
		"changes":   {"list what changed between stored snapshots (parents, roles, link quality, devices)", runChanges},
		"name":      {"name a device by its ext address (kept in the store, shown everywhere)", runName},
		"report":    {"write the installer report of a stored snapshot (HTML or PDF)", runReport},
		"check":     {"check a snapshot store file for damage", runCheck},
		"repair":    {"copy every readable snapshot of a damaged store to a new file", runRepair},
		"sim":       {"run the simulated mesh on its own", runSim},
		"version":   {"print the version", runVersion},
	}
}

// PartialError marks a partial scan (exit status 3): a map was printed,
// but some sources or nodes did not answer within the budget.
type PartialError struct{ Msg string }

func (e *PartialError) Error() string { return e.Msg }

// UsageError marks bad usage (exit status 2).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// usagef returns a UsageError.
func usagef(format string, a ...any) error { return &UsageError{Msg: fmt.Sprintf(format, a...)} }

// Run runs the command line args (without the program name) and returns the exit status.
func Run(ctx context.Context, env *Env, args []string) int {
	cmds := commands()
	name := "serve"
	if len(args) > 0 {
		switch args[0] {
		case "help", "-h", "-help", "--help":
			// threadmap help CMD is CMD -h.
			if args[0] == "help" && len(args) > 1 {
				if _, ok := cmds[args[1]]; ok {
					return Run(ctx, env, []string{args[1], "-h"})
				}
			}
			printUsage(env.Stdout, cmds)
			return 0
		}
		if !strings.HasPrefix(args[0], "-") {
			name, args = args[0], args[1:]
		}
	}
	c, ok := cmds[name]
	if !ok {
		fmt.Fprintf(env.Stderr, "threadmap: unknown command %q\n", name)
		printUsage(env.Stderr, cmds)
		return 2
	}
	err := c.run(ctx, env, args)
	var ue *UsageError
	var pe *PartialError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "threadmap %s: %s\n", name, trimCommand(name, ue.Msg))
		return 2
	case errors.As(err, &pe):
		fmt.Fprintf(env.Stderr, "threadmap %s: %s\n", name, pe.Msg)
		return 3
	default:
		fmt.Fprintf(env.Stderr, "threadmap %s: %s\n", name, trimCommand(name, err.Error()))
		return 1
	}
}

// trimCommand drops a leading "NAME: " or "NAME " from msg: the line
// already starts "threadmap NAME: ", and errors from the packages below
// often say what they were doing in the same word ("import otbr DIR: ...").
func trimCommand(name, msg string) string {
	for _, p := range []string{name + ": ", name + " "} {
		if rest, ok := strings.CutPrefix(msg, p); ok && rest != "" {
			return rest
		}
	}
	return msg
}

func printUsage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: threadmap <command> [flags]   (default command: serve)")
	var names []string
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "Run 'threadmap <command> -h' for a command's flags.")
}

// synopses is each command's usage line, as -h prints it above the flags.
var synopses = map[string]string{
	"serve":       "threadmap serve [--listen ADDR] [--db FILE] [--demo] [--otbr URL]... [--matter-server URL] [--interval D] [flags]",
	"scan":        "threadmap scan (--sim N | --sim-scenario FILE | --tmf PREFIX | --border-agent HOST:PORT (--pskc HEX | --passphrase P | --ephemeral-key KEY) | --otbr URL | --matter-server URL) [--json]",
	"import":      "threadmap import --from (ot-cli | otbr | matter-dump) PATH [--db FILE] [--json]",
	"decode diag": "threadmap decode diag (HEX | FILE | -)",
	"decode txt":  "threadmap decode txt (HEX | FILE | -)",
	"discover":    "threadmap discover [--timeout D] [--json] [--mdns-iface NAME]...",
	"export":      "threadmap export [--db FILE] --snapshot (ID | latest) [--network KEY] --format (json|cbor|graphml|dot|csv) [--redact] [-o FILE]",
	"sim":         "threadmap sim [--nodes N | --scenario FILE] [--listen HOST:PORT]",
	"snapshots":   "threadmap snapshots [--db FILE] [--network KEY] [--since TIME] [--limit N] [--json]",
	"changes":     "threadmap changes [--db FILE] [--network KEY] [--since TIME] [--limit N] [--json]",
	"name":        "threadmap name [--db FILE] EXT_ADDR NAME  |  name [--db FILE] --clear EXT_ADDR  |  name [--db FILE] --list",
	"report":      "threadmap report [--db FILE] [--network KEY] [--snapshot ID] [--since ID] -o FILE.html|FILE.pdf",
	"check":       "threadmap check [--db FILE]",
	"repair":      "threadmap repair --db FILE -o NEW.db",
	"version":     "threadmap version",
}

// helpSink is a flag set's output: the flag package's own messages are
// dropped (parseFlags returns them as usage errors, which Run prints once),
// and -h prints the synopsis and flags to w, the command's stdout.
type helpSink struct{ w io.Writer }

func (helpSink) Write(b []byte) (int, error) { return len(b), nil }

// newFlagSet makes a flag set whose parse errors are usage errors and
// whose -h prints the command's synopsis and flags on stdout.
func newFlagSet(env *Env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("threadmap "+name, flag.ContinueOnError)
	fs.SetOutput(helpSink{env.Stdout})
	fs.Usage = func() {}
	return fs
}

// printHelp writes fs's synopsis and flags to its command's stdout.
func printHelp(fs *flag.FlagSet) {
	hs, ok := fs.Output().(helpSink)
	if !ok {
		return
	}
	name := strings.TrimPrefix(fs.Name(), "threadmap ")
	syn := synopses[name]
	if syn == "" {
		syn = fs.Name() + " [flags]"
	}
	fmt.Fprintf(hs.w, "usage: %s\n", syn)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprintln(hs.w, "flags:")
	fs.SetOutput(hs.w)
	fs.PrintDefaults()
	fs.SetOutput(hs)
}

// parseFlags parses args, turning flag errors into usage errors and
// rejecting stray positional arguments beyond maxArgs (-1: any). It returns
// the positional arguments, which may stand between flags.
func parseFlags(fs *flag.FlagSet, args []string, maxArgs int) ([]string, error) {
	// Let flags follow positional arguments, as users type them.
	var pos []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printHelp(fs)
				return nil, err
			}
			return nil, usagef("%v (%s -h lists the flags)", err, fs.Name())
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if maxArgs >= 0 && len(pos) > maxArgs {
		return nil, usagef("unexpected arguments: %s", strings.Join(pos[maxArgs:], " "))
	}
	return pos, nil
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
