package cli

import (
	"bytes"
	"strings"
	"testing"
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
