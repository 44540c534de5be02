// Package tmf is threadmap's Thread Management Framework diagnostics
// client and crawler: DIAG_GET.req (d/dg), DIAG_GET.qry (d/dq) with the
// DIAG_GET.ans (d/da) posts it triggers received on a local CoAP endpoint,
// DIAG_RST (d/dr), over CoAP/UDP (go-coap/v3) on the TMF port 61631; and a
// Crawler that maps a whole mesh from the leader ALOC and implements
// topology.Source ("tmf").
//
// Two seams: the Crawler talks to a Transport (Client is the UDP one; a
// MeshCoP commissioner session will be another), and the Client finds
// nodes through a Resolver (PrefixResolver: mesh-local prefix + RLOC16; the
// simulator's loopback ports are another).
package tmf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/mux"
	coapNet "github.com/plgd-dev/go-coap/v3/net"
	"github.com/plgd-dev/go-coap/v3/options"
	"github.com/plgd-dev/go-coap/v3/pkg/runner/periodic"
	"github.com/plgd-dev/go-coap/v3/udp"
	udpServer "github.com/plgd-dev/go-coap/v3/udp/server"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/topology"
)

// Port is the TMF UDP port.
const Port = 61631

// TMF URI paths of network diagnostics (Thread spec 10.11).
const (
	URIDiagGet = "d/dg"
	URIDiagQry = "d/dq"
	URIDiagAns = "d/da"
	URIDiagRst = "d/dr"
)

// Realm-local multicast groups.
var (
	AllNodes   = netip.MustParseAddr("ff03::1")
	AllRouters = netip.MustParseAddr("ff03::2")
)

// Resolver is the address seam: where TMF for a node or group goes.
type Resolver interface {
	// Resolve maps an RLOC16 or ALOC16 (leader: 0xfc00) to a UDP address.
	Resolve(r topology.Rloc16) (netip.AddrPort, error)
	// Group maps a realm-local multicast group to where a query to it is
	// sent: the group address itself on a real link, or one unicast
	// address per member where there is no multicast (loopback).
	Group(g netip.Addr) ([]netip.AddrPort, error)
}

// PrefixResolver resolves RLOC16s in a mesh-local /64: prefix +
// 0:ff:fe00:RLOC16, port 61631. Groups resolve to themselves.
type PrefixResolver struct {
	Prefix [8]byte
	// Port overrides 61631 when not 0.
	Port int
}

// ParsePrefix reads a mesh-local prefix such as "fd00:db8::/64" (a bare
// address is taken as its /64).
func ParsePrefix(s string) (PrefixResolver, error) {
	var pr PrefixResolver
	var a netip.Addr
	if p, err := netip.ParsePrefix(s); err == nil {
		if p.Bits() != 64 {
			return pr, fmt.Errorf("mesh-local prefix %q: want a /64", s)
		}
		a = p.Addr()
	} else if x, err2 := netip.ParseAddr(s); err2 == nil {
		a = x
	} else {
		return pr, fmt.Errorf("mesh-local prefix %q: %v", s, err)
	}
	if !a.Is6() || a.Is4In6() {
		return pr, fmt.Errorf("mesh-local prefix %q: not IPv6", s)
	}
	b := a.As16()
	copy(pr.Prefix[:], b[:8])
	return pr, nil
}

// String is the prefix as "fd00:db8::/64".
func (p PrefixResolver) String() string {
	var a [16]byte
	copy(a[:8], p.Prefix[:])
	return netip.PrefixFrom(netip.AddrFrom16(a), 64).String()
}

func (p PrefixResolver) port() uint16 {
	if p.Port != 0 {
		return uint16(p.Port)
	}
	return Port
}

// Resolve is prefix + 0:ff:fe00:RLOC16.
func (p PrefixResolver) Resolve(r topology.Rloc16) (netip.AddrPort, error) {
	return netip.AddrPortFrom(netip.AddrFrom16(topology.RlocAddress(p.Prefix, r)), p.port()), nil
}

