// Package health reads a topology snapshot (and optionally the recent
// history of its network) for the problems a user wants pointed out: weak
// links, routers whose loss would cut others off, routers near their child
// capacity, split partitions, the router count against Thread's limit of
// 32, children that keep changing parent, nodes the derivation flagged and
// nodes that did not answer, and known devices this scan did not see.
package health

import (
	"fmt"
	"sort"
	"strings"

	"github.com/threadmap/threadmap/thread/topology"
)

// Severity ranks an insight.
type Severity string

// Severities, from least to most urgent.
const (
	Info     Severity = "info"
	Warning  Severity = "warning"
	Critical Severity = "critical"
)

func (s Severity) rank() int {
	switch s {
	case Critical:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// Insight kinds.
const (
	KindWeakLink          = "weak-link"
	KindArticulationPoint = "articulation-point"
	KindChildCapacity     = "child-capacity"
	KindPartitions        = "partitions"
	KindRouterCount       = "router-count"
	KindParentChanges     = "parent-changes"
	KindFlagged           = "flagged" // Kind is "flagged:<flag>", e.g. "flagged:inferred"
	KindUnanswered        = "unanswered"
	KindNotSeen           = "not-seen"
)

// Limits from the Thread specification and OpenThread's defaults.
const (
	// MaxRouters is Thread's router limit (router IDs 0..62, at most 32 active).
	MaxRouters = 32
	// DefaultMaxChildren is OpenThread's default child table size for an FTD
	// (OPENTHREAD_CONFIG_MLE_MAX_CHILDREN), used when a router's own is unknown.
	DefaultMaxChildren = 10
	// RouterCountWarn is where the router count starts to warrant a warning.
	RouterCountWarn = 28
	// DefaultMinParentChanges is how many parent changes in the history make
	// a child worth pointing out.
	DefaultMinParentChanges = 3
)

// LinkRef names a link by its two ends (router link: a < b; child link:
// a is the parent).
type LinkRef struct {
	A string `json:"a"`
	B string `json:"b"`
}

// Insight is one finding, in the API's shape.
type Insight struct {
	Kind     string    `json:"kind"`
	Severity Severity  `json:"severity"`
	Message  string    `json:"message"`
	Nodes    []string  `json:"nodes"`
	Links    []LinkRef `json:"links"`
}

func newInsight(kind string, sev Severity, msg string) Insight {
	return Insight{Kind: kind, Severity: sev, Message: msg, Nodes: []string{}, Links: []LinkRef{}}
}

// Analyze reads one snapshot. The result is sorted: most severe first.
func Analyze(s *topology.Snapshot) []Insight {
	out := []Insight{}
	if s == nil {
		return out
	}
	g := newGraph(s)
	out = append(out, weakLinks(g)...)
	out = append(out, articulationPoints(g)...)
	out = append(out, childCapacity(g)...)
	out = append(out, partitions(s)...)
	out = append(out, routerCount(g)...)
	out = append(out, flagged(g)...)
	out = append(out, unanswered(g)...)
	out = append(out, notSeen(s)...)
	Sort(out)
	return out
}

// AnalyzeWithHistory reads snap and, from history (recent snapshots of the
// same network, any order; snap may be among them), the children that
// changed parent at least DefaultMinParentChanges times.
func AnalyzeWithHistory(snap *topology.Snapshot, history []*topology.Snapshot) []Insight {
	out := Analyze(snap)
	all := append([]*topology.Snapshot{}, history...)
	found := false
	for _, h := range history {
		found = found || h == snap || (snap != nil && h != nil && h.ID != "" && h.ID == snap.ID)
	}
	if !found && snap != nil {
		all = append(all, snap)
	}
	out = append(out, ParentChurn(all, DefaultMinParentChanges)...)
	Sort(out)
	return out
}

// Sort orders insights most severe first, then by kind and first node.
func Sort(in []Insight) {
	sort.SliceStable(in, func(i, j int) bool {
		a, b := in[i], in[j]
		if a.Severity.rank() != b.Severity.rank() {
			return a.Severity.rank() < b.Severity.rank()
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return first(a.Nodes) < first(b.Nodes)
	})
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// graph is the snapshot indexed for the checks.
type graph struct {
	s        *topology.Snapshot
	byID     map[string]*topology.Node
	routers  []string            // router ids, sorted
	adj      map[string][]string // router → routers it has a usable link with
	children map[string][]string // router → its children
}

func newGraph(s *topology.Snapshot) *graph {
	g := &graph{s: s, byID: map[string]*topology.Node{}, adj: map[string][]string{}, children: map[string][]string{}}
	for i := range s.Nodes {
		n := &s.Nodes[i]
		g.byID[n.ID] = n
		if n.Role.IsRouterRole() {
			g.routers = append(g.routers, n.ID)
		}
	}
	sort.Strings(g.routers)
	for _, n := range s.Nodes {
		if n.Parent != nil {
			g.children[*n.Parent] = append(g.children[*n.Parent], n.ID)
		}
	}
	for _, l := range s.Links {
		if l.Kind != topology.LinkRouter || !g.isRouter(l.A) || !g.isRouter(l.B) {
			continue
		}
		// A link whose quality is known to be 0 one way carries nothing.
		if (l.LQIn != nil && *l.LQIn == 0) || (l.LQOut != nil && *l.LQOut == 0) {
			continue
		}
		g.adj[l.A] = append(g.adj[l.A], l.B)
		g.adj[l.B] = append(g.adj[l.B], l.A)
	}
	return g
}

func (g *graph) isRouter(id string) bool {
	n := g.byID[id]
	return n != nil && n.Role.IsRouterRole()
}

// label is how messages name a node: its name, else its RLOC16, else its id.
func (g *graph) label(id string) string {
	n := g.byID[id]
	if n == nil {
		return id
	}
	switch {
	case n.Name != "" && n.Rloc16 != nil:
		return fmt.Sprintf("%s (%s)", n.Name, n.Rloc16)
	case n.Name != "":
		return n.Name
	case n.Rloc16 != nil:
		return n.Rloc16.String()
	}
	return n.ID
}

func lq(p *int) string {
	if p == nil {
		return "?"
	}
	return fmt.Sprint(*p)
}

func weakLinks(g *graph) []Insight {
	var out []Insight
	for _, l := range g.s.Links {
		worst := 4
		for _, q := range []*int{l.LQIn, l.LQOut} {
			if q != nil && *q < worst {
				worst = *q
			}
		}
		if worst > 1 {
			continue
		}
		sev := Warning
		if worst == 0 {
			sev = Critical
		}
		what := "Router link"
		if l.Kind == topology.LinkChild {
			what = "Parent-child link"
		}
		in := newInsight(KindWeakLink, sev, fmt.Sprintf("%s %s – %s is weak: link quality in %s, out %s (of 3)", what, g.label(l.A), g.label(l.B), lq(l.LQIn), lq(l.LQOut)))
		in.Nodes = []string{l.A, l.B}
		in.Links = []LinkRef{{l.A, l.B}}
		out = append(out, in)
	}
	return out
}

// articulationPoints finds, with Tarjan's lowpoint algorithm, the routers
// whose loss splits the router graph, and says who would be cut off: the
// routers that lose their way to the leader (or, when the leader itself
// fails, to the largest remaining group) and those routers' children.
func articulationPoints(g *graph) []Insight {
	index := map[string]int{}
	low := map[string]int{}
	cut := map[string]bool{}
	counter := 0
	var visit func(v, parent string)
	visit = func(v, parent string) {
		counter++
		index[v], low[v] = counter, counter
		kids := 0
		for _, w := range g.adj[v] {
			if _, seen := index[w]; !seen {
				kids++
				visit(w, v)
				low[v] = min(low[v], low[w])
				if parent != "" && low[w] >= index[v] {
					cut[v] = true
				}
			} else if w != parent {
				low[v] = min(low[v], index[w])
			}
		}
		if parent == "" && kids > 1 {
			cut[v] = true
		}
	}
	for _, r := range g.routers {
		if _, seen := index[r]; !seen {
			visit(r, "")
		}
	}
	leader := ""
	for _, r := range g.routers {
		if g.byID[r].Role == topology.RoleLeader {
			leader = r
		}
	}
	var out []Insight
	for _, r := range g.routers {
		if !cut[r] {
			continue
		}
		lost := g.cutOff(r, leader)
		var routers, children int
		nodes := []string{r}
		for _, id := range lost {
			routers++
			nodes = append(nodes, id)
			for _, c := range g.children[id] {
				children++
				nodes = append(nodes, c)
			}
		}
		in := newInsight(KindArticulationPoint, Warning, fmt.Sprintf(
			"Router %s is the only path to %d other router(s) and their %d child(ren): if it fails they are cut off from the rest of the mesh", g.label(r), routers, children))
		in.Nodes = nodes
		for _, w := range g.adj[r] {
			a, b := r, w
			if b < a {
				a, b = b, a
			}
			in.Links = append(in.Links, LinkRef{a, b})
		}
		sort.Slice(in.Links, func(i, j int) bool { return in.Links[i].A+in.Links[i].B < in.Links[j].A+in.Links[j].B })
		out = append(out, in)
	}
	return out
}

// cutOff lists the routers that, without r, no longer reach the leader's
// component (the largest one when r is the leader or no leader is known),
// among those that reached it with r.
func (g *graph) cutOff(r, leader string) []string {
	reach := func(from string, without string) map[string]bool {
		seen := map[string]bool{from: true}
		queue := []string{from}
		for len(queue) > 0 {
			v := queue[0]
			queue = queue[1:]
			for _, w := range g.adj[v] {
				if w != without && !seen[w] {
					seen[w] = true
					queue = append(queue, w)
				}
			}
		}
		return seen
	}
	withR := reach(r, "")
	var comps []map[string]bool
	assigned := map[string]bool{r: true}
	for _, v := range g.routers {
		if withR[v] && !assigned[v] {
			c := reach(v, r)
			for k := range c {
				assigned[k] = true
			}
			comps = append(comps, c)
		}
	}
	main := -1
	for i, c := range comps {
		if leader != "" && leader != r && c[leader] {
			main = i
		}
	}
	if main < 0 {
		for i, c := range comps {
			if main < 0 || len(c) > len(comps[main]) {
				main = i
			}
		}
	}
	var lost []string
	for i, c := range comps {
		if i == main {
			continue
		}
		for k := range c {
			lost = append(lost, k)
		}
	}
	sort.Strings(lost)
	return lost
}

func childCapacity(g *graph) []Insight {
	var out []Insight
	for _, r := range g.routers {
		n := g.byID[r]
		max, known := DefaultMaxChildren, false
		if n.MaxChildren != nil && *n.MaxChildren > 0 {
			max, known = *n.MaxChildren, true
		}
		have := len(g.children[r])
		if have*10 < max*8 { // below 80 %
			continue
		}
		sev := Warning
		state := "near its"
		if have >= max {
			sev, state = Critical, "at its"
		}
		src := "its reported maximum"
		if !known {
			src = "OpenThread's default"
		}
		in := newInsight(KindChildCapacity, sev, fmt.Sprintf("Router %s is %s child capacity: %d of %d children (%s); new devices may fail to attach nearby", g.label(r), state, have, max, src))
		in.Nodes = append([]string{r}, g.children[r]...)
		for _, c := range g.children[r] {
			in.Links = append(in.Links, LinkRef{r, c})
		}
		out = append(out, in)
	}
	return out
}

func partitions(s *topology.Snapshot) []Insight {
	if len(s.Network.Partitions) < 2 {
		return nil
	}
	ids := make([]string, len(s.Network.Partitions))
	for i, p := range s.Network.Partitions {
		ids[i] = fmt.Sprint(p)
	}
	in := newInsight(KindPartitions, Critical, fmt.Sprintf("The network is split into %d partitions (%s): nodes in different partitions cannot reach each other", len(ids), strings.Join(ids, ", ")))
	// Name the nodes outside the main partition (the network's, else the biggest).
	count := map[uint32]int{}
	for _, n := range s.Nodes {
		if n.PartitionID != nil {
			count[*n.PartitionID]++
		}
	}
	var main uint32
	if s.Network.PartitionID != nil {
		main = *s.Network.PartitionID
	} else {
		for p, c := range count {
			if c > count[main] || (c == count[main] && p < main) {
				main = p
			}
		}
	}
	for _, n := range s.Nodes {
		if n.PartitionID != nil && *n.PartitionID != main {
			in.Nodes = append(in.Nodes, n.ID)
		}
	}
	return []Insight{in}
}

func routerCount(g *graph) []Insight {
	n := len(g.routers)
	if n == 0 {
		return nil
	}
	sev := Info
	msg := fmt.Sprintf("%d of at most %d routers", n, MaxRouters)
	switch {
	case n >= MaxRouters:
		sev, msg = Warning, msg+": the limit is reached, no more routers can be added and REEDs stay children"
	case n >= RouterCountWarn:
		sev, msg = Warning, msg+": close to the limit"
	}
	in := newInsight(KindRouterCount, sev, msg)
	in.Nodes = append(in.Nodes, g.routers...)
	return []Insight{in}
}

var flagText = []struct {
	flag string
	sev  Severity
	text string
}{
	{topology.FlagNotInParentTable, Warning, "not in their parent's child table (the parent may have dropped them)"},
	{topology.FlagParentMismatch, Warning, "listed under another parent than their RLOC16 says (a stale entry after re-attaching)"},
	{topology.FlagInferred, Info, "never seen directly, only inferred from other nodes' tables"},
	{topology.FlagRoleConflict, Info, "reported with different roles by different sources"},
}

func flagged(g *graph) []Insight {
	var out []Insight
	for _, f := range flagText {
		var nodes []string
		for _, n := range g.s.Nodes {
			if n.HasFlag(f.flag) {
				nodes = append(nodes, n.ID)
			}
		}
		if len(nodes) == 0 {
			continue
		}
		in := newInsight(KindFlagged+":"+f.flag, f.sev, fmt.Sprintf("%d node(s) %s: %s", len(nodes), f.text, labels(g, nodes)))
		in.Nodes = nodes
		out = append(out, in)
	}
	return out
}

func labels(g *graph, ids []string) string {
	const show = 5
	var parts []string
	for i, id := range ids {
		if i == show {
			parts = append(parts, fmt.Sprintf("and %d more", len(ids)-show))
			break
		}
		parts = append(parts, g.label(id))
	}
	return strings.Join(parts, ", ")
}

func unanswered(g *graph) []Insight {
	var nodes []string
	routers := 0
	for _, n := range g.s.Nodes {
		if n.Status == topology.StatusTimedOut || n.Status == topology.StatusError {
			nodes = append(nodes, n.ID)
			if n.Role.IsRouterRole() {
				routers++
			}
		}
	}
	if len(nodes) == 0 {
		return nil
	}
	sev := Info // sleepy children often miss a query
	if routers > 0 {
		sev = Warning
	}
	in := newInsight(KindUnanswered, sev, fmt.Sprintf("%d node(s) did not answer the scan (%d of them routers): %s", len(nodes), routers, labels(g, nodes)))
	in.Nodes = nodes
	return []Insight{in}
}

// notSeen points out the devices a source knows of that this scan did not
// see (Snapshot.NotSeen: no router lists them, they did not answer): they
// are not on the map, and may have left or lost power.
func notSeen(s *topology.Snapshot) []Insight {
	if len(s.NotSeen) == 0 {
		return nil
	}
	var parts []string
	in := newInsight(KindNotSeen, Info, "")
	for i, n := range s.NotSeen {
		in.Nodes = append(in.Nodes, n.ID)
		if i < 5 {
			label := n.Name
			if label == "" {
				label = n.ID
			}
			if n.LastSeen != nil {
				label += " (last seen " + n.LastSeen.UTC().Format("2006-01-02 15:04 UTC") + ")"
			}
			parts = append(parts, label)
		}
	}
	if len(s.NotSeen) > 5 {
		parts = append(parts, fmt.Sprintf("and %d more", len(s.NotSeen)-5))
	}
	in.Message = fmt.Sprintf("%d known device(s) not seen in this scan (no router lists them and they did not answer; not on the map): %s",
		len(s.NotSeen), strings.Join(parts, ", "))
	return []Insight{in}
}

// ParentChurn finds children whose parent changed at least minChanges
// times across history (snapshots of one network, any order).
func ParentChurn(history []*topology.Snapshot, minChanges int) []Insight {
	snaps := make([]*topology.Snapshot, 0, len(history))
	for _, h := range history {
		if h != nil {
			snaps = append(snaps, h)
		}
	}
	sort.SliceStable(snaps, func(i, j int) bool { return snaps[i].TakenAt.Before(snaps[j].TakenAt) })
	changes := map[string]int{}
	last := map[string]string{}
	for _, s := range snaps {
		for _, n := range s.Nodes {
			if n.Parent == nil {
				continue // a router now, or detached: no parent to compare
			}
			if p, ok := last[n.ID]; ok && p != *n.Parent {
				changes[n.ID]++
			}
			last[n.ID] = *n.Parent
		}
	}
	var ids []string
	for id, c := range changes {
		if c >= minChanges {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	var out []Insight
	var g *graph
	if len(snaps) > 0 {
		g = newGraph(snaps[len(snaps)-1])
	}
	for _, id := range ids {
		name := id
		if g != nil {
			name = g.label(id)
		}
		in := newInsight(KindParentChanges, Warning, fmt.Sprintf("Child %s changed parent %d times in the last %d snapshots (%s to %s): its links are probably marginal",
			name, changes[id], len(snaps), snaps[0].TakenAt.Format("2006-01-02 15:04"), snaps[len(snaps)-1].TakenAt.Format("2006-01-02 15:04")))
		in.Nodes = []string{id}
		out = append(out, in)
	}
	return out
}
