package commissioner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/threadmap/threadmap/thread/dtls"
	"github.com/threadmap/threadmap/thread/meshcop/tlv"
)

// MeshCoP URIs of the commissioner's conversation with a Border Agent
// (Thread 8.10.x; OpenThread src/core/thread/uri_paths.cpp).
const (
	URIPetition      = "c/cp" // COMM_PET.req
	URIKeepAlive     = "c/ca" // COMM_KA.req
	URIActiveGet     = "c/ag" // MGMT_ACTIVE_GET.req
	URIProxyTx       = "c/ut" // UDP_TX.ntf
	URIProxyRx       = "c/ur" // UDP_RX.ntf
	URIDatasetChange = "c/dc" // MGMT_DATASET_CHANGED.ntf
	URIRelayRx       = "c/rx" // RLY_RX.ntf (joiners; not used)
)

// Defaults (OpenThread's numbers).
const (
	// DefaultCommissionerID is what the petition names us.
	DefaultCommissionerID = "threadmap"
	// LeaderTimeout is TIMEOUT_COMM_PET: the leader and the Border Agent
	// drop a commissioner 50 s after its last keep-alive (OpenThread
	// meshcop_leader.hpp kTimeoutLeaderPetition, border_agent.hpp
	// kKeepAliveTimeout).
	LeaderTimeout = 50 * time.Second
	// DefaultKeepAlive is half of it, as OpenThread's own commissioner
	// sends them (commissioner.cpp: kKeepAliveTimeout / 2).
	DefaultKeepAlive = LeaderTimeout / 2
	// DefaultAckTimeout and DefaultMaxRetransmit are RFC 7252's
	// ACK_TIMEOUT and MAX_RETRANSMIT, as OpenThread's CoAP uses them.
	DefaultAckTimeout    = 2 * time.Second
	DefaultMaxRetransmit = 4
	// DefaultHandshakeTimeout bounds the DTLS handshake.
	DefaultHandshakeTimeout = 30 * time.Second
)

// Conn is the secure datagram session a Session speaks over: one CoAP
// message per Read and Write (a *dtls.Conn).
type Conn interface {
	Read(p []byte) (int, error)
	Write(p []byte) (int, error)
	Close() error
}

// Config configures a Session. Zero values pick the defaults named.
type Config struct {
	// CommissionerID names us in the petition (at most 64 bytes; default
	// "threadmap"). The leader accepts a petition with the active
	// commissioner's own ID (it replaces that session), so two tools that
	// must not displace each other need different IDs.
	CommissionerID string
	// KeepAlive is the keep-alive interval (default 25 s; keep it well
	// under LeaderTimeout).
	KeepAlive time.Duration
	// AckTimeout and MaxRetransmit govern every confirmable request to the
	// Border Agent (defaults 2 s and 4).
	AckTimeout    time.Duration
	MaxRetransmit int
	// HandshakeTimeout bounds the DTLS handshake (default 30 s: DTLS
	// retransmits its flights at 1, 2, 4, 8 and 16 s, so a Border Agent that
	// never answers is told apart from a slow one).
	HandshakeTimeout time.Duration
	// Proxy configures the UDP proxy transport (see ProxyConfig).
	Proxy ProxyConfig
	// Logf receives debug lines; nil drops them. Keys never reach it.
	Logf func(format string, args ...any)
}

func (c *Config) fill() error {
	if c.CommissionerID == "" {
		c.CommissionerID = DefaultCommissionerID
	}
	if len(c.CommissionerID) > tlv.MaxCommissionerID {
		return fmt.Errorf("commissioner: commissioner ID is %d bytes, at most %d", len(c.CommissionerID), tlv.MaxCommissionerID)
	}
	if c.KeepAlive <= 0 {
		c.KeepAlive = DefaultKeepAlive
	}
	if c.AckTimeout <= 0 {
		c.AckTimeout = DefaultAckTimeout
	}
	if c.MaxRetransmit <= 0 {
		c.MaxRetransmit = DefaultMaxRetransmit
	}
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	c.Proxy.fill()
	return nil
}

