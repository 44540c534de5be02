package threadsim

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/udp/coder"

	"github.com/threadmap/threadmap/thread/dtls"
	"github.com/threadmap/threadmap/thread/meshcop"
	"github.com/threadmap/threadmap/thread/meshcop/tlv"
	"github.com/threadmap/threadmap/thread/pskc"
	"github.com/threadmap/threadmap/thread/topology"
)

// DefaultPassphrase is the commissioning passphrase of simulated networks
// (OpenThread's examples' and the lab's): their PSKc derives from it, the
// network name and the ext PAN ID.
const DefaultPassphrase = "J01NME"

// Border Agent timing (OpenThread's): the Border Agent drops a session 50 s
// after it connected or last sent a keep-alive (border_agent.hpp
// kKeepAliveTimeout), the leader drops its active commissioner 50 s after
// the last keep-alive (meshcop_leader.hpp kTimeoutLeaderPetition); an
// ephemeral key lasts 2 minutes unless told otherwise, at most 10.
const (
	BorderAgentKeepAliveTimeout = 50 * time.Second
	DefaultEphemeralKeyTimeout  = 2 * time.Minute
	MaxEphemeralKeyTimeout      = 10 * time.Minute
)

// BorderAgentOptions configure StartBorderAgent.
type BorderAgentOptions struct {
	// Listen is the DTLS listener's UDP address (default 127.0.0.1:0).
	Listen string
	// PSKc is the network's PSKc (default: derived from DefaultPassphrase,
	// the network name and the ext PAN ID).
	PSKc *[16]byte
	// KeepAliveTimeout is how long the Border Agent and the leader keep a
	// commissioner without a keep-alive (default 50 s).
	KeepAliveTimeout time.Duration
	// Node is the border router the agent runs on (default the mesh's first
	// border router, else the leader). Like OpenThread's, it does not
	// answer a multicast query it sends into the mesh for the commissioner.
	Node topology.Rloc16
	// Logf receives debug lines; nil drops them.
	Logf func(format string, args ...any)
	// Observe, when set, is told of each event as it happens: "session",
	// "petition", "rejected", "keep-alive", "resigned", "expired",
	// "active-get", "proxy-tx", "proxy-rx", "closed" (a session ended).
	// Tests wait on it.
	Observe func(event string)
}

// BorderAgent is a simulated Thread Border Agent in front of a running
// simulated mesh: a DTLS 1.2 EC-JPAKE server (thread/dtls) keyed by the
// PSKc, and on request a second one keyed by an ephemeral key, speaking
// the MeshCoP commissioner CoAP as OpenThread's Border Agent does:
// COMM_PET (c/cp) and COMM_KA (c/ca) forwarded to the leader (here: kept
// in the agent), answered with an empty acknowledgement then a separate
// response; MGMT_ACTIVE_GET (c/ag) answered from the active dataset; the
// UDP proxy: UDP_TX.ntf (c/ut) datagrams sent into the mesh's TMF servers
// from the session's own socket (the commissioner ALOC), and whatever the
// nodes send back returned as UDP_RX.ntf (c/ur). One active commissioner
// at a time; sessions and commissioners expire without keep-alives.
type BorderAgent struct {
	sim  *Sim
	opts BorderAgentOptions
	pskc [16]byte
	ln   *dtls.Listener
	addr netip.AddrPort
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup
	// byAddr maps a node's TMF socket to its RLOC address.
	byAddr map[netip.AddrPort]netip.Addr

	mu        sync.Mutex
	sessions  map[*baSession]bool
	active    *baSession // the active commissioner
	activeID  string
	lastKA    time.Time
	sessionID uint16
	stats     BorderAgentStats
	eph       *ephemeralKey
}

// BorderAgentStats counts what the Border Agent did.
type BorderAgentStats struct {
	Sessions, Petitions, Rejected, KeepAlives, Resigned, ProxyTx, ProxyRx, ActiveGets int
	// Expired counts sessions dropped for want of keep-alives.
	Expired int
}

type ephemeralKey struct {
	ln      *dtls.Listener
	addr    netip.AddrPort
	timer   *time.Timer
	session *baSession
	used    bool
}

