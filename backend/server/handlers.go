package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/threadmap/threadmap/backend/archive"
	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/backend/routers"
	"github.com/threadmap/threadmap/backend/scheduler"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/topology"
)

const (
	slogDebug = slog.LevelDebug
	slogError = slog.LevelError
)

var exportFormats = []any{"json", "cbor", "graphml", "dot", "csv"}

func (s *Server) getInfo(c *gin.Context) {
	size, _ := s.o.Store.Size()
	writeJSON(c, http.StatusOK, Info{Version: s.o.Version, Schema: topology.Schema, Demo: s.o.Demo, StartedAt: s.o.StartedAt.UTC(),
		DBBytes: size, AuthRequired: s.o.Token != "", Loopback: s.o.Loopback, UIBuilt: s.uiBuilt()})
}

func (s *Server) listNetworks(c *gin.Context) {
	infos, err := s.o.Store.Networks()
	if err != nil {
		s.abort(c, err)
		return
	}
	out := make([]NetworkSummary, 0, len(infos))
	for _, ni := range infos {
		t := ni.Latest.TakenAt
		v := NetworkSummary{Key: ni.Key, Name: ni.Network.Name, ExtPanID: ni.Network.ExtPanID, PanID: ni.Network.PanID,
			Channel: ni.Network.Channel, LatestSnapshotID: ni.Latest.ID, LatestTakenAt: &t, Nodes: ni.Latest.Nodes,
			Routers: ni.Latest.Routers, BorderRouters: ni.Latest.BorderRouters, Snapshots: ni.Snapshots}
		if s.o.BorderRouters != nil {
			v.BorderRouters = max(v.BorderRouters, len(s.o.BorderRouters.List(ni.Key)))
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	writeJSON(c, http.StatusOK, Networks{Networks: out})
}

// storedNetworks is the set of network keys with snapshots.
func (s *Server) storedNetworks() ([]string, error) {
	infos, err := s.o.Store.Networks()
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(infos))
	for _, ni := range infos {
		keys = append(keys, ni.Key)
	}
	sort.Strings(keys)
	return keys, nil
}

// resolveNetwork reads ?network=: a known key, or the only network when left out.
func (s *Server) resolveNetwork(c *gin.Context) (string, error) {
	want, given := c.GetQuery("network")
	if given {
		if want == "" {
			return "", badRequest("network: empty; give a network key or leave the parameter out")
		}
		s.mu.Lock()
		_, hot := s.latest[want]
		s.mu.Unlock()
		if hot {
			return want, nil
		}
	}
	if given {
		infos, err := s.o.Store.Networks()
		if err != nil {
			return "", err
		}
		key, err := store.MatchNetwork(infos, want)
		if err != nil {
			return "", notFound(strings.TrimSuffix(err.Error(), ": "+store.ErrNotFound.Error()))
		}
		return key, nil
	}
	keys, err := s.storedNetworks()
	if err != nil {
		return "", err
	}
	switch len(keys) {
	case 0:
		return "", notFound("no snapshot stored yet")
	case 1:
		return keys[0], nil
	}
	return "", badRequest(fmt.Sprintf("%d networks are known; name one with ?network= (%s)", len(keys), strings.Join(keys, ", ")))
}

func listOrNone(keys []string) string {
	if len(keys) == 0 {
		return "none"
	}
	return strings.Join(keys, ", ")
}

func (s *Server) listBorderRouters(c *gin.Context) {
	network := c.Query("network")
	if network != "" {
		known := false
		if s.o.BorderRouters != nil && len(s.o.BorderRouters.List(network)) > 0 {
			known = true
		}
		if !known {
			if _, err := s.resolveNetwork(c); err != nil {
				s.abort(c, err)
				return
			}
		}
	}
	// seen holds ids and ext addresses: discovery names a border router by
	// its agent id, a REST answer by its ext address; it is one router.
	seen := map[string]bool{}
	out := []routers.Entry{}
	if s.o.BorderRouters != nil {
		for _, e := range s.o.BorderRouters.List(network) {
			seen[e.ID] = true
			if e.ExtAddr != "" {
				seen["ext:"+e.ExtAddr] = true
			}
			out = append(out, e)
		}
	}
	// Border routers the newest snapshots recorded (REST answers, imports).
	keys := []string{network}
	if network == "" {
		var err error
		if keys, err = s.storedNetworks(); err != nil {
			s.abort(c, err)
			return
		}
	}
	for _, k := range keys {
		lc, err := s.latestCached(k)
		if err != nil {
			continue
		}
		for _, br := range lc.snap.BorderRouters {
			if br.ID == "" || seen[br.ID] || br.ExtAddr != "" && seen["ext:"+br.ExtAddr] {
				continue
			}
			seen[br.ID] = true
			if br.ExtAddr != "" {
				seen["ext:"+br.ExtAddr] = true
			}
			out = append(out, routers.Entry{BorderRouter: br, Network: k})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	writeJSON(c, http.StatusOK, BorderRouterList{BorderRouters: out})
}

// requestLatest is the latest snapshot of the network ?network= names.
func (s *Server) requestLatest(c *gin.Context) (*cached, error) {
	network, err := s.resolveNetwork(c)
	if err != nil {
		return nil, err
	}
	return s.latestCached(network)
}

func (s *Server) getLatest(c *gin.Context) {
	lc, err := s.requestLatest(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", lc.json)
}

func (s *Server) listSnapshots(c *gin.Context) {
	network, err := s.resolveNetwork(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	from, err := timeParam(c, "from")
	if err != nil {
		s.abort(c, err)
		return
	}
	to, err := timeParam(c, "to")
	if err != nil {
		s.abort(c, err)
		return
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		s.abort(c, badRequest("to is before from"))
		return
	}
	limit := store.DefaultLimit
	if v, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxLimit {
			s.abort(c, badRequest(fmt.Sprintf("limit %q: want an integer from 1 to %d", v, store.MaxLimit)))
			return
		}
		limit = n
	}
	cursor := c.Query("cursor")
	page, err := s.o.Store.List(network, from, to, limit, cursor)
	if err != nil {
		if cursor != "" {
			s.abort(c, badRequest(err.Error()))
			return
		}
		s.abort(c, err)
		return
	}
	writeJSON(c, http.StatusOK, page)
}

func timeParam(c *gin.Context, name string) (time.Time, error) {
	v, ok := c.GetQuery(name)
	if !ok || v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, badRequest(fmt.Sprintf("%s %q: want an RFC 3339 time like 2026-11-25T12:00:00Z", name, v))
	}
	return t, nil
}

// getStored reads a snapshot; unknown or malformed ids are 404.
func (s *Server) getStored(id string) (*topology.Snapshot, error) {
	snap, err := s.o.Store.Get(id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound(fmt.Sprintf("snapshot %q not found", id))
		}
		return nil, err
	}
	return snap, nil
}

func (s *Server) getSnapshot(c *gin.Context) {
	snap, err := s.getStored(c.Param("id"))
	if err != nil {
		s.abort(c, err)
		return
	}
	writeJSON(c, http.StatusOK, s.named(snap))
}

func (s *Server) deleteSnapshot(c *gin.Context) {
	id := c.Param("id")
	snap, err := s.getStored(id)
	if err != nil {
		s.abort(c, err)
		return
	}
	if err := s.o.Store.Delete(id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = notFound(fmt.Sprintf("snapshot %q not found", id))
		}
		s.abort(c, err)
		return
	}
	key := snap.Network.Key()
	if s.forget(id) != "" && s.o.Observer != nil {
		if next, err := s.o.Store.Latest(key); err == nil {
			s.remember(next.ID, next)
			s.o.Observer.ObserveSnapshot(next)
		} else {
			s.o.Observer.ForgetNetwork(key)
		}
	}
	s.o.Events.Publish(events.SnapshotDeletedEvent{SnapshotID: id, Network: key})
	c.Status(http.StatusNoContent)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (s *Server) exportSnapshot(c *gin.Context) {
	format := c.DefaultQuery("format", "json")
	valid := false
	for _, f := range exportFormats {
		if f == format {
			valid = true
		}
	}
	if !valid {
		s.abort(c, badRequest(fmt.Sprintf("format %q: want json, cbor, graphml, dot or csv", format)))
		return
	}
	redact := false
	if v, ok := c.GetQuery("redact"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			s.abort(c, badRequest(fmt.Sprintf("redact %q: want true or false", v)))
			return
		}
		redact = b
	}
	snap, err := s.getStored(c.Param("id"))
	if err != nil {
		s.abort(c, err)
		return
	}
	if s.o.Export == nil {
		s.abort(c, unavailable("exports are not available in this build"))
		return
	}
	var buf bytes.Buffer
	ctype, ext, err := s.o.Export(&buf, s.named(snap), format, redact)
	if err != nil {
		s.abort(c, fmt.Errorf("export %s as %s: %w", snap.ID, format, err))
		return
	}
	name := unsafeName.ReplaceAllString(fmt.Sprintf("threadmap-%s-%s", strings.TrimPrefix(snap.Network.Key(), "name:"), snap.ID), "_") + "." + ext
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, ctype, buf.Bytes())
}