// Session is a commissioner session with a Border Agent: the CoAP
// conversation over an established DTLS session. Petition makes it the
// network's active commissioner (and keeps it so with keep-alives); Proxy
// then carries TMF into the mesh. Close resigns and ends the DTLS session.
type Session struct {
	conn Conn
	cfg  Config
	ep   *endpoint
	// Handshake is how long the DTLS handshake took (Dial sets it).
	Handshake time.Duration
	// Remote is the Border Agent's address (Dial sets it).
	Remote string

	mu        sync.Mutex
	sessionID uint16
	active    bool
	proxy     *Proxy
	prefix    *[8]byte // the mesh-local prefix MGMT_ACTIVE_GET last gave
	kaStop    context.CancelFunc

	done    chan struct{}
	ctx     context.Context // done when the session ends
	cancel  context.CancelFunc
	endOnce sync.Once
	err     error
	closing chan struct{}
	wg      sync.WaitGroup
}

// HandshakeError is a DTLS handshake that failed.
type HandshakeError struct {
	Addr string
	Kind CredentialKind
	Err  error
}

func (e *HandshakeError) Error() string {
	hint := ""
	var ae *dtls.AlertError
	switch {
	case errors.As(e.Err, &ae):
	case errors.Is(e.Err, context.DeadlineExceeded):
		hint = " (no answer: is this the Border Agent's port — `ot-ctl ba port`, or `ba ephemeralkey port` for an ephemeral key?)"
	case errors.Is(e.Err, syscall.ECONNREFUSED):
		hint = " (nothing listens there: the Border Agent's port changes when otbr-agent restarts; run threadmap discover)"
	}
	return fmt.Sprintf("commissioner: DTLS handshake with border agent %s (%s): %v%s", e.Addr, e.Kind, e.Err, hint)
}

func (e *HandshakeError) Unwrap() error { return e.Err }

// Dial opens a DTLS session (EC-JPAKE keyed by cred) to the Border Agent at
// addr ("host:port") and returns the Session, not yet petitioned. ctx bounds
// the handshake.
func Dial(ctx context.Context, addr string, cred Credential, cfg Config) (*Session, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "udp", addr)
	if err != nil {
		return nil, &HandshakeError{Addr: addr, Kind: cred.Kind(), Err: err}
	}
	s, err := DialConn(ctx, nc, cred, cfg)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return s, nil
}

// DialConn is Dial over a UDP socket already connected to the Border Agent
// (one made in another network namespace, say). On success the Session
// owns nc; on failure the caller closes it.
func DialConn(ctx context.Context, nc net.Conn, cred Credential, cfg Config) (*Session, error) {
	addr := nc.RemoteAddr().String()
	if cred.IsZero() {
		return nil, errors.New("commissioner: no credential (PSKc, passphrase or ephemeral key)")
	}
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	start := time.Now()
	hctx, cancel := context.WithTimeout(ctx, cfg.HandshakeTimeout)
	defer cancel()
	dc, err := dtls.Client(hctx, nc, &dtls.Config{PSK: cred.password(), Logf: cfg.Logf})
	if err != nil {
		return nil, &HandshakeError{Addr: addr, Kind: cred.Kind(), Err: err}
	}
	s, err := Open(dc, cfg)
	if err != nil {
		dc.Close()
		return nil, err
	}
	s.Handshake = time.Since(start)
	s.Remote = addr
	cfg.Logf("commissioner: DTLS session with %s up in %v", addr, s.Handshake.Round(time.Millisecond))
	return s, nil
}