// StartBorderAgent serves a Border Agent for the running mesh until ctx
// ends or Close.
func (s *Sim) StartBorderAgent(ctx context.Context, opts BorderAgentOptions) (*BorderAgent, error) {
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	if opts.KeepAliveTimeout <= 0 {
		opts.KeepAliveTimeout = BorderAgentKeepAliveTimeout
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	if opts.Observe == nil {
		opts.Observe = func(string) {}
	}
	if opts.Node == 0 {
		opts.Node = s.mesh.Leader.Rloc16
		if brs := s.mesh.BorderRouters(); len(brs) > 0 {
			opts.Node = brs[0].Rloc16
		}
	}
	b := &BorderAgent{sim: s, opts: opts, sessions: map[*baSession]bool{}, byAddr: map[netip.AddrPort]netip.Addr{},
		sessionID: uint16(s.mesh.Network.PartitionID)}
	if opts.PSKc != nil {
		b.pskc = *opts.PSKc
	} else {
		k, err := s.mesh.PSKc(DefaultPassphrase)
		if err != nil {
			return nil, err
		}
		b.pskc = k
	}
	for _, sn := range s.order {
		b.byAddr[sn.addr] = s.mesh.RlocAddr(sn.node.Rloc16)
	}
	ln, addr, err := b.listen(opts.Listen, b.pskc[:])
	if err != nil {
		return nil, err
	}
	b.ln, b.addr = ln, addr
	b.ctx, b.stop = context.WithCancel(ctx)
	b.serve(ln, false)
	go func() {
		<-b.ctx.Done()
		b.Close()
	}()
	return b, nil
}

// PSKc derives the network's PSKc from a commissioning passphrase.
func (m *Mesh) PSKc(passphrase string) ([16]byte, error) {
	var xp [8]byte
	binary.BigEndian.PutUint64(xp[:], m.Network.ExtPanID)
	k, err := pskc.Derive(passphrase, m.Network.Name, xp)
	if err != nil {
		return k, fmt.Errorf("threadsim: PSKc: %w", err)
	}
	return k, nil
}

func (b *BorderAgent) listen(addr string, psk []byte) (*dtls.Listener, netip.AddrPort, error) {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, netip.AddrPort{}, fmt.Errorf("threadsim: border agent: %w", err)
	}
	ln := dtls.Listen(pc, &dtls.Config{PSK: psk, Logf: b.opts.Logf})
	return ln, pc.LocalAddr().(*net.UDPAddr).AddrPort(), nil
}

// serve accepts sessions from ln until it closes.
func (b *BorderAgent) serve(ln *dtls.Listener, ephemeral bool) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			c, err := ln.Accept(b.ctx)
			if err != nil {
				return
			}
			b.start(c, ephemeral)
		}
	}()
}

// Addr is the Border Agent's DTLS address (the `_meshcop._udp` port).
func (b *BorderAgent) Addr() netip.AddrPort { return b.addr }

// Stats is what the Border Agent did so far.
func (b *BorderAgent) Stats() BorderAgentStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats
}

// ActiveCommissioner is the active commissioner's ID ("" for none).
func (b *BorderAgent) ActiveCommissioner() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.active == nil {
		return ""
	}
	return b.activeID
}

// StateBitmap is the `sb` value the agent advertises: DTLS with PSKc,
// Thread interface active, high availability, the given role, ePSKc
// supported.
func (b *BorderAgent) StateBitmap(role meshcop.ThreadRole) meshcop.StateBitmap {
	return meshcop.StateBitmap{ConnMode: meshcop.ConnModePSKc, IfStatus: meshcop.IfActive, Availability: meshcop.AvailabilityHigh,
		Role: role, EPSKcSupported: true}
}

// StartEphemeralKey lets the agent accept sessions keyed by key (6 to 32
// printable characters) on a second port, as `ba ephemeralkey start`
// does, for timeout (0: 2 minutes; at most 10). The key serves one
// session: once a session made with it ends, the key is gone. It returns
// the port (the `_meshcop-e._udp` one).
func (b *BorderAgent) StartEphemeralKey(key string, timeout time.Duration) (netip.AddrPort, error) {
	if len(key) < 6 || len(key) > 32 {
		return netip.AddrPort{}, fmt.Errorf("threadsim: ephemeral key of %d characters: want 6 to 32", len(key))
	}
	if timeout <= 0 {
		timeout = DefaultEphemeralKeyTimeout
	}
	timeout = min(timeout, MaxEphemeralKeyTimeout)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.eph != nil {
		return netip.AddrPort{}, errors.New("threadsim: an ephemeral key is in use")
	}
	host, _, _ := net.SplitHostPort(b.opts.Listen)
	ln, addr, err := b.listen(net.JoinHostPort(host, "0"), []byte(key))
	if err != nil {
		return netip.AddrPort{}, err
	}
	e := &ephemeralKey{ln: ln, addr: addr}
	e.timer = time.AfterFunc(timeout, func() { b.StopEphemeralKey() })
	b.eph = e
	b.serve(ln, true)
	return addr, nil
}

