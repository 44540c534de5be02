package otbrsimtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Hostile modes: what a Hostile border router answers a request with.
const (
	// ModeRedirect: 302 to another host (Hostile's second server).
	ModeRedirect = "redirect"
	// ModeHuge: 200 with HugeBytes of body.
	ModeHuge = "huge"
	// ModeSlow: 200 whose body trickles a byte every Trickle, for ever
	// (until the client hangs up or the test ends).
	ModeSlow = "slow"
	// ModeError: 500 with a JSON:API error document whose title and
	// detail are long and full of control characters.
	ModeError = "error"
)

// Hostile is a misbehaving OTBR REST server: request n gets Modes[n %
// len(Modes)].
type Hostile struct {
	Modes     []string
	HugeBytes int
	Trickle   time.Duration
}

// HostileTitle is the title ModeError sends (detail: the same, reversed in
// case): an escape sequence, a newline, a NUL and 5000 more bytes.
var HostileTitle = "\x1b[31mPWNED\x1b[0m\nline two\x00" + strings.Repeat("A", 5000)

// HostileStats counts what a Hostile server saw.
type HostileStats struct {
	// Requests it answered; Elsewhere: requests its redirect target (another
	// host: another loopback port) received.
	Requests, Elsewhere atomic.Int64
}

// ServeHostile starts h on a loopback port until the test ends and returns
// its base URL and its counters.
func ServeHostile(tb testing.TB, h Hostile) (string, *HostileStats) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stats := &HostileStats{}
	other := serve(tb, ctx, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stats.Elsewhere.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"stolen":true}`))
	}))
	base := serve(tb, ctx, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mode := h.Modes[int(stats.Requests.Add(1)-1)%len(h.Modes)]
		switch mode {
		case ModeRedirect:
			http.Redirect(w, r, other+r.URL.Path, http.StatusFound)
		case ModeHuge:
			w.Header().Set("Content-Type", "application/json")
			chunk := []byte(strings.Repeat(" ", 64<<10))
			for sent := 0; sent < h.HugeBytes; sent += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case ModeSlow:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			fl, _ := w.(http.Flusher)
			for {
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				if fl != nil {
					fl.Flush()
				}
				select {
				case <-r.Context().Done():
					return
				case <-time.After(h.Trickle):
				}
			}
		case ModeError:
			w.Header().Set("Content-Type", "application/vnd.api+json")
			w.WriteHeader(http.StatusInternalServerError)
			json.NewEncoder(w).Encode(map[string]any{"title": HostileTitle, "detail": strings.ToLower(HostileTitle)})
		default:
			panic(fmt.Sprintf("otbrsimtest: unknown hostile mode %q", mode))
		}
	}))
	tb.Cleanup(cancel)
	return base, stats
}

// serve serves handler on a loopback port until the test ends (or ctx).
func serve(tb testing.TB, ctx context.Context, handler http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	tb.Cleanup(func() {
		srv.Close()
		<-done
	})
	return "http://" + ln.Addr().String()
}
