package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/topology"
)

// NameStore keeps the names users give devices, by ext address (*store.Store).
type NameStore interface {
	Names() (map[string]string, error)
	SetName(ext, name string) (string, string, error)
	DeleteName(ext string) (string, error)
}

// userNames returns the names to serve snapshots with, reading the store
// once; this process is the only writer while it holds the file.
func (s *Server) userNames() map[string]string {
	if s.o.Names == nil {
		return nil
	}
	s.namesMu.Lock()
	defer s.namesMu.Unlock()
	if s.names == nil {
		m, err := s.o.Names.Names()
		if err != nil {
			s.log.Warn("read names", "error", err)
			return nil
		}
		s.names = m
	}
	return s.names
}

// named is snap as the API serves it: with the names users gave devices.
func (s *Server) named(snap *topology.Snapshot) *topology.Snapshot {
	return topology.WithUserNames(snap, s.userNames())
}

func (s *Server) listNames(c *gin.Context) {
	if s.o.Names == nil {
		s.abort(c, unavailable("names are not available in this configuration"))
		return
	}
	m, err := s.o.Names.Names()
	if err != nil {
		s.abort(c, err)
		return
	}
	writeJSON(c, http.StatusOK, Names{Names: m})
}

// nameTarget reads {ext} and refuses ids that are not ext addresses (and
// any request when names are not kept).
func (s *Server) nameTarget(c *gin.Context) (string, error) {
	if s.o.Names == nil {
		return "", unavailable("names are not available in this configuration")
	}
	ext := c.Param("ext")
	if strings.HasPrefix(ext, "rloc:") {
		return "", badRequest(fmt.Sprintf("%s: names are kept by extended address, which stays when a device re-attaches; "+
			"this device is known only by its RLOC16, which changes then. Add a source that reports ext addresses (TMF, OTBR REST, Matter) to name it", ext))
	}
	t, err := topology.ParseExtAddress(ext)
	if err != nil {
		return "", badRequest(err.Error())
	}
	return t.String(), nil
}

func (s *Server) putName(c *gin.Context) {
	ext, err := s.nameTarget(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	body, err := readBody(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	var req struct {
		Name *string `json:"name"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Name == nil {
		s.abort(c, badRequest(`body: want {"name": "Kitchen plug"} (1 to 64 printable characters)`))
		return
	}
	ext, name, err := s.o.Names.SetName(ext, *req.Name)
	if err != nil {
		s.abort(c, badRequest(err.Error()))
		return
	}
	s.namesChanged(ext, &name)
	writeJSON(c, http.StatusOK, Name{ExtAddr: ext, Name: name})
}

func (s *Server) deleteName(c *gin.Context) {
	ext, err := s.nameTarget(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	ext, err = s.o.Names.DeleteName(ext)
	if errors.Is(err, store.ErrNotFound) {
		s.abort(c, notFound(fmt.Sprintf("%s has no name", c.Param("ext"))))
		return
	}
	if err != nil {
		s.abort(c, err)
		return
	}
	s.namesChanged(ext, nil)
	c.Status(http.StatusNoContent)
}

// namesChanged updates the name cache and the cached latest snapshots, and
// tells the live clients.
func (s *Server) namesChanged(ext string, name *string) {
	s.namesMu.Lock()
	s.names = nil // re-read: cheap, and the store is the truth
	s.namesMu.Unlock()
	names := s.userNames()
	s.mu.Lock()
	for k, lc := range s.latest {
		if b, err := encodeJSON(topology.WithUserNames(lc.snap, names)); err == nil {
			s.latest[k] = &cached{snap: lc.snap, json: b}
		}
	}
	s.mu.Unlock()
	s.o.Events.Publish(events.NamesChangedEvent{ExtAddr: ext, Name: name})
}
