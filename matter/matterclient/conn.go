// Package matterclient is threadmap's client of a Matter server's
// WebSocket API (python-matter-server, or the matter.js server that
// speaks the same API; default ws://HOST:5580/ws), and the topology.Source
// built on it: Collect reads every node once, Run follows the server's
// events with reconnects so Collect answers from a live cache.
package matterclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/threadmap/threadmap/matter/nodedump"
	"github.com/threadmap/threadmap/matter/wsapi"
	"github.com/threadmap/threadmap/thread/topology"
)

// Options tune the client. Zero values take the defaults.
type Options struct {
	// DialTimeout bounds connecting and reading the server info (10 s).
	DialTimeout time.Duration
	// RequestTimeout bounds one command's answer (30 s).
	RequestTimeout time.Duration
	// PingInterval is how often Run pings the server to notice a dead
	// connection (30 s; python-matter-server's own heartbeat is 55 s).
	PingInterval time.Duration
	// MinBackoff and MaxBackoff bound the reconnect delay (1 s, 60 s).
	MinBackoff, MaxBackoff time.Duration
	// HTTPClient dials the WebSocket (http.DefaultClient).
	HTTPClient *http.Client
	// ExtPanID picks the Thread network Collect returns (lower-case hex);
	// empty: the network with the most Matter nodes.
	ExtPanID string
	// OnChange, when set, is called (from the event goroutine) after Run
	// applied an event or re-read the nodes.
	OnChange func()
	// Logf, when set, receives connection state changes.
	Logf func(format string, args ...any)
	// MaxNodes and MaxCacheBytes bound the node cache Run keeps (1000
	// nodes, 16 MiB of attribute JSON: a device is 10–50 kB, so some 500
	// typical devices): a node past them is not kept, and
	// Collect's report says how many were not.
	MaxNodes      int
	MaxCacheBytes int
}

func (o Options) withDefaults() Options {
	if o.DialTimeout <= 0 {
		o.DialTimeout = 10 * time.Second
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 30 * time.Second
	}
	if o.MaxNodes <= 0 {
		o.MaxNodes = 1000
	}
	if o.MaxCacheBytes <= 0 {
		o.MaxCacheBytes = 16 << 20
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = 60 * time.Second
		if o.MaxBackoff < o.MinBackoff {
			o.MaxBackoff = o.MinBackoff
		}
	}
	return o
}

// NormalizeURL completes a Matter server address: "host" and "host:port"
// become ws://host:5580/ws; a ws:// or wss:// URL without port or path
// gets 5580 and /ws. Other schemes are an error.
func NormalizeURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errors.New("matter server URL: empty")
	}
	if !strings.Contains(s, "://") {
		s = "ws://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("matter server URL %q: %w", raw, err)
	}
	switch u.Scheme {
	case "ws", "wss":
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("matter server URL %q: scheme %q, want ws:// or wss://", raw, u.Scheme)
	}
	if u.Hostname() == "" {
		return "", fmt.Errorf("matter server URL %q: no host", raw)
	}
	if u.Port() == "" {
		u.Host = joinHostPort(u.Hostname(), strconv.Itoa(wsapi.DefaultPort))
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = wsapi.DefaultPath
	}
	return u.String(), nil
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

// ServerError is an error_code answer.
type ServerError struct {
	Command string
	Code    int
	Details string
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("matter server: %s: error %d: %s", e.Command, e.Code, e.Details)
}

// ErrClosed is returned for requests on a closed connection.
var ErrClosed = errors.New("matter server connection closed")

// maxMessage bounds one message: a start_listening or get_nodes answer
// carries every node's attributes (a node is 10–50 kB of JSON, so 16 MiB
// is some 300 nodes or more). Once those are read, maxEventMessage bounds
// a message (an event carries one node). A bigger message ends the
// connection.
const (
	maxMessage      = 16 << 20
	maxEventMessage = 2 << 20
)

// eventBacklog and eventBacklogBytes bound events waiting for the reader
// of Events (in count and in bytes of event data). A client that falls
// this far behind is disconnected (and Run re-reads all nodes).
const (
	eventBacklog      = 4096
	eventBacklogBytes = 16 << 20
)

