package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDecodeErrorsBounded is issue 13's reproducer 10: decode txt errors
// quoted whatever they met (a 3.3 MB input gave a 21 MB stderr line), and
// decode diag of an empty file printed an empty decode and exited 0. Now
// every message stays short, and an empty payload is exit 1.
func TestDecodeErrorsBounded(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var recs strings.Builder
	recs.WriteString(`{"records":[`)
	for i := 0; i < 20000; i++ {
		if i > 0 {
			recs.WriteString(",")
		}
		fmt.Fprintf(&recs, `{"label":"%s-%d","txt":{"xp":{"hex":"zz%s"}}}`, strings.Repeat("L", 100), i, strings.Repeat("q", 60))
	}
	recs.WriteString("]}")
	cases := map[string]string{
		"long key":        `{"` + strings.Repeat("k", 3300000) + `":1}`,
		"many bad values": recs.String(),
		"long list item":  `["xp=0x` + strings.Repeat("g", 3300000) + `"]`,
	}
	for name, body := range cases {
		_, errs, code := runCLI(t, "decode", "txt", write(strings.ReplaceAll(name, " ", "_")+".json", body))
		if code != 1 {
			t.Errorf("%s: exit %d, want 1", name, code)
		}
		if len(errs) > 4096 {
			t.Errorf("%s: %d bytes on stderr (%.200s…)", name, len(errs), errs)
		}
	}
	for _, in := range []string{write("empty", ""), write("blank", " \n\t\n")} {
		out, errs, code := runCLI(t, "decode", "diag", in)
		if code != 1 || !strings.Contains(errs, "empty") {
			t.Errorf("decode diag of %s: exit %d, %q %q; want exit 1 naming the empty input", filepath.Base(in), code, out, errs)
		}
	}
	if _, errs, code := runCLIEnv(t, "", nil, "decode", "diag", "-"); code != 1 || !strings.Contains(errs, "empty") {
		t.Errorf("decode diag of empty stdin: exit %d, %q", code, errs)
	}
}