// Group is the group itself.
func (p PrefixResolver) Group(g netip.Addr) ([]netip.AddrPort, error) {
	if !g.IsMulticast() {
		return nil, fmt.Errorf("tmf: %s is not a multicast group", g)
	}
	return []netip.AddrPort{netip.AddrPortFrom(g, p.port())}, nil
}

// ClientConfig configures NewClient.
type ClientConfig struct {
	// Resolver finds nodes (required).
	Resolver Resolver
	// Listen is the local UDP address answers come back to; default
	// 127.0.0.1:0 when the leader ALOC resolves to IPv4 (the loopback
	// simulator), else [::]:0. Bind the host's mesh-local address when
	// mixing group queries with unicast requests: on a wildcard socket
	// go-coap keys a peer's answers by the destination address, and a
	// peer first heard through a group answer would get a second,
	// wildcard-keyed connection for unicast requests.
	Listen string
	// Interface sends multicast through this interface (required for real
	// multicast groups).
	Interface string
	// RequestTimeout bounds each call (Get, Query, Reset) when the
	// caller's context has no earlier deadline (default 5 s). A call is
	// one CoAP exchange: one confirmable request, its response (and for a
	// query the DIAG_GET.ans posts) within the deadline. Retries belong to
	// the caller — the Crawler owns them — so they never stack on CoAP
	// retransmissions.
	RequestTimeout time.Duration
	// MaxRetransmit, when above 0, lets CoAP retransmit a request that was
	// not acknowledged within AckTimeout (default 2 s, as OpenThread), all
	// within the request's deadline. Default 0: one transmission per call.
	AckTimeout    time.Duration
	MaxRetransmit int
	// Errors receives CoAP errors; nil drops them.
	Errors func(error)
}

// Client speaks TMF diagnostics over CoAP/UDP. All requests leave from
// one socket, which also serves d/da, so answers to queries come back to
// it. Safe for concurrent use.
type Client struct {
	cfg  ClientConfig
	srv  *udpServer.Server
	conn *coapNet.UDPConn
	ifi  *net.Interface
	// mcastSrc is the source address of multicast queries.
	mcastSrc net.IP
	local    netip.AddrPort
	done     chan struct{}
	stop     chan struct{}

	mu      sync.Mutex
	nextQID uint16
	pending map[uint16]*pendingQuery
	closed  bool
}

// pendingQuery collects the DIAG_GET.ans messages of one query.
type pendingQuery struct {
	ch chan Answer
}

