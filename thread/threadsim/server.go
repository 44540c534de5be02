package threadsim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/mux"
	coapNet "github.com/plgd-dev/go-coap/v3/net"
	"github.com/plgd-dev/go-coap/v3/options"
	"github.com/plgd-dev/go-coap/v3/options/config"
	"github.com/plgd-dev/go-coap/v3/pkg/runner/periodic"
	"github.com/plgd-dev/go-coap/v3/udp"
	udpClient "github.com/plgd-dev/go-coap/v3/udp/client"
	udpServer "github.com/plgd-dev/go-coap/v3/udp/server"
	"golang.org/x/sys/unix"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/topology"
)

// TMF URIs and port (Thread spec 10.11; OpenThread uri_paths).
const (
	TMFPort     = 61631
	URIDiagGet  = "d/dg"
	URIDiagQry  = "d/dq"
	URIDiagAns  = "d/da"
	URIDiagRst  = "d/dr"
	coapHeader  = 16 // CoAP header, token and URI-Path options, roughly
	answerLimit = 800
)

// Realm-local multicast groups a node joins.
var (
	AllNodes   = netip.MustParseAddr("ff03::1")
	AllRouters = netip.MustParseAddr("ff03::2")
)

// ServeOptions configure Start.
type ServeOptions struct {
	// Radio replaces the mesh's own Radio when not nil.
	Radio *Radio
	// Host is the loopback address every node listens on (one port per
	// node); default 127.0.0.1. Ignored with Interface.
	Host string
	// BasePort, when not 0, gives node i (routers then children, in RLOC16
	// order) port BasePort+i; otherwise each port is picked by the kernel.
	BasePort int
	// Interface switches to real addresses (for network namespaces): every
	// node listens on its RLOC address (mesh-local prefix +
	// 0:ff:fe00:RLOC16) port 61631, the leader also on the leader ALOC;
	// every rx-on node joins ff03::1 and every full Thread device (routers
	// and REEDs) ff03::2 on this interface. The addresses must already be
	// on it (AddrsToAssign; netnstest does all of this).
	Interface string
	// Attach is the router the asker reaches the mesh through (hop counts
	// start there); default the leader.
	Attach topology.Rloc16
	// AckTimeout is the CoAP ACK timeout of the nodes' own confirmable
	// posts (DIAG_GET.ans); default 2 s as OpenThread.
	AckTimeout time.Duration
	// MaxResponse, when not 0, makes every node fail (no response, as an
	// OpenThread node out of message buffers) on a DIAG_GET.req whose
	// answer would exceed this many bytes.
	MaxResponse int
	// Errors receives CoAP and socket errors; nil drops them.
	Errors func(error)
}

// Sim is a running simulated mesh: one TMF server per node.
type Sim struct {
	mesh   *Mesh
	air    *air
	attach *Node
	opts   ServeOptions
	nodes  map[topology.Rloc16]*simNode
	order  []*simNode
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	qmu    sync.Mutex
	// resets counts the DIAG_RST requests each node handled.
	resets map[topology.Rloc16]int
	// silent nodes drop everything (switched off, out of range);
	// dropped counts the messages each dropped so.
	silent  map[topology.Rloc16]bool
	dropped map[topology.Rloc16]int
}

// simNode is one node's TMF endpoint: its unicast server (RLOC address or
// loopback port) and any extra sockets (ALOC, multicast groups).
type simNode struct {
	sim     *Sim
	node    *Node
	primary *udpServer.Server
	addr    netip.AddrPort
	extra   []*udpServer.Server
	socks   []*coapNet.UDPConn
}