func (s *Server) diff(c *gin.Context) {
	fromID, toID := c.Query("from"), c.Query("to")
	if fromID == "" || toID == "" {
		s.abort(c, badRequest("from and to: both snapshot ids are required"))
		return
	}
	a, err := s.getStored(fromID)
	if err != nil {
		s.abort(c, err)
		return
	}
	b, err := s.getStored(toID)
	if err != nil {
		s.abort(c, err)
		return
	}
	if s.o.Diff == nil {
		s.abort(c, unavailable("diff is not available in this build"))
		return
	}
	writeJSON(c, http.StatusOK, s.o.Diff(a, b))
}

func (s *Server) insights(c *gin.Context) {
	var snap *topology.Snapshot
	if id := c.Query("snapshot"); id != "" {
		var err error
		if snap, err = s.getStored(id); err != nil {
			s.abort(c, err)
			return
		}
		if n, ok := c.GetQuery("network"); ok && n != snap.Network.Key() {
			s.abort(c, badRequest(fmt.Sprintf("snapshot %s belongs to network %s, not %s", id, snap.Network.Key(), n)))
			return
		}
	} else {
		lc, err := s.requestLatest(c)
		if err != nil {
			s.abort(c, err)
			return
		}
		snap = lc.snap
	}
	if s.o.Insights == nil {
		s.abort(c, unavailable("insights are not available in this build"))
		return
	}
	out, err := s.o.Insights(c.Request.Context(), snap)
	if err != nil {
		s.abort(c, err)
		return
	}
	writeJSON(c, http.StatusOK, out)
}