// Conn is one WebSocket connection to a Matter server.
type Conn struct {
	url  string
	opts Options
	ws   *websocket.Conn
	info wsapi.ServerInfo

	nextID  atomic.Uint64
	mu      sync.Mutex
	pending map[string]chan wsapi.Message
	events  chan wsapi.Event
	done    chan struct{}
	err     error
	cancel  context.CancelFunc
	once    sync.Once
}

// Dial connects, reads the server info (the server's first message) and
// checks the schema version.
func Dial(ctx context.Context, rawURL string, opts Options) (*Conn, error) {
	u, err := NormalizeURL(rawURL)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	dctx, cancel := context.WithTimeout(ctx, opts.DialTimeout)
	defer cancel()
	ws, _, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPClient: opts.HTTPClient})
	full := u
	u = topology.RedactURL(u) // what messages show
	if err != nil {
		return nil, fmt.Errorf("matter server %s: cannot connect: %w (is a Matter server listening there? python-matter-server's default is port %d)", u, &topology.RedactedError{Err: err, URL: full}, wsapi.DefaultPort)
	}
	ws.SetReadLimit(maxMessage)
	_, b, err := ws.Read(dctx)
	if err != nil {
		ws.CloseNow()
		return nil, fmt.Errorf("matter server %s: no server info after connecting: %w", u, err)
	}
	m, err := wsapi.Parse(b)
	if err != nil || m.Kind != wsapi.KindServerInfo {
		ws.CloseNow()
		if err == nil {
			err = fmt.Errorf("first message is not the server info: %.80s", string(b))
		}
		return nil, fmt.Errorf("matter server %s: %w", u, err)
	}
	if err := m.Info.CheckCompatible(); err != nil {
		ws.Close(websocket.StatusPolicyViolation, "unsupported schema")
		return nil, fmt.Errorf("matter server %s: %w", u, err)
	}
	rctx, rcancel := context.WithCancel(context.Background())
	c := &Conn{
		url: u, opts: opts, ws: ws, info: m.Info,
		pending: map[string]chan wsapi.Message{},
		events:  make(chan wsapi.Event, eventBacklog),
		done:    make(chan struct{}),
		cancel:  rcancel,
	}
	go c.readLoop(rctx)
	return c, nil
}

// URL is the normalized server URL, credentials shown as "***".
func (c *Conn) URL() string { return c.url }

// ServerInfo is what the server said on connect.
func (c *Conn) ServerInfo() wsapi.ServerInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.info
}

// Events delivers server events (after StartListening). It is closed when
// the connection ends.
func (c *Conn) Events() <-chan wsapi.Event { return c.events }

// Done is closed when the connection has ended; Err says why.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err is why the connection ended (nil while open).
func (c *Conn) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// Close ends the connection.
func (c *Conn) Close() error {
	c.shutdown(ErrClosed)
	return c.ws.Close(websocket.StatusNormalClosure, "")
}

func (c *Conn) shutdown(err error) {
	c.once.Do(func() {
		c.mu.Lock()
		c.err = err
		for id, ch := range c.pending {
			close(ch)
			delete(c.pending, id)
		}
		c.mu.Unlock()
		c.cancel()
		close(c.done)
	})
}

