package commissioner

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/meshcop/tlv"
	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// ProxyConfig configures the UDP proxy transport. Zero values pick the
// defaults named.
type ProxyConfig struct {
	// MeshLocalPrefix, when set, spares Proxy its MGMT_ACTIVE_GET.
	MeshLocalPrefix *[8]byte
	// SourcePort is the UDP source port of our datagrams in the mesh (the
	// UDP Encapsulation TLV's; default 61631, the TMF port, where nodes
	// also send DIAG_GET.ans).
	SourcePort uint16
	// RequestTimeout bounds each call (Get, Query, Reset) whose context
	// has no earlier deadline (default tmf.DefaultRequestTimeout, 5 s).
	RequestTimeout time.Duration
	// MaxRetransmit, when above 0, lets CoAP retransmit a request to a node
	// that was not acknowledged within AckTimeout (default 2 s), all within
	// the call's deadline. Default 0: one transmission per call, as
	// tmf.Client — the crawler is the one layer that asks again.
	AckTimeout    time.Duration
	MaxRetransmit int
}

func (c *ProxyConfig) fill() {
	if c.SourcePort == 0 {
		c.SourcePort = tmf.Port
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = tmf.DefaultRequestTimeout
	}
	if c.AckTimeout <= 0 {
		c.AckTimeout = DefaultAckTimeout
	}
	if c.MaxRetransmit < 0 {
		c.MaxRetransmit = 0
	}
}

// Proxy carries TMF network diagnostics into the mesh through the Border
// Agent's UDP proxy: each CoAP message to a node goes out as UDP_TX.ntf
// (c/ut: IPv6 Address TLV = the node's RLOC or a realm-local group, UDP
// Encapsulation TLV = our source port, port 61631 and the datagram), and
// each datagram a node sends to our commissioner ALOC comes back as
// UDP_RX.ntf (c/ur), whose CoAP is matched here: responses to our
// requests, and the DIAG_GET.ans posts queries trigger (acknowledged back
// through the proxy). It implements tmf.Transport and tmf.GroupQuerier,
// so the crawler maps the mesh over it unchanged.
type Proxy struct {
	s      *Session
	prefix [8]byte
	cfg    ProxyConfig
	ep     *endpoint

	mu      sync.Mutex
	nextQID uint16
	pending map[uint16]chan tmf.Answer
}

var (
	_ tmf.Transport    = (*Proxy)(nil)
	_ tmf.GroupQuerier = (*Proxy)(nil)
)

// Proxy returns the session's UDP proxy transport (one per session),
// learning the mesh-local prefix with MGMT_ACTIVE_GET unless the
// configuration names it or an ActiveDataset call already gave it. The session must have petitioned: the Border
// Agent sends proxied datagrams from the commissioner ALOC the petition
// gave it and passes back only what is addressed to it.
func (s *Session) Proxy(ctx context.Context) (*Proxy, error) {
	s.mu.Lock()
	p, active, known := s.proxy, s.active, s.prefix
	s.mu.Unlock()
	if p != nil {
		return p, nil
	}
	if !active {
		return nil, errors.New("commissioner: the UDP proxy needs an accepted petition")
	}
	cfg := s.cfg.Proxy
	var prefix [8]byte
	switch {
	case cfg.MeshLocalPrefix != nil:
		prefix = *cfg.MeshLocalPrefix
	case known != nil:
		prefix = *known
	default:
		ds, err := s.ActiveDataset(ctx, tlv.TypeMeshLocalPrefix)
		if err != nil {
			return nil, err
		}
		if ds.MeshLocalPrefix == nil {
			return nil, errors.New("commissioner: the active dataset has no mesh-local prefix")
		}
		prefix = *ds.MeshLocalPrefix
	}
	p = &Proxy{s: s, prefix: prefix, cfg: cfg, nextQID: uint16(rand.Uint32()), pending: map[uint16]chan tmf.Answer{}}
	p.ep = newEndpoint("proxy", cfg.AckTimeout, cfg.MaxRetransmit, s.cfg.Logf)
	p.ep.send = p.send
	p.ep.handle = p.handle
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proxy != nil {
		return s.proxy, nil
	}
	if s.err != nil {
		return nil, s.err
	}
	s.proxy = p
	return p, nil
}

// MeshLocalPrefix is the prefix the proxy addresses nodes in.
func (p *Proxy) MeshLocalPrefix() [8]byte { return p.prefix }

// send wraps one CoAP message for a node (or group) in UDP_TX.ntf.
func (p *Proxy) send(to netip.AddrPort, b []byte) error {
	a := to.Addr()
	m := tlv.Message{IPv6Address: &a, UDPEncapsulation: &tlv.UDPEncapsulation{SourcePort: p.cfg.SourcePort,
		DestinationPort: to.Port(), Payload: b}}
	if err := p.s.ep.notify(netip.AddrPort{}, URIProxyTx, m.Encode()); err != nil {
		if se := p.s.Err(); se != nil {
			return se
		}
		return err
	}
	return nil
}

// receive takes one UDP_RX.ntf payload from the session.
func (p *Proxy) receive(payload []byte) {
	m, err := tlv.Decode(payload)
	if err != nil {
		p.s.cfg.Logf("commissioner: %s: %v", URIProxyRx, err)
		return
	}
	if m.UDPEncapsulation == nil || m.IPv6Address == nil {
		p.s.cfg.Logf("commissioner: %s without UDP Encapsulation and IPv6 Address TLVs", URIProxyRx)
		return
	}
	from := netip.AddrPortFrom(*m.IPv6Address, m.UDPEncapsulation.SourcePort)
	p.ep.receive(from, m.UDPEncapsulation.Payload)
}

