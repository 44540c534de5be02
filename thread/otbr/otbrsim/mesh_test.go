package otbrsim

import (
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/otbr"
)

// TestDevicesLeave: the mesh forgets departed devices the way the lab's
// OpenThread did — a child that detaches at once, one that stops after its
// child timeout; a router that detaches at once, one that stops after
// 100 s (its links) and about 255 s (its router ID); a child that
// re-attaches elsewhere leaves its old parent's table at once.
func TestDevicesLeave(t *testing.T) {
	clk := newClock()
	s, err := NewWithOptions(smallCurrent(t), otbr.DialectJSONAPI2026, Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	m := s.m
	n1, n2, n3 := m.byExt["a698f01e4e296706"], m.byExt["5a7324b8eee603d2"], m.byExt["eeb4e5ab8fbf07e8"]
	start := clk.Now()
	at := func(d time.Duration) time.Time { return start.Add(d) }
	// n8 (MED under n3) stops, n6 (SED under n3) detaches.
	if err := s.Leave("1adbdd583b9a7286", false); err != nil {
		t.Fatal(err)
	}
	if err := s.Leave("66901f4604d368fe", true); err != nil {
		t.Fatal(err)
	}
	m.refresh(at(239 * time.Second))
	if kids := extsOf(n3.children); !kids["1adbdd583b9a7286"] || kids["66901f4604d368fe"] {
		t.Errorf("n3's children at +239 s: %v, want the stopped MED still there, the detached SED gone", kids)
	}
	m.refresh(at(240 * time.Second))
	if kids := extsOf(n3.children); kids["1adbdd583b9a7286"] {
		t.Errorf("n3's children at +240 s: %v, want the stopped MED gone after its 240 s timeout", kids)
	}
	// n5 (MED under n2) re-attaches under n1.
	if err := s.Attach("d6232969c413030b", n1.ext); err != nil {
		t.Fatal(err)
	}
	n5 := m.byExt["d6232969c413030b"]
	if extsOf(n2.children)["d6232969c413030b"] || !extsOf(n1.children)[n5.ext] || n5.rloc.Parent() != n1.rloc {
		t.Errorf("after re-attaching: n2 %v, n1 %v, n5 %s", extsOf(n2.children), extsOf(n1.children), n5.rloc)
	}
	// n2 (router) stops: n1 keeps the link 100 s, the ID about 255 s.
	clk.Add(300 * time.Second)
	if err := s.Leave(n2.ext, false); err != nil {
		t.Fatal(err)
	}
	t0 := clk.Now()
	entry := func(d time.Duration) (bool, int) {
		m.refresh(t0.Add(d))
		for _, e := range n1.route {
			if e.id == n2.rloc.RouterID() {
				return true, e.lqIn
			}
		}
		return false, 0
	}
	if ok, lq := entry(99 * time.Second); !ok || lq == 0 {
		t.Errorf("+99 s: n1's route to the stopped n2: %v LQ %d, want still linked", ok, lq)
	}
	if ok, lq := entry(100 * time.Second); !ok || lq != 0 {
		t.Errorf("+100 s: n1's route to the stopped n2: %v LQ %d, want allocated without a link", ok, lq)
	}
	if ok, _ := entry(255 * time.Second); ok {
		t.Error("+255 s: the stopped n2's router ID is still allocated")
	}
	// n3 (router) detaches: gone from every Route64 at once.
	if err := s.Leave(n3.ext, true); err != nil {
		t.Fatal(err)
	}
	for _, e := range n1.route {
		if e.id == n3.rloc.RouterID() {
			t.Error("a detached router's ID is still in the leader's Route64")
		}
	}
	if err := s.Leave(s.BorderRouterExtAddr(), true); err == nil {
		t.Error("the border router left")
	}
}

func extsOf(ds []*device) map[string]bool {
	out := map[string]bool{}
	for _, d := range ds {
		out[d.ext] = true
	}
	return out
}
