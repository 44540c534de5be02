package matterclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/threadmap/threadmap/matter/meshbuild"
	"github.com/threadmap/threadmap/matter/nodedump"
	"github.com/threadmap/threadmap/matter/wsapi"
	"github.com/threadmap/threadmap/thread/topology"
)

// Source is the Matter server as a topology.Source (Name "matter").
// Without Run, every Collect connects, reads all nodes (get_nodes) and
// disconnects. While Run follows the server, Collect answers from the
// live node cache that start_listening filled and events keep current.
type Source struct {
	url  string
	opts Options

	mu      sync.Mutex
	nodes   map[uint64]*nodedump.NodeData
	sizes   map[uint64]int // each cached node's size (nodeSize)
	total   int            // the sum of sizes
	refused int            // nodes and updates not kept since the last sync (cache limits)
	synced  bool           // the cache holds a full start_listening answer
	info    *wsapi.ServerInfo
	lastErr error
}

// NewSource returns the source for the Matter server at rawURL ("host",
// "host:port" or a ws:// URL; default port 5580, path /ws).
func NewSource(rawURL string, opts Options) (*Source, error) {
	u, err := NormalizeURL(rawURL)
	if err != nil {
		return nil, err
	}
	return &Source{url: u, opts: opts.withDefaults(), nodes: map[uint64]*nodedump.NodeData{}, sizes: map[uint64]int{}}, nil
}

// Name is "matter".
func (s *Source) Name() string { return meshbuild.SourceName }

// URL is the normalized server URL as it may be shown: credentials in it
// are "***" (topology.RedactURL).
func (s *Source) URL() string { return topology.RedactURL(s.url) }

// Synced reports whether Run holds a current copy of every node.
func (s *Source) Synced() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.synced
}

// Nodes returns the cached nodes (while Run follows the server), by id.
func (s *Source) Nodes() []*nodedump.NodeData {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*nodedump.NodeData, 0, len(s.nodes))
	for _, nd := range s.nodes {
		out = append(out, nd)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NodeID < out[j].NodeID })
	return out
}

// Collect returns the Matter view of one Thread network (Options.ExtPanID,
// else the one with the most Matter nodes) as a partial snapshot: nodes
// with ext addresses, RLOC16s, names, vendors and Matter node IDs, and the
// links their neighbor and route tables report. The report notes name the
// other networks and the devices on no Thread map.
func (s *Source) Collect(ctx context.Context) (*topology.Snapshot, error) {
	start := time.Now()
	var nodes []*nodedump.NodeData
	if s.Synced() {
		nodes = s.Nodes()
	} else {
		c, err := Dial(ctx, s.url, s.opts)
		if err != nil {
			return nil, err
		}
		nodes, err = c.GetNodes(ctx)
		c.Close()
		if err != nil {
			return nil, err
		}
	}
	snap, err := s.build(nodes, start)
	if note := s.cacheNote(); note != "" {
		if err != nil {
			return nil, fmt.Errorf("%w (%s)", err, note)
		}
		snap.Scan.Sources[0].Notes = append(snap.Scan.Sources[0].Notes, note)
	}
	return snap, err
}

// maxNotes bounds the notes of one report (and an error lists fewer).
const maxNotes = 50

