package dtls

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a client or a listener.
type Config struct {
	// PSK is the EC-JPAKE password: the 16 PSKc bytes, or the ephemeral key's ASCII bytes.
	PSK []byte
	// Rand is the source of randomness; nil means crypto/rand.
	Rand io.Reader
	// MaxFragment is the largest handshake fragment we send (bytes of handshake body per record);
	// 0 means DefaultMaxFragment. A ClientHello is never fragmented (mbedTLS servers require it
	// whole), whatever this says.
	MaxFragment int
	// Logf, if set, receives debug lines.
	Logf func(format string, args ...any)
	// RetransmitTimeout is the first handshake retransmission timeout, doubling on each
	// retransmission up to 60 s (RFC 6347 4.2.4.1); 0 means 1 s.
	RetransmitTimeout time.Duration
}

// Defaults and bounds.
const (
	// DefaultMaxFragment matches OpenThread's mbedTLS build (MBEDTLS_SSL_MAX_CONTENT_LEN 768), so
	// no record we send exceeds what a Thread device can take in.
	DefaultMaxFragment = 768
	minMaxFragment     = 16
	// MaxRecordPlaintext is the largest datagram Write accepts (RFC 5246 record limit). Thread
	// devices built on OpenThread take at most 768 bytes of plaintext per record.
	MaxRecordPlaintext = maxPlaintext

	defaultRetransmit  = time.Second
	maxRetransmitTime  = 60 * time.Second
	maxRetransmissions = 8
	readBufferSize     = 1 << 16
)

type config struct {
	Config
	maxFragment   int
	datagramLimit int
	rto           time.Duration
}

func (c *Config) resolve() (config, error) {
	if c == nil {
		return config{}, errors.New("dtls: nil Config")
	}
	if len(c.PSK) == 0 {
		return config{}, errors.New("dtls: Config.PSK is empty")
	}
	r := config{Config: *c, maxFragment: c.MaxFragment, rto: c.RetransmitTimeout}
	r.PSK = append([]byte(nil), c.PSK...)
	if r.maxFragment == 0 {
		r.maxFragment = DefaultMaxFragment
	}
	if r.maxFragment < minMaxFragment || r.maxFragment > maxPlaintext-handshakeHeaderLen {
		return config{}, fmt.Errorf("dtls: MaxFragment %d outside %d..%d", c.MaxFragment, minMaxFragment, maxPlaintext-handshakeHeaderLen)
	}
	r.datagramLimit = r.maxFragment + recordHeaderLen + handshakeHeaderLen + aeadOverhead
	if r.rto <= 0 {
		r.rto = defaultRetransmit
	}
	return r, nil
}

func (c *config) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

// transport carries datagrams for one session: a connected socket for a client, the listener's
// socket and a queue for a server session.
type transport interface {
	read(ctx context.Context) ([]byte, error) // honours the read deadline and ctx
	write(b []byte) error
	setReadDeadline(t time.Time)
	close() error
	localAddr() net.Addr
	remoteAddr() net.Addr
}

// netTransport is a client's connected datagram socket.
type netTransport struct {
	c   net.Conn
	buf []byte
	mu  sync.Mutex // orders deadline changes with ctx cancellation
}

