package topology

import (
	"testing"
	"time"
)

func TestParentFromChildLinkWithoutRloc16(t *testing.T) {
	s := New(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	s.Nodes = append(s.Nodes,
		Node{ID: "b2a4798ed38fc3e4", ExtAddr: "b2a4798ed38fc3e4", Rloc16: Ptr(Rloc16(0x0400)), Sources: []string{"matter"}},
		Node{ID: "62d9971c527f7619", ExtAddr: "62d9971c527f7619", Role: RoleSleepyEndDevice, Sources: []string{"matter"}},
		Node{ID: "1111111111111111", ExtAddr: "1111111111111111", Role: RoleSleepyEndDevice, Sources: []string{"matter"}},
	)
	s.Links = append(s.Links,
		Link{Kind: LinkChild, A: "b2a4798ed38fc3e4", B: "62d9971c527f7619"},
		// Two parents named: ambiguous, no parent set.
		Link{Kind: LinkChild, A: "b2a4798ed38fc3e4", B: "1111111111111111"},
		Link{Kind: LinkChild, A: "rloc:0x0800", B: "1111111111111111"},
	)
	s.Nodes = append(s.Nodes, Node{ID: "rloc:0x0800", Rloc16: Ptr(Rloc16(0x0800)), Sources: []string{"matter"}})
	Normalize(s)
	Normalize(s) // idempotent
	if p := s.Node("62d9971c527f7619").Parent; p == nil || *p != "b2a4798ed38fc3e4" {
		t.Errorf("parent = %v, want b2a4798ed38fc3e4", p)
	}
	if p := s.Node("1111111111111111").Parent; p != nil {
		t.Errorf("ambiguous parent set to %s", *p)
	}
}
