package meshcop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/grandcat/zeroconf"
)

// DefaultMeshCoPPort is the port OpenThread border agents usually use.
const DefaultMeshCoPPort = 49154

// BorderRouterAdvert is what a simulated border router advertises.
type BorderRouterAdvert struct {
	// Instance is the instance label; default "<vn> <mn> #<last 2 bytes of xa>"
	// as OpenThread names it.
	Instance string
	// Host is the host label (".local." is added); default "ot<xa hex>".
	Host string
	// Port is the MeshCoP (border agent) port; default 49154.
	Port int
	// Addresses go into the A/AAAA records; default the interface's own
	// (non-loopback) addresses.
	Addresses []netip.Addr
	// Record is the TXT record to publish (encoded with Record.Entries).
	Record Record
	// Type is the service type; default "_meshcop._udp" (ServiceType), or
	// EphemeralServiceType for an active ephemeral key.
	Type string `json:",omitempty"`
}

// Advertisement is a running advert; Close withdraws it.
type Advertisement struct {
	srv  *zeroconf.Server
	once sync.Once
	stop chan struct{}
	// Instance and Host are the names used.
	Instance, Host string
}

// Advertise publishes adv on the one interface iface with zeroconf's
// RegisterProxy, binary TXT values escaped so the wire carries their exact
// bytes. The advert is withdrawn when ctx is done or Close is called.
func Advertise(ctx context.Context, iface string, adv BorderRouterAdvert) (*Advertisement, error) {
	ifaces, err := lookupInterfaces([]string{iface})
	if err != nil {
		return nil, fmt.Errorf("meshcop advertise: %w", err)
	}
	entries, err := adv.Record.Entries()
	if err != nil {
		return nil, fmt.Errorf("meshcop advertise: %w", err)
	}
	if _, err := Wire(entries); err != nil {
		return nil, fmt.Errorf("meshcop advertise: %w", err)
	}
	adv.fillDefaults()
	addrs := adv.Addresses
	if len(addrs) == 0 {
		addrs, err = interfaceAddrs(ifaces[0])
		if err != nil {
			return nil, fmt.Errorf("meshcop advertise: %w", err)
		}
	}
	ips := make([]string, len(addrs))
	for i, a := range addrs {
		ips[i] = a.String()
	}
	srv, err := zeroconf.RegisterProxy(escapeLabel(adv.Instance), adv.Type, "local.", adv.Port,
		escapeLabel(adv.Host), ips, Presentation(entries), ifaces)
	if err != nil {
		return nil, fmt.Errorf("meshcop advertise %q on %s: %w", adv.Instance, iface, err)
	}
	a := &Advertisement{srv: srv, stop: make(chan struct{}), Instance: adv.Instance, Host: adv.Host}
	go func() {
		select {
		case <-ctx.Done():
			a.Close()
		case <-a.stop:
		}
	}()
	return a, nil
}

// Close withdraws the advert (zeroconf sends a goodbye) and frees its sockets.
func (a *Advertisement) Close() {
	a.once.Do(func() {
		close(a.stop)
		a.srv.Shutdown()
	})
}

func defaultInstance(r Record) string {
	name := strings.TrimSpace(r.VendorName + " " + r.ModelName)
	if name == "" {
		name = "threadmap Simulated BR"
	}
	if len(r.ExtAddr) == 8 {
		name += fmt.Sprintf(" #%02X%02X", r.ExtAddr[6], r.ExtAddr[7])
	}
	return name
}

func interfaceAddrs(ifi net.Interface) ([]netip.Addr, error) {
	as, err := ifi.Addrs()
	if err != nil {
		return nil, fmt.Errorf("addresses of %s: %w", ifi.Name, err)
	}
	var out []netip.Addr
	for _, a := range as {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok && !ip.IsLoopback() {
				out = append(out, ip.Unmap())
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("interface " + ifi.Name + " has no address to advertise")
	}
	return out, nil
}

// escapeLabel writes one DNS label in the presentation form miekg/dns packs:
// '.' and '\' escaped, unprintable bytes as \DDD.
func escapeLabel(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&sb, "\\%03d", c)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// Service is the Service a browser would see for this advert, built
// without any network traffic (the demo hands its simulated border routers
// to the program this way). Defaults are filled as Advertise fills them;
// Addresses stay as given.
func (adv BorderRouterAdvert) Service(now time.Time) (Service, error) {
	entries, err := adv.Record.Entries()
	if err != nil {
		return Service{}, fmt.Errorf("meshcop advert: %w", err)
	}
	adv.fillDefaults()
	s := NewService(adv.Instance, adv.Host+".local.", adv.Port, adv.Addresses, entries)
	s.FirstSeen, s.LastSeen = now, now
	return s, nil
}

// fillDefaults fills the port, instance and host names an advert leaves
// empty: the one place Advertise and Service take them from, so a browsed
// advert and a handed-over one name the border router alike.
func (adv *BorderRouterAdvert) fillDefaults() {
	if adv.Type == "" {
		adv.Type = ServiceType
	}
	if adv.Port == 0 {
		adv.Port = DefaultMeshCoPPort
	}
	if adv.Instance == "" {
		adv.Instance = defaultInstance(adv.Record)
	}
	if adv.Host == "" {
		adv.Host = "ot" + adv.Record.ExtAddr.String()
		if len(adv.Record.ExtAddr) == 0 {
			adv.Host = "threadmap-sim-br"
		}
	}
}
