package store

import (
	"bytes"
	"path/filepath"
	"testing"
)

func TestSettingsBlobSurvivesReopenAndDelete(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := st.GetSettings(); err != nil || b != nil {
		t.Fatalf("new store: %q %v", b, err)
	}
	want := []byte(`{"interval":"30s"}`)
	if err := st.PutSettings(want); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got, err := st.GetSettings(); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("after reopen: %q %v", got, err)
	}
	if err := st.Check(); err != nil {
		t.Fatalf("check with a settings record: %v", err)
	}
	if err := st.PutSettings(nil); err != nil {
		t.Fatal(err)
	}
	if got, err := st.GetSettings(); err != nil || got != nil {
		t.Fatalf("after delete: %q %v", got, err)
	}
}
