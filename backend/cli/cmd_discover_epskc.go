package cli

import (
	"context"
	"time"

	"github.com/threadmap/threadmap/thread/meshcop"
)

// ephemeralPorts are the `_meshcop-e._udp` services discover saw.
type ephemeralPorts []meshcop.Service

// port is the ephemeral key's port of border router s (0: none active). The
// ephemeral service is s's when it has s's host (SRV target) — OpenThread
// core names it after its own base name, which need not be the instance
// name otbr-agent gave `_meshcop._udp` — or else s's instance name.
func (e ephemeralPorts) port(s meshcop.Service) int {
	for _, x := range e {
		if x.Host != "" && x.Host == s.Host {
			return x.Port
		}
	}
	for _, x := range e {
		if x.Instance == s.Instance {
			return x.Port
		}
	}
	return 0
}

// ephemeralBrowse browses `_meshcop-e._udp` beside discover's own browse:
// a border router advertises it while a Thread 1.4 ephemeral key is
// active, with the key's DTLS port — the port `scan --border-agent
// HOST:PORT --ephemeral-key KEY` needs. The returned function waits for the
// browse to end.
func ephemeralBrowse(ctx context.Context, ifaces []string, timeout time.Duration) (func() ephemeralPorts, error) {
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
	return func() ephemeralPorts {
		<-done
		cancel()
		return b.Services()
	}, nil
}
