package otbr_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim/otbrsimtest"
)

// TestRedirectsStayOnTheHost is issue 13's reproducer 8 (first half): the
// client followed a border router's redirect to any other host. A redirect
// to another host is now refused, and the other host never asked.
func TestRedirectsStayOnTheHost(t *testing.T) {
	url, stats := otbrsimtest.ServeHostile(t, otbrsimtest.Hostile{Modes: []string{otbrsimtest.ModeRedirect}})
	c, err := otbr.NewClient(url, otbr.Options{Retries: -1, RequestTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Detect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("Detect through a redirect to another host: %v, want a refused redirect", err)
	}
	if n := stats.Elsewhere.Load(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
}

// TestRemoteErrorTextBounded is issue 13's reproducer 8 (second half): up
// to 200 characters each of a border router's error title and detail,
// control characters and all, went into scan errors. They are now short
// and printable.
func TestRemoteErrorTextBounded(t *testing.T) {
	url, _ := otbrsimtest.ServeHostile(t, otbrsimtest.Hostile{Modes: []string{otbrsimtest.ModeError}})
	c, err := otbr.NewClient(url, otbr.Options{Retries: -1, RequestTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Detect(context.Background())
	if err == nil {
		t.Fatal("no error from a server answering 500")
	}
	msg := err.Error()
	if !strings.Contains(msg, "PWNED") {
		t.Errorf("the remote text is gone altogether: %q", msg)
	}
	if n := utf8.RuneCountInString(msg); n > 250 {
		t.Errorf("error of %d characters: %q", n, msg)
	}
	for _, r := range msg {
		if !unicode.IsPrint(r) {
			t.Fatalf("error carries the control character %q: %q", r, msg)
		}
	}
}