func (c *Conn) readLoop(ctx context.Context) {
	defer close(c.events) // the only sender
	// sizes are the data sizes of the events sent and maybe not yet read,
	// oldest first; the channel is FIFO, so whatever it no longer holds
	// was read. queued is their sum.
	var sizes []int
	queued := 0
	for {
		typ, b, err := c.ws.Read(ctx)
		if err != nil {
			c.shutdown(fmt.Errorf("matter server %s: connection lost: %w", c.url, err))
			c.ws.CloseNow()
			return
		}
		if typ != websocket.MessageText {
			continue
		}
		m, err := wsapi.Parse(b)
		if err != nil {
			c.opts.logf("matter server %s: ignoring message: %v", c.url, err)
			continue
		}
		switch m.Kind {
		case wsapi.KindResult, wsapi.KindError:
			c.mu.Lock()
			ch := c.pending[m.MessageID]
			delete(c.pending, m.MessageID)
			c.mu.Unlock()
			if ch != nil {
				ch <- m // buffered 1
			}
		case wsapi.KindEvent:
			for len(sizes) > len(c.events) {
				queued -= sizes[0]
				sizes = sizes[1:]
			}
			n := len(m.Event.Data)
			if queued > 0 && queued+n > eventBacklogBytes {
				c.shutdown(fmt.Errorf("matter server %s: %d MiB of events not read; disconnected to resync", c.url, eventBacklogBytes>>20))
				c.ws.CloseNow()
				return
			}
			select {
			case c.events <- m.Event:
				sizes = append(sizes, n)
				queued += n
			default:
				c.shutdown(fmt.Errorf("matter server %s: %d events not read; disconnected to resync", c.url, eventBacklog))
				c.ws.CloseNow()
				return
			}
		case wsapi.KindServerInfo:
			c.mu.Lock()
			c.info = m.Info
			c.mu.Unlock()
		}
	}
}

func (o Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// Ping checks the connection is alive (a WebSocket ping answered within
// RequestTimeout).
func (c *Conn) Ping(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	if err := c.ws.Ping(pctx); err != nil {
		return fmt.Errorf("matter server %s: ping: %w", c.url, err)
	}
	return nil
}

// Request sends one command and waits for its answer (matched by
// message_id) at most RequestTimeout.
func (c *Conn) Request(ctx context.Context, command string, args any) (json.RawMessage, error) {
	id := strconv.FormatUint(c.nextID.Add(1), 10)
	ch := make(chan wsapi.Message, 1)
	c.mu.Lock()
	select {
	case <-c.done:
		c.mu.Unlock()
		return nil, fmt.Errorf("matter server %s: %s: %w", c.url, command, c.err)
	default:
	}
	c.pending[id] = ch
	c.mu.Unlock()
	forget := func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}
	rctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	b, err := json.Marshal(wsapi.Command{MessageID: id, Command: command, Args: args})
	if err != nil {
		forget()
		return nil, fmt.Errorf("matter server: %s: %w", command, err)
	}
	if err := c.ws.Write(rctx, websocket.MessageText, b); err != nil {
		forget()
		return nil, fmt.Errorf("matter server %s: %s: send: %w", c.url, command, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return nil, fmt.Errorf("matter server %s: %s: %w", c.url, command, c.Err())
		}
		if m.Kind == wsapi.KindError {
			return nil, &ServerError{Command: command, Code: m.ErrorCode, Details: m.Details}
		}
		return m.Result, nil
	case <-rctx.Done():
		forget()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("matter server %s: %s: %w", c.url, command, ctx.Err())
		}
		return nil, fmt.Errorf("matter server %s: %s: no answer within %s", c.url, command, c.opts.RequestTimeout)
	}
}

// StartListening asks for every node and, from then on, the server's
// events (on Events).
func (c *Conn) StartListening(ctx context.Context) ([]*nodedump.NodeData, error) {
	raw, err := c.Request(ctx, wsapi.CommandStartListening, nil)
	if err != nil {
		return nil, err
	}
	// From here on messages are events, one node each.
	c.ws.SetReadLimit(maxEventMessage)
	return decodeNodes(raw, wsapi.CommandStartListening)
}

// GetNodes asks for every node once.
func (c *Conn) GetNodes(ctx context.Context) ([]*nodedump.NodeData, error) {
	raw, err := c.Request(ctx, wsapi.CommandGetNodes, nil)
	if err != nil {
		return nil, err
	}
	return decodeNodes(raw, wsapi.CommandGetNodes)
}

func decodeNodes(raw json.RawMessage, command string) ([]*nodedump.NodeData, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("matter server: %s: result is not a list of nodes: %w", command, err)
	}
	out := make([]*nodedump.NodeData, 0, len(list))
	for i, item := range list {
		nd, err := nodedump.DecodeNodeData(item)
		if err != nil {
			return nil, fmt.Errorf("matter server: %s: node %d: %w", command, i, err)
		}
		out = append(out, nd)
	}
	return out, nil
}
