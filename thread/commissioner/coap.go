package commissioner

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/netip"
	"sync"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/udp/coder"
)

// endpoint is a small CoAP/UDP message layer (RFC 7252 section 4) over a
// datagram function: message IDs, tokens, confirmable retransmission with
// bounded retries, piggybacked and separate responses, duplicate detection
// of incoming messages. go-coap/v3 encodes and decodes the messages; the
// matching is ours because the datagrams travel inside a DTLS session or a
// Border Agent's UDP proxy, where go-coap's socket-bound clients cannot go.
// The session uses one endpoint towards the Border Agent; the proxy another
// towards the mesh's nodes.
type endpoint struct {
	name string
	// send writes one CoAP message to peer to.
	send func(to netip.AddrPort, b []byte) error
	// handle answers an incoming request: the response (code and payload;
	// nil means an empty acknowledgement for a confirmable request and no
	// answer for a non-confirmable one).
	handle func(from netip.AddrPort, req *message.Message) *message.Message
	// ackTimeout and maxRetransmit: RFC 7252 ACK_TIMEOUT and MAX_RETRANSMIT.
	ackTimeout    time.Duration
	maxRetransmit int
	logf          func(string, ...any)

	mu      sync.Mutex
	mid     uint16
	byMID   map[uint16]*exchange
	byToken map[string]*exchange
	seen    map[seenKey]*seenEntry
	closed  error
}

// exchange is one request waiting for its acknowledgement and response.
type exchange struct {
	mid   uint16
	token string
	acked chan struct{} // closed by the acknowledgement (empty or piggybacked)
	resp  chan *message.Message
	fail  chan error
	once  sync.Once
}

type seenKey struct {
	from netip.AddrPort
	mid  uint16
}

// seenEntry remembers an incoming message for EXCHANGE_LIFETIME, and the
// acknowledgement we sent, so a retransmission is answered alike and not
// handled twice.
type seenEntry struct {
	at    time.Time
	reply []byte
}

// exchangeLifetime is RFC 7252's EXCHANGE_LIFETIME (247 s with the default
// transmission parameters).
const exchangeLifetime = 247 * time.Second

// pruneAt is the size of the duplicate table at which expired entries go.
const pruneAt = 512

// errClosed ends requests when the endpoint is closed without a reason.
var errClosed = errors.New("closed")

func newEndpoint(name string, ackTimeout time.Duration, maxRetransmit int, logf func(string, ...any)) *endpoint {
	return &endpoint{name: name, ackTimeout: ackTimeout, maxRetransmit: maxRetransmit, logf: logf,
		mid: uint16(mrand.Uint32()), byMID: map[uint16]*exchange{}, byToken: map[string]*exchange{},
		seen: map[seenKey]*seenEntry{}}
}

// register makes an exchange with a fresh message ID and token.
func (e *endpoint) register() (*exchange, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed != nil {
		return nil, e.closed
	}
	x := &exchange{acked: make(chan struct{}), resp: make(chan *message.Message, 1), fail: make(chan error, 1)}
	for {
		e.mid++
		if _, busy := e.byMID[e.mid]; !busy {
			break
		}
	}
	x.mid = e.mid
	for {
		var tok [4]byte
		_, _ = rand.Read(tok[:])
		if _, busy := e.byToken[string(tok[:])]; !busy {
			x.token = string(tok[:])
			break
		}
	}
	e.byMID[x.mid] = x
	e.byToken[x.token] = x
	return x, nil
}

func (e *endpoint) unregister(x *exchange) {
	e.mu.Lock()
	if e.byMID[x.mid] == x {
		delete(e.byMID, x.mid)
	}
	if e.byToken[x.token] == x {
		delete(e.byToken, x.token)
	}
	e.mu.Unlock()
}

// nextMID is a message ID for a message that expects no acknowledgement.
func (e *endpoint) nextMID() uint16 {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.mid++
	return e.mid
}

// encode writes a message with a URI path (split at '/').
func encode(typ message.Type, code codes.Code, mid uint16, token []byte, path string, payload []byte) ([]byte, error) {
	m := message.Message{Type: typ, Code: code, MessageID: int32(mid), Token: token, Payload: payload}
	if path != "" {
		buf := make([]byte, len(path)+8)
		opts, _, err := m.Options.SetPath(buf, path)
		if err != nil {
			return nil, err
		}
		m.Options = opts
	}
	out := make([]byte, 4+len(token)+len(path)+8+len(payload)+1)
	n, err := coder.DefaultCoder.Encode(m, out)
	if errors.Is(err, message.ErrTooSmall) {
		out = make([]byte, n)
		n, err = coder.DefaultCoder.Encode(m, out)
	}
	if err != nil {
		return nil, err
	}
	return out[:n], nil
}

