package capped

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFilesIn(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b.json", "a.JSON", "sub/c.json", "sub/d.txt", "e.json.bak"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := FilesIn(dir, ".json")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.JSON"), filepath.Join(dir, "b.json"), filepath.Join(dir, "sub/c.json")}
	if !slices.Equal(got, want) {
		t.Errorf("FilesIn = %v, want %v", got, want)
	}
	if _, err := FilesIn(filepath.Join(dir, "missing"), ".json"); err == nil {
		t.Error("a missing folder: no error")
	}
}