// EphemeralKeyAddr is the ephemeral key's port while one is active.
func (b *BorderAgent) EphemeralKeyAddr() (netip.AddrPort, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.eph == nil {
		return netip.AddrPort{}, false
	}
	return b.eph.addr, true
}

// StopEphemeralKey ends the ephemeral key and its session.
func (b *BorderAgent) StopEphemeralKey() {
	b.mu.Lock()
	e := b.eph
	b.eph = nil
	b.mu.Unlock()
	if e == nil {
		return
	}
	e.stop()
	if e.session != nil {
		e.session.close()
	}
}

func (e *ephemeralKey) stop() {
	e.timer.Stop()
	_ = e.ln.Close()
}

// Close stops the agent and every session.
func (b *BorderAgent) Close() error {
	if b.stop != nil {
		b.stop()
	}
	b.StopEphemeralKey()
	err := b.ln.Close()
	b.mu.Lock()
	var ss []*baSession
	for s := range b.sessions {
		ss = append(ss, s)
	}
	b.mu.Unlock()
	for _, s := range ss {
		s.close()
	}
	b.wg.Wait()
	return err
}

// baSession is one commissioner's DTLS session.
type baSession struct {
	b         *BorderAgent
	conn      *dtls.Conn
	ephemeral bool
	proxy     *net.UDPConn // the commissioner ALOC's socket into the mesh
	timer     *time.Timer  // keep-alive timeout
	once      sync.Once

	mu       sync.Mutex
	mid      uint16
	seen     map[uint16][]byte
	commPort uint16 // the commissioner's UDP Encapsulation source port
}

func (b *BorderAgent) start(c *dtls.Conn, ephemeral bool) {
	s := &baSession{b: b, conn: c, ephemeral: ephemeral, seen: map[uint16][]byte{}}
	b.mu.Lock()
	if ephemeral {
		if b.eph == nil || b.eph.session != nil || b.eph.used {
			b.mu.Unlock()
			_ = c.Close() // one session per ephemeral key
			return
		}
		b.eph.session, b.eph.used = s, true
	}
	b.sessions[s] = true
	b.stats.Sessions++
	b.mu.Unlock()
	b.opts.Observe("session")
	pc, err := net.ListenUDP("udp", &net.UDPAddr{})
	if err != nil {
		b.opts.Logf("threadsim: border agent: proxy socket: %v", err)
		_ = c.Close()
		return
	}
	s.proxy = pc
	s.timer = time.AfterFunc(b.opts.KeepAliveTimeout, func() {
		b.mu.Lock()
		b.stats.Expired++
		b.mu.Unlock()
		b.opts.Observe("expired")
		s.close()
	})
	b.wg.Add(2)
	go s.read()
	go s.readProxy()
}

// close ends the session (close_notify), frees the commissioner role it
// held and, for an ephemeral key's session, the key.
func (s *baSession) close() {
	s.once.Do(func() {
		s.timer.Stop()
		_ = s.conn.Close()
		_ = s.proxy.Close()
		b := s.b
		b.mu.Lock()
		delete(b.sessions, s)
		if b.active == s {
			b.active = nil
		}
		var eph *ephemeralKey
		if s.ephemeral && b.eph != nil && b.eph.session == s {
			eph, b.eph = b.eph, nil // "the ephemeral key can be used once"
		}
		b.mu.Unlock()
		if eph != nil {
			eph.stop()
		}
		b.opts.Observe("closed")
	})
}

func (s *baSession) read() {
	defer s.b.wg.Done()
	defer s.close()
	buf := make([]byte, 1<<16)
	for {
		n, err := s.conn.Read(buf)
		if err != nil {
			return
		}
		m := message.Message{Options: make(message.Options, 0, 16)}
		if _, err := coder.DefaultCoder.Decode(append([]byte{}, buf[:n]...), &m); err != nil {
			s.b.opts.Logf("threadsim: border agent: %v", err)
			continue
		}
		if m.Code == codes.Empty || m.Type == message.Acknowledgement || m.Type == message.Reset {
			continue
		}
		mid := uint16(m.MessageID)
		if m.Type == message.Confirmable {
			s.mu.Lock()
			cached, dup := s.seen[mid]
			s.mu.Unlock()
			if dup {
				if cached != nil {
					s.write(cached)
				}
				continue
			}
		}
		s.handle(&m)
	}
}

