package mattersimtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/threadmap/threadmap/matter/wsapi"
)

// Hostile says how a misbehaving Matter server misbehaves. Per connection
// it sends the server info, answers start_listening with no nodes, then
// sends Rounds rounds (0: until the test ends) of: Nodes node_added events
// for node ids never used before (each carrying NodeBytes of attribute
// text), then a node_updated of each size in Huge (one over the client's
// message limit ends the connection: put it last), then, if
// SlowFrame > 0, one event written in 64-byte fragments SlowFrame apart.
// After the last round it sends node_removed for the first node it added,
// so a client knows every earlier event has been read.
type Hostile struct {
	Rounds    int
	Nodes     int
	NodeBytes int
	Huge      []int
	SlowFrame time.Duration
	// Pause is the wait between two node_added events.
	Pause time.Duration
}

// ServeHostile starts a Hostile Matter server on a loopback port until the
// test ends and returns its WebSocket URL and a counter of node_added
// events sent.
func ServeHostile(tb testing.TB, h Hostile) (string, *atomic.Int64) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var nextID, sent atomic.Int64
	nextID.Store(1000)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx },
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ws, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer ws.CloseNow()
			h.serve(r.Context(), ws, &nextID, &sent)
		})}
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	tb.Cleanup(func() {
		cancel()
		sctx, c := context.WithTimeout(context.Background(), 2*time.Second)
		defer c()
		_ = srv.Shutdown(sctx)
		srv.Close()
		<-done
	})
	return "ws://" + ln.Addr().String() + "/ws", &sent
}

func (h Hostile) serve(ctx context.Context, ws *websocket.Conn, nextID, sent *atomic.Int64) {
	info := wsapi.ServerInfo{FabricID: 1, CompressedFabricID: 2, SchemaVersion: wsapi.ClientSchemaVersion, MinSupportedSchemaVersion: 1, SDKVersion: "hostile"}
	if writeJSON(ctx, ws, info) != nil {
		return
	}
	// Wait for start_listening (or get_nodes), answer with no nodes.
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			return
		}
		m, err := wsapi.Parse(b)
		if err != nil || m.Kind != wsapi.KindCommand {
			return
		}
		if writeJSON(ctx, ws, wsapi.Result{MessageID: m.MessageID, Result: []any{}}) != nil {
			return
		}
		if m.Command == wsapi.CommandStartListening {
			break
		}
	}
	go func() { // keep reading: pings and further commands
		for {
			if _, _, err := ws.Read(ctx); err != nil {
				return
			}
		}
	}()
	text := strings.Repeat("x", h.NodeBytes)
	first := int64(-1)
	for round := 0; h.Rounds == 0 || round < h.Rounds; round++ {
		for i := 0; i < h.Nodes; i++ {
			id := nextID.Add(1)
			if first < 0 {
				first = id
			}
			node := map[string]any{"node_id": id, "available": true, "attributes": map[string]any{"0/40/5": text, "0/40/1": "Hostile"}}
			if writeJSON(ctx, ws, map[string]any{"event": wsapi.EventNodeAdded, "data": node}) != nil {
				return
			}
			sent.Add(1)
			if h.Pause > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(h.Pause):
				}
			}
		}
		for _, n := range h.Huge {
			huge := fmt.Sprintf(`{"event":%q,"data":{"node_id":1,"attributes":{"0/40/5":"%s"}}}`, wsapi.EventNodeUpdated, strings.Repeat("y", n))
			if ws.Write(ctx, websocket.MessageText, []byte(huge)) != nil {
				return // the client hangs up on a message over its limit
			}
		}
		if h.SlowFrame > 0 {
			w, err := ws.Writer(ctx, websocket.MessageText)
			if err != nil {
				return
			}
			b, _ := json.Marshal(map[string]any{"event": wsapi.EventServerInfoUpdated, "data": info})
			for len(b) > 0 {
				n := min(64, len(b))
				if _, err := w.Write(b[:n]); err != nil {
					return
				}
				b = b[n:]
				select {
				case <-ctx.Done():
					return
				case <-time.After(h.SlowFrame):
				}
			}
			if w.Close() != nil {
				return
			}
		}
	}
	if first >= 0 {
		_ = writeJSON(ctx, ws, map[string]any{"event": wsapi.EventNodeRemoved, "data": first})
	}
	<-ctx.Done()
}

func writeJSON(ctx context.Context, ws *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return ws.Write(wctx, websocket.MessageText, b)
}
