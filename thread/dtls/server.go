package dtls

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/threadmap/threadmap/thread/ecjpake"
)

// Server-side bounds.
const (
	serverHandshakeTimeout = 90 * time.Second // OpenThread's own handshake gives up after 60 s
	maxSessions            = 64               // sessions per listener, handshaking or up
	sessionQueue           = 32               // datagrams waiting for one session
	acceptQueue            = 16
)

// Listener serves DTLS on a datagram socket: one session per remote address. Cookies (RFC 6347
// 4.2.1) are checked before any state is kept for an address.
type Listener struct {
	pc        net.PacketConn
	cfg       config
	cookieKey [32]byte

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc

	mu       sync.Mutex
	sessions map[string]*session
	accept   chan *Conn
	done     chan struct{}
	err      error // why serving stopped

	closeOnce sync.Once
	wg        sync.WaitGroup
}

type session struct {
	conn   *Conn
	tr     *sessionTransport
	random [randomLen]byte // the ClientHello's, to tell a repeat from a new handshake
}

// Listen serves DTLS on pc (one session per remote address); Accept returns finished handshakes.
// The Listener owns pc and closes it in Close. A bad Config makes every Accept fail.
func Listen(pc net.PacketConn, cfg *Config) *Listener {
	ctx, cancel := context.WithCancel(context.Background())
	l := &Listener{pc: pc, ctx: ctx, cancel: cancel, sessions: make(map[string]*session),
		accept: make(chan *Conn, acceptQueue), done: make(chan struct{})}
	rc, err := cfg.resolve()
	if err == nil {
		if rc.Rand == nil {
			rc.Rand = rand.Reader
		}
		l.cfg = rc
		_, err = io.ReadFull(rc.Rand, l.cookieKey[:])
	}
	if err != nil {
		l.err = err
		close(l.done)
		cancel()
		return l
	}
	l.wg.Add(1)
	go l.serve()
	return l
}

// Accept returns the next session whose handshake finished.
func (l *Listener) Accept(ctx context.Context) (*Conn, error) {
	select {
	case c := <-l.accept:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-l.done:
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.err != nil {
			return nil, l.err
		}
		return nil, net.ErrClosed
	}
}

// Addr is the listening address.
func (l *Listener) Addr() net.Addr { return l.pc.LocalAddr() }

// Close stops serving, closes the socket and every session.
func (l *Listener) Close() error {
	var err error
	l.closeOnce.Do(func() {
		l.cancel()
		err = l.pc.Close()
		l.mu.Lock()
		for _, s := range l.sessions {
			s.tr.close()
		}
		l.mu.Unlock()
		l.wg.Wait()
	})
	return err
}

func (l *Listener) serve() {
	defer l.wg.Done()
	buf := make([]byte, readBufferSize)
	for {
		n, addr, err := l.pc.ReadFrom(buf)
		if err != nil {
			l.mu.Lock()
			if l.ctx.Err() == nil {
				l.err = fmt.Errorf("dtls: listener: %w", err)
			}
			l.mu.Unlock()
			select {
			case <-l.done:
			default:
				close(l.done)
			}
			return
		}
		l.datagram(addr, append([]byte(nil), buf[:n]...))
	}
}

// datagram routes one datagram: to the address's session, or, for a ClientHello, through the
// cookie exchange to a new session.
func (l *Listener) datagram(addr net.Addr, d []byte) {
	key := addr.String()
	ch, msg, recSeq := firstClientHello(d)
	l.mu.Lock()
	s := l.sessions[key]
	if s != nil && (ch == nil || ch.random == s.random) {
		l.mu.Unlock()
		if s.conn.established.Load() && onlyHandshake(d) {
			// The client repeats its last flight: it lacks our Finished. Answer here, so a
			// session whose owner is not reading yet still completes, and keep the repeats out
			// of the session's queue, where they would crowd out application data.
			s.conn.peerRepeatedFlight()
			return
		}
		s.tr.deliver(d)
		return
	}
	l.mu.Unlock()
	if ch == nil {
		return // not for any session and not a ClientHello: drop
	}
	cookie := l.cookie(addr, ch)
	if !hmac.Equal(ch.cookie, cookie) {
		l.helloVerify(addr, msg.seq, recSeq, cookie)
		return
	}
	l.mu.Lock()
	if old := l.sessions[key]; old != nil {
		// The client started over (same address, new ClientHello): the old session is gone.
		l.cfg.logf("dtls: %v starts a new handshake; dropping its old session", addr)
		delete(l.sessions, key)
		old.tr.close()
	}
	if len(l.sessions) >= maxSessions || l.ctx.Err() != nil {
		l.mu.Unlock()
		l.cfg.logf("dtls: %d sessions already; ignoring %v", maxSessions, addr)
		return
	}
	tr := &sessionTransport{l: l, addr: addr, in: make(chan []byte, sessionQueue),
		done: make(chan struct{}), wake: make(chan struct{}, 1)}
	c := newConn(tr, l.cfg, false)
	s = &session{conn: c, tr: tr, random: ch.random}
	c.onClose = func() { l.remove(key, s) }
	l.sessions[key] = s
	l.wg.Add(1)
	l.mu.Unlock()
	go l.handshake(s, ch, msg)
}

