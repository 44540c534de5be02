package otbr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// Dialect is one of the REST API generations ot-br-posix has served.
type Dialect string

// The dialects.
const (
	// DialectLegacy: GET /diagnostics and /node* (until 2025-09), PascalCase.
	DialectLegacy Dialect = "legacy"
	// DialectJSONAPI: the JSON:API (/api/actions, /api/devices,
	// /api/diagnostics) before the 2026-07 renames: eui64, version,
	// hostName, deviceTypeFTD, connectionTime; /.well-known absent or 0.3.0.
	DialectJSONAPI Dialect = "jsonapi"
	// DialectJSONAPI2026: the JSON:API with the 2026-07 renames (eui,
	// threadVersion, hostname, fullThreadDevice, linkAge); API 0.4.0 on.
	DialectJSONAPI2026 Dialect = "jsonapi-2026"
)

// ParseDialect reads a dialect name.
func ParseDialect(s string) (Dialect, error) {
	switch d := Dialect(strings.ToLower(strings.TrimSpace(s))); d {
	case DialectLegacy, DialectJSONAPI, DialectJSONAPI2026:
		return d, nil
	}
	return "", fmt.Errorf("otbr: unknown dialect %q (want legacy, jsonapi or jsonapi-2026)", s)
}

// Media types.
const (
	mediaJSON    = "application/json"
	mediaJSONAPI = "application/vnd.api+json"
)

// DefaultPort is the port otbr-agent serves REST on.
const DefaultPort = 8081

// Options tune a client. Zero values take the defaults in brackets.
type Options struct {
	// HTTPClient does the requests [a client with no overall timeout;
	// every request carries its own deadline].
	HTTPClient *http.Client
	// RequestTimeout bounds one HTTP request [10s]. The legacy
	// GET /diagnostics alone takes about 2 s on the border router.
	RequestTimeout time.Duration
	// Retries is how often a failed GET (transport error, 5xx) is repeated [2].
	Retries int
	// RetryBackoff is the first pause before a retry; it doubles [200ms].
	RetryBackoff time.Duration
	// PollInterval sets the pace of task status polls [100ms]: a quarter
	// of it for the first five intervals (a router's task ends about 0.1 s
	// after the border router picks it up), then backing off to four times it.
	PollInterval time.Duration
	// RouterTimeout is a router's diagnostic task deadline (the task's
	// timeout, whole seconds) [5s]. Routers are always listening: on a
	// live mesh each answers in 0.1–0.2 s; the rest is headroom for hops
	// and a busy radio. A router that is gone costs this much.
	RouterTimeout time.Duration
	// ChildTimeout is the deadline of an rx-on child asked directly [3s].
	ChildTimeout time.Duration
	// SleepyTimeout is the deadline of a sleepy child asked directly
	// [30s]: it answers only when it next polls its parent, and the border
	// router ends its task "completed" without a result when it does not.
	SleepyTimeout time.Duration
	// CollectionTimeout is the updateDeviceCollectionTask timeout [10s],
	// the border router's own minimum for one discovery round. The round
	// ends early once every router answered (about 0.1–3 s); a router that
	// does not answer holds it to this timeout.
	CollectionTimeout time.Duration
	// CollectionRetries is the task's maxRetries [2]: how often the border
	// router repeats its multicast discovery request within the round.
	CollectionRetries int
	// CollectionPatience is how long a scan waits for the discovery round
	// when the border router's device list already holds what an earlier
	// round found [2s]: a router that stopped holds the round to its
	// timeout, and the earlier list names the routers to ask. A border
	// router whose list is empty is waited for the whole round.
	CollectionPatience time.Duration
	// Children says which children are asked for their own diagnostics
	// besides what their parents' tables say of them [ChildrenNone].
	Children Children
	// Dialect forces a dialect; empty detects it.
	Dialect Dialect
}

// Children says which children a scan asks directly. Their parents' child
// tables and Child TLVs (ext address, mode, RLOC16, Thread version,
// timeout, link margin and RSSI) already give every child its place on
// the map; asking a child adds its own counters, vendor and addresses.
type Children string

// Which children to ask.
const (
	// ChildrenNone asks no child: the routers' tables suffice.
	ChildrenNone Children = "none"
	// ChildrenRxOn asks the rx-on children (they answer at once).
	ChildrenRxOn Children = "rx-on"
	// ChildrenAll asks sleepy children too, each within SleepyTimeout.
	ChildrenAll Children = "all"
)

