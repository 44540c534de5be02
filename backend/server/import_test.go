package server

import (
	"bytes"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestImportsOneAtATimeAndBounded is issue 13's reproducer 6: three 64 MiB
// imports at once took 2.4 GB. Imports now run one at a time (another one
// meanwhile is 503 unavailable with Retry-After, nothing stored) and a
// body over 16 MiB is 413 before it is read.
func TestImportsOneAtATimeAndBounded(t *testing.T) {
	f := newFixture(t, Options{Loopback: true})
	snap, err := f.truth.JSON()
	if err != nil {
		t.Fatal(err)
	}
	// The first import's body arrives slowly: once its first byte is read,
	// the handler is inside the import.
	pr, pw := io.Pipe()
	first := httptest.NewRequest("POST", "/api/v1/import", pr)
	first.Host = "127.0.0.1:8080"
	first.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() { f.h.ServeHTTP(rec, first); close(done) }()
	if _, err := pw.Write(snap[:1]); err != nil {
		t.Fatal(err)
	}
	code, body, hdr := f.do("POST", "/api/v1/import", bytes.NewReader(snap), "Content-Type", "application/json")
	if code != 503 || errCode(t, body) != CodeUnavailable || hdr.Get("Retry-After") == "" || !strings.Contains(string(body), "one at a time") {
		t.Errorf("a second import while one runs: %d %s %v", code, body, hdr)
	}
	pw.Write(snap[1:])
	pw.Close()
	<-done
	if rec.Code != 201 {
		t.Fatalf("the first import: %d %s", rec.Code, rec.Body)
	}
	if code, body, _ := f.do("POST", "/api/v1/import", bytes.NewReader(snap), "Content-Type", "application/json"); code != 201 {
		t.Errorf("an import after the first finished: %d %s", code, body)
	}
	big := bytes.Repeat([]byte(" "), 16<<20+1)
	if code, body, _ := f.do("POST", "/api/v1/import", bytes.NewReader(big), "Content-Type", "application/json"); code != 413 {
		t.Errorf("a 16 MiB + 1 body: %d %.200s", code, body)
	}
}