func (s *baSession) write(b []byte) {
	if _, err := s.conn.Write(b); err != nil {
		s.b.opts.Logf("threadsim: border agent: write: %v", err)
	}
}

func (s *baSession) nextMID() uint16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mid++
	return s.mid
}

func coapBytes(typ message.Type, code codes.Code, mid uint16, token []byte, path string, payload []byte) []byte {
	m := message.Message{Type: typ, Code: code, MessageID: int32(mid), Token: token, Payload: payload}
	if path != "" {
		opts, _, err := m.Options.SetPath(make([]byte, 32), path)
		if err != nil {
			return nil
		}
		m.Options = opts
	}
	out := make([]byte, 64+len(payload))
	n, err := coder.DefaultCoder.Encode(m, out)
	if err != nil {
		return nil
	}
	return out[:n]
}

// ack acknowledges a confirmable request (empty, or with a piggybacked
// response) and remembers it for retransmissions.
func (s *baSession) ack(req *message.Message, code codes.Code, payload []byte) {
	if req.Type != message.Confirmable {
		return
	}
	var tok []byte
	if code != codes.Empty {
		tok = req.Token
	}
	b := coapBytes(message.Acknowledgement, code, uint16(req.MessageID), tok, "", payload)
	s.mu.Lock()
	s.seen[uint16(req.MessageID)] = b
	s.mu.Unlock()
	s.write(b)
}

// separate sends the response of a request forwarded to the leader: a
// non-confirmable message with the request's token (OpenThread's
// ForwardContext::ToHeader).
func (s *baSession) separate(req *message.Message, payload []byte) {
	s.write(coapBytes(message.NonConfirmable, codes.Changed, s.nextMID(), req.Token, "", payload))
}

func (s *baSession) handle(req *message.Message) {
	path, _ := req.Options.Path()
	b := s.b
	body, err := tlv.Decode(req.Payload)
	if err != nil {
		s.ack(req, codes.BadRequest, nil)
		return
	}
	switch path {
	case "/c/cp":
		s.ack(req, codes.Empty, nil)
		resp := b.petition(s, body)
		s.separate(req, resp.Encode())
		if *resp.State == tlv.StateAccept {
			b.opts.Observe("petition")
		} else {
			b.opts.Observe("rejected")
		}
	case "/c/ca":
		s.ack(req, codes.Empty, nil)
		resp := b.keepAlive(s, body)
		s.separate(req, resp.Encode())
		if *resp.State == tlv.StateAccept {
			b.opts.Observe("keep-alive")
		} else if body.State != nil && *body.State == tlv.StateReject {
			b.opts.Observe("resigned")
		}
	case "/c/ag":
		b.mu.Lock()
		b.stats.ActiveGets++
		b.mu.Unlock()
		s.ack(req, codes.Changed, b.dataset(body.Get).Encode())
		b.opts.Observe("active-get")
	case "/c/ut":
		s.proxyTx(body)
	default:
		s.ack(req, codes.NotFound, nil)
	}
}

// petition is the leader's side of COMM_PET (meshcop_leader.cpp): one
// active commissioner; a petition with the active one's own ID replaces
// it; the response names the active commissioner whenever there is one.
func (b *BorderAgent) petition(s *baSession, req *tlv.Message) *tlv.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stats.Petitions++
	st := tlv.StateReject
	if req.CommissionerID != nil {
		live := b.active != nil && time.Since(b.lastKA) < b.opts.KeepAliveTimeout
		if !live || b.activeID == *req.CommissionerID {
			b.sessionID++
			b.active, b.activeID, b.lastKA = s, *req.CommissionerID, time.Now()
			st = tlv.StateAccept
		}
	}
	resp := &tlv.Message{State: &st}
	if b.active != nil {
		id := b.activeID
		resp.CommissionerID = &id
	}
	if st == tlv.StateAccept {
		sid := b.sessionID
		resp.CommissionerSessionID = &sid
	} else {
		b.stats.Rejected++
	}
	return resp
}

