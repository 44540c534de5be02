package cli

import (
	"context"
	"time"

	"github.com/threadmap/threadmap/thread/meshcop"
)

// ephemeralBrowse browses `_meshcop-e._udp` beside discover's own browse:
// a border router advertises it while a Thread 1.4 ephemeral key is
// active, under its `_meshcop._udp` instance name, with the key's DTLS
// port — the port `scan --border-agent HOST:PORT --ephemeral-key KEY`
// needs. The returned function waits for the browse to end and gives the
// ports by instance name.
func ephemeralBrowse(ctx context.Context, ifaces []string, timeout time.Duration) (func() map[string]int, error) {
	b, err := meshcop.NewBrowser(meshcop.BrowserConfig{Interfaces: ifaces, Interval: timeout, Service: meshcop.EphemeralServiceType})
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = b.Run(rctx, nil)
	}()
	return func() map[string]int {
		<-done
		cancel()
		ports := map[string]int{}
		for _, s := range b.Services() {
			ports[s.Instance] = s.Port
		}
		return ports
	}, nil
}
