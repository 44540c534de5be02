package demo

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/topology"
)

// scenarioOf spells mesh m out as a threadsim scenario (explicit routers,
// links and children), so that a changed copy can be built again.
func scenarioOf(m *threadsim.Mesh, seed int64) threadsim.Scenario {
	pid := m.Network.PartitionID
	sc := threadsim.Scenario{
		Seed: seed,
		Network: threadsim.ScenarioNetwork{
			Name: m.Network.Name, ExtPanID: fmt.Sprintf("%016x", m.Network.ExtPanID), PanID: fmt.Sprintf("0x%04x", m.Network.PanID),
			Channel: m.Network.Channel, MeshLocalPrefix: m.Network.MeshLocalPrefixString(), PartitionID: &pid,
		},
		Radio: &threadsim.ScenarioRadio{
			HopLatencyMs: float64(m.Radio.HopLatency) / float64(time.Millisecond), Loss: m.Radio.Loss,
			BitRate: m.Radio.BitRate, SleepyPollMs: float64(m.Radio.SleepyPoll) / float64(time.Millisecond),
		},
	}
	node := func(n *threadsim.Node) threadsim.ScenarioNode {
		sn := threadsim.ScenarioNode{Rloc16: n.Rloc16.String(), ExtAddr: n.ExtAddr.String(), Name: n.Name, Vendor: n.Vendor,
			Model: n.Model, SWVersion: n.SWVersion, ThreadVersion: n.ThreadVersion, Timeout: n.Timeout}
		if n.Battery >= 0 {
			b := n.Battery
			sn.Battery = &b
		}
		return sn
	}
	for _, r := range m.Routers {
		sn := node(r)
		sn.Leader = r == m.Leader
		if b := r.BorderRouter; b != nil {
			sn.BorderRouter = &threadsim.ScenarioBorderRouter{Vendor: b.Vendor, Model: b.Model, Instance: b.Instance, ThreadVersion: b.ThreadVersion}
		}
		sc.Routers = append(sc.Routers, sn)
	}
	for _, l := range m.Links {
		sc.Links = append(sc.Links, threadsim.ScenarioLink{A: l.A.Rloc16.String(), B: l.B.Rloc16.String(), LQA: l.LQA, LQB: l.LQB})
	}
	for _, c := range m.Children {
		sn := node(c)
		sn.Mode = c.Mode.String()
		sn.LinkQuality = c.LinkQuality
		sn.PollPeriodMs = int(c.PollPeriod / time.Millisecond)
		sc.Children = append(sc.Children, sn)
	}
	return sc
}

func cloneScenario(sc threadsim.Scenario) threadsim.Scenario {
	b, _ := json.Marshal(sc)
	var out threadsim.Scenario
	_ = json.Unmarshal(b, &out)
	return out
}

// buildScenario builds the mesh sc spells out.
func buildScenario(sc threadsim.Scenario, radio threadsim.Radio) (*threadsim.Mesh, error) {
	b, err := json.Marshal(sc)
	if err != nil {
		return nil, err
	}
	m, err := threadsim.ParseScenario(b)
	if err != nil {
		return nil, err
	}
	m.Radio = radio
	return m, nil
}

// reattachChild moves one child to a router linked to its parent, with a
// free child ID there: the re-attach a user sees after moving a device.
func reattachChild(sc *threadsim.Scenario, rng *rand.Rand) (string, error) {
	if len(sc.Children) == 0 {
		return "", fmt.Errorf("demo: no child to move")
	}
	neighbors := map[topology.Rloc16][]topology.Rloc16{}
	for _, l := range sc.Links {
		a, _ := topology.ParseRloc16(l.A)
		b, _ := topology.ParseRloc16(l.B)
		neighbors[a] = append(neighbors[a], b)
		neighbors[b] = append(neighbors[b], a)
	}
	used := map[topology.Rloc16]bool{}
	for _, c := range sc.Children {
		r, _ := topology.ParseRloc16(c.Rloc16)
		used[r] = true
	}
	start := rng.IntN(len(sc.Children))
	for k := range sc.Children {
		i := (start + k) % len(sc.Children)
		c := &sc.Children[i]
		old, _ := topology.ParseRloc16(c.Rloc16)
		cands := neighbors[old.Parent()]
		if len(cands) == 0 {
			continue
		}
		sort.Slice(cands, func(a, b int) bool { return cands[a] < cands[b] })
		parent := cands[rng.IntN(len(cands))]
		for id := topology.Rloc16(1); id < 0x1ff; id++ {
			if r := parent | id; !used[r] {
				c.Rloc16 = r.String()
				name := c.Name
				if name == "" {
					name = c.ExtAddr
				}
				return fmt.Sprintf("child %s (%s) re-attached from router %s to router %s as %s", c.ExtAddr, name, old.Parent(), parent, r), nil
			}
		}
	}
	return "", fmt.Errorf("demo: no child could move")
}

// changeLinkQuality drops one direction of a router link to 1, or brings a
// weak one back to 3.
func changeLinkQuality(sc *threadsim.Scenario, rng *rand.Rand) (string, error) {
	if len(sc.Links) == 0 {
		return "", fmt.Errorf("demo: no router link")
	}
	l := &sc.Links[rng.IntN(len(sc.Links))]
	from := l.LQA
	if l.LQA > 1 {
		l.LQA = 1
	} else {
		l.LQA = 3
	}
	return fmt.Sprintf("link quality at router %s of frames from %s: %d → %d", l.A, l.B, from, l.LQA), nil
}
