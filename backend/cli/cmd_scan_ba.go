package cli

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/threadmap/threadmap/backend/collect"
	"github.com/threadmap/threadmap/backend/sources"
	"github.com/threadmap/threadmap/thread/commissioner"
	"github.com/threadmap/threadmap/thread/meshcop"
)

// baFlags are scan's Border Agent flags: --border-agent HOST:PORT with one
// of --pskc, --passphrase (with --network-name and --ext-pan-id, or the
// border router's advert) or --ephemeral-key. Each key may come from the
// environment instead (THREADMAP_PSKC, THREADMAP_PASSPHRASE,
// THREADMAP_EPHEMERAL_KEY), out of the process list.
type baFlags struct {
	addr, pskc, passphrase, ephemeral string
	networkName, extPanID, commissID  string
	mdnsIfaces                        stringList
}

func registerBAFlags(fs *flag.FlagSet) *baFlags {
	f := &baFlags{}
	fs.StringVar(&f.addr, "border-agent", "", "map the mesh through this Border Agent (HOST:PORT from threadmap discover): a MeshCoP commissioner session, TMF through its UDP proxy")
	fs.StringVar(&f.pskc, "pskc", "", "Border Agent: the network's PSKc, 32 hex digits (ot-ctl pskc; env THREADMAP_PSKC)")
	fs.StringVar(&f.passphrase, "passphrase", "", "Border Agent: the commissioning passphrase (env THREADMAP_PASSPHRASE); needs the network name and ext PAN ID")
	fs.StringVar(&f.ephemeral, "ephemeral-key", "", "Border Agent: a Thread 1.4 ephemeral key / admin code (env THREADMAP_EPHEMERAL_KEY); HOST:PORT is then the _meshcop-e._udp port")
	fs.StringVar(&f.networkName, "network-name", "", "Border Agent with --passphrase: the network name (default: from the border router's advert)")
	fs.StringVar(&f.extPanID, "ext-pan-id", "", "Border Agent with --passphrase: the ext PAN ID, 16 hex digits (default: from the border router's advert)")
	fs.StringVar(&f.commissID, "commissioner-id", commissioner.DefaultCommissionerID, "Border Agent: the commissioner ID the petition gives")
	fs.Var(&f.mdnsIfaces, "mdns-iface", "Border Agent with --passphrase: browse here for the border router's advert (network name, ext PAN ID); env THREADMAP_MDNS_IFACE")
	return f
}

// target builds the Border Agent source from the flags.
func (f *baFlags) target(ctx context.Context, env *Env, crawl sources.Crawl) (collect.Target, error) {
	var none collect.Target
	getenv := func(k string) string {
		if env.Getenv == nil {
			return ""
		}
		return env.Getenv(k)
	}
	addr, err := parseBAAddr(f.addr)
	if err != nil {
		return none, usagef("--border-agent: %v", err)
	}
	pskcHex, pass, eph := firstOf(f.pskc, getenv("THREADMAP_PSKC")), firstOf(f.passphrase, getenv("THREADMAP_PASSPHRASE")),
		firstOf(f.ephemeral, getenv("THREADMAP_EPHEMERAL_KEY"))
	n := 0
	for _, v := range []string{pskcHex, pass, eph} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return none, usagef("--border-agent needs exactly one of --pskc HEX, --passphrase P or --ephemeral-key KEY")
	}
	var cred commissioner.Credential
	switch {
	case pskcHex != "":
		cred, err = commissioner.ParsePSKc(pskcHex)
	case eph != "":
		cred, err = commissioner.EphemeralKey(eph)
	default:
		cred, err = f.passphraseCredential(ctx, env, addr, pass)
	}
	if err != nil {
		var ue *UsageError
		if errors.As(err, &ue) {
			return none, err
		}
		return none, usagef("%v", err)
	}
	src, err := sources.BorderAgent(addr.String(), cred, f.commissID, crawl)
	if err != nil {
		return none, usagef("--border-agent: %v", err)
	}
	return collect.Target{ID: "border-agent:" + addr.String(), Source: src}, nil
}

// parseBAAddr reads HOST:PORT; the port is required (it changes when the
// border router restarts, so no default can be right).
func parseBAAddr(s string) (netip.AddrPort, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%q: want HOST:PORT, e.g. [fd00::1]:49154 (threadmap discover shows the port)", s)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || p == 0 {
		return netip.AddrPort{}, fmt.Errorf("%q: bad port", s)
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		ips, lerr := net.LookupHost(host)
		if lerr != nil || len(ips) == 0 {
			return netip.AddrPort{}, fmt.Errorf("%q: %v", host, lerr)
		}
		if a, err = netip.ParseAddr(ips[0]); err != nil {
			return netip.AddrPort{}, fmt.Errorf("%q: %v", host, err)
		}
	}
	return netip.AddrPortFrom(a.Unmap(), uint16(p)), nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// passphraseCredential derives the PSKc: the network name and ext PAN ID
// come from the flags, or from the advert of the border router at addr
// (browsed with mDNS on --mdns-iface / THREADMAP_MDNS_IFACE).
func (f *baFlags) passphraseCredential(ctx context.Context, env *Env, addr netip.AddrPort, pass string) (commissioner.Credential, error) {
	name, xpHex := f.networkName, f.extPanID
	if name == "" || xpHex == "" {
		ifaces := []string(f.mdnsIfaces)
		if len(ifaces) == 0 && env.Getenv != nil {
			for _, s := range strings.Split(env.Getenv("THREADMAP_MDNS_IFACE"), ",") {
				if s = strings.TrimSpace(s); s != "" {
					ifaces = append(ifaces, s)
				}
			}
		}
		if len(ifaces) == 0 {
			return commissioner.Credential{}, usagef("--passphrase needs the network name and ext PAN ID: give --network-name and --ext-pan-id, or --mdns-iface to read them from the border router's advert")
		}
		rec, err := advertOf(ctx, ifaces, addr)
		if err != nil {
			return commissioner.Credential{}, err
		}
		if name == "" {
			name = rec.NetworkName
		}
		if xpHex == "" {
			xpHex = rec.ExtPanID.String()
		}
	}
	xp, err := hex.DecodeString(strings.TrimPrefix(xpHex, "0x"))
	if err != nil || len(xp) != 8 {
		return commissioner.Credential{}, usagef("--ext-pan-id %q: want 16 hex digits", xpHex)
	}
	return commissioner.Passphrase(pass, name, [8]byte(xp))
}

// advertOf browses `_meshcop._udp` for the border router whose advert has
// addr's address and port, and returns its TXT record.
func advertOf(ctx context.Context, ifaces []string, addr netip.AddrPort) (*meshcop.Record, error) {
	const wait = 5 * time.Second
	b, err := meshcop.NewBrowser(meshcop.BrowserConfig{Interfaces: ifaces, Interval: wait})
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	events := make(chan meshcop.Event, 16)
	go func() { _ = b.Run(rctx, events); close(events) }()
	for ev := range events {
		s := ev.Service
		if ev.Kind == meshcop.EventDisappeared || s.Record == nil || s.Port != int(addr.Port()) {
			continue
		}
		for _, a := range s.Addresses {
			if a.WithZone("") == addr.Addr().WithZone("") {
				cancel()
				for range events {
				}
				return s.Record, nil
			}
		}
	}
	return nil, fmt.Errorf("no _meshcop._udp advert for %s on %s within %v: give --network-name and --ext-pan-id", addr, strings.Join(ifaces, ","), wait)
}