func (l *Listener) remove(key string, s *session) {
	l.mu.Lock()
	if l.sessions[key] == s {
		delete(l.sessions, key)
	}
	l.mu.Unlock()
}

func (l *Listener) handshake(s *session, ch *clientHello, msg handshakeMsg) {
	defer l.wg.Done()
	ctx, cancel := context.WithTimeout(l.ctx, serverHandshakeTimeout)
	defer cancel()
	err := s.conn.serverHandshake(ctx, ch, msg)
	s.tr.setReadDeadline(time.Time{})
	if err != nil {
		l.cfg.logf("dtls: handshake with %v: %v", s.tr.addr, err)
		l.remove(s.tr.addr.String(), s)
		s.tr.close()
		return
	}
	select {
	case l.accept <- s.conn:
	case <-l.ctx.Done():
		s.tr.close()
	}
}

// cookie is HMAC-SHA-256 over the client's address and the ClientHello fields that a repeated
// ClientHello keeps (RFC 6347 4.2.1).
func (l *Listener) cookie(addr net.Addr, ch *clientHello) []byte {
	m := hmac.New(sha256.New, l.cookieKey[:])
	m.Write([]byte(addr.String()))
	m.Write([]byte{0})
	m.Write(ch.random[:])
	m.Write(ch.sessionID)
	return m.Sum(nil)
}

// helloVerify answers a ClientHello without a valid cookie, keeping no state. As RFC 6347
// 4.2.1 asks, the record carries the ClientHello record's sequence number.
func (l *Listener) helloVerify(addr net.Addr, msgSeq uint16, recSeq uint64, cookie []byte) {
	body := (&helloVerifyRequest{version: versionDTLS12, cookie: cookie}).marshal()
	pt := appendHandshakeHeader(nil, typeHelloVerifyRequest, len(body), msgSeq, 0, len(body))
	pt = append(pt, body...)
	rec := appendRecordHeader(nil, typeHandshake, 0, recSeq, len(pt))
	rec = append(rec, pt...)
	if _, err := l.pc.WriteTo(rec, addr); err != nil {
		l.cfg.logf("dtls: HelloVerifyRequest to %v: %v", addr, err)
	}
}

// onlyHandshake reports whether a datagram holds records and all are handshake or
// ChangeCipherSpec records: after the handshake, only a client repeating its last flight sends
// those.
func onlyHandshake(d []byte) bool {
	recs, err := parseRecords(d)
	if err != nil || len(recs) == 0 {
		return false
	}
	for _, r := range recs {
		if r.typ != typeHandshake && r.typ != typeChangeCipherSpec {
			return false
		}
	}
	return true
}

// firstClientHello finds a whole ClientHello in the first epoch-0 handshake record of a datagram.
// A fragmented ClientHello is not taken (mbedTLS takes none either).
func firstClientHello(d []byte) (*clientHello, handshakeMsg, uint64) {
	recs, _ := parseRecords(d)
	for _, r := range recs {
		if r.typ != typeHandshake || r.epoch != 0 {
			continue
		}
		frags, _ := parseFragments(r.payload)
		if len(frags) == 0 {
			return nil, handshakeMsg{}, 0
		}
		f := frags[0]
		if f.typ != typeClientHello || f.offset != 0 || len(f.body) != f.length {
			return nil, handshakeMsg{}, 0
		}
		ch, err := parseClientHello(f.body)
		if err != nil {
			return nil, handshakeMsg{}, 0
		}
		return ch, handshakeMsg{typ: f.typ, seq: f.seq, body: slices.Clone(f.body)}, r.seq
	}
	return nil, handshakeMsg{}, 0
}