// fewNotes is the first three notes and how many more there are.
func fewNotes(notes []string) string {
	if len(notes) <= 3 {
		return strings.Join(notes, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(notes[:3], "; "), len(notes)-3)
}

// errCacheFull is apply's answer when a node does not fit the cache.
var errCacheFull = errors.New("node cache full")

// nodeSize is what a node costs in the cache: its attribute JSON plus a
// little for the map entries.
func nodeSize(nd *nodedump.NodeData) int {
	n := 256
	for k, v := range nd.Attributes {
		n += len(k) + len(v) + 48
	}
	return n
}

// keep puts nd into the cache if it fits MaxNodes and MaxCacheBytes (s.mu
// held); otherwise it counts it as refused.
func (s *Source) keep(nd *nodedump.NodeData) error {
	size := nodeSize(nd)
	old, had := s.sizes[nd.NodeID]
	if (!had && len(s.nodes) >= s.opts.MaxNodes) || s.total-old+size > s.opts.MaxCacheBytes {
		s.refused++
		return fmt.Errorf("%w (%d nodes, %d MiB): node %d not kept", errCacheFull, len(s.nodes), s.total>>20, nd.NodeID)
	}
	s.nodes[nd.NodeID], s.sizes[nd.NodeID] = nd, size
	s.total += size - old
	return nil
}

// forget drops node id from the cache (s.mu held).
func (s *Source) forget(id uint64) {
	s.total -= s.sizes[id]
	delete(s.nodes, id)
	delete(s.sizes, id)
}

// cacheNote says how many nodes or updates the cache limits refused.
func (s *Source) cacheNote() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused == 0 {
		return ""
	}
	return fmt.Sprintf("%d nodes or updates the Matter server sent were not kept: the cache holds at most %d nodes and %d MiB", s.refused, s.opts.MaxNodes, s.opts.MaxCacheBytes>>20)
}

func (s *Source) build(nodes []*nodedump.NodeData, start time.Time) (*topology.Snapshot, error) {
	now := time.Now()
	inputs := make([]meshbuild.Input, 0, len(nodes))
	for _, nd := range nodes {
		n, err := nodedump.Decode(nd)
		if err != nil {
			return nil, fmt.Errorf("matter server %s: node %d: %w", s.URL(), nd.NodeID, err)
		}
		inputs = append(inputs, meshbuild.Input{Node: n, TakenAt: now})
	}
	res := meshbuild.Build(inputs, now)
	var snap *topology.Snapshot
	if s.opts.ExtPanID != "" {
		snap = res.Network(s.opts.ExtPanID)
		if snap == nil {
			return nil, fmt.Errorf("matter server %s: no node on Thread network %s (%d nodes)", s.URL(), s.opts.ExtPanID, len(nodes))
		}
	} else {
		snap = res.Largest()
	}
	if snap == nil {
		return nil, fmt.Errorf("matter server %s: none of its %d nodes is on a Thread network the server can describe: %s", s.URL(), len(nodes), fewNotes(res.Notes))
	}
	rep := &snap.Scan.Sources[0]
	rep.Target = s.URL()
	if len(rep.Notes) > maxNotes { // one per node at most, but a server may have many
		rep.Notes = append(rep.Notes[:maxNotes:maxNotes], fmt.Sprintf("… and %d more notes", len(rep.Notes)-maxNotes))
	}
	rep.DurationMs = time.Since(start).Milliseconds()
	for _, other := range res.Networks {
		if other != snap {
			rep.Notes = append(rep.Notes, fmt.Sprintf("the server also knows Thread network %s %q (%d Matter nodes)", other.Network.Key(), other.Network.Name, other.Scan.Sources[0].Queried))
		}
	}
	snap.TakenAt = now.UTC()
	return snap, nil
}

// Run follows the server until ctx ends: connect, start_listening (every
// node), then apply node_added / node_updated / node_removed /
// attribute_updated events to the cache; on any failure reconnect after
// an exponential back-off (MinBackoff doubling up to MaxBackoff, with
// jitter), reset once a connection has synced. It returns ctx's error.
func (s *Source) Run(ctx context.Context) error {
	backoff := s.opts.MinBackoff
	for {
		synced, err := s.follow(ctx)
		s.mu.Lock()
		s.synced = false
		s.lastErr = err
		s.mu.Unlock()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if synced {
			backoff = s.opts.MinBackoff
		}
		wait := backoff + time.Duration(rand.Int64N(int64(backoff)/5+1))
		s.opts.logf("matter server %s: %v; reconnecting in %s", s.URL(), err, wait.Round(time.Millisecond))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		if backoff *= 2; backoff > s.opts.MaxBackoff {
			backoff = s.opts.MaxBackoff
		}
	}
}

