package server

import (
	"bytes"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

func (s *Server) uiBuilt() bool {
	if s.o.UI == nil {
		return false
	}
	_, err := fs.Stat(s.o.UI, "index.html")
	return err == nil
}

// notBuiltPage is served at / when the binary was built without the UI.
const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>threadmap</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>threadmap</h1>
<p>This binary was built without the web UI.</p>
<p>Build it from the repository root with <code>make build</code> (or <code>bash scripts/ui-build</code>,
which runs <code>npm ci</code> and <code>npm run build</code> into <code>frontend/dist</code>), then rebuild
the binary: <code>go build -o bin/threadmap ./backend/cmd/threadmap</code>. <code>make demo</code> does both.</p>
<p>The API works without the UI: <a href="/api/v1/info">/api/v1/info</a>,
<a href="/api/v1/networks">/api/v1/networks</a>, <a href="/api/v1/topology/latest">/api/v1/topology/latest</a>,
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>, <a href="/metrics">/metrics</a>.</p>
</body></html>
`

// serveUI serves a file of the built UI, falling back to index.html for
// client-side routes (a path without a file extension).
func (s *Server) serveUI(c *gin.Context) {
	if !s.uiBuilt() {
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(notBuiltPage))
		return
	}
	p := strings.TrimPrefix(path.Clean("/"+c.Request.URL.Path), "/")
	if p == "" {
		p = "index.html"
	}
	if st, err := fs.Stat(s.o.UI, p); err != nil || st.IsDir() {
		if path.Ext(p) != "" && p != "index.html" {
			s.abort(c, notFound("no such file: /"+p))
			return
		}
		p = "index.html"
	}
	if p == "index.html" {
		c.Header("Cache-Control", "no-cache")
	} else if strings.HasPrefix(p, "assets/") {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	}
	f, err := s.o.UI.Open(p)
	if err != nil {
		s.abort(c, notFound("no such file: /"+p))
		return
	}
	defer f.Close()
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := fs.ReadFile(s.o.UI, p)
		if err != nil {
			s.abort(c, err)
			return
		}
		rs = bytes.NewReader(b)
	}
	if ct := mime.TypeByExtension(path.Ext(p)); ct != "" {
		c.Header("Content-Type", ct)
	}
	http.ServeContent(c.Writer, c.Request, p, time.Time{}, rs)
}