// serverHandshake answers a ClientHello that passed the cookie check.
func (c *Conn) serverHandshake(ctx context.Context, ch *clientHello, first handshakeMsg) error {
	h := newHS(ctx, c)
	h.reasm.next = first.seq + 1
	h.sendSeq = first.seq // mbedTLS numbers its messages from the client's (RFC 6347 4.2.2)
	h.transcript = first.transcriptBytes()
	h.waiting = "nothing"

	if ch.version > versionDTLS12 { // DTLS versions count down: 0xfeff is 1.0
		return h.fail(AlertProtocolVersion, fmt.Errorf("ClientHello version 0x%04x is older than DTLS 1.2", ch.version))
	}
	if !slices.Contains(ch.cipherSuites, suiteECJPAKEAES128CCM8) {
		return h.fail(AlertHandshakeFailure, fmt.Errorf("client does not offer TLS_ECJPAKE_WITH_AES_128_CCM_8"))
	}
	if !slices.Contains(ch.compression, compressionNull) {
		return h.fail(AlertIllegalParameter, fmt.Errorf("client does not offer null compression"))
	}
	secureReneg := slices.Contains(ch.cipherSuites, suiteRenegotiationSCSV)
	var kkpp []byte
	pointFormats := false
	for _, e := range ch.extensions {
		var err error
		switch e.typ {
		case extECJPAKEKKPP:
			kkpp = e.data
		case extSupportedGroups:
			err = checkSupportedGroups(e.data)
		case extECPointFormats:
			pointFormats = true
			err = checkPointFormats(e.data)
		case extRenegotiationInfo:
			secureReneg = true
			err = checkRenegotiationInfo(e.data)
		}
		if err != nil {
			return h.fail(AlertHandshakeFailure, err)
		}
	}
	if kkpp == nil {
		return h.fail(AlertHandshakeFailure, fmt.Errorf("ClientHello: %w", errNoKKPP))
	}
	jp, err := ecjpake.New(ecjpake.Server, c.cfg.PSK, c.cfg.Rand)
	if err != nil {
		return h.fail(AlertInternalError, err)
	}
	if err := jp.ReadRoundOne(kkpp); err != nil {
		return h.fail(AlertIllegalParameter, fmt.Errorf("ClientHello ecjpake_kkpp: %w", err))
	}
	ourKKPP, err := jp.WriteRoundOne()
	if err != nil {
		return h.fail(AlertInternalError, err)
	}
	ske, err := jp.WriteRoundTwo()
	if err != nil {
		return h.fail(AlertInternalError, err)
	}
	sh := &serverHello{version: versionDTLS12, cipherSuite: suiteECJPAKEAES128CCM8, compression: compressionNull}
	if _, err := io.ReadFull(c.cfg.Rand, sh.random[:]); err != nil {
		return h.fail(AlertInternalError, err)
	}
	// Extensions in mbedTLS's order; extended_master_secret is not negotiated (see doc.go).
	if secureReneg {
		sh.extensions = append(sh.extensions, extension{extRenegotiationInfo, []byte{0}})
	}
	if pointFormats {
		sh.extensions = append(sh.extensions, extension{extECPointFormats, []byte{1, pointFormatUncompressed}})
	}
	sh.extensions = append(sh.extensions, extension{extECJPAKEKKPP, ourKKPP})
	if err := h.send(
		outMsg{msg: h.msg(typeServerHello, sh.marshal())},
		outMsg{msg: h.msg(typeServerKeyExchange, ske)},
		outMsg{msg: h.msg(typeServerHelloDone, nil)},
	); err != nil {
		return err
	}

	if err := h.roundTwo(jp, typeClientKeyExchange); err != nil {
		return err
	}
	pms, err := jp.PremasterSecret()
	if err != nil {
		return h.fail(AlertIllegalParameter, err)
	}
	ms, err := h.installKeys(pms, ch.random, sh.random)
	if err != nil {
		return err
	}
	h.expectFinished = true
	if err := h.peerFinished(ms); err != nil {
		return err
	}
	fin := h.msg(typeFinished, verifyData(ms, false, h.transcript))
	c.lastFlight = []outMsg{{ccs: true}, {msg: fin, epoch: 1}}
	c.established.Store(true)
	c.resendMu.Lock()
	c.lastResend = time.Now()
	c.resendMu.Unlock()
	if err := c.sendFlight(c.lastFlight); err != nil {
		return err
	}
	c.cfg.logf("dtls: handshake with %v done", c.RemoteAddr())
	return nil
}

// sessionTransport is one server session's view of the listener's socket.
type sessionTransport struct {
	l    *Listener
	addr net.Addr
	in   chan []byte

	mu       sync.Mutex
	deadline time.Time
	wake     chan struct{} // deadline changed

	done      chan struct{}
	closeOnce sync.Once
}

func (t *sessionTransport) deliver(d []byte) {
	select {
	case t.in <- d:
	default: // queue full: drop, as a socket buffer would
	}
}

func (t *sessionTransport) read(ctx context.Context) ([]byte, error) {
	for {
		t.mu.Lock()
		deadline := t.deadline
		t.mu.Unlock()
		var timeout <-chan time.Time
		var tm *time.Timer
		if !deadline.IsZero() {
			d := time.Until(deadline)
			if d <= 0 {
				return nil, errTimeout
			}
			tm = time.NewTimer(d)
			timeout = tm.C
		}
		var (
			d   []byte
			err error
			got bool
		)
		select {
		case d = <-t.in:
			got = true
		case <-timeout:
			err = errTimeout
		case <-ctx.Done():
			err = ctx.Err()
		case <-t.done:
			err = net.ErrClosed
		case <-t.wake: // the deadline moved: look again
		}
		if tm != nil {
			tm.Stop()
		}
		if got || err != nil {
			return d, err
		}
	}
}

func (t *sessionTransport) write(b []byte) error {
	select {
	case <-t.done:
		return net.ErrClosed
	default:
	}
	_, err := t.l.pc.WriteTo(b, t.addr)
	return err
}

func (t *sessionTransport) setReadDeadline(d time.Time) {
	t.mu.Lock()
	t.deadline = d
	t.mu.Unlock()
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

func (t *sessionTransport) close() error {
	t.closeOnce.Do(func() { close(t.done) })
	return nil
}

func (t *sessionTransport) localAddr() net.Addr  { return t.l.pc.LocalAddr() }
func (t *sessionTransport) remoteAddr() net.Addr { return t.addr }
