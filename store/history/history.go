// Package history reads a network's stored snapshots as a story a person
// follows: the change log between every two consecutive snapshots (what
// store/diff finds, as events — a node appeared, a child changed parent, a
// link's quality dropped) and one device's timeline (its RLOC16, role,
// parent and link quality to the parent in each snapshot).
//
// A pair of snapshot ids always yields the same changes (ids are never
// reused and snapshots never change), so each pair's changes are cached
// without invalidation: paging through a long history decodes each stored
// snapshot once, and later pages and requests read the cache.
package history

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/diff"
	"github.com/threadmap/threadmap/thread/topology"
)

// Change kinds, as the API spells them.
const (
	NodeAppeared        = "node-appeared"
	NodeDisappeared     = "node-disappeared"
	ParentChanged       = "parent-changed"
	RoleChanged         = "role-changed"
	Rloc16Changed       = "rloc16-changed"
	LQDropped           = "lq-dropped"
	LQRecovered         = "lq-recovered"
	RouterLinkAdded     = "router-link-added"
	RouterLinkRemoved   = "router-link-removed"
	BorderRouterAdded   = "border-router-added"
	BorderRouterRemoved = "border-router-removed"
)

// Change is one thing that changed between two consecutive snapshots of a
// network.
type Change struct {
	// At is when the newer snapshot was taken.
	At             time.Time `json:"at"`
	SnapshotID     string    `json:"snapshot_id"`
	PrevSnapshotID string    `json:"prev_snapshot_id"`
	Kind           string    `json:"kind"`
	// Node is the device the change is about (its node id); empty for a
	// router link, which names both ends in Link.
	Node string `json:"node"`
	// From and To are the value before and after: a role, an RLOC16, a
	// parent's node id, a link quality 0-3; nil where there was none.
	From *string       `json:"from"`
	To   *string       `json:"to"`
	Link *diff.LinkRef `json:"link"`
	// Detail says it in words, naming devices by their own names or RLOC16.
	Detail string `json:"detail"`
}

// Page is one page of changes, newest first.
type Page struct {
	Changes []Change `json:"changes"`
	// NextCursor continues the listing; empty on the last page.
	NextCursor string `json:"next_cursor"`
}

// Store is what the log reads (*store.Store).
type Store interface {
	Get(id string) (*topology.Snapshot, error)
	List(network string, from, to time.Time, limit int, cursor string) (store.Page, error)
}

// Log reads change logs and timelines from a store, caching each pair's
// changes. Safe for concurrent use.
type Log struct {
	st    Store
	pairs *lru.Cache[[2]string, []Change]
	nodes *lru.Cache[string, snapshotPoints]
}

// Options size a Log's caches.
type Options struct {
	// Pairs is how many snapshot pairs' changes are kept (default 200 000:
	// a few tens of MB at most, as most pairs hold no change).
	Pairs int
	// Snapshots is how many snapshots' per-device points are kept for
	// timelines (default 512).
	Snapshots int
}

// New returns a log over st.
func New(st Store, o Options) *Log {
	if o.Pairs <= 0 {
		o.Pairs = 200000
	}
	if o.Snapshots <= 0 {
		o.Snapshots = 512
	}
	pairs, _ := lru.New[[2]string, []Change](o.Pairs)
	nodes, _ := lru.New[string, snapshotPoints](o.Snapshots)
	return &Log{st: st, pairs: pairs, nodes: nodes}
}

// Query selects changes.
type Query struct {
	Network string
	// Since and Until bound the newer snapshot's taken_at (zero: open).
	Since, Until time.Time
	// Limit is the page size (0: store.DefaultLimit; at most store.MaxLimit).
	Limit int
	// Cursor is a previous page's NextCursor.
	Cursor string
}

// listPage is the most summaries one store read lists.
const listPage = 1000