// NewClient opens the client's socket and its d/da endpoint.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.Resolver == nil {
		return nil, errors.New("tmf: client needs a resolver")
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.AckTimeout <= 0 {
		cfg.AckTimeout = 2 * time.Second
	}
	if cfg.MaxRetransmit < 0 {
		cfg.MaxRetransmit = 0
	}
	if cfg.Listen == "" {
		cfg.Listen = "[::]:0"
		if a, err := cfg.Resolver.Resolve(topology.LeaderAloc16); err == nil && a.Addr().Is4() {
			cfg.Listen = "127.0.0.1:0"
		}
	}
	c := &Client{cfg: cfg, pending: map[uint16]*pendingQuery{}, nextQID: uint16(rand.Uint32()), done: make(chan struct{})}
	if cfg.Interface != "" {
		ifi, err := net.InterfaceByName(cfg.Interface)
		if err != nil {
			return nil, fmt.Errorf("tmf: interface %s: %w", cfg.Interface, err)
		}
		c.ifi = ifi
		// The multicast source: the interface's first non-link-local IPv6
		// address, looked up now (in the caller's network namespace).
		addrs, err := ifi.Addrs()
		if err != nil {
			return nil, fmt.Errorf("tmf: interface %s addresses: %w", cfg.Interface, err)
		}
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() == nil && !ipn.IP.IsLinkLocalUnicast() {
				c.mcastSrc = ipn.IP
				break
			}
		}
		if c.mcastSrc == nil {
			return nil, fmt.Errorf("tmf: interface %s has no IPv6 address to send multicast from", cfg.Interface)
		}
	}
	l, err := coapNet.NewListenUDP("udp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("tmf: listen %s: %w", cfg.Listen, err)
	}
	c.conn = l
	c.local = l.LocalAddr().(*net.UDPAddr).AddrPort()
	r := mux.NewRouter()
	_ = r.Handle("/"+URIDiagAns, mux.HandlerFunc(c.handleAnswer))
	errs := cfg.Errors
	if errs == nil {
		errs = func(error) {}
	}
	c.stop = make(chan struct{})
	ack := cfg.AckTimeout
	if cfg.MaxRetransmit == 0 {
		// One transmission: keep the exchange until the request's own
		// deadline ends it (go-coap drops an unacknowledged exchange after
		// the ACK timeout when no retransmission is left).
		ack = max(ack, cfg.RequestTimeout)
	}
	c.srv = udp.NewServer(options.WithMux(r), options.WithErrors(errs), options.WithBlockwise(false, 0, 0),
		options.WithTransmission(1, ack, uint32(cfg.MaxRetransmit)),
		// Retransmissions are driven by this tick (go-coap's default is 4 s).
		options.WithPeriodicRunner(periodic.New(c.stop, min(max(cfg.AckTimeout/5, 5*time.Millisecond), 250*time.Millisecond))))
	go func() {
		defer close(c.done)
		_ = c.srv.Serve(l)
	}()
	// Serve registers the socket asynchronously; wait until the server
	// can make connections (a connection to itself, dropped when idle).
	self := net.UDPAddrFromAddrPort(c.local)
	if self.IP.IsUnspecified() {
		self.IP = net.IPv6loopback
	}
	for i := 0; ; i++ {
		if _, err := c.srv.NewConn(self); err == nil {
			break
		} else if i > 1000 {
			c.srv.Stop()
			return nil, fmt.Errorf("tmf: endpoint did not start: %w", err)
		}
		time.Sleep(time.Millisecond)
	}
	return c, nil
}

// LocalAddr is where answers come back to.
func (c *Client) LocalAddr() netip.AddrPort { return c.local }

// Close stops the endpoint; pending queries end.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	close(c.stop)
	c.srv.Stop()
	<-c.done
	return nil
}

// ResponseError is a CoAP error response from a node.
type ResponseError struct {
	URI  string
	To   topology.Rloc16
	Code codes.Code
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("tmf: %s to %s: node answered %v", e.URI, e.To, e.Code)
}

// DefaultRequestTimeout is ClientConfig.RequestTimeout's default.
const DefaultRequestTimeout = 5 * time.Second

// bound gives ctx the client's request deadline unless it has an earlier one.
func (c *Client) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.cfg.RequestTimeout)
}

// post sends a confirmable POST and returns the response payload.
func (c *Client) post(ctx context.Context, to topology.Rloc16, uri string, payload []byte) ([]byte, error) {
	ap, err := c.cfg.Resolver.Resolve(to)
	if err != nil {
		return nil, fmt.Errorf("tmf: resolve %s: %w", to, err)
	}
	cc, err := c.srv.NewConn(net.UDPAddrFromAddrPort(ap))
	if err != nil {
		return nil, fmt.Errorf("tmf: %s to %s: %w", uri, to, err)
	}
	req, err := cc.NewPostRequest(ctx, "/"+uri, message.AppOctets, nil)
	if err != nil {
		return nil, fmt.Errorf("tmf: %s to %s: %w", uri, to, err)
	}
	defer cc.ReleaseMessage(req)
	req.SetBody(bytes.NewReader(payload))
	resp, err := cc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("tmf: %s to %s (%s): %w", uri, to, ap, ctx.Err())
		}
		return nil, fmt.Errorf("tmf: %s to %s (%s): %w", uri, to, ap, err)
	}
	defer cc.ReleaseMessage(resp)
	if resp.Code() != codes.Changed && resp.Code() != codes.Content {
		return nil, &ResponseError{URI: uri, To: to, Code: resp.Code()}
	}
	var body []byte
	if resp.Body() != nil {
		body, err = io.ReadAll(resp.Body())
		if err != nil {
			return nil, fmt.Errorf("tmf: %s to %s: read response: %w", uri, to, err)
		}
	}
	return body, nil
}