// handle answers the nodes' requests: DIAG_GET.ans (d/da) posts.
func (p *Proxy) handle(from netip.AddrPort, req *message.Message) *message.Message {
	path, _ := req.Options.Path()
	if path != "/"+tmf.URIDiagAns {
		return &message.Message{Code: codes.NotFound}
	}
	m, err := diag.Decode(req.Payload)
	if err != nil {
		p.s.cfg.Logf("commissioner: d/da from %s: %v", from, err)
		return &message.Message{Code: codes.BadRequest}
	}
	if m.QueryID != nil {
		p.mu.Lock()
		ch := p.pending[*m.QueryID]
		p.mu.Unlock()
		if ch != nil {
			select {
			case ch <- tmf.Answer{From: from, Msg: m}:
			default: // a flood beyond the buffer: the query ends incomplete
			}
		}
	}
	return &message.Message{Code: codes.Changed} // OpenThread's empty ack
}

// resolve is a node's RLOC address (or the leader ALOC for 0xfc00), TMF port.
func (p *Proxy) resolve(r topology.Rloc16) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom16(topology.RlocAddress(p.prefix, r)), tmf.Port)
}

// bound gives a call the RequestTimeout (or ctx's earlier deadline).
func (p *Proxy) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, p.cfg.RequestTimeout)
}

// post sends a confirmable TMF POST through the proxy and returns the
// response payload.
func (p *Proxy) post(ctx context.Context, to topology.Rloc16, uri string, payload []byte) ([]byte, error) {
	resp, err := p.ep.request(ctx, p.resolve(to), true, uri, payload)
	if err != nil {
		if se := p.s.Err(); se != nil {
			return nil, fmt.Errorf("tmf %s to %s: %w", uri, to, se)
		}
		return nil, fmt.Errorf("tmf %s to %s: %w", uri, to, err)
	}
	if resp.Code != codes.Changed && resp.Code != codes.Content {
		return nil, &tmf.ResponseError{URI: uri, To: to, Code: resp.Code}
	}
	return resp.Payload, nil
}

// Get sends DIAG_GET.req (d/dg) for types to node to and decodes the answer
// carried in the response: one exchange, bounded by RequestTimeout.
func (p *Proxy) Get(ctx context.Context, to topology.Rloc16, types []diag.Type) (*diag.Message, error) {
	ctx, cancel := p.bound(ctx)
	defer cancel()
	return tmf.DiagGet(ctx, p.post, to, types)
}

// Reset sends DIAG_RST (d/dr) for types (e.g. MAC counters) to node to.
func (p *Proxy) Reset(ctx context.Context, to topology.Rloc16, types []diag.Type) error {
	ctx, cancel := p.bound(ctx)
	defer cancel()
	return tmf.DiagReset(ctx, p.post, to, types)
}

func (p *Proxy) register() (uint16, chan tmf.Answer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		p.nextQID++
		if _, busy := p.pending[p.nextQID]; !busy {
			break
		}
	}
	ch := make(chan tmf.Answer, 1024)
	p.pending[p.nextQID] = ch
	return p.nextQID, ch
}

func (p *Proxy) unregister(qid uint16) {
	p.mu.Lock()
	delete(p.pending, qid)
	p.mu.Unlock()
}

// Query sends a confirmable DIAG_GET.qry (d/dq) for types to node to and
// waits for every DIAG_GET.ans message (Answer TLV indexes 0..last),
// returned in index order without their Query ID and Answer TLVs.
func (p *Proxy) Query(ctx context.Context, to topology.Rloc16, types []diag.Type) ([]*diag.Message, error) {
	ctx, cancel := p.bound(ctx)
	defer cancel()
	qid, ch := p.register()
	defer p.unregister(qid)
	if _, err := p.post(ctx, to, tmf.URIDiagQry, tmf.RequestPayload(types, &qid)); err != nil {
		return nil, err
	}
	// The session's end ends the wait at once, with its reason.
	wctx, end := context.WithCancelCause(ctx)
	defer end(nil)
	stop := context.AfterFunc(p.s.ctx, func() { end(p.s.Err()) })
	defer stop()
	msgs, err := tmf.WaitAnswers(wctx, ch, to)
	if err != nil && context.Cause(wctx) != nil && ctx.Err() == nil {
		var ie *tmf.IncompleteError
		if errors.As(err, &ie) {
			ie.Err = context.Cause(wctx)
		}
	}
	return msgs, err
}

// QueryGroup sends a non-confirmable DIAG_GET.qry for types to a
// realm-local group (ff03::2 all routers, ff03::1 all nodes: the Border
// Agent sends it into the mesh as multicast) and hands every DIAG_GET.ans
// message to fn (from its sender, Query ID and Answer TLVs stripped) until
// ctx ends; then it returns nil. It returns the session's error if the
// session ends first.
func (p *Proxy) QueryGroup(ctx context.Context, group netip.Addr, types []diag.Type, fn func(from netip.AddrPort, m *diag.Message)) error {
	if !group.IsMulticast() {
		return fmt.Errorf("commissioner: %s is not a multicast group", group)
	}
	qid, ch := p.register()
	defer p.unregister(qid)
	if err := p.ep.notify(netip.AddrPortFrom(group, tmf.Port), tmf.URIDiagQry, tmf.RequestPayload(types, &qid)); err != nil {
		return fmt.Errorf("tmf: query %s: %w", group, err)
	}
	for {
		select {
		case a := <-ch:
			fn(a.From, tmf.StripQuery(a.Msg))
		case <-p.s.Done():
			return fmt.Errorf("tmf: query %s: %w", group, p.s.Err())
		case <-ctx.Done():
			return nil
		}
	}
}
