package commissioner

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/threadmap/threadmap/thread/meshcop/tlv"
	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// SourceName is the source name of the Border Agent path in scan reports
// and node sources.
const SourceName = "border-agent"

// SourceConfig configures a Source.
type SourceConfig struct {
	// Addr is the Border Agent's "host:port" (the `_meshcop._udp` port for
	// a PSKc, the `_meshcop-e._udp` one for an ephemeral key).
	Addr string
	// Credential keys the session (required).
	Credential Credential
	// Session configures the commissioner session.
	Session Config
	// Crawl configures the TMF crawl (Transport, Name, Target and the
	// network identity are the source's to set).
	Crawl tmf.Config
	// Dial, when set, opens the UDP socket to Addr (e.g. in another network
	// namespace); default a plain UDP dial.
	Dial func(ctx context.Context, addr string) (net.Conn, error)
}

// FirstRequestTimeout is the crawl's first wait for a node's answer
// through the proxy (tmf.Config.FirstTimeout; retries double it up to the
// crawl's Timeout). The Border Agent sends our requests from the new
// session's Commissioner ALOC, and a node drops its answer to that address
// until the leader's network data naming the session has reached it: on
// the lab's 3-hop mesh, for about a second after the petition. Waiting the
// crawl's full 4 s for those answers made a 9-node scan 4.4 s; asking again
// after 1 s makes it about 1.3 s.
const FirstRequestTimeout = time.Second

// Source maps a mesh through a Border Agent: one commissioner session per
// Collect (handshake, petition, MGMT_ACTIVE_GET, the TMF crawl over the UDP
// proxy, resign). It implements topology.Source.
type Source struct {
	cfg SourceConfig
}

// NewSource checks cfg and returns the source; no traffic until Collect.
func NewSource(cfg SourceConfig) (*Source, error) {
	if cfg.Addr == "" {
		return nil, errors.New("commissioner: no border agent address")
	}
	if cfg.Credential.IsZero() {
		return nil, errors.New("commissioner: no credential (PSKc, passphrase or ephemeral key)")
	}
	if err := cfg.Session.fill(); err != nil {
		return nil, err
	}
	return &Source{cfg: cfg}, nil
}

// Name is "border-agent".
func (s *Source) Name() string { return SourceName }

// Collect opens a session, learns the network's identity from the active
// dataset, crawls the mesh through the proxy and resigns. If the session
// ends before the crawl does (the Border Agent went away, or dropped us),
// Collect returns the session's error and no snapshot: a map cut off at an
// unknown point is not one to keep.
func (s *Source) Collect(ctx context.Context) (*topology.Snapshot, error) {
	start := time.Now()
	dial := s.cfg.Dial
	if dial == nil {
		var d net.Dialer
		dial = func(ctx context.Context, addr string) (net.Conn, error) { return d.DialContext(ctx, "udp", addr) }
	}
	nc, err := dial(ctx, s.cfg.Addr)
	if err != nil {
		return nil, &HandshakeError{Addr: s.cfg.Addr, Kind: s.cfg.Credential.Kind(), Err: err}
	}
	sess, err := DialConn(ctx, nc, s.cfg.Credential, s.cfg.Session)
	if err != nil {
		nc.Close()
		return nil, err
	}
	defer sess.Close()
	if _, err := sess.Petition(ctx); err != nil {
		return nil, err
	}
	ds, err := sess.ActiveDataset(ctx)
	if err != nil {
		return nil, err
	}
	nw := NetworkOf(ds)
	p, err := sess.Proxy(ctx)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-sess.Done():
			cancel() // nothing more can come: stop the crawl now
		case <-cctx.Done():
		}
	}()
	cfg := s.cfg.Crawl
	cfg.Transport, cfg.Name, cfg.Target, cfg.Network = p, SourceName, s.cfg.Addr, nw
	if cfg.FirstTimeout == 0 {
		cfg.FirstTimeout = FirstRequestTimeout
	}
	c, err := tmf.NewCrawler(cfg)
	if err != nil {
		return nil, err
	}
	snap, err := c.Collect(cctx)
	if serr := sess.Err(); serr != nil {
		return nil, fmt.Errorf("border agent %s: session ended during the crawl: %w", s.cfg.Addr, serr)
	}
	if err != nil {
		return nil, fmt.Errorf("border agent %s: %w", s.cfg.Addr, err)
	}
	if n := len(snap.Scan.Sources); n > 0 {
		r := &snap.Scan.Sources[n-1]
		r.DurationMs = time.Since(start).Milliseconds()
		r.Notes = append([]string{fmt.Sprintf("DTLS handshake (%s) %d ms, commissioner session ID %d",
			s.cfg.Credential.Kind(), sess.Handshake.Milliseconds(), sess.SessionID())}, r.Notes...)
	}
	return snap, nil
}

// NetworkOf is the network identity an active dataset gives.
func NetworkOf(ds *tlv.Message) topology.Network {
	var n topology.Network
	if ds.NetworkName != nil {
		n.Name = *ds.NetworkName
	}
	if ds.ExtPanID != nil {
		n.ExtPanID = hex.EncodeToString(ds.ExtPanID[:])
	}
	if ds.PanID != nil {
		n.PanID = fmt.Sprintf("0x%04x", *ds.PanID)
	}
	if ds.Channel != nil {
		n.Channel = int(ds.Channel.Channel)
	}
	if ds.MeshLocalPrefix != nil {
		var a [16]byte
		copy(a[:], ds.MeshLocalPrefix[:])
		n.MeshLocalPrefix = netip.PrefixFrom(netip.AddrFrom16(a), 64).String()
	}
	return n
}
