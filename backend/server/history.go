package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/threadmap/threadmap/backend/scheduler"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/history"
)

// SourceLister lists the scan sources with their state (*scheduler.Scheduler).
type SourceLister interface {
	Sources() []scheduler.SourceInfo
}

// ReportRequest names what an installer report shows.
type ReportRequest struct {
	Network  string // a resolved network key
	Snapshot string // snapshot id; "" for the newest
	Since    string // snapshot id whose later changes the report lists; "" for none
}

// Reporter writes the installer report (store/report) as one HTML page.
// Bad ids are errors wrapping store.ErrNotFound.
type Reporter func(ctx context.Context, w io.Writer, r ReportRequest) error

// limitParam reads ?limit= (default store.DefaultLimit, 1..store.MaxLimit).
func limitParam(c *gin.Context) (int, error) {
	v, ok := c.GetQuery("limit")
	if !ok {
		return store.DefaultLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > store.MaxLimit {
		return 0, badRequest(fmt.Sprintf("limit %q: want an integer from 1 to %d", v, store.MaxLimit))
	}
	return n, nil
}

// historyQuery reads what /changes and /nodes/{id}/history share:
// ?network=, ?since=, ?until= and ?limit=.
func (s *Server) historyQuery(c *gin.Context, what string) (history.Query, error) {
	if s.o.History == nil {
		return history.Query{}, unavailable(what + " is not available in this configuration")
	}
	var q history.Query
	var err error
	if q.Network, err = s.resolveNetwork(c); err != nil {
		return q, err
	}
	if q.Since, err = timeParam(c, "since"); err != nil {
		return q, err
	}
	if q.Until, err = timeParam(c, "until"); err != nil {
		return q, err
	}
	q.Limit, err = limitParam(c)
	return q, err
}

func (s *Server) listChanges(c *gin.Context) {
	q, err := s.historyQuery(c, "the change log")
	if err != nil {
		s.abort(c, err)
		return
	}
	q.Cursor = c.Query("cursor")
	page, err := s.o.History.Changes(c.Request.Context(), q)
	if errors.Is(err, history.ErrBadCursor) {
		err = badRequest(err.Error())
	}
	if err != nil {
		s.abort(c, err)
		return
	}
	writeJSON(c, http.StatusOK, page)
}

func (s *Server) nodeHistory(c *gin.Context) {
	q, err := s.historyQuery(c, "device history")
	if err != nil {
		s.abort(c, err)
		return
	}
	node := c.Param("id")
	tl, err := s.o.History.NodeTimeline(c.Request.Context(), q.Network, node, q.Since, q.Until, q.Limit)
	if errors.Is(err, history.ErrUnknownNode) {
		err = notFound(err.Error())
	}
	if err != nil {
		s.abort(c, err)
		return
	}
	if n := s.userNames()[node]; n != "" {
		tl.Name = n
	}
	writeJSON(c, http.StatusOK, tl)
}

func (s *Server) listSources(c *gin.Context) {
	out := []scheduler.SourceInfo{}
	if s.o.Sources != nil {
		out = append(out, s.o.Sources.Sources()...)
	}
	writeJSON(c, http.StatusOK, Sources{Sources: out})
}

func (s *Server) getReport(c *gin.Context) {
	if s.o.Report == nil {
		s.abort(c, unavailable("reports are not available in this build"))
		return
	}
	network, err := s.resolveNetwork(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	var buf bytes.Buffer
	err = s.o.Report(c.Request.Context(), &buf, ReportRequest{Network: network, Snapshot: c.Query("snapshot"), Since: c.Query("since")})
	if errors.Is(err, store.ErrNotFound) {
		s.abort(c, notFound(err.Error()))
		return
	}
	if err != nil {
		s.abort(c, err)
		return
	}
	// The page is self-contained: it may load nothing, run nothing.
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}
