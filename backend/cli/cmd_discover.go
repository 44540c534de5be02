package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/threadmap/threadmap/thread/meshcop"
	"github.com/threadmap/threadmap/thread/topology"
)

// discover [--timeout D] [--json] [--mdns-iface NAME]...: browse
// `_meshcop._udp` for D on the named interfaces and list the border routers
// found, grouped into Thread networks by ext PAN ID, with their decoded TXT
// records. Interfaces are never picked automatically: name them with
// --mdns-iface or THREADMAP_MDNS_IFACE (comma-separated).
func runDiscover(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "discover")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to listen for answers")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	var ifaces stringList
	fs.Var(&ifaces, "mdns-iface", "interface to browse on, repeatable (env THREADMAP_MDNS_IFACE, comma-separated)")
	if _, err := parseFlags(fs, a, 0); err != nil {
		return err
	}
	if *timeout <= 0 {
		return usagef("discover: --timeout must be positive")
	}
	if len(ifaces) == 0 && env.Getenv != nil {
		for _, n := range strings.Split(env.Getenv("THREADMAP_MDNS_IFACE"), ",") {
			if n = strings.TrimSpace(n); n != "" {
				ifaces = append(ifaces, n)
			}
		}
	}
	if len(ifaces) == 0 {
		cands := meshcop.MulticastInterfaces()
		return usagef("discover: name the interface(s) to browse with --mdns-iface NAME (candidates: %s)", strings.Join(cands, ", "))
	}
	b, err := meshcop.NewBrowser(meshcop.BrowserConfig{Interfaces: ifaces, Interval: *timeout})
	if err != nil {
		return err
	}
	ephemeral, err := ephemeralBrowse(ctx, ifaces, *timeout) // cmd_discover_epskc.go
	if err != nil {
		return err
	}
	rctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	events := make(chan meshcop.Event, 64)
	done := make(chan error, 1)
	go func() { done <- b.Run(rctx, events) }()
	var runErr error
loop:
	for {
		select {
		case <-events:
		case runErr = <-done:
			break loop
		}
	}
	if runErr != nil && !errors.Is(runErr, context.DeadlineExceeded) && !errors.Is(runErr, context.Canceled) {
		return fmt.Errorf("discover: %w", runErr)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	nets := b.Networks()
	eph := ephemeral()
	if *asJSON {
		return printDiscoverJSON(env, nets, eph)
	}
	return printDiscoverTable(env, nets, eph, ifaces, *timeout)
}

type discoverJSON struct {
	Networks      []meshcop.Network          `json:"networks"`
	BorderRouters []discoverBorderRouterJSON `json:"border_routers"`
}

type discoverBorderRouterJSON struct {
	topology.BorderRouter
	Network string `json:"network"`
	// EphemeralKeyPort is the `_meshcop-e._udp` port while an ephemeral
	// key is active.
	EphemeralKeyPort int `json:"ephemeral_key_port,omitempty"`
}

func printDiscoverJSON(env *Env, nets []meshcop.Network, eph ephemeralPorts) error {
	out := discoverJSON{Networks: nets, BorderRouters: []discoverBorderRouterJSON{}}
	if out.Networks == nil {
		out.Networks = []meshcop.Network{}
	}
	for _, n := range nets {
		for _, s := range n.BorderRouters {
			out.BorderRouters = append(out.BorderRouters, discoverBorderRouterJSON{meshcop.ToBorderRouter(s), n.Key, eph.port(s)})
		}
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func printDiscoverTable(env *Env, nets []meshcop.Network, eph ephemeralPorts, ifaces []string, timeout time.Duration) error {
	if len(nets) == 0 {
		fmt.Fprintf(env.Stdout, "no border routers answered on %s within %v\n", strings.Join(ifaces, ", "), timeout)
		return nil
	}
	for i, n := range nets {
		if i > 0 {
			fmt.Fprintln(env.Stdout)
		}
		fmt.Fprintf(env.Stdout, "network %q  ext PAN ID %s  (%d border router(s))\n", n.Name, discoverDash(n.ExtPanID), len(n.BorderRouters))
		tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  INSTANCE\tVENDOR / MODEL\tTHREAD\tROLE\tSTATE\tEXT ADDR\tAGENT ID\tHOST:PORT\tADDRESSES")
		for _, s := range n.BorderRouters {
			r := s.Record
			role, state := "-", "-"
			if r.State != nil {
				role = r.State.Role.String()
				state = fmt.Sprintf("%s,%s,bbr=%v/%v,epskc=%v (0x%08x)", r.State.ConnMode, r.State.IfStatus,
					r.State.BBRActive, r.State.BBRPrimary, r.State.EPSKcSupported, r.State.Uint32())
			}
			var addrs []string
			for _, a := range s.Addresses {
				addrs = append(addrs, a.String())
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s:%d\t%s\n", s.Instance,
				discoverDash(strings.TrimSpace(r.VendorName+" / "+r.ModelName)), discoverDash(r.ThreadVersion), role, state,
				discoverDash(r.ExtAddr.String()), discoverDash(r.AgentID.String()), s.Host, s.Port, strings.Join(addrs, " "))
			if s.DecodeError != "" {
				fmt.Fprintf(tw, "  \t! %s\n", s.DecodeError)
			}
			if p := eph.port(s); p != 0 {
				fmt.Fprintf(tw, "  \tephemeral key active (_meshcop-e._udp): --border-agent %s:%d --ephemeral-key KEY\n", s.Host, p)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func discoverDash(s string) string {
	if s == "" || s == "/" {
		return "-"
	}
	return s
}
