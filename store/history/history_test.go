package history

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/topology"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

const (
	r1 = "00000000000000a1"
	r2 = "00000000000000a2"
	c1 = "00000000000000c1"
	d1 = "00000000000000d1"
)

// mesh is a small network: leader r1 (0x4400), router r2 (0x6800), the
// router link between them with quality lq (r1's view in), and children as
// child id → (parent id, rloc16).
func mesh(at time.Time, lq int, children map[string][2]string) *topology.Snapshot {
	s := topology.New(at)
	s.Network = topology.Network{Name: "Home", ExtPanID: "dead00beef00cafe"}
	rl := func(v string) *topology.Rloc16 { r, _ := topology.ParseRloc16(v); return &r }
	s.Nodes = append(s.Nodes,
		topology.Node{ID: r1, ExtAddr: r1, Rloc16: rl("0x4400"), Role: topology.RoleLeader, Name: "Hub", Sources: []string{"tmf"}},
		topology.Node{ID: r2, ExtAddr: r2, Rloc16: rl("0x6800"), Role: topology.RoleRouter, Sources: []string{"tmf"}})
	s.Links = append(s.Links, topology.Link{Kind: topology.LinkRouter, A: r1, B: r2, LQIn: topology.Ptr(lq), LQOut: topology.Ptr(3)})
	for _, id := range []string{c1, d1} {
		c, ok := children[id]
		if !ok {
			continue
		}
		s.Nodes = append(s.Nodes, topology.Node{ID: id, ExtAddr: id, Rloc16: rl(c[1]), Role: topology.RoleEndDevice, Parent: topology.Ptr(c[0]), Sources: []string{"tmf"}})
		s.Links = append(s.Links, topology.Link{Kind: topology.LinkChild, A: c[0], B: id, LQIn: topology.Ptr(2)})
	}
	return s
}

// story stores six snapshots of mesh and returns the store and their ids.
func story(t testing.TB) (*store.Store, []string) {
	st, err := store.Open(filepath.Join(t.TempDir(), "h.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	snaps := []*topology.Snapshot{
		mesh(t0, 3, map[string][2]string{c1: {r1, "0x4401"}}),
		mesh(t0.Add(1*time.Minute), 3, map[string][2]string{c1: {r2, "0x6801"}}),
		mesh(t0.Add(2*time.Minute), 1, map[string][2]string{c1: {r2, "0x6801"}}),
		mesh(t0.Add(3*time.Minute), 1, map[string][2]string{c1: {r2, "0x6801"}, d1: {r2, "0x6802"}}),
		mesh(t0.Add(4*time.Minute), 1, map[string][2]string{c1: {r2, "0x6801"}, d1: {r2, "0x6802"}}),
		mesh(t0.Add(5*time.Minute), 3, map[string][2]string{c1: {r2, "0x6801"}}),
	}
	ids, err := st.PutBatch(snaps)
	if err != nil {
		t.Fatal(err)
	}
	return st, ids
}

func kinds(cs []Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.SnapshotID+":"+c.Kind+":"+c.Node)
	}
	return out
}

func TestChangesAcrossSnapshots(t *testing.T) {
	st, ids := story(t)
	log := New(st, Options{})
	ctx := context.Background()
	page, err := log.Changes(ctx, Query{Network: "dead00beef00cafe"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		ids[5] + ":node-disappeared:" + d1, ids[5] + ":lq-recovered:",
		ids[3] + ":node-appeared:" + d1,
		ids[2] + ":lq-dropped:",
		ids[1] + ":parent-changed:" + c1, ids[1] + ":rloc16-changed:" + c1,
	}
	if got := kinds(page.Changes); !reflect.DeepEqual(got, want) || page.NextCursor != "" {
		t.Fatalf("changes:\n%v\nwant\n%v (cursor %q)", got, want, page.NextCursor)
	}
	pc := page.Changes[4]
	if *pc.From != r1 || *pc.To != r2 || pc.PrevSnapshotID != ids[0] || !pc.At.Equal(t0.Add(time.Minute)) ||
		pc.Detail != "parent Hub (0x4400) → router 0x6800" {
		t.Errorf("parent change: %+v (detail %q)", pc, pc.Detail)
	}
	lq := page.Changes[3]
	if *lq.From != "3" || *lq.To != "1" || lq.Link == nil || lq.Link.A != r1 || lq.Link.B != r2 ||
		lq.Detail != "router link Hub (0x4400) ↔ router 0x6800: link quality 3 → 1 (in 3 → 1)" {
		t.Errorf("lq drop: %+v (detail %q)", lq, lq.Detail)
	}
	rc := page.Changes[5]
	if *rc.From != "0x4401" || *rc.To != "0x6801" {
		t.Errorf("rloc16 change: %+v", rc)
	}

	// Every page size walks the same list, cursor after cursor.
	for limit := 1; limit <= 7; limit++ {
		var got []Change
		q := Query{Network: "dead00beef00cafe", Limit: limit}
		for i := 0; i < 10; i++ {
			p, err := log.Changes(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Changes) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(p.Changes))
			}
			got = append(got, p.Changes...)
			if p.NextCursor == "" {
				break
			}
			q.Cursor = p.NextCursor
		}
		if !reflect.DeepEqual(kinds(got), want) {
			t.Errorf("limit %d pages: %v", limit, kinds(got))
		}
	}

	// since bounds the newer snapshot of a pair; until too.
	p, err := log.Changes(ctx, Query{Network: "dead00beef00cafe", Since: t0.Add(2 * time.Minute), Until: t0.Add(3 * time.Minute)})
	if err != nil || !reflect.DeepEqual(kinds(p.Changes), want[2:4]) {
		t.Errorf("since/until: %v %v", kinds(p.Changes), err)
	}
	if _, err := log.Changes(ctx, Query{Network: "dead00beef00cafe", Cursor: "bm9wZQ"}); !errors.Is(err, ErrBadCursor) {
		t.Errorf("bad cursor: %v", err)
	}
	if p, err := log.Changes(ctx, Query{Network: "nothing-here"}); err != nil || len(p.Changes) != 0 {
		t.Errorf("unknown network: %+v %v", p, err)
	}
}

