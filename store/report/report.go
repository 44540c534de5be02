// Package report is the installer report: one self-contained, printable
// HTML page about one snapshot of a network — its identity and time, the
// map drawn as inline SVG (laid out here, deterministically) with the UI's
// legend, a table of every device with role, parent and link quality, the
// health insights, and the changes since an earlier snapshot. `threadmap
// report` and GET /api/v1/report write the same page; a PDF is this page
// printed by a browser (backend/pdf).
package report

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/history"
	"github.com/threadmap/threadmap/thread/health"
	"github.com/threadmap/threadmap/thread/topology"
)

//go:embed report.html.tmpl
var files embed.FS

// Input is what a report shows.
type Input struct {
	// Snapshot is the one reported, with user names applied.
	Snapshot *topology.Snapshot
	Insights []health.Insight
	// Since is the earlier snapshot the changes start after (nil: none asked).
	Since   *store.Summary
	Changes []history.Change
	// ChangesCut is true when more changes exist than the report lists.
	ChangesCut  bool
	GeneratedAt time.Time
	Version     string
}

// Store is what Build reads (*store.Store).
type Store interface {
	history.Store
	Latest(network string) (*topology.Snapshot, error)
	Names() (map[string]string, error)
}

// MaxChanges is how many changes a report lists at most.
const MaxChanges = 500

// historyDepth is how many earlier snapshots insights read for parent churn.
const historyDepth = 24

// Insights lists the health insights of snapshot s (thread/health), with
// parent churn read from up to 24 snapshots of its network before it.
func Insights(ctx context.Context, st history.Store, s *topology.Snapshot) ([]health.Insight, error) {
	page, err := st.List(s.Network.Key(), time.Time{}, s.TakenAt, historyDepth, "")
	if err != nil {
		return nil, err
	}
	earlier := make([]*topology.Snapshot, 0, len(page.Snapshots))
	for _, sum := range page.Snapshots {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if h, err := st.Get(sum.ID); err == nil {
			earlier = append(earlier, h)
		}
	}
	return health.AnalyzeWithHistory(s, earlier), nil
}