// Start serves TMF for every node of the mesh until ctx ends or Close.
func (m *Mesh) Start(ctx context.Context, opts ServeOptions) (*Sim, error) {
	radio := m.Radio
	if opts.Radio != nil {
		radio = *opts.Radio
	}
	if radio.Loss < 0 || radio.Loss >= 1 {
		return nil, fmt.Errorf("threadsim: loss %v: want 0 ≤ loss < 1", radio.Loss)
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	attach := m.Leader
	if opts.Attach != 0 {
		attach = m.Node(opts.Attach)
		if attach == nil || !attach.IsRouter() {
			return nil, fmt.Errorf("threadsim: attach point %s is not a router of the mesh", opts.Attach)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	s := &Sim{mesh: m, air: newAir(radio), attach: attach, opts: opts, nodes: map[topology.Rloc16]*simNode{},
		ctx: cctx, cancel: cancel, resets: map[topology.Rloc16]int{}, silent: map[topology.Rloc16]bool{},
		dropped: map[topology.Rloc16]int{}}
	if s.opts.AckTimeout <= 0 {
		s.opts.AckTimeout = 2 * time.Second
	}
	var ifi *net.Interface
	if opts.Interface != "" {
		var err error
		ifi, err = net.InterfaceByName(opts.Interface)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("threadsim: interface %s: %w", opts.Interface, err)
		}
	}
	for i, n := range m.Nodes() {
		sn := &simNode{sim: s, node: n}
		var err error
		if ifi == nil {
			port := 0
			if opts.BasePort != 0 {
				port = opts.BasePort + i
			}
			err = sn.listen(net.JoinHostPort(opts.Host, fmt.Sprint(port)), true)
		} else {
			err = sn.listenNetns(ifi)
		}
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("threadsim: node %s: %w", n.Rloc16, err)
		}
		s.nodes[n.Rloc16] = sn
		s.order = append(s.order, sn)
	}
	go func() {
		<-cctx.Done()
		s.stopAll()
	}()
	return s, nil
}

// AddrsToAssign lists the addresses a netns test puts on the simulated
// mesh's interface before Start with Interface: every node's RLOC address
// and the leader ALOC, all in the mesh-local /64.
func (m *Mesh) AddrsToAssign() []netip.Addr {
	var out []netip.Addr
	for _, n := range m.Nodes() {
		out = append(out, m.RlocAddr(n.Rloc16))
	}
	return append(out, m.RlocAddr(topology.LeaderAloc16))
}

func (sn *simNode) newServer() *udpServer.Server {
	s := sn.sim
	r := mux.NewRouter()
	_ = r.Handle("/"+URIDiagGet, mux.HandlerFunc(sn.handleGet))
	_ = r.Handle("/"+URIDiagQry, mux.HandlerFunc(sn.handleQuery))
	_ = r.Handle("/"+URIDiagRst, mux.HandlerFunc(sn.handleReset))
	errs := s.opts.Errors
	if errs == nil {
		errs = func(error) {}
	}
	return udp.NewServer(
		options.WithMux(r),
		options.WithContext(s.ctx),
		options.WithErrors(errs),
		options.WithBlockwise(false, 0, 0),
		// Each request in its own goroutine: a node sleeping out a hop
		// latency must not hold up its other work.
		options.WithProcessReceivedMessageFunc(config.ProcessReceivedMessageFunc[*udpClient.Conn](
			func(req *pool.Message, cc *udpClient.Conn, h config.HandlerFunc[*udpClient.Conn]) {
				go cc.ProcessReceivedMessageWithHandler(req, h)
			})),
		// Loss: a message reaching the node (request, or the ack of an
		// answer it posted) is dropped with probability Radio.Loss.
		options.WithRequestMonitor(udpClient.RequestMonitorFunc(func(*udpClient.Conn, *pool.Message) (bool, error) {
			return s.dropSilent(sn.node.Rloc16) || s.air.lose(), nil
		})),
		options.WithTransmission(1, s.opts.AckTimeout, 6),
		// Retransmissions are driven by this tick (go-coap's default is
		// 4 s, far beyond a 2 s ACK timeout).
		options.WithPeriodicRunner(periodic.New(s.ctx.Done(), tick(s.opts.AckTimeout))),
	)
}

func (sn *simNode) serve(srv *udpServer.Server, l *coapNet.UDPConn) {
	// Closing the socket too ends Serve even when Stop came before Serve
	// registered it.
	sn.socks = append(sn.socks, l)
	sn.sim.wg.Add(1)
	go func() {
		defer sn.sim.wg.Done()
		_ = srv.Serve(l)
	}()
}

func (sn *simNode) listen(addr string, primary bool) error {
	l, err := coapNet.NewListenUDP("udp", addr)
	if err != nil {
		return err
	}
	srv := sn.newServer()
	if primary {
		sn.primary = srv
		sn.addr = l.LocalAddr().(*net.UDPAddr).AddrPort()
	} else {
		sn.extra = append(sn.extra, srv)
	}
	sn.serve(srv, l)
	return nil
}

// listenNetns binds the node's RLOC address (and ALOC, and the realm-local
// groups) on ifi.
func (sn *simNode) listenNetns(ifi *net.Interface) error {
	m := sn.sim.mesh
	rloc := netip.AddrPortFrom(m.RlocAddr(sn.node.Rloc16), TMFPort)
	if err := sn.listen(rloc.String(), true); err != nil {
		return err
	}
	if sn.node == m.Leader {
		if err := sn.listen(netip.AddrPortFrom(m.RlocAddr(topology.LeaderAloc16), TMFPort).String(), false); err != nil {
			return err
		}
	}
	var groups []netip.Addr
	if sn.node.IsRouter() || sn.node.Mode.RxOnWhenIdle {
		groups = append(groups, AllNodes)
	}
	if sn.node.Mode.FullThreadDevice {
		// Every FTD, REED children too (a real FED answered ff03::2 in
		// the OpenThread capture).
		groups = append(groups, AllRouters)
	}
	for _, g := range groups {
		c, err := listenGroup(g, TMFPort)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", g, err)
		}
		uc := coapNet.NewUDPConn("udp6", c)
		if err := uc.JoinGroup(ifi, &net.UDPAddr{IP: g.AsSlice()}); err != nil {
			c.Close()
			return fmt.Errorf("join %s on %s: %w", g, ifi.Name, err)
		}
		srv := sn.newServer()
		sn.extra = append(sn.extra, srv)
		sn.serve(srv, uc)
	}
	return nil
}