// A cursor stays valid when newer snapshots arrive, and when its own
// snapshot is deleted the listing goes on from the next older one.
func TestChangesCursorSurvivesWrites(t *testing.T) {
	st, ids := story(t)
	log := New(st, Options{})
	ctx := context.Background()
	p, err := log.Changes(ctx, Query{Network: "dead00beef00cafe", Limit: 3})
	if err != nil || p.NextCursor == "" {
		t.Fatal(p, err)
	}
	if _, err := st.Put(mesh(t0.Add(6*time.Minute), 3, map[string][2]string{c1: {r1, "0x4402"}})); err != nil {
		t.Fatal(err)
	}
	rest, err := log.Changes(ctx, Query{Network: "dead00beef00cafe", Cursor: p.NextCursor})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{ids[2] + ":lq-dropped:", ids[1] + ":parent-changed:" + c1, ids[1] + ":rloc16-changed:" + c1}
	if !reflect.DeepEqual(kinds(rest.Changes), want) {
		t.Errorf("after a write: %v, want %v", kinds(rest.Changes), want)
	}
	if err := st.Delete(ids[2]); err != nil {
		t.Fatal(err)
	}
	rest, err = log.Changes(ctx, Query{Network: "dead00beef00cafe", Cursor: p.NextCursor})
	if err != nil {
		t.Fatal(err)
	}
	// The cursor named ids[2], now gone: the listing goes on from the next
	// older snapshot, ids[1], whose pair with ids[0] is unchanged.
	if got := kinds(rest.Changes); !reflect.DeepEqual(got, want[1:]) {
		t.Errorf("after deleting the cursor's snapshot: %v, want %v", got, want[1:])
	}
}

func TestNodeTimeline(t *testing.T) {
	st, ids := story(t)
	log := New(st, Options{})
	ctx := context.Background()
	tl, err := log.NodeTimeline(ctx, "dead00beef00cafe", c1, time.Time{}, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(tl.Points) != 6 || tl.Points[0].SnapshotID != ids[0] || tl.Points[5].SnapshotID != ids[5] {
		t.Fatalf("points: %+v", tl.Points)
	}
	var got []string
	for _, p := range tl.Points {
		got = append(got, fmt.Sprintf("%v %s %s %d", p.Present, *p.Rloc16, *p.Parent, *p.ParentLQIn))
	}
	want := []string{"true 0x4401 " + r1 + " 2", "true 0x6801 " + r2 + " 2", "true 0x6801 " + r2 + " 2", "true 0x6801 " + r2 + " 2", "true 0x6801 " + r2 + " 2", "true 0x6801 " + r2 + " 2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("timeline %v", got)
	}
	tl, err = log.NodeTimeline(ctx, "dead00beef00cafe", d1, time.Time{}, time.Time{}, 4)
	if err != nil {
		t.Fatal(err)
	}
	var present []bool
	for _, p := range tl.Points {
		present = append(present, p.Present)
	}
	if !reflect.DeepEqual(present, []bool{false, true, true, false}) || tl.Points[3].Rloc16 != nil {
		t.Errorf("d1 (limit 4) present %v", present)
	}
	if tl, err := log.NodeTimeline(ctx, "dead00beef00cafe", r1, time.Time{}, time.Time{}, 1); err != nil || tl.Name != "Hub" || tl.Points[0].Parent != nil {
		t.Errorf("router timeline: %+v %v", tl, err)
	}
	if _, err := log.NodeTimeline(ctx, "dead00beef00cafe", "ffffffffffffffff", time.Time{}, time.Time{}, 0); !errors.Is(err, ErrUnknownNode) || !strings.Contains(err.Error(), "ffffffffffffffff") {
		t.Errorf("unknown node: %v", err)
	}
}
