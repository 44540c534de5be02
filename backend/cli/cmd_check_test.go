package cli

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckAndRepair: check finds a sound store sound (exit 0); with its
// freelist page's header overwritten, check, export and serve's store open
// name the damaged page (exit 1), and repair copies both snapshots to a
// new file that checks sound.
func TestCheckAndRepair(t *testing.T) {
	path, _ := exportFixture(t)
	out, errs, code := runCLI(t, "check", "--db", path)
	if code != 0 || !strings.Contains(out, "sound: 2 snapshots in 1 networks") {
		t.Fatalf("check of a sound store: exit %d: %s %s", code, out, errs)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ps := int(binary.NativeEndian.Uint32(b[16+8:]))
	// The newer meta page's freelist page id (meta: header 16, then magic,
	// version, page size, flags, root bucket 16, freelist 8, pgid, txid).
	freelist := binary.NativeEndian.Uint64(b[16+32:])
	if binary.NativeEndian.Uint64(b[ps+16+48:]) > binary.NativeEndian.Uint64(b[16+48:]) {
		freelist = binary.NativeEndian.Uint64(b[ps+16+32:])
	}
	binary.NativeEndian.PutUint64(b[int(freelist)*ps:], 0xdeadbeef)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code = runCLI(t, "check", "--db", path)
	if code != 1 || !strings.Contains(out, "page ") || !strings.Contains(errs, "threadmap repair --db") {
		t.Fatalf("check of a damaged store: exit %d: %s %s", code, out, errs)
	}
	_, errs, code = runCLI(t, "export", "--db", path, "--snapshot", "latest")
	if code != 1 || !strings.Contains(errs, "is damaged") {
		t.Fatalf("export of a damaged store: exit %d: %s", code, errs)
	}
	fixed := filepath.Join(t.TempDir(), "fixed.db")
	out, errs, code = runCLI(t, "repair", "--db", path, "-o", fixed)
	if code != 0 || !strings.Contains(out, "copied 2 snapshots of 1 networks") {
		t.Fatalf("repair: exit %d: %s %s", code, out, errs)
	}
	if out, errs, code := runCLI(t, "check", "--db", fixed); code != 0 {
		t.Fatalf("check of the repaired store: exit %d: %s %s", code, out, errs)
	}
	if _, errs, code := runCLI(t, "repair", "--db", path); code != 2 {
		t.Errorf("repair without -o: exit %d: %s", code, errs)
	}
}