// Changes returns the changes between consecutive snapshots of q.Network,
// newest first.
func (l *Log) Changes(ctx context.Context, q Query) (Page, error) {
	page := Page{Changes: []Change{}}
	limit := q.Limit
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	limit = min(limit, store.MaxLimit)
	until := q.Until
	var resume *position
	if q.Cursor != "" {
		p, err := parseCursor(q.Cursor)
		if err != nil {
			return page, err
		}
		resume = &p
		if until.IsZero() || p.at.Before(until) {
			until = p.at
		}
	}
	var cur *store.Summary // the newer end of the pair waiting for its older one
	var curSnap *topology.Snapshot
	listCursor := ""
	// Most pairs hold a few changes: list a little more than a page needs,
	// then more and more.
	size := min(listPage, limit/4+2)
	for {
		if err := ctx.Err(); err != nil {
			return page, err
		}
		sums, err := l.st.List(q.Network, time.Time{}, until, size, listCursor)
		size = min(listPage, size*2)
		if err != nil {
			return page, fmt.Errorf("changes: %w", err)
		}
		for _, s := range sums.Snapshots {
			if resume != nil && cur == nil {
				switch {
				case s.ID == resume.id:
					// The cursor's snapshot: its pair with the next one
					// resumes at the cursor's index.
					cur = &s
					continue
				case !s.TakenAt.Before(resume.at):
					// Taken at the cursor's instant but newer: listed already.
					continue
				}
				resume = nil // the cursor's snapshot was deleted meanwhile
			}
			if cur != nil {
				changes, err := l.pair(ctx, cur, &curSnap, s)
				if err != nil {
					return page, err
				}
				start := 0
				if resume != nil {
					start = min(resume.index, len(changes))
					resume = nil
				}
				for j := start; j < len(changes); j++ {
					if len(page.Changes) == limit {
						page.NextCursor = position{at: cur.TakenAt, id: cur.ID, index: j}.String()
						return page, nil
					}
					page.Changes = append(page.Changes, changes[j])
				}
			}
			if !q.Since.IsZero() && s.TakenAt.Before(q.Since) {
				return page, nil
			}
			cur = &s
		}
		if sums.NextCursor == "" {
			return page, nil
		}
		listCursor = sums.NextCursor
	}
}

// pair returns the changes from older to *newer, from the cache or by
// reading both snapshots; *newerSnap holds the newer one decoded (or nil)
// and is set to the older one for the next pair.
func (l *Log) pair(ctx context.Context, newer *store.Summary, newerSnap **topology.Snapshot, older store.Summary) ([]Change, error) {
	key := [2]string{older.ID, newer.ID}
	if c, ok := l.pairs.Get(key); ok {
		*newerSnap = nil
		return c, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b := *newerSnap
	if b == nil || b.ID != newer.ID {
		var err error
		if b, err = l.st.Get(newer.ID); err != nil {
			return nil, unreadable(newer, older, err)
		}
	}
	a, err := l.st.Get(older.ID)
	if err != nil {
		*newerSnap = nil
		return nil, unreadable(newer, older, err)
	}
	c := Between(a, b)
	l.pairs.Add(key, c)
	*newerSnap = a
	return c, nil
}

// unreadable skips a pair with a corrupt snapshot (one bad record costs one
// snapshot, not the history); other errors end the listing.
func unreadable(newer *store.Summary, older store.Summary, err error) error {
	if errors.Is(err, store.ErrCorrupt) {
		return nil
	}
	return fmt.Errorf("changes %s..%s: %w", older.ID, newer.ID, err)
}

// position is a cursor: the newer snapshot of a pair and the index of the
// next change of that pair.
type position struct {
	at    time.Time
	id    string
	index int
}

func (p position) String() string {
	s := strconv.FormatInt(p.at.UnixNano(), 10) + "." + p.id + "." + strconv.Itoa(p.index)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func parseCursor(c string) (position, error) {
	bad := fmt.Errorf("cursor %q: %w: not a cursor from this listing", c, ErrBadCursor)
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return position{}, bad
	}
	f := strings.Split(string(b), ".")
	if len(f) != 3 {
		return position{}, bad
	}
	ns, err1 := strconv.ParseInt(f[0], 10, 64)
	idx, err2 := strconv.Atoi(f[2])
	if _, err3 := store.ParseID(f[1]); err1 != nil || err2 != nil || err3 != nil || idx < 0 {
		return position{}, bad
	}
	return position{at: time.Unix(0, ns).UTC(), id: f[1], index: idx}, nil
}

// ErrBadCursor marks a cursor the log did not hand out.
var ErrBadCursor = errors.New("bad cursor")