// listenGroup opens a UDP socket bound to the group address itself (not
// the wildcard, which is what net.ListenMulticastUDP binds: that would
// clash with the nodes' RLOC sockets on the same port and receive every
// group), with SO_REUSEADDR so every member node gets its own copy.
func listenGroup(g netip.Addr, port int) (*net.UDPConn, error) {
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.IPPROTO_UDP)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	f := os.NewFile(uintptr(fd), "tmf-"+g.String())
	defer f.Close()
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return nil, fmt.Errorf("SO_REUSEADDR: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet6{Port: port, Addr: g.As16()}); err != nil {
		return nil, fmt.Errorf("bind [%s]:%d: %w", g, port, err)
	}
	pc, err := net.FilePacketConn(f)
	if err != nil {
		return nil, err
	}
	return pc.(*net.UDPConn), nil
}

// Addr is the UDP address node r listens on (its loopback port, or its RLOC
// address in a namespace). The leader ALOC (0xfc00) resolves to the leader.
func (s *Sim) Addr(r topology.Rloc16) (netip.AddrPort, error) {
	if r == topology.LeaderAloc16 {
		r = s.mesh.Leader.Rloc16
	}
	sn := s.nodes[r]
	if sn == nil {
		return netip.AddrPort{}, fmt.Errorf("threadsim: no node %s", r)
	}
	return sn.addr, nil
}

// Resolve maps an RLOC16 or the leader ALOC to the node's UDP address (the
// resolver seam of the TMF client, for the loopback simulation).
func (s *Sim) Resolve(r topology.Rloc16) (netip.AddrPort, error) { return s.Addr(r) }