// keepAlive is COMM_KA: the Border Agent restarts the session's timer,
// the leader refreshes (accept) or resigns (reject) the commissioner.
func (b *BorderAgent) keepAlive(s *baSession, req *tlv.Message) *tlv.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := tlv.StateReject
	if b.active == s && req.CommissionerSessionID != nil && *req.CommissionerSessionID == b.sessionID && req.State != nil {
		if *req.State == tlv.StateAccept {
			st = tlv.StateAccept
			b.lastKA = time.Now()
			b.stats.KeepAlives++
			s.timer.Reset(b.opts.KeepAliveTimeout)
		} else {
			b.active = nil
			b.stats.Resigned++
		}
	}
	return &tlv.Message{State: &st}
}

// dataset is the active dataset's TLVs, those named in get (all when get is
// empty, the PSKc included, as a Border Agent ignores the Security
// Policy's O-bit for MGMT_ACTIVE_GET).
func (b *BorderAgent) dataset(get []tlv.Type) *tlv.Message {
	n := b.sim.mesh.Network
	want := map[tlv.Type]bool{}
	for _, t := range get {
		want[t] = true
	}
	all := len(get) == 0
	m := &tlv.Message{}
	if all || want[tlv.TypeChannel] {
		m.Channel = &tlv.Channel{Page: 0, Channel: uint16(n.Channel)}
	}
	if all || want[tlv.TypePanID] {
		m.PanID = &n.PanID
	}
	if all || want[tlv.TypeExtPanID] {
		var xp [8]byte
		binary.BigEndian.PutUint64(xp[:], n.ExtPanID)
		m.ExtPanID = &xp
	}
	if all || want[tlv.TypeNetworkName] {
		name := n.Name
		m.NetworkName = &name
	}
	if all || want[tlv.TypeMeshLocalPrefix] {
		p := n.MeshLocalPrefix
		m.MeshLocalPrefix = &p
	}
	if all || want[tlv.TypeActiveTimestamp] {
		m.ActiveTimestamp = &meshcop.Timestamp{Seconds: 1}
	}
	if all || want[tlv.TypePSKc] {
		m.Unknown = append(m.Unknown, tlv.TLV{Type: tlv.TypePSKc, Value: append([]byte{}, b.pskc[:]...)})
	}
	return m
}

// proxyTx sends a UDP_TX.ntf datagram into the mesh from the session's
// socket: to a node's RLOC (or the leader ALOC), or to every member of a
// realm-local group. Without an accepted petition there is no
// commissioner ALOC to send from, and the datagram is dropped.
func (s *baSession) proxyTx(m *tlv.Message) {
	b := s.b
	b.mu.Lock()
	active := b.active == s
	if active {
		b.stats.ProxyTx++
	}
	b.mu.Unlock()
	u := m.UDPEncapsulation
	if !active || u == nil || m.IPv6Address == nil || u.SourcePort == 0 || u.DestinationPort == 0 {
		return
	}
	s.mu.Lock()
	s.commPort = u.SourcePort
	s.mu.Unlock()
	dst := *m.IPv6Address
	var to []netip.AddrPort
	switch {
	case dst.IsMulticast():
		members, _ := b.sim.Group(dst)
		own, _ := b.sim.Addr(b.opts.Node)
		for _, a := range members {
			if a != own { // the agent's own node does not hear what it sends
				to = append(to, a)
			}
		}
	default:
		r, ok := topology.LocatorOf(dst)
		if !ok {
			return
		}
		a, err := b.sim.Addr(topology.Rloc16(r))
		if err != nil {
			return // no such node: the datagram is lost in the mesh
		}
		to = []netip.AddrPort{a}
	}
	for _, a := range to {
		if _, err := s.proxy.WriteToUDPAddrPort(u.Payload, a); err != nil {
			b.opts.Logf("threadsim: border agent: proxy to %s: %v", a, err)
		}
	}
	b.opts.Observe("proxy-tx")
}

