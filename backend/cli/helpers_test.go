package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/topology"
)

// runCLIEnv runs the CLI on args with stdin as its standard input and env
// as its environment (a nil map is an empty one) and returns what it wrote
// to stdout and stderr and its exit status.
func runCLIEnv(t *testing.T, stdin string, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(stdin), Getenv: func(k string) string { return env[k] }}
	code := Run(t.Context(), e, args)
	return out.String(), errb.String(), code
}

// runCLI runs the CLI on args with empty stdin and environment.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return runCLIEnv(t, "", nil, args...)
}

// runJSON runs the CLI on args (which ask for --json), fails the test
// when it exits non-zero or prints no snapshot, and returns the snapshot
// and what it wrote to stderr.
func runJSON(t *testing.T, args ...string) (*topology.Snapshot, string) {
	t.Helper()
	out, errs, code := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	snap, err := topology.DecodeJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	return snap, errs
}

// importJSON runs `import --from from path --json` and returns the
// snapshot it prints, failing the test when that goes wrong.
func importJSON(t *testing.T, from, path string) *topology.Snapshot {
	t.Helper()
	snap, _ := runJSON(t, "import", "--from", from, path, "--json")
	return snap
}
