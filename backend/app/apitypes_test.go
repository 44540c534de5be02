package app

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The OpenAPI components the server embeds and the UI's TypeScript types
// are generated from the Go types; a checked-in copy that differs from
// what the Go types give is stale.
func TestGeneratedAPIFilesAreCurrent(t *testing.T) {
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	files, err := GenerateAPIFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("%d files generated", len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./backend/app", name)
		}
	}
}