// RequestError is a request that got no answer, or an error answer.
type RequestError struct {
	// Via is the endpoint ("border agent", "proxy"); Path the URI.
	Via, Path string
	To        netip.AddrPort
	// Code is the error code when the peer answered one (0 otherwise).
	Code codes.Code
	Err  error
}

func (e *RequestError) Error() string {
	to := ""
	if e.To.IsValid() {
		to = " to " + e.To.String()
	}
	if e.Code != 0 {
		return fmt.Sprintf("%s %s%s: answered %v", e.Via, e.Path, to, e.Code)
	}
	return fmt.Sprintf("%s %s%s: %v", e.Via, e.Path, to, e.Err)
}

func (e *RequestError) Unwrap() error { return e.Err }

// errNoAck is a confirmable request whose every transmission went
// unacknowledged.
type errNoAck struct{ transmissions int }

func (e errNoAck) Error() string {
	return fmt.Sprintf("no acknowledgement after %d transmissions", e.transmissions)
}

// Timeout marks it as a timeout for callers that sort errors so.
func (e errNoAck) Timeout() bool { return true }

// Is makes it a context.DeadlineExceeded to errors.Is: the crawler counts
// an unanswered node as timed out, whichever deadline came first.
func (e errNoAck) Is(target error) bool { return target == context.DeadlineExceeded }

// request sends a POST to path and waits for its response: a confirmable
// request is retransmitted at most maxRetransmit times (RFC 7252 4.2:
// ACK_TIMEOUT × [1, 1.5), doubling) until acknowledged — with
// maxRetransmit 0 it is sent once and waits for ctx — and the response may
// come piggybacked or separately (matched by token); a non-confirmable one
// is sent once. It returns the response (any code) or an error when ctx
// ends, the retransmissions run out, the peer resets the exchange or the
// endpoint closes.
func (e *endpoint) request(ctx context.Context, to netip.AddrPort, confirmable bool, path string, payload []byte) (*message.Message, error) {
	x, err := e.register()
	if err != nil {
		return nil, &RequestError{Via: e.name, Path: path, To: to, Err: err}
	}
	defer e.unregister(x)
	typ := message.NonConfirmable
	if confirmable {
		typ = message.Confirmable
	}
	b, err := encode(typ, codes.POST, x.mid, []byte(x.token), path, payload)
	if err != nil {
		return nil, &RequestError{Via: e.name, Path: path, To: to, Err: err}
	}
	fail := func(err error) (*message.Message, error) {
		return nil, &RequestError{Via: e.name, Path: path, To: to, Err: err}
	}
	if err := e.send(to, b); err != nil {
		return fail(err)
	}
	// One select for every kind of request: acked is watched (a
	// confirmable request) until the acknowledgement comes; retransmit
	// ticks only while a confirmable request may be sent again. A nil
	// channel disables its case.
	var acked <-chan struct{}
	var retransmit <-chan time.Time
	var timer *time.Timer
	wait, sent := e.ackTimeout+time.Duration(mrand.Int64N(int64(e.ackTimeout/2)+1)), 1
	if confirmable {
		acked = x.acked
		if e.maxRetransmit > 0 {
			timer = time.NewTimer(wait)
			defer timer.Stop()
			retransmit = timer.C
		}
	}
	for {
		select {
		case <-acked:
			acked, retransmit = nil, nil // the response may still come, separately
		case r := <-x.resp:
			return r, nil
		case err := <-x.fail:
			return fail(err)
		case <-ctx.Done():
			return fail(ctx.Err())
		case <-retransmit:
			if sent > e.maxRetransmit {
				return fail(errNoAck{sent})
			}
			if err := e.send(to, b); err != nil {
				return fail(err)
			}
			sent++
			wait *= 2
			timer.Reset(wait)
		}
	}
}

// notify sends a non-confirmable POST that expects no response.
func (e *endpoint) notify(to netip.AddrPort, path string, payload []byte) error {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed != nil {
		return closed
	}
	var tok [2]byte
	_, _ = rand.Read(tok[:])
	b, err := encode(message.NonConfirmable, codes.POST, e.nextMID(), tok[:], path, payload)
	if err != nil {
		return err
	}
	return e.send(to, b)
}

