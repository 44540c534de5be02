package threadsim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/threadmap/threadmap/thread/topology"

	"github.com/threadmap/threadmap/thread/capped"
)

// Scenario is the JSON scenario file (see testdata/home.json). Either
// "generate" asks for a generated mesh, or "routers"/"links"/"children"
// spell the mesh out; "network" overrides identity fields either way and
// "radio" sets the radio model. Fields left out get values from the seed.
//
//	{
//	  "network":  {"name": "MyHome", "ext_pan_id": "dead00beef00cafe", "pan_id": "0x1234",
//	               "channel": 15, "mesh_local_prefix": "fd11:22::/64", "partition_id": 123456},
//	  "seed": 7,
//	  "generate": {"nodes": 60, "routers": 10, "border_routers": 2,
//	               "sleepy_fraction": 0.4, "fed_fraction": 0.1},
//	  "radio":    {"hop_latency_ms": 20, "loss": 0.05, "bit_rate": 250000, "sleepy_poll_ms": 0},
//	  "routers":  [{"rloc16": "0x0400", "ext_addr": "1a2b3c4d5e6f7081", "leader": true,
//	               "name": "Kitchen plug", "vendor": "Eve Systems", "model": "Eve Energy",
//	               "border_router": {"vendor": "Apple", "model": "HomePod mini"}}],
//	  "links":    [{"a": "0x0400", "b": "0x0800", "lq_a": 3, "lq_b": 2}],
//	  "children": [{"rloc16": "0x0401", "mode": "rn", "name": "Front door lock", "link_quality": 3,
//	               "poll_period_ms": 10000}]
//	}
//
// A child's parent is the router its RLOC16 names (RLOC16 & 0xFC00). Link
// qualities: lq_a is the quality at a of frames from b. Mode uses
// OpenThread's letters: "rdn" REED/FED, "rn" MED, "-" SED.
type Scenario struct {
	Network  ScenarioNetwork  `json:"network"`
	Seed     int64            `json:"seed"`
	Generate *ScenarioGen     `json:"generate,omitempty"`
	Radio    *ScenarioRadio   `json:"radio,omitempty"`
	Routers  []ScenarioNode   `json:"routers,omitempty"`
	Links    []ScenarioLink   `json:"links,omitempty"`
	Children []ScenarioNode   `json:"children,omitempty"`
	Comment  *json.RawMessage `json:"comment,omitempty"`
}

// ScenarioNetwork overrides network identity fields.
type ScenarioNetwork struct {
	Name            string  `json:"name,omitempty"`
	ExtPanID        string  `json:"ext_pan_id,omitempty"`
	PanID           string  `json:"pan_id,omitempty"`
	Channel         int     `json:"channel,omitempty"`
	MeshLocalPrefix string  `json:"mesh_local_prefix,omitempty"`
	PartitionID     *uint32 `json:"partition_id,omitempty"`
}

// ScenarioGen asks for a generated mesh (Options in JSON).
type ScenarioGen struct {
	Nodes          int     `json:"nodes"`
	Routers        int     `json:"routers,omitempty"`
	BorderRouters  int     `json:"border_routers,omitempty"`
	SleepyFraction float64 `json:"sleepy_fraction,omitempty"`
	FEDFraction    float64 `json:"fed_fraction,omitempty"`
}

// ScenarioRadio is the radio model (Radio in JSON).
type ScenarioRadio struct {
	HopLatencyMs float64 `json:"hop_latency_ms"`
	Loss         float64 `json:"loss"`
	BitRate      int     `json:"bit_rate,omitempty"`
	SleepyPollMs float64 `json:"sleepy_poll_ms,omitempty"`
}

// ScenarioNode is one router or child.
type ScenarioNode struct {
	Rloc16        string                `json:"rloc16"`
	ExtAddr       string                `json:"ext_addr,omitempty"`
	Mode          string                `json:"mode,omitempty"`
	Leader        bool                  `json:"leader,omitempty"`
	Name          string                `json:"name,omitempty"`
	Vendor        string                `json:"vendor,omitempty"`
	Model         string                `json:"model,omitempty"`
	SWVersion     string                `json:"sw_version,omitempty"`
	ThreadVersion int                   `json:"thread_version,omitempty"`
	Battery       *int                  `json:"battery_level,omitempty"`
	LinkQuality   int                   `json:"link_quality,omitempty"`
	Timeout       uint32                `json:"timeout,omitempty"`
	PollPeriodMs  int                   `json:"poll_period_ms,omitempty"`
	BorderRouter  *ScenarioBorderRouter `json:"border_router,omitempty"`
}

// ScenarioBorderRouter marks a router as a border router.
type ScenarioBorderRouter struct {
	Vendor        string `json:"vendor"`
	Model         string `json:"model"`
	Instance      string `json:"instance,omitempty"`
	ThreadVersion string `json:"thread_version,omitempty"`
}