// Connect is Dial then Petition: a session that is the active commissioner.
func Connect(ctx context.Context, addr string, cred Credential, cfg Config) (*Session, error) {
	s, err := Dial(ctx, addr, cred, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := s.Petition(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Open runs the commissioner's CoAP over an established secure session
// (Dial does this; a Border Agent simulator's tests may too). The Session
// owns conn and closes it in Close.
func Open(conn Conn, cfg Config) (*Session, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	s := &Session{conn: conn, cfg: cfg, done: make(chan struct{}), closing: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.ep = newEndpoint("border agent", cfg.AckTimeout, cfg.MaxRetransmit, cfg.Logf)
	s.ep.send = func(_ netip.AddrPort, b []byte) error {
		_, err := s.conn.Write(b)
		return err
	}
	s.ep.handle = s.handle
	s.wg.Add(1)
	go s.read()
	return s, nil
}

// read hands every datagram of the session to the CoAP endpoint until the
// session ends.
func (s *Session) read() {
	defer s.wg.Done()
	buf := make([]byte, 1<<16)
	for {
		n, err := s.conn.Read(buf)
		if err != nil {
			select {
			case <-s.closing:
				s.end(ErrClosed)
			default:
				s.end(sessionEnded(err))
			}
			return
		}
		s.ep.receive(netip.AddrPort{}, buf[:n])
	}
}

// ErrClosed is the reason of a session we closed ourselves.
var ErrClosed = errors.New("commissioner: session closed")

// SessionError says why a session ended on the Border Agent's side.
type SessionError struct {
	Reason string
	Err    error
}

func (e *SessionError) Error() string {
	if e.Err == nil {
		return e.Reason
	}
	return fmt.Sprintf("%s: %v", e.Reason, e.Err)
}

func (e *SessionError) Unwrap() error { return e.Err }

func sessionEnded(err error) error {
	var ae *dtls.AlertError
	switch {
	case errors.Is(err, io.EOF):
		return &SessionError{Reason: "the border agent closed the session (close_notify)"}
	case errors.As(err, &ae):
		return &SessionError{Reason: "the border agent ended the session", Err: err}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &SessionError{Reason: "the border agent is gone (its port is closed: otbr-agent stopped or restarted)", Err: err}
	}
	return &SessionError{Reason: "the session with the border agent failed", Err: err}
}

// end records why the session ended (the first reason wins), fails every
// waiting request and stops the keep-alives.
func (s *Session) end(err error) {
	s.endOnce.Do(func() {
		s.mu.Lock()
		s.err = err
		s.active = false
		if s.kaStop != nil {
			s.kaStop()
		}
		p := s.proxy
		s.mu.Unlock()
		close(s.done)
		s.cancel()
		s.ep.close(err)
		if p != nil {
			p.ep.close(err)
		}
		if !errors.Is(err, ErrClosed) {
			s.cfg.Logf("commissioner: session ended: %v", err)
		}
	})
}

// Done is closed when the session has ended; Err then says why.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err is why the session ended (nil while it lives; ErrClosed after Close).
func (s *Session) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// SessionID is the Commissioner Session ID the leader gave (0 before
// Petition).
func (s *Session) SessionID() uint16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessionID
}

// handle answers the Border Agent's requests to us.
func (s *Session) handle(_ netip.AddrPort, req *message.Message) *message.Message {
	path, _ := req.Options.Path()
	switch path {
	case "/" + URIProxyRx:
		s.mu.Lock()
		p := s.proxy
		s.mu.Unlock()
		if p != nil {
			p.receive(req.Payload)
		}
		return nil
	case "/" + URIDatasetChange:
		return &message.Message{Code: codes.Changed}
	case "/" + URIRelayRx:
		return nil // joiner traffic: this commissioner admits no joiners
	}
	if req.Type == message.Confirmable {
		return &message.Message{Code: codes.NotFound}
	}
	return nil
}

// call sends a confirmable POST to the Border Agent and decodes the
// response's TLVs; a response code other than 2.04 Changed is an error.
func (s *Session) call(ctx context.Context, path string, req *tlv.Message) (*tlv.Message, error) {
	resp, err := s.ep.request(ctx, netip.AddrPort{}, true, path, req.Encode())
	if err != nil {
		return nil, err
	}
	if resp.Code != codes.Changed {
		return nil, &RequestError{Via: s.ep.name, Path: path, Code: resp.Code}
	}
	m, err := tlv.Decode(resp.Payload)
	if err != nil {
		return nil, fmt.Errorf("commissioner: %s response: %w", path, err)
	}
	return m, nil
}

// PetitionRejectedError is a petition the leader refused.
type PetitionRejectedError struct {
	// Active is the commissioner ID of the active commissioner the leader
	// named ("" when it named none).
	Active string
}

func (e *PetitionRejectedError) Error() string {
	if e.Active == "" {
		return "commissioner: petition rejected by the leader (no active commissioner named)"
	}
	return fmt.Sprintf("commissioner: petition rejected: another commissioner (%q) is active; it must resign first, or the leader drops it %v after its last keep-alive", e.Active, LeaderTimeout)
}

// Petition sends COMM_PET.req (c/cp, with our Commissioner ID), which the
// Border Agent forwards to the leader. Accepted, the session is the
// network's active commissioner: it gets a Commissioner Session ID, and
// keep-alives (c/ca) go out every Config.KeepAlive until Close. Rejected,
// the error is a *PetitionRejectedError naming the active commissioner.
func (s *Session) Petition(ctx context.Context) (uint16, error) {
	id := s.cfg.CommissionerID
	m, err := s.call(ctx, URIPetition, &tlv.Message{CommissionerID: &id})
	if err != nil {
		return 0, fmt.Errorf("commissioner: petition: %w", err)
	}
	if m.State == nil {
		return 0, errors.New("commissioner: petition response carries no State TLV")
	}
	if *m.State != tlv.StateAccept {
		active := ""
		if m.CommissionerID != nil {
			active = *m.CommissionerID
		}
		return 0, &PetitionRejectedError{Active: active}
	}
	if m.CommissionerSessionID == nil {
		return 0, errors.New("commissioner: petition accepted without a Commissioner Session ID TLV")
	}
	kctx, stop := context.WithCancel(context.Background())
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		stop()
		return 0, s.err
	}
	s.sessionID = *m.CommissionerSessionID
	s.active = true
	s.kaStop = stop
	s.mu.Unlock()
	s.cfg.Logf("commissioner: petition accepted, session ID %d", s.sessionID)
	s.wg.Add(1)
	go s.keepAlive(kctx)
	return s.sessionID, nil
}

// keepAlive sends COMM_KA.req every Config.KeepAlive while the session is
// the active commissioner. A rejection, or a keep-alive the Border Agent
// never answers, ends the session.
func (s *Session) keepAlive(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.KeepAlive)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rctx, cancel := context.WithTimeout(ctx, s.cfg.KeepAlive)
		st, err := s.sendKeepAlive(rctx, tlv.StateAccept)
		cancel()
		if ctx.Err() != nil {
			return
		}
		switch {
		case err != nil:
			s.end(&SessionError{Reason: "keep-alive failed", Err: err})
			return
		case st != tlv.StateAccept:
			s.end(&SessionError{Reason: "keep-alive rejected: the leader no longer takes this session as the active commissioner"})
			return
		}
	}
}

