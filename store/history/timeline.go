package history

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/topology"
)

// Point is one device in one snapshot.
type Point struct {
	SnapshotID string    `json:"snapshot_id"`
	TakenAt    time.Time `json:"taken_at"`
	// Present is false when the snapshot does not hold the device; the
	// fields below are then empty.
	Present bool    `json:"present"`
	Rloc16  *string `json:"rloc16,omitempty"`
	Role    string  `json:"role,omitempty"`
	Parent  *string `json:"parent"`
	// ParentLQIn is the parent's view of the child's link (0-3),
	// ParentLQOut the other direction where a source reported it.
	ParentLQIn  *int `json:"parent_lq_in"`
	ParentLQOut *int `json:"parent_lq_out"`
}

// Timeline is one device across the snapshots of its network.
type Timeline struct {
	Node string `json:"node"`
	// Name is the device's own name in the newest snapshot that holds it
	// (the API puts a user's name here when one is set).
	Name string `json:"name"`
	// Points are oldest first.
	Points []Point `json:"points"`
}

// ErrUnknownNode is returned when no listed snapshot holds the device.
var ErrUnknownNode = errors.New("no snapshot holds this device")

// NodeTimeline returns node in the newest limit snapshots of network taken
// in [since, until] (zero: open), oldest first.
func (l *Log) NodeTimeline(ctx context.Context, network, node string, since, until time.Time, limit int) (*Timeline, error) {
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	limit = min(limit, store.MaxLimit)
	sums, err := l.st.List(network, since, until, limit, "")
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	tl := &Timeline{Node: node, Points: make([]Point, 0, len(sums.Snapshots))}
	found := false
	for i := len(sums.Snapshots) - 1; i >= 0; i-- {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s := sums.Snapshots[i]
		pts, name, err := l.points(s.ID)
		if errors.Is(err, store.ErrCorrupt) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("timeline: %w", err)
		}
		p, ok := pts[node]
		if !ok {
			p = Point{SnapshotID: s.ID, TakenAt: s.TakenAt}
		} else {
			found = true
			if n := name[node]; n != "" {
				tl.Name = n
			}
		}
		tl.Points = append(tl.Points, p)
	}
	if !found {
		return nil, fmt.Errorf("device %s in network %s: %w", node, network, ErrUnknownNode)
	}
	return tl, nil
}

// snapshotPoints is a snapshot reduced to what timelines read.
type snapshotPoints struct {
	points map[string]Point
	names  map[string]string
}

// points returns every device's point (and own name) in snapshot id.
func (l *Log) points(id string) (map[string]Point, map[string]string, error) {
	if p, ok := l.nodes.Get(id); ok {
		return p.points, p.names, nil
	}
	s, err := l.st.Get(id)
	if err != nil {
		return nil, nil, err
	}
	p := pointsOf(s)
	l.nodes.Add(id, p)
	return p.points, p.names, nil
}

func pointsOf(s *topology.Snapshot) snapshotPoints {
	out := snapshotPoints{points: make(map[string]Point, len(s.Nodes)), names: map[string]string{}}
	child := map[string]*topology.Link{}
	for i := range s.Links {
		if l := &s.Links[i]; l.Kind == topology.LinkChild {
			child[l.B] = l
		}
	}
	for _, n := range s.Nodes {
		p := Point{SnapshotID: s.ID, TakenAt: s.TakenAt, Present: true, Role: string(n.Role), Parent: n.Parent}
		if n.Rloc16 != nil {
			p.Rloc16 = ptr(n.Rloc16.String())
		}
		if l := child[n.ID]; l != nil && n.Parent != nil && l.A == *n.Parent {
			p.ParentLQIn, p.ParentLQOut = l.LQIn, l.LQOut
		}
		out.points[n.ID] = p
		if n.Name != "" {
			out.names[n.ID] = n.Name
		}
	}
	return out
}
