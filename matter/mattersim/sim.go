// Package mattersim is a Matter server for the demo and tests: it speaks
// python-matter-server's WebSocket API (matter/wsapi) on a real socket,
// and its nodes are a simulated Thread mesh's devices — the same ext
// addresses and RLOC16s, Thread Network Diagnostics (cluster 0x0035) with
// NeighborTable and RouteTable as real devices report them, General
// Diagnostics NetworkInterfaces and Basic Information names — plus one
// Wi-Fi device without cluster 0x0035.
//
// Serve it:
//
//	sim, err := mattersim.New(truth)           // truth: *topology.Snapshot
//	ln, err := net.Listen("tcp", "127.0.0.1:5580")
//	go sim.Serve(ctx, ln)                      // ws://127.0.0.1:5580/ws
//
// or mount sim.Handler() on an existing HTTP server (path /ws).
package mattersim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/threadmap/threadmap/matter/nodedump"
	"github.com/threadmap/threadmap/matter/wsapi"
	"github.com/threadmap/threadmap/thread/topology"
)

// Sim is a simulated Matter server.
type Sim struct {
	mu    sync.Mutex
	info  wsapi.ServerInfo
	nodes map[uint64]*nodedump.NodeData
	byExt map[string]uint64
	subs  map[*client]struct{}
	stall map[string]bool
	ids   map[string]uint64 // ext address (or "wifi") → Matter node ID
}

// New builds the server's nodes from snap (the simulated mesh's truth).
func New(snap *topology.Snapshot) (*Sim, error) {
	if snap == nil {
		return nil, errors.New("mattersim: nil snapshot")
	}
	s := &Sim{
		info: wsapi.ServerInfo{FabricID: 1, CompressedFabricID: 0xf1e2d3c4b5a69788, SchemaVersion: wsapi.ClientSchemaVersion,
			MinSupportedSchemaVersion: 9, SDKVersion: "threadmap-mattersim", ThreadCredentialsSet: true},
		subs:  map[*client]struct{}{},
		stall: map[string]bool{},
		ids:   map[string]uint64{},
	}
	if err := s.load(snap); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Sim) load(snap *topology.Snapshot) error {
	byExt := map[string]uint64{}
	nodes, err := buildNodes(snap, func(key string) uint64 {
		id, ok := s.ids[key]
		if !ok {
			id = uint64(len(s.ids) + 1)
			s.ids[key] = id
		}
		if key != "wifi" {
			byExt[key] = id
		}
		return id
	})
	if err != nil {
		return err
	}
	s.nodes = map[uint64]*nodedump.NodeData{}
	for _, nd := range nodes {
		s.nodes[nd.NodeID] = nd
	}
	s.byExt = byExt
	return nil
}

// Update replaces the nodes with those of a new snapshot of the mesh and
// tells listening clients: node_added, node_updated (changed nodes),
// node_removed.
func (s *Sim) Update(snap *topology.Snapshot) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, oldExt := s.nodes, s.byExt
	if err := s.load(snap); err != nil {
		s.nodes, s.byExt = old, oldExt
		return err
	}
	for _, id := range sortedIDs(s.nodes) {
		nd := s.nodes[id]
		prev, had := old[id]
		switch {
		case !had:
			s.broadcast(wsapi.EventNodeAdded, nd)
		case !sameNode(prev, nd):
			s.broadcast(wsapi.EventNodeUpdated, nd)
		}
	}
	for _, id := range sortedIDs(old) {
		if _, ok := s.nodes[id]; !ok {
			s.broadcast(wsapi.EventNodeRemoved, id)
		}
	}
	return nil
}

