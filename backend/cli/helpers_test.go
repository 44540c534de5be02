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

// importJSON runs `import --from from path --json` and decodes the
// snapshot it prints, failing the test when either goes wrong.
func importJSON(t *testing.T, from, path string) *topology.Snapshot {
	t.Helper()
	out, errs, code := runCLI(t, "import", "--from", from, path, "--json")
	if code != 0 {
		t.Fatalf("import %s: exit %d: %s", path, code, errs)
	}
	snap, err := topology.DecodeJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	return snap
}