func (t *netTransport) read(ctx context.Context) ([]byte, error) {
	var cancelled atomic.Bool
	stop := context.AfterFunc(ctx, func() {
		t.mu.Lock()
		cancelled.Store(true)
		t.c.SetReadDeadline(time.Unix(1, 0))
		t.mu.Unlock()
	})
	n, err := t.c.Read(t.buf)
	stop()
	if err != nil {
		if cancelled.Load() {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return t.buf[:n], nil
}

func (t *netTransport) write(b []byte) error { _, err := t.c.Write(b); return err }
func (t *netTransport) setReadDeadline(d time.Time) {
	t.mu.Lock()
	t.c.SetReadDeadline(d)
	t.mu.Unlock()
}
func (t *netTransport) close() error         { return t.c.Close() }
func (t *netTransport) localAddr() net.Addr  { return t.c.LocalAddr() }
func (t *netTransport) remoteAddr() net.Addr { return t.c.RemoteAddr() }

// errTimeout is a read deadline passing; it wraps os.ErrDeadlineExceeded like net's own.
var errTimeout = fmt.Errorf("dtls: read deadline passed: %w", os.ErrDeadlineExceeded)

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// Conn is an established DTLS session. One Write sends one datagram of application data and one
// Read returns one; boundaries are kept. Read and Write may be called from different goroutines.
type Conn struct {
	cfg      config
	tr       transport
	isClient bool

	wmu    sync.Mutex
	wEpoch uint16
	wSeq   [2]uint64
	wc     *recordCipher

	rmu     sync.Mutex
	rc      *recordCipher
	replay  replayWindow
	queue   []record // records left over from the last datagram
	readErr error    // sticky: close_notify or a fatal alert

	lastFlight  []outMsg    // server: its final flight, resent if the client repeats its own
	established atomic.Bool // lastFlight is set: the handshake is over
	resendMu    sync.Mutex
	lastResend  time.Time

	closed    atomic.Bool
	closeOnce sync.Once
	onClose   func()
}

func newConn(tr transport, cfg config, isClient bool) *Conn {
	return &Conn{cfg: cfg, tr: tr, isClient: isClient}
}

// LocalAddr is the local address of the socket.
func (c *Conn) LocalAddr() net.Addr { return c.tr.localAddr() }

// RemoteAddr is the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.tr.remoteAddr() }

// SetReadDeadline bounds Read, also a Read already waiting; the zero time means no bound. A
// passed deadline makes Read return an error wrapping os.ErrDeadlineExceeded.
func (c *Conn) SetReadDeadline(t time.Time) error {
	if c.closed.Load() {
		return net.ErrClosed
	}
	c.tr.setReadDeadline(t)
	return nil
}

// Write sends p as one application_data record.
func (c *Conn) Write(p []byte) (int, error) {
	if c.closed.Load() {
		return 0, net.ErrClosed
	}
	if len(p) > maxPlaintext {
		return 0, fmt.Errorf("dtls: write of %d bytes exceeds the record limit %d", len(p), maxPlaintext)
	}
	c.wmu.Lock()
	rec, err := c.sealLocked(typeApplicationData, 1, p)
	c.wmu.Unlock()
	if err != nil {
		return 0, err
	}
	if err := c.tr.write(rec); err != nil {
		return 0, fmt.Errorf("dtls: write: %w", err)
	}
	return len(p), nil
}

// Read returns the next application datagram. After the peer's close_notify it returns an error
// wrapping io.EOF; after a fatal alert, an *AlertError.
func (c *Conn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	for {
		if c.readErr != nil {
			return 0, c.readErr
		}
		rec, err := c.nextRecordLocked(context.Background())
		if err != nil {
			if c.closed.Load() {
				return 0, net.ErrClosed
			}
			return 0, err
		}
		if rec.epoch == 0 {
			continue // nothing is valid unprotected once the session is up (the listener answers repeats)
		}
		if rec.epoch != 1 || c.rc == nil || c.replay.seen(rec.seq) {
			continue
		}
		pt, err := c.rc.open(rec)
		if err != nil {
			c.cfg.logf("dtls: dropping a %v record that does not authenticate", rec.typ)
			continue
		}
		c.replay.accept(rec.seq)
		switch rec.typ {
		case typeApplicationData:
			n := copy(p, pt)
			if n < len(pt) {
				return n, fmt.Errorf("dtls: datagram of %d bytes truncated to the %d-byte buffer", len(pt), len(p))
			}
			return n, nil
		case typeAlert:
			level, desc, err := parseAlert(pt)
			if err != nil {
				continue
			}
			if desc == AlertCloseNotify {
				c.readErr = closeNotifyError{}
				c.sendAlert(levelWarning, AlertCloseNotify)
				return 0, c.readErr
			}
			if level == levelFatal {
				c.readErr = &AlertError{Description: desc, Remote: true}
				return 0, c.readErr
			}
			c.cfg.logf("dtls: peer sent warning %v", desc)
		case typeHandshake:
			c.peerRepeatedFlight()
		}
	}
}

// peerRepeatedFlight resends the server's final flight: the client did not get it and repeats
// its own (RFC 6347 4.2.4). Repeats closer together than half the first retransmission timeout
// are answered once.
func (c *Conn) peerRepeatedFlight() {
	if c.isClient || !c.established.Load() || c.closed.Load() {
		return
	}
	c.resendMu.Lock()
	now := time.Now()
	if now.Sub(c.lastResend) < c.cfg.rto/2 {
		c.resendMu.Unlock()
		return
	}
	c.lastResend = now
	c.resendMu.Unlock()
	c.cfg.logf("dtls: client repeats its last flight; resending ours")
	if err := c.sendFlight(c.lastFlight); err != nil {
		c.cfg.logf("dtls: resending final flight: %v", err)
	}
}

// Close sends close_notify and closes the socket (a client's connected socket; for a server
// session, its slot in the listener).
func (c *Conn) Close() error {
	err := net.ErrClosed
	c.closeOnce.Do(func() {
		c.sendAlert(levelWarning, AlertCloseNotify)
		c.closed.Store(true)
		err = c.tr.close()
		if c.onClose != nil {
			c.onClose()
		}
	})
	return err
}

// nextRecordLocked returns the next record: from the last datagram, or a new one.
func (c *Conn) nextRecordLocked(ctx context.Context) (record, error) {
	for len(c.queue) == 0 {
		d, err := c.tr.read(ctx)
		if err != nil {
			return record{}, err
		}
		recs, perr := parseRecords(d)
		if perr != nil {
			c.cfg.logf("%v (rest of datagram dropped)", perr)
		}
		c.queue = recs
	}
	r := c.queue[0]
	c.queue = c.queue[1:]
	return r, nil
}

// sealLocked builds one record at epoch with the next sequence number of that epoch.
func (c *Conn) sealLocked(typ contentType, epoch uint16, plaintext []byte) ([]byte, error) {
	seq := c.wSeq[epoch]
	if seq > maxSeq {
		return nil, errors.New("dtls: sequence numbers exhausted")
	}
	c.wSeq[epoch]++
	payload := plaintext
	if epoch == 1 {
		if c.wc == nil {
			return nil, errors.New("dtls: no keys for epoch 1")
		}
		payload = c.wc.seal(epoch, seq, typ, plaintext)
	}
	b := appendRecordHeader(make([]byte, 0, recordHeaderLen+len(payload)), typ, epoch, seq, len(payload))
	return append(b, payload...), nil
}

// sendAlert sends an alert at the current write epoch; failures are only logged.
func (c *Conn) sendAlert(level uint8, desc AlertDescription) {
	if c.closed.Load() {
		return
	}
	c.wmu.Lock()
	rec, err := c.sealLocked(typeAlert, c.wEpoch, []byte{level, byte(desc)})
	c.wmu.Unlock()
	if err == nil {
		err = c.tr.write(rec)
	}
	if err != nil {
		c.cfg.logf("dtls: sending alert %v: %v", desc, err)
	}
}

// outMsg is one message of a flight: a handshake message or a ChangeCipherSpec.
type outMsg struct {
	ccs   bool
	epoch uint16
	msg   handshakeMsg
}

// sendFlight (re)sends a flight: handshake messages cut into fragments of at most MaxFragment
// bytes (a ClientHello whole), each in a record with a fresh sequence number, records packed into
// datagrams of at most datagramLimit bytes.
func (c *Conn) sendFlight(flight []outMsg) error {
	c.wmu.Lock()
	var recs [][]byte
	for _, m := range flight {
		if m.ccs {
			r, err := c.sealLocked(typeChangeCipherSpec, m.epoch, []byte{1})
			if err != nil {
				c.wmu.Unlock()
				return err
			}
			recs = append(recs, r)
			if m.epoch == 0 {
				c.wEpoch = 1 // what follows a ChangeCipherSpec is protected
			}
			continue
		}
		body := m.msg.body
		step := c.cfg.maxFragment
		if m.msg.typ == typeClientHello {
			step = len(body)
		}
		for off := 0; off < len(body) || off == 0; off += step {
			n := min(step, len(body)-off)
			pt := appendHandshakeHeader(make([]byte, 0, handshakeHeaderLen+n), m.msg.typ, len(body), m.msg.seq, off, n)
			pt = append(pt, body[off:off+n]...)
			r, err := c.sealLocked(typeHandshake, m.epoch, pt)
			if err != nil {
				c.wmu.Unlock()
				return err
			}
			recs = append(recs, r)
			if len(body) == 0 {
				break
			}
		}
	}
	c.wmu.Unlock()
	var dgram []byte
	for _, r := range recs {
		if len(dgram) > 0 && len(dgram)+len(r) > c.cfg.datagramLimit {
			if err := c.tr.write(dgram); err != nil {
				return fmt.Errorf("dtls: send flight: %w", err)
			}
			dgram = nil
		}
		dgram = append(dgram, r...)
	}
	if len(dgram) > 0 {
		if err := c.tr.write(dgram); err != nil {
			return fmt.Errorf("dtls: send flight: %w", err)
		}
	}
	return nil
}