func sameNode(a, b *nodedump.NodeData) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func sortedIDs(m map[uint64]*nodedump.NodeData) []uint64 {
	ids := make([]uint64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// Nodes returns the server's nodes by node ID.
func (s *Sim) Nodes() []*nodedump.NodeData {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*nodedump.NodeData, 0, len(s.nodes))
	for _, id := range sortedIDs(s.nodes) {
		out = append(out, s.nodes[id])
	}
	return out
}

// NodeID is the Matter node ID of the device with ext address ext.
func (s *Sim) NodeID(ext string) (uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byExt[ext]
	return id, ok
}

// SetServerInfo changes the info sent to clients that connect from now on
// (tests use it for schema versions).
func (s *Sim) SetServerInfo(info wsapi.ServerInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.info = info
}

// Stall makes the server never answer command (tests of request timeouts).
func (s *Sim) Stall(command string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stall[command] = on
}

// SetAttribute sets one attribute and sends attribute_updated
// [node_id, path, value] to listening clients.
func (s *Sim) SetAttribute(nodeID uint64, path string, value any) error {
	if _, err := nodedump.ParseAttributePath(path); err != nil {
		return err
	}
	b, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("mattersim: %s: %w", path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	nd := s.nodes[nodeID]
	if nd == nil {
		return fmt.Errorf("mattersim: no node %d", nodeID)
	}
	cp := *nd
	cp.Attributes = make(map[string]json.RawMessage, len(nd.Attributes)+1)
	for k, v := range nd.Attributes {
		cp.Attributes[k] = v
	}
	cp.Attributes[path] = b
	s.nodes[nodeID] = &cp
	s.broadcast(wsapi.EventAttributeUpdated, []any{nodeID, path, json.RawMessage(b)})
	return nil
}

// RemoveNode removes a node and sends node_removed.
func (s *Sim) RemoveNode(nodeID uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.nodes[nodeID]; ok {
		delete(s.nodes, nodeID)
		s.broadcast(wsapi.EventNodeRemoved, nodeID)
	}
}

// Disconnect drops every client connection (tests of reconnects).
func (s *Sim) Disconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.subs {
		c.kill()
	}
}

// broadcast sends an event to listening clients; s.mu is held.
func (s *Sim) broadcast(event string, data any) {
	b, err := json.Marshal(map[string]any{"event": event, "data": data})
	if err != nil {
		return
	}
	for c := range s.subs {
		if c.listening {
			c.send(b)
		}
	}
}

// Handler serves the API at /ws and the server info at /info.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", s.serveWS)
	mux.HandleFunc("/info", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		info := s.info
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(info)
	})
	return mux
}

// Serve serves on ln until ctx ends, then closes every connection.
func (s *Sim) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		s.Disconnect()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		return nil
	case err := <-errc:
		return err
	}
}

// maxPending is python-matter-server's per-client queue bound.
const maxPending = 512

type client struct {
	out       chan []byte
	listening bool
	cancel    context.CancelFunc
	once      sync.Once
}

func (c *client) send(b []byte) {
	select {
	case c.out <- b:
	default:
		c.kill() // a client that does not read is dropped, as the real server does
	}
}

func (c *client) kill() { c.once.Do(c.cancel) }

func (s *Sim) serveWS(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	ws.SetReadLimit(1 << 20)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	c := &client{out: make(chan []byte, maxPending), cancel: cancel}
	s.mu.Lock()
	s.subs[c] = struct{}{}
	info, _ := json.Marshal(s.info)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.subs, c)
		s.mu.Unlock()
	}()
	c.send(info)
	go func() {
		for {
			select {
			case <-ctx.Done():
				ws.CloseNow()
				return
			case b := <-c.out:
				if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
					cancel()
				}
			}
		}
	}()
	for {
		typ, b, err := ws.Read(ctx)
		if err != nil {
			return
		}
		if typ != websocket.MessageText {
			continue
		}
		m, err := wsapi.Parse(b)
		if err != nil || m.Kind != wsapi.KindCommand {
			return // python-matter-server drops a client sending invalid JSON
		}
		s.handle(c, m)
	}
}

func (s *Sim) handle(c *client, m wsapi.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stall[m.Command] {
		return
	}
	reply := func(v any) {
		b, err := json.Marshal(v)
		if err == nil {
			c.send(b)
		}
	}
	fail := func(code int, details string) {
		reply(wsapi.ErrorResult{MessageID: m.MessageID, ErrorCode: code, Details: details})
	}
	nodes := func() []*nodedump.NodeData {
		out := make([]*nodedump.NodeData, 0, len(s.nodes))
		for _, id := range sortedIDs(s.nodes) {
			out = append(out, s.nodes[id])
		}
		return out
	}
	switch m.Command {
	case wsapi.CommandStartListening:
		if c.listening {
			fail(wsapi.ErrorUnknown, "Listen command already called")
			return
		}
		// Under s.mu: no event can slip in before the node dump.
		reply(wsapi.Result{MessageID: m.MessageID, Result: nodes()})
		c.listening = true
	case wsapi.CommandGetNodes:
		reply(wsapi.Result{MessageID: m.MessageID, Result: nodes()})
	case wsapi.CommandGetNode:
		var args struct {
			NodeID *uint64 `json:"node_id"`
		}
		if err := json.Unmarshal(m.Args, &args); err != nil || args.NodeID == nil {
			fail(wsapi.ErrorInvalidArgument, "get_node needs node_id")
			return
		}
		nd := s.nodes[*args.NodeID]
		if nd == nil {
			fail(wsapi.ErrorNodeNotExists, fmt.Sprintf("Node %d does not exist or is not yet interviewed", *args.NodeID))
			return
		}
		reply(wsapi.Result{MessageID: m.MessageID, Result: nd})
	case wsapi.CommandServerInfo:
		reply(wsapi.Result{MessageID: m.MessageID, Result: s.info})
	case wsapi.CommandDiagnostics:
		reply(wsapi.Result{MessageID: m.MessageID, Result: map[string]any{"info": s.info, "nodes": nodes(), "events": []any{}}})
	default:
		fail(wsapi.ErrorInvalidCommand, "Invalid command: "+m.Command)
	}
}
