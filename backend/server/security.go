package server

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// securityHeaders sets headers every answer carries.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "frame-ancestors 'none'")
	c.Next()
}

// hostGuard, on a loopback listener, refuses requests whose Host header is
// not a loopback name: a web page cannot then read the API through DNS
// rebinding.
func (s *Server) hostGuard(c *gin.Context) {
	if s.o.Loopback && !loopbackHost(c.Request.Host) && !s.allowedHost(c.Request.Host) {
		s.abort(c, &apiError{http.StatusForbidden, CodeForbidden, "host " + strconv.Quote(c.Request.Host) + " is not a loopback name; this server only answers localhost, 127.0.0.1, [::1] and --allowed-host names"})
		return
	}
	c.Next()
}

// allowedHost reports whether host (port ignored) is an AllowedHosts name.
func (s *Server) allowedHost(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	for _, a := range s.o.AllowedHosts {
		if strings.EqualFold(strings.Trim(h, "[]"), strings.Trim(a, "[]")) {
			return true
		}
	}
	return false
}

// loopbackHost reports whether a Host header names this machine's loopback.
func loopbackHost(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.Trim(h, "[]")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.Unmap().IsLoopback()
}

// limitBody bounds the request body.
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			c.Header("Connection", "close")
			c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, errBody(CodeTooLarge, "request body larger than "+itoa(n)+" bytes"))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

func errBody(code ErrorCode, msg string) ErrorBody {
	b := ErrorBody{Error: ErrorDetail{Code: code, Message: msg}}
	return b
}

// tokenCookie is the cookie a browser may carry the token in for reads
// (EventSource cannot send an Authorization header).
const tokenCookie = "threadmap_token"

// hasToken reports whether the request carries the token as a bearer
// token (or, with cookie set, in the tokenCookie cookie).
func (s *Server) hasToken(c *gin.Context, cookie bool) bool {
	got, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok && cookie {
		got, _ = c.Cookie(tokenCookie)
		ok = got != ""
	}
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(s.o.Token)) == 1
}

// authorizeRead guards a reading endpoint: beyond loopback, with a token
// configured, the request must carry it (a bearer token or the
// threadmap_token cookie) unless PublicRead opens reading to all.
func (s *Server) authorizeRead(c *gin.Context) {
	if s.o.Loopback || s.o.PublicRead || s.o.Token == "" || s.hasToken(c, true) {
		c.Next()
		return
	}
	c.Header("WWW-Authenticate", `Bearer realm="threadmap"`)
	s.abort(c, &apiError{http.StatusUnauthorized, CodeUnauthorized, "this server listens beyond loopback: send Authorization: Bearer <token> (or start it with --public-read)"})
}

// authorize guards a mutating endpoint: with a token configured, the
// request must carry it as a bearer token (a token is required whenever the
// server listens beyond loopback). Without one (loopback only), a request
// a browser sends on behalf of another site's page (an Origin header naming
// another host) is refused.
func (s *Server) authorize(c *gin.Context) {
	if s.o.Token != "" {
		if !s.hasToken(c, false) {
			c.Header("WWW-Authenticate", `Bearer realm="threadmap"`)
			s.abort(c, &apiError{http.StatusUnauthorized, CodeUnauthorized, "this endpoint changes state: send Authorization: Bearer <token>"})
			return
		}
	} else if !s.o.Loopback {
		// Unreachable through config.Check; kept so the handler is safe alone.
		s.abort(c, &apiError{http.StatusUnauthorized, CodeUnauthorized, "no token configured on a non-loopback listener"})
		return
	}
	if o := c.GetHeader("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != c.Request.Host {
			s.abort(c, &apiError{http.StatusForbidden, CodeForbidden, "cross-origin request refused (Origin " + strconv.Quote(o) + ")"})
			return
		}
	}
	c.Next()
}