// LastError is why Run's last connection ended (nil before any).
func (s *Source) LastError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

// follow runs one connection; synced says whether it got the node list.
func (s *Source) follow(ctx context.Context) (synced bool, err error) {
	c, err := Dial(ctx, s.url, s.opts)
	if err != nil {
		return false, err
	}
	defer c.Close()
	nodes, err := c.StartListening(ctx)
	if err != nil {
		return false, err
	}
	info := c.ServerInfo()
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].NodeID < nodes[j].NodeID })
	s.mu.Lock()
	s.nodes, s.sizes, s.total, s.refused = map[uint64]*nodedump.NodeData{}, map[uint64]int{}, 0, 0
	for _, nd := range nodes {
		_ = s.keep(nd) // counted in s.refused
	}
	s.synced, s.info = true, &info
	refused := s.refused
	s.mu.Unlock()
	if refused > 0 {
		s.opts.logf("matter server %s: %d of %d nodes not kept (cache limits %d nodes, %d MiB)", s.URL(), refused, len(nodes), s.opts.MaxNodes, s.opts.MaxCacheBytes>>20)
	}
	s.opts.logf("matter server %s: following %d nodes", s.URL(), len(nodes))
	s.changed()
	ping := time.NewTicker(s.opts.PingInterval)
	defer ping.Stop()
	full := false
	for {
		select {
		case <-ctx.Done():
			return true, ctx.Err()
		case <-ping.C:
			if err := c.Ping(ctx); err != nil {
				return true, err
			}
		case ev, ok := <-c.Events():
			if !ok {
				return true, c.Err()
			}
			if ev.Event == wsapi.EventServerShutdown {
				return true, errors.New("server shut down")
			}
			if err := s.apply(ev); err != nil {
				// A server flooding the cache would flood the log too: say it once per connection.
				if !errors.Is(err, errCacheFull) || !full {
					s.opts.logf("matter server %s: %v", s.URL(), err)
				}
				full = full || errors.Is(err, errCacheFull)
				continue
			}
			s.changed()
		}
	}
}

func (s *Source) changed() {
	if s.opts.OnChange != nil {
		s.opts.OnChange()
	}
}

// apply folds one event into the cache, as python-matter-server's own
// client does.
func (s *Source) apply(ev wsapi.Event) error {
	switch ev.Event {
	case wsapi.EventNodeAdded, wsapi.EventNodeUpdated:
		nd, err := nodedump.DecodeNodeData(ev.Data)
		if err != nil {
			return fmt.Errorf("%s: %w", ev.Event, err)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.keep(nd)
	case wsapi.EventNodeRemoved:
		var id uint64
		if err := json.Unmarshal(ev.Data, &id); err != nil {
			return fmt.Errorf("node_removed: node id: %w", err)
		}
		s.mu.Lock()
		s.forget(id)
		s.mu.Unlock()
	case wsapi.EventAttributeUpdated:
		u, err := wsapi.ParseAttributeUpdate(ev.Data)
		if err != nil {
			return err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		nd := s.nodes[u.NodeID]
		if nd == nil {
			return fmt.Errorf("attribute_updated for unknown node %d", u.NodeID)
		}
		// Copy on write: Nodes() hands out the old map.
		attrs := make(map[string]json.RawMessage, len(nd.Attributes)+1)
		for k, v := range nd.Attributes {
			attrs[k] = v
		}
		attrs[u.Path] = u.Value
		cp := *nd
		cp.Attributes = attrs
		return s.keep(&cp)
	case wsapi.EventServerInfoUpdated:
		var info wsapi.ServerInfo
		if err := json.Unmarshal(ev.Data, &info); err == nil {
			s.mu.Lock()
			s.info = &info
			s.mu.Unlock()
		}
	default:
		return nil
	}
	return nil
}