func (s *Server) triggerScan(c *gin.Context) {
	if s.o.Scanner == nil {
		s.abort(c, unavailable("scanning is not running"))
		return
	}
	network, given := c.GetQuery("network")
	if given {
		info, err := s.o.Scanner.Trigger(network)
		switch {
		case errors.Is(err, scheduler.ErrRunning):
			s.abort(c, &apiError{http.StatusConflict, CodeConflict, fmt.Sprintf("scan %s of network %s is running", info.ID, network)})
		case errors.Is(err, scheduler.ErrUnknownNetwork):
			s.abort(c, notFound(fmt.Sprintf("network %q: no source reaches it (known: %s)", network, listOrNone(s.o.Scanner.Networks()))))
		case errors.Is(err, scheduler.ErrStopped):
			s.abort(c, unavailable(err.Error()))
		case err != nil:
			s.abort(c, err)
		default:
			writeJSON(c, http.StatusAccepted, ScanAccepted{ScanID: info.ID, State: info.State, Network: info.Network})
		}
		return
	}
	infos, err := s.o.Scanner.TriggerAll()
	switch {
	case errors.Is(err, scheduler.ErrNoNetworks):
		s.abort(c, notFound(err.Error()))
	case errors.Is(err, scheduler.ErrStopped):
		s.abort(c, unavailable(err.Error()))
	case err != nil:
		s.abort(c, err)
	default:
		writeJSON(c, http.StatusAccepted, ScanAccepted{ScanID: infos[0].ID, State: infos[0].State, Network: infos[0].Network, Scans: infos})
	}
}

