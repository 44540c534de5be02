package pdf

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/report"
	"github.com/threadmap/threadmap/thread/threadsim"
)

// need returns the path of program, skipping the test when it is missing
// (failing under CI=true, where scripts/deps installs it).
func need(t *testing.T, program, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found (Debian package %s; scripts/deps installs it)", program, pkg)
		}
		t.Skipf("%s not found (Debian package %s; scripts/deps installs it)", program, pkg)
	}
	return p
}

// The installer report of a stored demo snapshot, printed to PDF by the
// machine's Chromium, has the device names, the legend and the tables in
// its text (read back with poppler's pdftotext).
func TestPrintReport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	browser, err := FindBrowser(nil)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	pdftotext := need(t, "pdftotext", "poppler-utils")
	m, err := threadsim.Generate(threadsim.Options{Seed: 1, Nodes: 24, NetworkName: "ThreadmapDemo"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "p.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	snap := m.Truth()
	if _, err := st.Put(snap); err != nil {
		t.Fatal(err)
	}
	names := map[string]string{snap.Nodes[0].ExtAddr: "Living room hub", snap.Nodes[len(snap.Nodes)-1].ExtAddr: "Kitchen plug"}
	for ext, n := range names {
		if _, _, err := st.SetName(ext, n); err != nil {
			t.Fatal(err)
		}
	}
	in, err := report.Build(context.Background(), st, nil, snap.Network.Key(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := report.Write(&page, in); err != nil {
		t.Fatal(err)
	}
	doc, err := Print(context.Background(), page.Bytes(), Options{Browser: browser})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(doc, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", doc[:min(20, len(doc))])
	}
	file := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	for _, want := range []string{"Living room hub", "Kitchen plug", "ThreadmapDemo", "Border router", "Devices", "Insights", "Map"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	for _, n := range snap.Nodes {
		if !strings.Contains(text, n.Rloc16.String()) {
			t.Errorf("PDF text lacks device %s", n.Rloc16)
		}
	}
	if t.Failed() {
		t.Logf("PDF text:\n%s", text)
	}
}

func TestFindBrowserNamesTheFix(t *testing.T) {
	_, err := FindBrowser(func(string) string { return "/nonexistent/chromium" })
	if !errors.Is(err, ErrNoBrowser) || !strings.Contains(err.Error(), "THREADMAP_CHROMIUM") {
		t.Errorf("FindBrowser with a wrong THREADMAP_CHROMIUM: %v", err)
	}
	if _, err := Print(context.Background(), []byte("<p>x"), Options{}); !errors.Is(err, ErrNoBrowser) {
		t.Errorf("Print without a browser: %v", err)
	}
}
