package report

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/store/history"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/topology"
)

// demoStore stores two snapshots of the demo mesh (the second with one
// child moved to another router) and names a device; it returns the store
// and the two ids.
func demoStore(t testing.TB, nodes int) (*store.Store, *topology.Snapshot, [2]string) {
	t.Helper()
	m, err := threadsim.Generate(threadsim.Options{Seed: 1, Nodes: nodes, NetworkName: "ThreadmapDemo"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "r.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	first := m.Truth()
	first.TakenAt = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	a, err := st.Put(first)
	if err != nil {
		t.Fatal(err)
	}
	second, err := store.NewCodec().UnmarshalSnapshot(mustCBOR(t, first))
	if err != nil {
		t.Fatal(err)
	}
	second.TakenAt = first.TakenAt.Add(time.Hour)
	moveOneChild(t, second)
	b, err := st.Put(second)
	if err != nil {
		t.Fatal(err)
	}
	return st, second, [2]string{a, b}
}

func mustCBOR(t testing.TB, s *topology.Snapshot) []byte {
	b, err := store.NewCodec().MarshalSnapshot(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// moveOneChild re-parents the first child to another router.
func moveOneChild(t testing.TB, s *topology.Snapshot) {
	var routers []string
	for _, n := range s.Nodes {
		if n.Role.IsRouterRole() {
			routers = append(routers, n.ID)
		}
	}
	for i := range s.Nodes {
		n := &s.Nodes[i]
		if n.Parent == nil {
			continue
		}
		for _, r := range routers {
			if r == *n.Parent {
				continue
			}
			for j := range s.Links {
				if l := &s.Links[j]; l.Kind == topology.LinkChild && l.B == n.ID {
					l.A = r
				}
			}
			n.Parent = topology.Ptr(r)
			return
		}
	}
	t.Fatal("no child to move")
}

// text is every text node under n, joined.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	if match(n) {
		out = append(out, n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, find(c, match)...)
	}
	return out
}

func hasClass(n *html.Node, tag, class string) bool {
	if n.Type != html.ElementNode || n.Data != tag {
		return false
	}
	for _, a := range n.Attr {
		if a.Key == "class" && strings.Contains(" "+a.Val+" ", " "+class+" ") {
			return true
		}
	}
	return false
}

// The report of a stored demo snapshot holds the inline SVG map with a mark
// and label per device, the legend, a table row for every device (with the
// name a user gave one), insights, and the parent change since the first
// snapshot; it loads nothing from elsewhere.
func TestReportOfDemoSnapshot(t *testing.T) {
	st, snap, ids := demoStore(t, 24)
	named := snap.Nodes[len(snap.Nodes)-1]
	if _, _, err := st.SetName(named.ExtAddr, "Kitchen <plug> & co"); err != nil {
		t.Fatal(err)
	}
	in, err := Build(context.Background(), st, history.New(st, history.Options{}), snap.Network.Key(), "", ids[0])
	if err != nil {
		t.Fatal(err)
	}
	in.Version = "test"
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	maps := find(doc, func(n *html.Node) bool { return hasClass(n, "svg", "map") })
	if len(maps) != 1 {
		t.Fatalf("%d SVG maps", len(maps))
	}
	marks := find(maps[0], func(n *html.Node) bool { return hasClass(n, "g", "node") })
	if len(marks) != len(snap.Nodes) {
		t.Errorf("map draws %d devices, want %d", len(marks), len(snap.Nodes))
	}
	links := find(maps[0], func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == "line" })
	if len(links) != len(snap.Links) {
		t.Errorf("map draws %d links, want %d", len(links), len(snap.Links))
	}
	legend := find(doc, func(n *html.Node) bool { return hasClass(n, "div", "legend") })
	if len(legend) != 1 || !strings.Contains(text(legend[0]), "Border router") || !strings.Contains(text(legend[0]), "link quality 1 (weak)") {
		t.Errorf("legend missing or incomplete")
	}
	rows := find(doc, func(n *html.Node) bool { return hasClass(n, "tr", "device") })
	if len(rows) != len(snap.Nodes) {
		t.Fatalf("%d device rows, want %d", len(rows), len(snap.Nodes))
	}
	table := ""
	for _, r := range rows {
		table += text(r) + "\n"
	}
	for _, n := range snap.Nodes {
		if !strings.Contains(table, n.Rloc16.String()) || !strings.Contains(table, n.ExtAddr) {
			t.Errorf("no row for %s (%s)", n.ID, n.Rloc16)
		}
	}
	if !strings.Contains(table, "Kitchen <plug> & co") || !strings.Contains(text(maps[0]), "Kitchen <plug> & co") {
		t.Errorf("the user's name is not in the table and map")
	}
	if strings.Contains(buf.String(), "<plug>") {
		t.Errorf("a user's name reached the page unescaped")
	}
	changes := find(doc, func(n *html.Node) bool { return hasClass(n, "table", "changes") })
	if len(changes) != 1 || !strings.Contains(text(changes[0]), "parent-changed") {
		t.Errorf("changes since %s do not list the parent change", ids[0])
	}
	for _, bad := range []string{"<script", "src=\"http", "href=\"http", "@import", "url("} {
		if strings.Contains(buf.String(), bad) {
			t.Errorf("report refers elsewhere (%s)", bad)
		}
	}
	for _, want := range []string{"ThreadmapDemo", snap.Network.ExtPanID, "@media print", "Insights"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestReportErrors(t *testing.T) {
	st, snap, ids := demoStore(t, 10)
	ctx := context.Background()
	if _, err := Build(ctx, st, nil, snap.Network.Key(), "999", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown snapshot: %v", err)
	}
	if _, err := Build(ctx, st, nil, "name:other", ids[1], ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("snapshot of another network: %v", err)
	}
	if _, err := Build(ctx, st, nil, snap.Network.Key(), ids[0], ids[1]); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("since after the snapshot: %v", err)
	}
	in, err := Build(ctx, st, nil, snap.Network.Key(), ids[0], "")
	if err != nil || in.Snapshot.ID != ids[0] || in.Since != nil {
		t.Errorf("an older snapshot: %+v %v", in, err)
	}
}

// The layout is deterministic and keeps every device apart from the others.
func TestLayoutDeterministicAndSpread(t *testing.T) {
	m, err := threadsim.Generate(threadsim.Options{Seed: 3, Nodes: 250, NetworkName: "Big"})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Truth()
	a, b := mapSVG(s, label), mapSVG(s, label)
	if a != b {
		t.Error("two layouts of one snapshot differ")
	}
	p := layout(s)
	if len(p.pos) != len(s.Nodes) {
		t.Fatalf("%d placed of %d", len(p.pos), len(s.Nodes))
	}
	close := 0
	for i := range s.Nodes {
		for j := i + 1; j < len(s.Nodes); j++ {
			pi, pj := p.pos[s.Nodes[i].ID], p.pos[s.Nodes[j].ID]
			if dx, dy := pi.x-pj.x, pi.y-pj.y; dx*dx+dy*dy < 12*12 {
				close++
			}
		}
	}
	if close > 0 {
		t.Errorf("%d pairs of devices drawn within 12 px of each other", close)
	}
}
