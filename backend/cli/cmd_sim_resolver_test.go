package cli

import (
	"net/netip"

	"github.com/threadmap/threadmap/thread/topology"
)

// fixedResolver sends everything to one address (a test talking to one
// node of a running `threadmap sim`).
type fixedResolver string

func (f fixedResolver) Resolve(topology.Rloc16) (netip.AddrPort, error) {
	return netip.ParseAddrPort(string(f))
}

func (f fixedResolver) Group(netip.Addr) ([]netip.AddrPort, error) {
	a, err := netip.ParseAddrPort(string(f))
	return []netip.AddrPort{a}, err
}