// receive handles one datagram from peer from.
func (e *endpoint) receive(from netip.AddrPort, b []byte) {
	m := message.Message{Options: make(message.Options, 0, 16)}
	if _, err := coder.DefaultCoder.Decode(append([]byte{}, b...), &m); err != nil {
		e.logf("%s: undecodable CoAP message from %s: %v", e.name, from, err)
		return
	}
	mid := uint16(m.MessageID)
	switch m.Type {
	case message.Acknowledgement, message.Reset:
		e.mu.Lock()
		x := e.byMID[mid]
		e.mu.Unlock()
		if x == nil {
			return // late or duplicate
		}
		if m.Type == message.Reset {
			x.done(nil, fmt.Errorf("reset by %s", from))
			return
		}
		if m.Code != codes.Empty && string(m.Token) != x.token {
			e.logf("%s: piggybacked response from %s with a foreign token: dropped", e.name, from)
			return
		}
		x.once.Do(func() { close(x.acked) })
		if m.Code != codes.Empty {
			x.done(&m, nil)
		}
		return
	}
	if e.duplicate(from, mid) {
		return
	}
	if m.Code >= codes.Created { // a response: separate (CON or NON)
		e.mu.Lock()
		x := e.byToken[string(m.Token)]
		e.mu.Unlock()
		if m.Type == message.Confirmable {
			typ := message.Acknowledgement
			if x == nil {
				typ = message.Reset
			}
			if ack, err := encode(typ, codes.Empty, mid, nil, "", nil); err == nil {
				e.remember(from, mid, ack)
				_ = e.send(from, ack)
			}
		}
		if x != nil {
			x.done(&m, nil)
		}
		return
	}
	var resp *message.Message
	if e.handle != nil {
		resp = e.handle(from, &m)
	}
	var reply []byte
	var err error
	switch {
	case m.Type == message.Confirmable && resp == nil:
		reply, err = encode(message.Acknowledgement, codes.Empty, mid, nil, "", nil)
	case m.Type == message.Confirmable:
		reply, err = encode(message.Acknowledgement, resp.Code, mid, m.Token, "", resp.Payload)
	case resp != nil:
		reply, err = encode(message.NonConfirmable, resp.Code, e.nextMID(), m.Token, "", resp.Payload)
	}
	if err != nil {
		e.logf("%s: answer to %s: %v", e.name, from, err)
		return
	}
	if reply != nil {
		e.remember(from, mid, reply)
		if err := e.send(from, reply); err != nil {
			e.logf("%s: answer to %s: %v", e.name, from, err)
		}
	}
}

// duplicate reports (and answers) a message already received: the same
// acknowledgement goes back, the message is not handled again.
func (e *endpoint) duplicate(from netip.AddrPort, mid uint16) bool {
	e.mu.Lock()
	s := e.seen[seenKey{from, mid}]
	if s == nil {
		now := time.Now()
		if len(e.seen) >= pruneAt {
			for k, v := range e.seen {
				if now.Sub(v.at) > exchangeLifetime {
					delete(e.seen, k)
				}
			}
		}
		e.seen[seenKey{from, mid}] = &seenEntry{at: now}
		e.mu.Unlock()
		return false
	}
	reply := s.reply
	e.mu.Unlock()
	if reply != nil {
		_ = e.send(from, reply)
	}
	return true
}

func (e *endpoint) remember(from netip.AddrPort, mid uint16, reply []byte) {
	e.mu.Lock()
	if s := e.seen[seenKey{from, mid}]; s != nil {
		s.reply = reply
	}
	e.mu.Unlock()
}

// done completes the exchange once, with a response or an error.
func (x *exchange) done(r *message.Message, err error) {
	if err != nil {
		select {
		case x.fail <- err:
		default:
		}
		return
	}
	select {
	case x.resp <- r:
	default:
	}
}

// close ends every waiting request with err.
func (e *endpoint) close(err error) {
	if err == nil {
		err = errClosed
	}
	e.mu.Lock()
	if e.closed == nil {
		e.closed = err
	}
	xs := make([]*exchange, 0, len(e.byMID))
	for _, x := range e.byMID {
		xs = append(xs, x)
	}
	e.mu.Unlock()
	for _, x := range xs {
		x.done(nil, err)
	}
}