func (s *Server) listScans(c *gin.Context) {
	scans := []scheduler.ScanInfo{}
	if s.o.Scanner != nil {
		scans = append(scans, s.o.Scanner.Scans()...)
	}
	writeJSON(c, http.StatusOK, Scans{Scans: scans})
}

func (s *Server) importSnapshot(c *gin.Context) {
	// One import at a time: decoding a big one takes many times its size.
	select {
	case s.imports <- struct{}{}:
		defer func() { <-s.imports }()
	default:
		c.Header("Retry-After", "2")
		s.abort(c, unavailable("another import is being stored; imports run one at a time: retry in a moment"))
		return
	}
	// JSON is decoded as it streams in; only CBOR is read whole.
	body := bufio.NewReader(c.Request.Body)
	first, err := firstNonSpace(body)
	if err != nil {
		s.abort(c, err)
		return
	}
	if first == 0 {
		s.abort(c, badRequest("empty body: send a canonical JSON or CBOR export"))
		return
	}
	var snap *topology.Snapshot
	ctype := c.ContentType()
	switch {
	case ctype == "application/cbor" || (ctype != jsonType && first != '{'):
		if s.o.DecodeCBOR == nil {
			s.abort(c, badRequest("CBOR import is not available in this build; send canonical JSON"))
			return
		}
		var b []byte
		if b, err = io.ReadAll(body); err == nil {
			snap, err = s.o.DecodeCBOR(b)
		}
	default:
		snap, err = topology.DecodeJSON(body)
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		s.abort(c, mbe)
		return
	}
	if err != nil {
		s.abort(c, badRequest("import: "+err.Error()))
		return
	}
	if snap.TakenAt.IsZero() {
		s.abort(c, badRequest("import: taken_at is missing"))
		return
	}
	topology.Normalize(snap)
	// A snapshot that names no network joins the stored one of its
	// mesh-local prefix, or is refused (archive.Save).
	id, err := s.o.Archive.Save(c.Request.Context(), snap, archive.Origin{Imported: true})
	if err != nil {
		s.abort(c, storeFailure("import", err))
		return
	}
	writeJSON(c, http.StatusCreated, Imported{SnapshotID: id, Network: snap.Network.Key()})
}

// firstNonSpace peeks past leading white space at the first byte of r (0
// at the end).
func firstNonSpace(r *bufio.Reader) (byte, error) {
	for {
		b, err := r.Peek(1)
		if err == io.EOF {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			r.Discard(1)
			continue
		}
		return b[0], nil
	}
}

func (s *Server) getMetrics(c *gin.Context) {
	if s.o.Metrics == nil {
		s.abort(c, unavailable("metrics are not enabled"))
		return
	}
	s.o.Metrics.ServeHTTP(c.Writer, c.Request)
}

func (s *Server) getSettings(c *gin.Context) {
	if s.o.Settings == nil {
		s.abort(c, unavailable("settings are not available in this configuration"))
		return
	}
	v, err := s.o.Settings.Get()
	if err != nil {
		s.abort(c, err)
		return
	}
	writeJSON(c, http.StatusOK, v)
}

func (s *Server) patchSettings(c *gin.Context) {
	if s.o.Settings == nil {
		s.abort(c, unavailable("settings are not available in this configuration"))
		return
	}
	body, err := readBody(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	v, err := s.o.Settings.Patch(body)
	if err != nil {
		s.abort(c, err)
		return
	}
	writeJSON(c, http.StatusOK, v)
}

// readBody reads a request body within its route's limit; a body over the
// limit stays a *http.MaxBytesError (413), others are bad requests.
func readBody(c *gin.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			err = badRequest("read body: " + err.Error())
		}
		return nil, err
	}
	return body, nil
}