func (s *Session) sendKeepAlive(ctx context.Context, st tlv.State) (tlv.State, error) {
	sid := s.SessionID()
	m, err := s.call(ctx, URIKeepAlive, &tlv.Message{State: &st, CommissionerSessionID: &sid})
	if err != nil {
		return 0, err
	}
	if m.State == nil {
		return 0, errors.New("keep-alive response carries no State TLV")
	}
	return *m.State, nil
}

// KeepAliveNow sends one keep-alive at once and reports the leader's answer
// (the loop keeps its own schedule).
func (s *Session) KeepAliveNow(ctx context.Context) error {
	st, err := s.sendKeepAlive(ctx, tlv.StateAccept)
	if err != nil {
		return err
	}
	if st != tlv.StateAccept {
		return fmt.Errorf("commissioner: keep-alive answered %v", st)
	}
	return nil
}

// PublicDatasetTypes are the active-dataset TLVs ActiveDataset asks for by
// default: the network's identity, never its keys.
var PublicDatasetTypes = []tlv.Type{tlv.TypeChannel, tlv.TypePanID, tlv.TypeExtPanID, tlv.TypeNetworkName,
	tlv.TypeMeshLocalPrefix, tlv.TypeActiveTimestamp}

// ActiveDataset sends MGMT_ACTIVE_GET.req (c/ag) with a Get TLV naming
// types (default PublicDatasetTypes), which the Border Agent answers from
// its own copy of the active dataset. Secrets in the answer are dropped by
// the decoder.
func (s *Session) ActiveDataset(ctx context.Context, types ...tlv.Type) (*tlv.Message, error) {
	if len(types) == 0 {
		types = PublicDatasetTypes
	}
	m, err := s.call(ctx, URIActiveGet, &tlv.Message{Get: types})
	if err != nil {
		return nil, fmt.Errorf("commissioner: MGMT_ACTIVE_GET: %w", err)
	}
	if m.MeshLocalPrefix != nil {
		s.mu.Lock()
		s.prefix = m.MeshLocalPrefix
		s.mu.Unlock()
	}
	return m, nil
}

// Close resigns (a keep-alive with State reject, so the leader frees the
// commissioner role at once instead of after 50 s) when the session is the
// active commissioner, then ends the DTLS session with close_notify. It
// waits at most one ACK timeout for the resignation to be acknowledged.
func (s *Session) Close() error {
	s.mu.Lock()
	active := s.active && s.err == nil
	s.mu.Unlock()
	if active {
		ctx, cancel := context.WithTimeout(context.Background(), 2*s.cfg.AckTimeout)
		if _, err := s.sendKeepAlive(ctx, tlv.StateReject); err != nil {
			s.cfg.Logf("commissioner: resign: %v", err)
		}
		cancel()
	}
	select {
	case <-s.closing:
	default:
		close(s.closing)
	}
	s.mu.Lock()
	if s.kaStop != nil {
		s.kaStop()
	}
	s.mu.Unlock()
	err := s.conn.Close()
	s.end(ErrClosed)
	s.wg.Wait()
	return err
}