// ScenarioLink is a router-router link.
type ScenarioLink struct {
	A   string `json:"a"`
	B   string `json:"b"`
	LQA int    `json:"lq_a"`
	LQB int    `json:"lq_b"`
}

// maxScenario bounds a scenario file (a 500-node mesh is well under 1 MiB).
const maxScenario = 16 << 20

// LoadScenario reads a scenario file and builds its mesh.
func LoadScenario(path string) (*Mesh, error) {
	b, err := capped.ReadFile(context.Background(), path, maxScenario)
	if err != nil {
		return nil, fmt.Errorf("threadsim: scenario: %w", err)
	}
	m, err := ParseScenario(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ParseScenario builds the mesh a scenario JSON document describes.
func ParseScenario(b []byte) (*Mesh, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("scenario json: %w", err)
	}
	var m *Mesh
	var err error
	switch {
	case len(sc.Routers) > 0 && sc.Generate != nil:
		return nil, fmt.Errorf("scenario: give either \"generate\" or \"routers\", not both")
	case len(sc.Routers) > 0:
		m, err = sc.build()
	case sc.Generate != nil:
		m, err = Generate(Options{Seed: sc.Seed, Nodes: sc.Generate.Nodes, Routers: sc.Generate.Routers,
			BorderRouters: sc.Generate.BorderRouters, SleepyFraction: sc.Generate.SleepyFraction,
			FEDFraction: sc.Generate.FEDFraction, NetworkName: sc.Network.Name})
	default:
		return nil, fmt.Errorf("scenario: no \"generate\" and no \"routers\": nothing to simulate")
	}
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if err := sc.Network.apply(&m.Network); err != nil {
		return nil, fmt.Errorf("scenario: network: %w", err)
	}
	if r := sc.Radio; r != nil {
		if r.Loss < 0 || r.Loss >= 1 {
			return nil, fmt.Errorf("scenario: radio: loss %v: want 0 ≤ loss < 1", r.Loss)
		}
		if r.HopLatencyMs < 0 || r.BitRate < 0 || r.SleepyPollMs < 0 {
			return nil, fmt.Errorf("scenario: radio: negative value")
		}
		m.Radio = Radio{HopLatency: time.Duration(r.HopLatencyMs * float64(time.Millisecond)), Loss: r.Loss,
			BitRate: r.BitRate, SleepyPoll: time.Duration(r.SleepyPollMs * float64(time.Millisecond))}
	}
	return m, nil
}

func (n ScenarioNetwork) apply(dst *Network) error {
	if n.Name != "" {
		if len(n.Name) > 16 {
			return fmt.Errorf("name %q longer than 16 bytes", n.Name)
		}
		dst.Name = n.Name
	}
	if n.ExtPanID != "" {
		v, err := strconv.ParseUint(strings.TrimPrefix(n.ExtPanID, "0x"), 16, 64)
		if err != nil || len(strings.TrimPrefix(n.ExtPanID, "0x")) != 16 {
			return fmt.Errorf("ext_pan_id %q: want 16 hex digits", n.ExtPanID)
		}
		dst.ExtPanID = v
	}
	if n.PanID != "" {
		v, err := strconv.ParseUint(strings.TrimPrefix(n.PanID, "0x"), 16, 16)
		if err != nil {
			return fmt.Errorf("pan_id %q: want hex like 0x1234", n.PanID)
		}
		dst.PanID = uint16(v)
	}
	if n.Channel != 0 {
		if n.Channel < 11 || n.Channel > 26 {
			return fmt.Errorf("channel %d: want 11–26", n.Channel)
		}
		dst.Channel = n.Channel
	}
	if n.MeshLocalPrefix != "" {
		p, err := netip.ParsePrefix(n.MeshLocalPrefix)
		if err != nil || p.Bits() != 64 || !p.Addr().Is6() {
			return fmt.Errorf("mesh_local_prefix %q: want an IPv6 /64 like fd11:22::/64", n.MeshLocalPrefix)
		}
		a := p.Addr().As16()
		copy(dst.MeshLocalPrefix[:], a[:8])
	}
	if n.PartitionID != nil {
		dst.PartitionID = *n.PartitionID
	}
	return nil
}

// build makes the mesh the scenario spells out.
func (sc *Scenario) build() (*Mesh, error) {
	rng := rand.New(rand.NewPCG(uint64(sc.Seed), 0x7363656e6172696f))
	g := &generator{rng: rng, names: map[string]int{}, exts: map[topology.ExtAddress]bool{}}
	m := &Mesh{Network: g.network(sc.Network.Name)}
	byRloc := map[topology.Rloc16]*Node{}
	node := func(kind string, i int, sn ScenarioNode) (*Node, error) {
		r, err := topology.ParseRloc16(sn.Rloc16)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", kind, i, err)
		}
		n := &Node{Rloc16: r, Name: sn.Name, Vendor: sn.Vendor, Model: sn.Model, SWVersion: sn.SWVersion,
			ThreadVersion: sn.ThreadVersion, Battery: -1, SupplyVoltage: 3300, Timeout: sn.Timeout,
			LinkQuality: sn.LinkQuality}
		if sn.Battery != nil {
			if *sn.Battery < 0 || *sn.Battery > 100 {
				return nil, fmt.Errorf("%s[%d] %s: battery_level %d: want 0–100", kind, i, r, *sn.Battery)
			}
			n.Battery = *sn.Battery
		}
		if sn.ExtAddr != "" {
			e, err := topology.ParseExtAddress(sn.ExtAddr)
			if err != nil {
				return nil, fmt.Errorf("%s[%d] %s: %w", kind, i, r, err)
			}
			if g.exts[e] {
				return nil, fmt.Errorf("%s[%d] %s: ext address %s used twice", kind, i, r, e)
			}
			g.exts[e] = true
			n.ExtAddr = e
		}
		if byRloc[r] != nil {
			return nil, fmt.Errorf("%s[%d]: RLOC16 %s used twice", kind, i, r)
		}
		byRloc[r] = n
		return n, nil
	}
	for i, sr := range sc.Routers {
		n, err := node("routers", i, sr)
		if err != nil {
			return nil, err
		}
		if !n.IsRouter() {
			return nil, fmt.Errorf("routers[%d]: %s is not a router RLOC16 (child ID must be 0)", i, n.Rloc16)
		}
		n.Mode = topology.Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true}
		if sr.Leader {
			if m.Leader != nil {
				return nil, fmt.Errorf("routers[%d]: second leader %s (first %s)", i, n.Rloc16, m.Leader.Rloc16)
			}
			m.Leader = n
		}
		if b := sr.BorderRouter; b != nil {
			g.makeBorderRouter(n, len(m.BorderRouters()), m.Network)
			n.BorderRouter.Vendor, n.BorderRouter.Model = b.Vendor, b.Model
			if b.Instance != "" {
				n.BorderRouter.Instance = b.Instance
			}
			if b.ThreadVersion != "" {
				n.BorderRouter.ThreadVersion = b.ThreadVersion
			}
			n.Vendor, n.Model = b.Vendor, b.Model
			if sr.Name != "" {
				n.Name = sr.Name
			}
		}
		g.common(n)
		m.Routers = append(m.Routers, n)
	}
	if m.Leader == nil {
		return nil, fmt.Errorf("routers: none is marked \"leader\": true")
	}
	for i, sl := range sc.Links {
		a, errA := topology.ParseRloc16(sl.A)
		b, errB := topology.ParseRloc16(sl.B)
		if errA != nil || errB != nil {
			return nil, fmt.Errorf("links[%d]: bad RLOC16 %q / %q", i, sl.A, sl.B)
		}
		na, nb := byRloc[a], byRloc[b]
		if na == nil || nb == nil || !na.IsRouter() || !nb.IsRouter() {
			return nil, fmt.Errorf("links[%d]: %s–%s: both ends must be listed routers", i, a, b)
		}
		m.Links = append(m.Links, RouterLink{A: na, B: nb, LQA: sl.LQA, LQB: sl.LQB})
	}
	for i, sn := range sc.Children {
		c, err := node("children", i, sn)
		if err != nil {
			return nil, err
		}
		if c.IsRouter() {
			return nil, fmt.Errorf("children[%d]: %s is a router RLOC16", i, c.Rloc16)
		}
		p := byRloc[c.Rloc16.Parent()]
		if p == nil || !p.IsRouter() {
			return nil, fmt.Errorf("children[%d]: %s: parent router %s is not listed", i, c.Rloc16, c.Rloc16.Parent())
		}
		c.Parent = p
		mode := sn.Mode
		if mode == "" {
			mode = "rn"
		}
		c.Mode, err = topology.ParseMode(mode)
		if err != nil {
			return nil, fmt.Errorf("children[%d] %s: %w", i, c.Rloc16, err)
		}
		if c.LinkQuality == 0 {
			c.LinkQuality = 3
		}
		if c.LinkQuality < 1 || c.LinkQuality > 3 {
			return nil, fmt.Errorf("children[%d] %s: link_quality %d: want 1–3", i, c.Rloc16, c.LinkQuality)
		}
		c.LinkMargin = 5 + 10*c.LinkQuality
		if c.Timeout == 0 {
			c.Timeout = 240
		}
		if c.IsSleepy() {
			c.PollPeriod = time.Duration(sn.PollPeriodMs) * time.Millisecond
			if c.PollPeriod == 0 {
				c.PollPeriod = 10 * time.Second
			}
		}
		c.ConnectedFor = time.Hour
		g.common(c)
		m.Children = append(m.Children, c)
	}
	sortNodes(m.Routers)
	sortNodes(m.Children)
	if err := m.finish(); err != nil {
		return nil, err
	}
	return m, nil
}

func sortNodes(ns []*Node) {
	for i := 1; i < len(ns); i++ {
		for j := i; j > 0 && ns[j].Rloc16 < ns[j-1].Rloc16; j-- {
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
}