// ParseChildren reads a Children value.
func ParseChildren(s string) (Children, error) {
	switch c := Children(strings.ToLower(strings.TrimSpace(s))); c {
	case "":
		return ChildrenNone, nil
	case ChildrenNone, ChildrenRxOn, ChildrenAll:
		return c, nil
	}
	return "", fmt.Errorf("otbr: children %q is not none, rx-on or all", s)
}

func (o Options) withDefaults() Options {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.HTTPClient.CheckRedirect == nil {
		c := *o.HTTPClient
		c.CheckRedirect = sameHostRedirect
		o.HTTPClient = &c
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 10 * time.Second
	}
	if o.Retries < 0 {
		o.Retries = 0
	} else if o.Retries == 0 {
		o.Retries = 2
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = 200 * time.Millisecond
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 100 * time.Millisecond
	}
	if o.RouterTimeout <= 0 {
		o.RouterTimeout = 5 * time.Second
	}
	if o.ChildTimeout <= 0 {
		o.ChildTimeout = 3 * time.Second
	}
	if o.SleepyTimeout <= 0 {
		o.SleepyTimeout = 30 * time.Second
	}
	if o.CollectionTimeout <= 0 {
		o.CollectionTimeout = 10 * time.Second
	}
	if o.CollectionRetries <= 0 {
		o.CollectionRetries = 2
	}
	if o.CollectionPatience <= 0 {
		o.CollectionPatience = 2 * time.Second
	}
	if o.Children == "" {
		o.Children = ChildrenNone
	}
	return o
}

// maxBody bounds one answer (a 250-node /api/diagnostics is 1–2 MB).
const maxBody = 8 << 20

// maxRedirects bounds the redirects one request follows.
const maxRedirects = 5

// sameHostRedirect follows a redirect only to the host (and port) the
// request went to: a border router cannot send the client elsewhere.
func sameHostRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if from, to := hostPort(via[0].URL), hostPort(req.URL); !strings.EqualFold(from, to) {
		return fmt.Errorf("redirect to another host (%s) refused", topology.ShortText(to, 64))
	}
	return nil
}

// hostPort is u's host:port, with the scheme's default port.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return netJoin(u.Hostname(), port)
}

// Client talks to one border router's REST API.
type Client struct {
	base *url.URL
	opts Options
}

// NewClient returns a client for baseURL ("http://host:8081"; a bare
// "host" or "host:port" gets http:// and port 8081).
func NewClient(baseURL string, opts Options) (*Client, error) {
	u, err := normaliseURL(baseURL)
	if err != nil {
		return nil, err
	}
	return &Client{base: u, opts: opts.withDefaults()}, nil
}

// BaseURL is the normalised base URL as it may be shown: credentials in
// it are "***" (topology.RedactURL); requests use them.
func (c *Client) BaseURL() string { return topology.RedactURL(c.base.String()) }

func normaliseURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("otbr: empty URL")
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("otbr: bad URL %q: %w", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("otbr: bad URL %q: scheme must be http or https", s)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("otbr: bad URL %q: no host", s)
	}
	if u.Port() == "" {
		u.Host = netJoin(u.Hostname(), strconv.Itoa(DefaultPort))
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

func netJoin(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

// HTTPError is a non-2xx answer.
type HTTPError struct {
	Method, Path string
	Status       int
	// Detail is the error document's title/detail (JSON:API) or
	// ErrorMessage (legacy), when the body had one.
	Detail string
}

// Error names the request and the status.
func (e *HTTPError) Error() string {
	s := fmt.Sprintf("%s %s: HTTP %d", e.Method, e.Path, e.Status)
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// IsNotFound reports whether err is an HTTP 404.
func IsNotFound(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) && he.Status == http.StatusNotFound
}

func errorDetail(body []byte) string {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	// The text is the remote's: short and printable only (it ends up in
	// scan errors, logs and the UI).
	var parts []string
	for _, k := range []string{"title", "detail", "ErrorMessage"} {
		if v, ok := doc[k].(string); ok && v != "" {
			parts = append(parts, topology.ShortText(v, 60))
		}
	}
	return topology.ShortText(strings.Join(parts, ": "), 120)
}

// do sends one request with its own deadline; GETs (and a POST the server
// refused with 503) are retried with back-off.
func (c *Client) do(ctx context.Context, method, path, accept string, body []byte) ([]byte, error) {
	var lastErr error
	backoff := c.opts.RetryBackoff
	for attempt := 0; attempt <= c.opts.Retries; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("%s %s: %w (last: %v)", method, path, ctx.Err(), lastErr)
			case <-t.C:
			}
			backoff *= 2
		}
		b, retry, err := c.once(ctx, method, path, accept, body)
		if err == nil {
			return b, nil
		}
		lastErr = err
		if !retry || ctx.Err() != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%w (after %d attempts)", lastErr, c.opts.Retries+1)
}