// readProxy returns what the nodes send to the commissioner as UDP_RX.ntf,
// from the node's RLOC address and TMF port.
func (s *baSession) readProxy() {
	defer s.b.wg.Done()
	buf := make([]byte, 1<<16)
	for {
		n, from, err := s.proxy.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		src, ok := s.b.byAddr[netip.AddrPortFrom(from.Addr().Unmap(), from.Port())]
		if !ok {
			// In a namespace a node also answers from its ALOC socket,
			// whose address is already a mesh-local one.
			if _, isLoc := topology.LocatorOf(from.Addr()); !isLoc {
				continue
			}
			src = from.Addr()
		}
		s.mu.Lock()
		port := s.commPort
		s.mu.Unlock()
		s.b.mu.Lock()
		s.b.stats.ProxyRx++
		s.b.mu.Unlock()
		u := tlv.UDPEncapsulation{SourcePort: TMFPort, DestinationPort: port, Payload: buf[:n]}
		// OpenThread writes the UDP Encapsulation TLV in the extended form.
		payload := tlv.Append(nil, tlv.TLV{Type: tlv.TypeUDPEncapsulation, Extended: true, Value: udpEncap(&u)})
		payload = tlv.Append(payload, tlv.TLV{Type: tlv.TypeIPv6Address, Value: src.AsSlice()})
		mid := s.nextMID()
		s.write(coapBytes(message.NonConfirmable, codes.POST, mid, binary.BigEndian.AppendUint16(nil, mid), "c/ur", payload))
		s.b.opts.Observe("proxy-rx")
	}
}

func udpEncap(u *tlv.UDPEncapsulation) []byte {
	out := binary.BigEndian.AppendUint16(nil, u.SourcePort)
	out = binary.BigEndian.AppendUint16(out, u.DestinationPort)
	return append(out, u.Payload...)
}

// Advert is border router n's `_meshcop._udp` advert as OpenThread's
// border agent publishes it (border_agent_txt_data.cpp: rv, id, tv, sb, nn,
// xp, xa, at, pt, omr, vn, mn), for a Border Agent on port with state
// bitmap sb, at addrs.
func (m *Mesh) Advert(n *Node, port int, sb meshcop.StateBitmap, addrs []netip.Addr) meshcop.BorderRouterAdvert {
	br := n.BorderRouter
	if br == nil {
		br = &BorderRouter{}
	}
	ext := n.ExtAddr.Bytes()
	var xp [8]byte
	binary.BigEndian.PutUint64(xp[:], m.Network.ExtPanID)
	var omr [16]byte
	copy(omr[:8], br.OMRPrefix[:])
	omrPrefix := netip.PrefixFrom(netip.AddrFrom16(omr), 64)
	pid := m.Network.PartitionID
	return meshcop.BorderRouterAdvert{
		Instance:  br.Instance,
		Port:      port,
		Addresses: addrs,
		Record: meshcop.Record{
			RecordVersion: "1", AgentID: append(meshcop.HexBytes{}, br.AgentID[:]...), ThreadVersion: br.ThreadVersion, State: &sb,
			NetworkName: m.Network.Name, ExtPanID: xp[:], ExtAddr: ext[:],
			ActiveTimestamp: &meshcop.Timestamp{Seconds: 1}, PartitionID: &pid, OMRPrefix: &omrPrefix,
			VendorName: br.Vendor, ModelName: br.Model,
		},
	}
}

// roleOf is n's role in the state bitmap.
func (m *Mesh) roleOf(n *Node) meshcop.ThreadRole {
	switch {
	case n == m.Leader:
		return meshcop.RoleLeader
	case n.IsRouter():
		return meshcop.RoleRouter
	}
	return meshcop.RoleChild
}

// Advert is this Border Agent's `_meshcop._udp` advert as border router n
// (its port, its state bitmap with n's role), at addrs.
func (b *BorderAgent) Advert(n *Node, addrs []netip.Addr) meshcop.BorderRouterAdvert {
	return b.sim.mesh.Advert(n, int(b.addr.Port()), b.StateBitmap(b.sim.mesh.roleOf(n)), addrs)
}

// EphemeralAdvert is the `_meshcop-e._udp` advert (same instance, the
// ephemeral key's port, no TXT) while an ephemeral key is active.
func (b *BorderAgent) EphemeralAdvert(n *Node, addrs []netip.Addr) (meshcop.BorderRouterAdvert, bool) {
	a, ok := b.EphemeralKeyAddr()
	if !ok {
		return meshcop.BorderRouterAdvert{}, false
	}
	adv := b.Advert(n, addrs)
	return meshcop.BorderRouterAdvert{Type: meshcop.EphemeralServiceType, Instance: adv.Instance, Port: int(a.Port()), Addresses: addrs}, true
}