// Group lists the members of a realm-local group as unicast addresses: on
// loopback, multicast is one copy per member. ff03::2 is every full
// Thread device (routers and REEDs), ff03::1 every rx-on node.
func (s *Sim) Group(g netip.Addr) ([]netip.AddrPort, error) {
	var out []netip.AddrPort
	switch g {
	case AllRouters:
		for _, sn := range s.order {
			if sn.node.Mode.FullThreadDevice {
				out = append(out, sn.addr)
			}
		}
	case AllNodes:
		for _, sn := range s.order {
			if sn.node.IsRouter() || sn.node.Mode.RxOnWhenIdle {
				out = append(out, sn.addr)
			}
		}
	default:
		return nil, fmt.Errorf("threadsim: %s is not a realm-local group the mesh joins", g)
	}
	return out, nil
}

// Mesh is the simulated mesh.
func (s *Sim) Mesh() *Mesh { return s.mesh }

// Stats is what crossed the simulated radio so far.
func (s *Sim) Stats() Stats { return s.air.snapshot() }

// ResetStats zeroes the counters (between benchmark runs).
func (s *Sim) ResetStats() { s.air.reset() }

// Resets is how many DIAG_RST requests node r has handled.
func (s *Sim) Resets(r topology.Rloc16) int {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	return s.resets[r]
}

// tick is how often CoAP retransmissions are checked: a fifth of the ACK
// timeout, within 5–250 ms.
func tick(ack time.Duration) time.Duration {
	return min(max(ack/5, 5*time.Millisecond), 250*time.Millisecond)
}

// Silence switches node r off (true: it drops every message) or on again.
func (s *Sim) Silence(r topology.Rloc16, off bool) {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	s.silent[r] = off
}

// dropSilent reports whether node r is silent, counting the message it
// drops when it is.
func (s *Sim) dropSilent(r topology.Rloc16) bool {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	if s.silent[r] {
		s.dropped[r]++
	}
	return s.silent[r]
}

// Dropped is how many messages (requests and their retransmissions) node r
// dropped while silenced.
func (s *Sim) Dropped(r topology.Rloc16) int {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	return s.dropped[r]
}

// Hops is the hop count from the asker's attach point to node r.
func (s *Sim) Hops(r topology.Rloc16) int {
	n := s.mesh.Node(r)
	if n == nil {
		return 0
	}
	return s.hops(n)
}

func (s *Sim) hops(n *Node) int {
	// The asker is one hop from its attach router.
	return s.mesh.Hops(s.attach, n) + 1
}

// Close stops every server and waits for them.
func (s *Sim) Close() error {
	s.cancel()
	s.stopAll()
	s.wg.Wait()
	return nil
}

func (s *Sim) stopAll() {
	for _, sn := range s.order {
		if sn.primary != nil {
			sn.primary.Stop()
		}
		for _, e := range sn.extra {
			e.Stop()
		}
		for _, l := range sn.socks {
			_ = l.Close()
		}
	}
}

// readTypes reads a request's Type List TLV.
func readTypes(r *mux.Message) ([]diag.Type, []byte, error) {
	var body []byte
	if r.Body() != nil {
		b, err := io.ReadAll(r.Body())
		if err != nil {
			return nil, nil, err
		}
		body = b
	}
	m, err := diag.Decode(body)
	if err != nil {
		return nil, body, err
	}
	if m.TypeList == nil {
		return nil, body, errors.New("no Type List TLV")
	}
	return m.TypeList, body, nil
}

// arrive waits for a message of n bytes to cross from the asker to the node
// (or back): hops × latency plus airtime on the shared channel; a sleepy
// node adds the wait for its next poll. It reports false when stopped.
func (sn *simNode) arrive(n int, inbound bool) bool {
	s := sn.sim
	t := s.air.transit(n, s.hops(sn.node))
	if inbound && sn.node.IsSleepy() {
		poll := sn.node.PollPeriod
		if s.air.radio.SleepyPoll > 0 {
			poll = s.air.radio.SleepyPoll
		}
		t = t.Add(time.Duration(s.air.phase() * float64(poll)))
	}
	return sleepUntil(s.ctx.Done(), t)
}

func setEmpty(w mux.ResponseWriter, code codes.Code) {
	w.Message().SetCode(code)
	w.Message().SetBody(nil)
}