func (c *Client) once(ctx context.Context, method, path, accept string, body []byte) ([]byte, bool, error) {
	rctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	u := *c.base
	u.Path = c.base.Path + path
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(rctx, method, u.String(), rd)
	if err != nil {
		return nil, false, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", accept)
	if body != nil {
		req.Header.Set("Content-Type", mediaJSONAPI)
	}
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		err = &topology.RedactedError{Err: err, URL: c.base.String()}
		if rctx.Err() != nil && ctx.Err() == nil {
			return nil, method == http.MethodGet, fmt.Errorf("%s %s: no answer within %v", method, path, c.opts.RequestTimeout)
		}
		return nil, method == http.MethodGet, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, method == http.MethodGet, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	if len(b) > maxBody {
		return nil, false, fmt.Errorf("%s %s: answer larger than %d bytes", method, path, maxBody)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		he := &HTTPError{Method: method, Path: path, Status: resp.StatusCode, Detail: errorDetail(b)}
		retry := resp.StatusCode >= 500 && (method == http.MethodGet || resp.StatusCode == http.StatusServiceUnavailable)
		return nil, retry, he
	}
	return b, false, nil
}

// Generation is what Detect found.
type Generation struct {
	Dialect Dialect
	// APIVersion is /.well-known/thread/br-rest's api.version ("" when absent).
	APIVersion string
}

// Detect finds which REST generation the border router speaks:
// /.well-known/thread/br-rest (API 0.4.0 on: the 2026 renames), else
// GET /api/actions (200: the JSON:API, 404: the legacy API).
func (c *Client) Detect(ctx context.Context) (Generation, error) {
	b, err := c.do(ctx, http.MethodGet, "/.well-known/thread/br-rest", mediaJSON, nil)
	if err == nil {
		wk, err := DecodeWellKnown(b)
		if err != nil {
			return Generation{}, fmt.Errorf("GET /.well-known/thread/br-rest: %w", err)
		}
		g := Generation{Dialect: DialectJSONAPI2026, APIVersion: wk.Version}
		if versionBefore(wk.Version, 0, 4) {
			g.Dialect = DialectJSONAPI
		}
		return g, nil
	}
	if !IsNotFound(err) {
		return Generation{}, err
	}
	_, err = c.do(ctx, http.MethodGet, "/api/actions", mediaJSONAPI, nil)
	switch {
	case err == nil:
		return Generation{Dialect: DialectJSONAPI}, nil
	case IsNotFound(err):
		// Make sure something REST-like is there at all.
		if _, err := c.do(ctx, http.MethodGet, "/node/state", mediaJSON, nil); err != nil {
			return Generation{}, fmt.Errorf("neither JSON:API nor legacy REST: %w", err)
		}
		return Generation{Dialect: DialectLegacy}, nil
	}
	return Generation{}, err
}

// versionBefore reports whether "major.minor.patch" is before major.minor.
func versionBefore(v string, major, minor int) bool {
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma < major || (ma == major && mi < minor)
}

// BaseURLFor is the REST base URL of a border router at host (a name or
// an IP address, IPv6 with an optional zone) and port (0: DefaultPort),
// e.g. for an address discovery found.
func BaseURLFor(host string, port int) string {
	if port <= 0 {
		port = DefaultPort
	}
	if a, err := netip.ParseAddr(host); err == nil && a.Is6() && !a.Is4In6() {
		h := a.WithZone("").String()
		if z := a.Zone(); z != "" {
			h += "%25" + url.PathEscape(z)
		}
		return "http://[" + h + "]:" + strconv.Itoa(port)
	}
	return "http://" + netJoin(host, strconv.Itoa(port))
}

// Probe tells whether url (e.g. a discovered border router's
// http://host:8081) speaks the OTBR REST API, and which generation. It
// makes at most three quick requests, without retries.
func Probe(ctx context.Context, baseURL string) (Generation, error) {
	c, err := NewClient(baseURL, Options{Retries: -1, RequestTimeout: 3 * time.Second})
	if err != nil {
		return Generation{}, err
	}
	g, err := c.Detect(ctx)
	if err != nil {
		return Generation{}, fmt.Errorf("otbr probe %s: %w", c.BaseURL(), err)
	}
	return g, nil
}