// Get sends DIAG_GET.req for types to node to and decodes the answer: one
// exchange, bounded by RequestTimeout.
func (c *Client) Get(ctx context.Context, to topology.Rloc16, types []diag.Type) (*diag.Message, error) {
	ctx, cancel := c.bound(ctx)
	defer cancel()
	return DiagGet(ctx, c.post, to, types)
}

// Reset sends DIAG_RST for types (e.g. MAC counters) to node to.
func (c *Client) Reset(ctx context.Context, to topology.Rloc16, types []diag.Type) error {
	ctx, cancel := c.bound(ctx)
	defer cancel()
	return DiagReset(ctx, c.post, to, types)
}

// Poster sends one TMF request (uri, payload) to node to and returns the
// answer's payload: what a transport (plain UDP, a Border Agent's proxy)
// provides for DiagGet and DiagReset.
type Poster func(ctx context.Context, to topology.Rloc16, uri string, payload []byte) ([]byte, error)

// DiagGet sends DIAG_GET.req (d/dg) for types to node to through post and
// decodes the answer.
func DiagGet(ctx context.Context, post Poster, to topology.Rloc16, types []diag.Type) (*diag.Message, error) {
	body, err := post(ctx, to, URIDiagGet, RequestPayload(types, nil))
	if err != nil {
		return nil, err
	}
	m, err := diag.Decode(body)
	if err != nil {
		return nil, fmt.Errorf("tmf: answer of %s: %w", to, err)
	}
	return m, nil
}

// DiagReset sends DIAG_RST (d/dr) for types to node to through post.
func DiagReset(ctx context.Context, post Poster, to topology.Rloc16, types []diag.Type) error {
	_, err := post(ctx, to, URIDiagRst, RequestPayload(types, nil))
	return err
}

func (c *Client) register() (uint16, *pendingQuery, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, nil, errors.New("tmf: client closed")
	}
	for {
		c.nextQID++
		if _, busy := c.pending[c.nextQID]; !busy {
			break
		}
	}
	p := &pendingQuery{ch: make(chan Answer, 1024)}
	c.pending[c.nextQID] = p
	return c.nextQID, p, nil
}

func (c *Client) unregister(qid uint16) {
	c.mu.Lock()
	delete(c.pending, qid)
	c.mu.Unlock()
}

// IncompleteError says a query's answer did not arrive whole.
type IncompleteError struct {
	To       topology.Rloc16
	Got      int
	LastSeen bool
	Err      error
}

func (e *IncompleteError) Error() string {
	last := "the last message never came"
	if e.LastSeen {
		last = "messages before the last are missing"
	}
	return fmt.Sprintf("tmf: query to %s: %d answer messages, %s: %v", e.To, e.Got, last, e.Err)
}

func (e *IncompleteError) Unwrap() error { return e.Err }

// Query sends a confirmable DIAG_GET.qry for types to node to and waits for
// every DIAG_GET.ans message (Answer TLV indexes 0..last). The messages are
// returned in index order without their Query ID and Answer TLVs. The
// query and its answers share one RequestTimeout deadline.
func (c *Client) Query(ctx context.Context, to topology.Rloc16, types []diag.Type) ([]*diag.Message, error) {
	ctx, cancel := c.bound(ctx)
	defer cancel()
	qid, p, err := c.register()
	if err != nil {
		return nil, err
	}
	defer c.unregister(qid)
	if _, err := c.post(ctx, to, URIDiagQry, RequestPayload(types, &qid)); err != nil {
		return nil, err
	}
	return WaitAnswers(ctx, p.ch, to)
}