// handleGet answers DIAG_GET.req: the requested TLVs in the 2.04 response.
func (sn *simNode) handleGet(w mux.ResponseWriter, r *mux.Message) {
	sn.sim.air.count(URIDiagGet)
	types, body, err := readTypes(r)
	if !sn.arrive(len(body)+coapHeader, true) {
		return
	}
	if err != nil {
		setEmpty(w, codes.BadRequest)
		return
	}
	msg := sn.sim.mesh.answer(sn.node, types)
	if msg.MacCounters != nil && sn.sim.Resets(sn.node.Rloc16) > 0 {
		msg.MacCounters = &diag.MacCounters{} // DIAG_RST cleared them
	}
	payload := msg.Encode()
	if max := sn.sim.opts.MaxResponse; max > 0 && len(payload) > max {
		return // out of buffers: no answer (go-coap sends the bare ACK)
	}
	if !sn.arrive(len(payload)+coapHeader, false) {
		return
	}
	w.Message().SetCode(codes.Changed)
	w.Message().SetBody(bytes.NewReader(payload))
}

// handleReset answers DIAG_RST: it clears the node's MAC counters (later
// answers report them as zero) and acknowledges with 2.04.
func (sn *simNode) handleReset(w mux.ResponseWriter, r *mux.Message) {
	sn.sim.air.count(URIDiagRst)
	_, body, err := readTypes(r)
	if !sn.arrive(len(body)+coapHeader, true) {
		return
	}
	if err != nil {
		setEmpty(w, codes.BadRequest)
		return
	}
	sn.sim.qmu.Lock()
	sn.sim.resets[sn.node.Rloc16]++
	sn.sim.qmu.Unlock()
	if !sn.arrive(coapHeader, false) {
		return
	}
	setEmpty(w, codes.Changed)
}

// handleQuery answers DIAG_GET.qry: a confirmable query is acknowledged
// (empty 2.04 piggybacked, as OpenThread's empty ack), then the answers go
// to the asker as confirmable DIAG_GET.ans posts, split at ~800 bytes with
// Query ID and Answer TLVs.
func (sn *simNode) handleQuery(w mux.ResponseWriter, r *mux.Message) {
	sn.sim.air.count(URIDiagQry)
	body := []byte{}
	if r.Body() != nil {
		body, _ = io.ReadAll(r.Body())
	}
	req, err := diag.Decode(body)
	confirmable := r.Type() == message.Confirmable
	asker := w.Conn().RemoteAddr()
	if !sn.arrive(len(body)+coapHeader, true) {
		return
	}
	if err != nil || req.TypeList == nil {
		if confirmable {
			setEmpty(w, codes.BadRequest)
		}
		return
	}
	if confirmable {
		setEmpty(w, codes.Changed)
	}
	ua, ok := asker.(*net.UDPAddr)
	if !ok {
		return
	}
	var qid *uint16
	if req.QueryID != nil {
		qid = topology.Ptr(*req.QueryID)
	}
	answers := sn.sim.mesh.queryAnswers(sn.node, req.TypeList, qid)
	sn.sim.wg.Add(1)
	go func() {
		defer sn.sim.wg.Done()
		sn.postAnswers(ua, answers)
	}()
}

// postAnswers sends each answer as a confirmable POST d/da to the asker,
// from the node's own (primary) socket.
func (sn *simNode) postAnswers(to *net.UDPAddr, answers [][]byte) {
	s := sn.sim
	for _, a := range answers {
		if !sn.arrive(len(a)+coapHeader, false) {
			return
		}
		s.air.count(URIDiagAns)
		cc, err := sn.primary.NewConn(to)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
		req, err := cc.NewPostRequest(ctx, "/"+URIDiagAns, message.AppOctets, nil)
		if err != nil {
			cancel()
			return
		}
		req.SetBody(bytes.NewReader(a))
		resp, err := cc.Do(req)
		cc.ReleaseMessage(req)
		if resp != nil {
			cc.ReleaseMessage(resp)
		}
		cancel()
		if err != nil {
			return // the asker is gone; a real node gives up the same way
		}
	}
}
