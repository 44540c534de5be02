package server

import (
	"bufio"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// events streams the bus as Server-Sent Events until the client leaves or
// the server closes: "event: NAME\ndata: JSON\n\n", and ": ping" comments.
func (s *Server) events(c *gin.Context) {
	w := c.Writer
	rc := http.NewResponseController(w)
	// The stream outlives the server's write timeout.
	_ = rc.SetWriteDeadline(time.Time{})
	ch, cancel := s.o.Events.Subscribe(256)
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriter(w)
	write := func(parts ...string) bool {
		for _, p := range parts {
			if _, err := bw.WriteString(p); err != nil {
				return false
			}
		}
		if err := bw.Flush(); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write("retry: 3000\n: connected\n\n") {
		return
	}
	ping := time.NewTicker(s.o.PingInterval)
	defer ping.Stop()
	ctx := c.Request.Context()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.done:
			return
		case <-ping.C:
			if !write(": ping\n\n") {
				return
			}
		case ev, ok := <-ch:
			if !ok {
				return
			}
			if !write("event: ", ev.Name, "\ndata: ", string(ev.Data), "\n\n") {
				return
			}
		}
	}
}