// QueryGroup sends a non-confirmable DIAG_GET.qry for types to a
// realm-local group (ff03::2 all routers, ff03::1 all nodes) and hands
// every DIAG_GET.ans message to fn (from its sender, Query ID and Answer
// TLVs stripped) until ctx ends; then it returns nil. Ask for Ext MAC
// Address (0) and Address16 (1) to know who answered.
func (c *Client) QueryGroup(ctx context.Context, group netip.Addr, types []diag.Type, fn func(from netip.AddrPort, m *diag.Message)) error {
	dests, err := c.cfg.Resolver.Group(group)
	if err != nil {
		return err
	}
	qid, p, err := c.register()
	if err != nil {
		return err
	}
	defer c.unregister(qid)
	payload := RequestPayload(types, &qid)
	for _, d := range dests {
		if err := c.sendNon(ctx, d, payload); err != nil {
			return fmt.Errorf("tmf: query %s via %s: %w", group, d, err)
		}
	}
	for {
		select {
		case a := <-p.ch:
			fn(a.From, StripQuery(a.Msg))
		case <-ctx.Done():
			return nil
		}
	}
}

// sendNon sends one non-confirmable d/dq, as multicast when d is a group.
func (c *Client) sendNon(ctx context.Context, d netip.AddrPort, payload []byte) error {
	ua := net.UDPAddrFromAddrPort(d)
	multicast := d.Addr().IsMulticast()
	if multicast && c.ifi == nil {
		return errors.New("multicast needs ClientConfig.Interface")
	}
	cc, err := c.srv.NewConn(ua)
	if err != nil {
		return err
	}
	req, err := cc.NewPostRequest(ctx, "/"+URIDiagQry, message.AppOctets, nil)
	if err != nil {
		return err
	}
	defer cc.ReleaseMessage(req)
	req.SetBody(bytes.NewReader(payload))
	req.SetType(message.NonConfirmable)
	if multicast {
		// go-coap's multicast writer keeps the connection's own socket, so
		// answers come back to this endpoint.
		return cc.WriteMulticastMessage(req, ua, coapNet.WithMulticastInterface(*c.ifi),
			coapNet.WithMulticastSource(c.mcastSrc), coapNet.WithMulticastHoplimit(8))
	}
	return cc.WriteMessage(req)
}

// handleAnswer receives DIAG_GET.ans posts: decode, hand to the query
// waiting for that Query ID, and acknowledge with 2.04 (OpenThread's
// SendEmptyAck).
func (c *Client) handleAnswer(w mux.ResponseWriter, r *mux.Message) {
	var body []byte
	if r.Body() != nil {
		body, _ = io.ReadAll(r.Body())
	}
	from := netip.AddrPort{}
	if ua, ok := w.Conn().RemoteAddr().(*net.UDPAddr); ok {
		from = ua.AddrPort()
	}
	m, err := diag.Decode(body)
	if err != nil {
		if c.cfg.Errors != nil {
			c.cfg.Errors(fmt.Errorf("tmf: d/da from %s: %w", from, err))
		}
		if r.Type() == message.Confirmable {
			w.Message().SetCode(codes.BadRequest)
		}
		return
	}
	// OpenThread's "empty ack": a piggybacked 2.04 without payload.
	if r.Type() == message.Confirmable {
		w.Message().SetCode(codes.Changed)
		w.Message().SetBody(nil)
	}
	if m.QueryID == nil {
		return // not an answer to anything we asked
	}
	c.mu.Lock()
	p := c.pending[*m.QueryID]
	c.mu.Unlock()
	if p != nil {
		select {
		case p.ch <- Answer{From: from, Msg: m}:
		default:
			// A flood beyond the buffer: the query will time out and retry.
		}
	}
}

// isTimeout reports whether err is a deadline (as opposed to an error
// answer or a transport failure).
func isTimeout(err error) bool {
	var ie *IncompleteError
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ie)
}