// Build gathers a report of snapshot id of network (the newest when id is
// ""), with the changes after snapshot since when since is not "". Unknown
// ids are errors wrapping store.ErrNotFound.
func Build(ctx context.Context, st Store, log *history.Log, network, id, since string) (*Input, error) {
	var snap *topology.Snapshot
	var err error
	if id == "" {
		snap, err = st.Latest(network)
	} else {
		snap, err = st.Get(id)
		if err == nil && network != "" && snap.Network.Key() != network {
			err = fmt.Errorf("snapshot %s belongs to network %s, not %s: %w", id, snap.Network.Key(), network, store.ErrNotFound)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	network = snap.Network.Key()
	names, err := st.Names()
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	in := &Input{Snapshot: topology.WithUserNames(snap, names), GeneratedAt: time.Now().UTC()}
	if in.Insights, err = Insights(ctx, st, snap); err != nil {
		return nil, fmt.Errorf("report: insights: %w", err)
	}
	if since == "" {
		return in, nil
	}
	base, err := st.Get(since)
	if err != nil {
		return nil, fmt.Errorf("report: --since: %w", err)
	}
	if base.Network.Key() != network {
		return nil, fmt.Errorf("report: since snapshot %s belongs to network %s, not %s: %w", since, base.Network.Key(), network, store.ErrNotFound)
	}
	if base.TakenAt.After(snap.TakenAt) {
		return nil, fmt.Errorf("report: since snapshot %s (%s) is newer than the reported one (%s)", since,
			base.TakenAt.Format(time.RFC3339), snap.TakenAt.Format(time.RFC3339))
	}
	in.Since = &store.Summary{ID: base.ID, Network: network, TakenAt: base.TakenAt, Nodes: len(base.Nodes)}
	if log == nil {
		log = history.New(st, history.Options{})
	}
	page, err := log.Changes(ctx, history.Query{Network: network, Since: base.TakenAt.Add(time.Nanosecond), Until: snap.TakenAt, Limit: MaxChanges})
	if err != nil {
		return nil, fmt.Errorf("report: changes: %w", err)
	}
	in.Changes, in.ChangesCut = page.Changes, page.NextCursor != ""
	return in, nil
}

// device is one row of the device table.
type device struct {
	Name, Role, Rloc16, ExtAddr, Parent, LQIn, LQOut, LastSeen string
	BorderRouter, Weak                                         bool
}

// label is how the report names a device: the name a user gave it, else
// its own, else vendor and model, else its RLOC16 (the UI's rule).
func label(n *topology.Node) string {
	switch {
	case n.UserName != "":
		return n.UserName
	case n.Name != "":
		return n.Name
	case strings.TrimSpace(n.Vendor+" "+n.Model) != "":
		return strings.TrimSpace(n.Vendor + " " + n.Model)
	case n.Rloc16 != nil:
		return n.Rloc16.String()
	}
	return n.ID
}

// devices lists routers in RLOC16 order, each followed by its children.
func devices(s *topology.Snapshot) []device {
	childLink := map[string]*topology.Link{}
	for i := range s.Links {
		if l := &s.Links[i]; l.Kind == topology.LinkChild {
			childLink[l.B] = l
		}
	}
	nodes := make([]*topology.Node, 0, len(s.Nodes))
	for i := range s.Nodes {
		nodes = append(nodes, &s.Nodes[i])
	}
	// Sort key: the router's RLOC16 (a child's parent's), then routers
	// before their children, then RLOC16.
	group := func(n *topology.Node) string {
		if n.Parent != nil {
			if p := s.Node(*n.Parent); p != nil && p.Rloc16 != nil {
				return p.Rloc16.String() + "1"
			}
		}
		if n.Rloc16 != nil {
			return n.Rloc16.Parent().String() + map[bool]string{true: "0", false: "1"}[isRouter(n)]
		}
		return "~" + n.ID
	}
	sort.SliceStable(nodes, func(i, j int) bool {
		gi, gj := group(nodes[i]), group(nodes[j])
		if gi != gj {
			return gi < gj
		}
		return rlocOrder(nodes[i], nodes[j])
	})
	out := make([]device, 0, len(nodes))
	for _, n := range nodes {
		d := device{Name: label(n), Role: string(n.Role), ExtAddr: n.ExtAddr, BorderRouter: n.BorderRouter, Parent: "—", LQIn: "—", LQOut: "—", LastSeen: "—"}
		if n.Rloc16 != nil {
			d.Rloc16 = n.Rloc16.String()
		}
		if n.Parent != nil {
			d.Parent = *n.Parent
			if p := s.Node(*n.Parent); p != nil {
				d.Parent = label(p)
				if p.Rloc16 != nil && d.Parent != p.Rloc16.String() {
					d.Parent += " (" + p.Rloc16.String() + ")"
				}
			}
			if l := childLink[n.ID]; l != nil && l.A == *n.Parent {
				if l.LQIn != nil {
					d.LQIn = strconv.Itoa(*l.LQIn)
				}
				if l.LQOut != nil {
					d.LQOut = strconv.Itoa(*l.LQOut)
				}
				q := quality(l)
				d.Weak = q >= 0 && q <= 1
			}
		}
		if n.LastSeen != nil {
			d.LastSeen = n.LastSeen.UTC().Format("2006-01-02 15:04:05Z")
		} else if n.Status == topology.StatusAnswered {
			d.LastSeen = s.TakenAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		out = append(out, d)
	}
	return out
}

// change is one row of the changes table.
type change struct {
	At, Kind, Device, Detail string
}

// view is what the template reads.
type view struct {
	Title, NetworkName, Key, ExtPanID, PanID, MeshLocal, SnapshotID string
	Channel                                                         int
	TakenAt, Generated, Version                                     string
	Nodes, Routers, Children, RouterLinks, BorderRouters            int
	Map                                                             template.HTML
	Legend                                                          []legendRow
	Devices                                                         []device
	Insights                                                        []health.Insight
	InsightsByKind                                                  []kindCount
	SinceID, SinceAt                                                string
	AskedSince, ChangesCut                                          bool
	Changes                                                         []change
	Sources                                                         []topology.SourceReport
}

type kindCount struct {
	Kind  string
	Count int
}

// Write writes the report of in as one HTML page.
func Write(w io.Writer, in *Input) error {
	if in == nil || in.Snapshot == nil {
		return errors.New("report: no snapshot")
	}
	s := in.Snapshot
	v := view{NetworkName: s.Network.Name, Key: s.Network.Key(), ExtPanID: s.Network.ExtPanID, PanID: s.Network.PanID,
		MeshLocal: s.Network.MeshLocalPrefix, Channel: s.Network.Channel, SnapshotID: s.ID,
		TakenAt: s.TakenAt.UTC().Format("2006-01-02 15:04:05 UTC"), Generated: in.GeneratedAt.UTC().Format("2006-01-02 15:04:05 UTC"),
		Version: in.Version, Nodes: len(s.Nodes), Insights: in.Insights, Sources: s.Scan.Sources}
	v.Title = "Thread network report"
	if v.NetworkName != "" {
		v.Title += ": " + v.NetworkName
	}
	for i := range s.Nodes {
		switch n := &s.Nodes[i]; {
		case isRouter(n):
			v.Routers++
		case n.Parent != nil:
			v.Children++
		}
		if s.Nodes[i].BorderRouter {
			v.BorderRouters++
		}
	}
	for _, l := range s.Links {
		if l.Kind == topology.LinkRouter {
			v.RouterLinks++
		}
	}
	v.Map = template.HTML(mapSVG(s, label)) // built with every text escaped
	v.Legend = legend()
	v.Devices = devices(s)
	counts := map[string]int{}
	for _, in := range in.Insights {
		counts[in.Kind]++
	}
	for k, n := range counts {
		v.InsightsByKind = append(v.InsightsByKind, kindCount{k, n})
	}
	sort.Slice(v.InsightsByKind, func(i, j int) bool { return v.InsightsByKind[i].Kind < v.InsightsByKind[j].Kind })
	if in.Since != nil {
		v.AskedSince, v.SinceID, v.SinceAt = true, in.Since.ID, in.Since.TakenAt.UTC().Format("2006-01-02 15:04:05 UTC")
		v.ChangesCut = in.ChangesCut
		for _, c := range in.Changes {
			who := c.Node
			if n := s.Node(c.Node); n != nil {
				who = label(n)
			} else if c.Link != nil {
				who = "router link"
			}
			v.Changes = append(v.Changes, change{At: c.At.UTC().Format("2006-01-02 15:04:05Z"), Kind: c.Kind, Device: who, Detail: c.Detail})
		}
	}
	t, err := template.New("report.html.tmpl").ParseFS(files, "report.html.tmpl")
	if err != nil {
		return fmt.Errorf("report: template: %w", err)
	}
	if err := t.Execute(w, v); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
