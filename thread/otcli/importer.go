package otcli

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/netdata"
	"github.com/threadmap/threadmap/thread/topology"
)

// SourceName is the source name recorded in Node.Sources and the scan report.
const SourceName = "ot-cli"

// Note is something the importer skipped or could not read, with where.
type Note struct {
	File string
	Line int
	Cmd  string
	Msg  string
}

func (n Note) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", n.File, n.Line, n.Cmd, n.Msg)
}

// nodeView collects what one transcript says about the node it ran on.
type nodeView struct {
	ext   topology.ExtAddress
	rloc  *topology.Rloc16
	state string
	mode  *topology.Mode
	node  topology.Node
}

// importer turns one transcript into a partial snapshot.
type importer struct {
	file  string
	snap  *topology.Snapshot
	self  nodeView
	notes []Note
}

func (im *importer) note(c Command, format string, a ...any) {
	im.notes = append(im.notes, Note{File: im.file, Line: c.Line, Cmd: c.Cmd, Msg: fmt.Sprintf(format, a...)})
}

// capturedRe finds a capture time in a leading comment ("# captured 2026-11-25T12:17:03+0000").
var capturedRe = regexp.MustCompile(`(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:?\d\d))`)

func captureTime(comments []string) (time.Time, bool) {
	for _, c := range comments {
		m := capturedRe.FindString(c)
		if m == "" {
			continue
		}
		for _, layout := range []string{"2006-01-02T15:04:05Z0700", time.RFC3339} {
			if t, err := time.Parse(layout, m); err == nil {
				return t.UTC(), true
			}
		}
	}
	return time.Time{}, false
}

// ImportTranscript builds a partial snapshot from one parsed transcript.
// file names it in notes; takenAt is used when no comment gives the
// capture time.
func ImportTranscript(file string, t *Transcript, takenAt time.Time) (*topology.Snapshot, []Note) {
	if ct, ok := captureTime(t.Comments); ok {
		takenAt = ct
	}
	im := &importer{file: file, snap: topology.New(takenAt)}
	// Pass 1: who is this node? Tables below need its identity.
	for _, c := range t.Commands {
		if c.Status() != "" {
			continue
		}
		im.identity(c)
	}
	selfID := im.selfID()
	if selfID != "" {
		n := im.self.node
		n.ID = selfID
		n.Sources = []string{SourceName}
		if im.self.ext != 0 {
			n.ExtAddr = im.self.ext.String()
		}
		n.Rloc16 = im.self.rloc
		n.Mode = im.self.mode
		n.Role = roleFromState(im.self.state, im.self.mode, n.RouterEligible)
		n.Status = topology.StatusAnswered
		im.snap.Nodes = append(im.snap.Nodes, n)
	}
	// Pass 2: everything else.
	for _, c := range t.Commands {
		im.command(c)
	}
	// Fold what the passes added to the node itself into it.
	for i := range im.snap.Nodes {
		if im.snap.Nodes[i].ID == selfID {
			im.snap.Nodes[i].PartitionID = im.self.node.PartitionID
		}
	}
	return im.snap, im.notes
}

// roleFromState is the node's role from its own `state`, `mode` and
// `routereligible` answers (eligible nil when it gave none).
func roleFromState(state string, mode *topology.Mode, eligible *bool) topology.Role {
	switch state {
	case "leader":
		return topology.RoleLeader
	case "router":
		return topology.RoleRouter
	case "child":
		if mode != nil {
			return topology.ChildRoleOf(*mode, eligible)
		}
		return topology.RoleUnknown
	case "detached", "disabled":
		return topology.RoleDetached
	}
	return topology.RoleUnknown
}

func (im *importer) selfID() string {
	if im.self.ext == 0 && im.self.rloc == nil {
		return ""
	}
	var r topology.Rloc16
	if im.self.rloc != nil {
		r = *im.self.rloc
	}
	return topology.NodeID(im.self.ext, r)
}

func firstLine(c Command) string {
	b := c.Body()
	if len(b) == 0 {
		return ""
	}
	return strings.TrimSpace(b[0])
}

// identity reads the commands that say who the node is.
func (im *importer) identity(c Command) {
	v := firstLine(c)
	switch c.Cmd {
	case "extaddr":
		if x, err := topology.ParseExtAddress(v); err == nil {
			im.self.ext = x
		}
	case "rloc16":
		if r, err := topology.ParseRloc16(v); err == nil {
			im.self.rloc = &r
		}
	case "state":
		im.self.state = strings.ToLower(v)
	case "mode":
		if m, err := topology.ParseMode(v); err == nil {
			im.self.mode = &m
		}
	case "partitionid":
		if p, err := strconv.ParseUint(v, 10, 32); err == nil {
			im.self.node.PartitionID = topology.Ptr(uint32(p))
		}
	case "routereligible":
		if e, ok := routerEligible(v); ok {
			im.self.node.RouterEligible = &e
		}
	case "leaderdata":
		if p, err := strconv.ParseUint(KeyValues(c)["partition id"], 10, 32); err == nil {
			im.self.node.PartitionID = topology.Ptr(uint32(p))
		}
	}
}

// command handles one command of pass 2.
func (im *importer) command(c Command) {
	if st := c.Status(); st != "" {
		im.note(c, "answered %s", st)
		return
	}
	name, args := c.Cmd, ""
	for _, prefix := range []string{"networkdiagnostic get", "meshdiag topology", "meshdiag childtable",
		"meshdiag childip6", "meshdiag routerneighbortable", "ipaddr"} {
		if c.Cmd == prefix || strings.HasPrefix(c.Cmd, prefix+" ") {
			name, args = prefix, strings.TrimSpace(strings.TrimPrefix(c.Cmd, prefix))
			break
		}
	}
	var err error
	switch name {
	case "routereligible":
		if _, ok := routerEligible(firstLine(c)); !ok {
			err = fmt.Errorf("unreadable answer %q (want Enabled or Disabled)", firstLine(c))
		}
	case "extaddr", "rloc16", "state", "mode":
		if im.selfID() == "" {
			err = fmt.Errorf("unreadable answer %q", firstLine(c))
		}
		if c.Cmd == "extaddr" && im.self.ext == 0 || c.Cmd == "rloc16" && im.self.rloc == nil {
			err = fmt.Errorf("unreadable answer %q", firstLine(c))
		}
	case "leaderdata":
		err = im.leaderData(c)
	case "partitionid":
		var p uint64
		if p, err = strconv.ParseUint(firstLine(c), 10, 32); err == nil {
			im.self.node.PartitionID = topology.Ptr(uint32(p))
		}
	case "networkname":
		im.snap.Network.Name = firstLine(c)
	case "extpanid":
		err = im.extPanID(firstLine(c))
	case "panid":
		err = im.panID(firstLine(c))
	case "channel":
		err = im.channel(firstLine(c))
	case "eui64":
		im.setSelf(func(n *topology.Node) { n.EUI64 = strings.ToLower(firstLine(c)) })
	case "version":
		im.setSelf(func(n *topology.Node) { n.StackVersion = firstLine(c) })
	case "thread version":
		var v int
		if v, err = strconv.Atoi(firstLine(c)); err == nil {
			im.setSelf(func(n *topology.Node) { n.ThreadVersion = v })
		}
	case "ipaddr":
		err = im.ipaddr(c)
	case "router table":
		err = im.routerTable(c)
	case "child table":
		err = im.childTable(c)
	case "childip":
		err = im.childIP(c)
	case "neighbor table":
		err = im.neighborTable(c)
	case "parent":
		err = im.parent(c)
	case "dataset active":
		err = im.dataset(c)
	case "netdata show":
		err = im.netdata(c)
	case "counters mle":
		err = im.countersMle(c)
	case "neighbor linkquality":
		err = im.neighborLinkQuality(c)
	case "networkdiagnostic get":
		err = im.netdiag(c)
	case "meshdiag topology":
		err = im.meshdiagTopology(c)
	case "meshdiag childtable":
		err = im.meshdiagChildTable(c, args)
	case "meshdiag childip6":
		err = im.meshdiagChildIP6(c, args)
	case "meshdiag routerneighbortable":
		err = im.meshdiagRouterNeighbors(c, args)
	default:
		im.note(c, "skipped (not used for the topology)")
		return
	}
	if err != nil {
		im.note(c, "%v", err)
	}
}

// routerEligible reads the answer of `routereligible`: "Enabled" or "Disabled".
func routerEligible(v string) (eligible, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "enabled":
		return true, true
	case "disabled":
		return false, true
	}
	return false, false
}

// mleCounterKeys maps "counters mle" lines to the model's counter names
// (topology.CounterMLE*), the ones the MLE Counters TLV (34) fills too.
var mleCounterKeys = map[string]string{
	"role disabled": topology.CounterMLEDisabledRole, "role detached": topology.CounterMLEDetachedRole,
	"role child": topology.CounterMLEChildRole, "role router": topology.CounterMLERouterRole,
	"role leader": topology.CounterMLELeaderRole, "attach attempts": topology.CounterMLEAttachAttempts,
	"partition id changes":             topology.CounterMLEPartitionIDChanges,
	"better partition attach attempts": topology.CounterMLEBetterPartitionAttachAttempt,
	"better parent attach attempts":    topology.CounterMLEBetterParentAttachAttempts,
	"parent changes":                   topology.CounterMLEParentChanges,
	"time disabled milli":              topology.CounterMLEDisabledTimeMs,
	"time detached milli":              topology.CounterMLEDetachedTimeMs,
	"time child milli":                 topology.CounterMLEChildTimeMs,
	"time router milli":                topology.CounterMLERouterTimeMs,
	"time leader milli":                topology.CounterMLELeaderTimeMs,
	"time tracked milli":               topology.CounterMLETrackedTimeMs,
}

func (im *importer) countersMle(c Command) error {
	counters := map[string]uint64{}
	for k, v := range KeyValues(c) {
		key, ok := mleCounterKeys[k]
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not a count", k, v)
		}
		counters[key] = n
	}
	im.setSelf(func(n *topology.Node) {
		if n.Counters == nil {
			n.Counters = map[string]uint64{}
		}
		for k, v := range counters {
			n.Counters[k] = v
		}
	})
	return nil
}

// neighborLinkQuality adds frame and message error rates to the links the
// neighbor table made (run it after "neighbor table"; rows without such a
// link are left alone).
func (im *importer) neighborLinkQuality(c Command) error {
	t, err := ParseTable(c)
	if err != nil {
		return err
	}
	// The links to this node, by the other end: one pass over the links,
	// not one per row (a big table made that quadratic).
	self := im.selfID()
	byPeer := map[string][]int{}
	for i, l := range im.snap.Links {
		switch self {
		case l.A:
			byPeer[l.B] = append(byPeer[l.B], i)
		case l.B:
			byPeer[l.A] = append(byPeer[l.A], i)
		}
	}
	for _, r := range t.Rows {
		rloc, ext, err := rowAddrs(t, r)
		if err != nil {
			return err
		}
		for _, i := range byPeer[topology.NodeID(ext, rloc)] {
			l := &im.snap.Links[i]
			l.FrameErrorRate = percent(t.Get(r, "Frame Error"))
			l.MessageErrorRate = percent(t.Get(r, "Msg Error"))
		}
	}
	return nil
}

// setSelf applies f to this transcript's own node, when it is known.
func (im *importer) setSelf(f func(n *topology.Node)) {
	id := im.selfID()
	for i := range im.snap.Nodes {
		if im.snap.Nodes[i].ID == id && id != "" {
			f(&im.snap.Nodes[i])
			return
		}
	}
	f(&im.self.node) // kept for when identity shows up (it never does later: pass 1 ran)
}

func (im *importer) selfPartition() *uint32 { return im.self.node.PartitionID }

func (im *importer) leaderData(c Command) error {
	kv := KeyValues(c)
	p, err := strconv.ParseUint(kv["partition id"], 10, 32)
	if err != nil {
		return fmt.Errorf("partition id %q: %w", kv["partition id"], err)
	}
	l, err := strconv.Atoi(kv["leader router id"])
	if err != nil || l < 0 || l > topology.MaxRouterID {
		return fmt.Errorf("leader router id %q is not 0-62", kv["leader router id"])
	}
	im.self.node.PartitionID = topology.Ptr(uint32(p))
	im.snap.Network.PartitionID = topology.Ptr(uint32(p))
	im.snap.Network.LeaderRouterID = topology.Ptr(l)
	return nil
}

func (im *importer) extPanID(v string) error {
	x, err := topology.ParseExtAddress(v) // same shape: 8 bytes in hex
	if err != nil {
		return fmt.Errorf("ext PAN ID %q is not 16 hex digits", v)
	}
	im.snap.Network.ExtPanID = x.String()
	return nil
}

func (im *importer) panID(v string) error {
	p, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(v), "0x"), 16, 16)
	if err != nil {
		return fmt.Errorf("PAN ID %q is not 16-bit hex", v)
	}
	im.snap.Network.PanID = fmt.Sprintf("0x%04x", p)
	return nil
}

func (im *importer) channel(v string) error {
	ch, err := strconv.Atoi(v)
	if err != nil || ch < 0 || ch > 65535 {
		return fmt.Errorf("channel %q is not a number", v)
	}
	im.snap.Network.Channel = ch
	return nil
}

func (im *importer) ipaddr(c Command) error {
	var addrs []string
	for _, l := range c.Body() {
		f := strings.Fields(l)
		a, err := netip.ParseAddr(f[0])
		if err != nil {
			return fmt.Errorf("line %q: %w", l, err)
		}
		addrs = append(addrs, a.String())
		if im.self.rloc != nil && im.snap.Network.MeshLocalPrefix == "" {
			if loc, ok := topology.LocatorOf(a); ok && loc == *im.self.rloc {
				im.snap.Network.MeshLocalPrefix = netip.PrefixFrom(a, 64).Masked().String()
			}
		}
	}
	im.setSelf(func(n *topology.Node) { n.IPv6 = append(n.IPv6, addrs...) })
	return nil
}

func parseInt(s string) (int, error) { return strconv.Atoi(strings.TrimSpace(s)) }

// peerAddrs reads the RLOC16 and ext address (empty or zero: unknown) a
// row or record names; errors name the line.
func peerAddrs(line int, rloc16, ext string) (topology.Rloc16, topology.ExtAddress, error) {
	r, err := topology.ParseRloc16(rloc16)
	if err != nil {
		return 0, 0, fmt.Errorf("line %d: %w", line, err)
	}
	e, err := extOrZero(ext)
	if err != nil {
		return 0, 0, fmt.Errorf("line %d: %w", line, err)
	}
	return r, e, nil
}

// rowAddrs is peerAddrs for a table row's RLOC16 and Extended MAC cells.
func rowAddrs(t *Table, r TableRow) (topology.Rloc16, topology.ExtAddress, error) {
	return peerAddrs(r.Line, t.Get(r, "RLOC16"), t.Get(r, "Extended MAC"))
}

// rowMode reads a table row's R, D and N mode bits.
func rowMode(t *Table, r TableRow) topology.Mode {
	return topology.Mode{RxOnWhenIdle: bit(t.Get(r, "R")), FullThreadDevice: bit(t.Get(r, "D")), FullNetworkData: bit(t.Get(r, "N"))}
}

// version reads a Thread version cell; 0 when it is not a positive number.
func version(s string) int {
	if v, err := parseInt(s); err == nil && v > 0 {
		return v
	}
	return 0
}

// percent reads an error rate written as "12.5%" as a fraction; nil when unreadable.
func percent(s string) *float64 {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), 64)
	if err != nil {
		return nil
	}
	return topology.Ptr(v / 100)
}

// peerNode is a node another node's table names, in this transcript's
// partition (ext 0: known by its RLOC16 only).
func (im *importer) peerNode(ext topology.ExtAddress, rloc topology.Rloc16, role topology.Role) topology.Node {
	n := topology.Node{ID: topology.NodeID(ext, rloc), Rloc16: topology.Ptr(rloc), Role: role,
		Sources: []string{SourceName}, PartitionID: im.selfPartition()}
	if ext != 0 {
		n.ExtAddr = ext.String()
	}
	return n
}

// extOrZero reads an ext address cell; 0000000000000000 means unknown.
func extOrZero(s string) (topology.ExtAddress, error) {
	if s == "" {
		return 0, nil
	}
	return topology.ParseExtAddress(s)
}

func (im *importer) routerTable(c Command) error {
	t, err := ParseTable(c)
	if err != nil {
		return err
	}
	self := im.selfID()
	for _, r := range t.Rows {
		rloc, ext, err := rowAddrs(t, r)
		if err != nil {
			return err
		}
		if im.self.rloc != nil && rloc == *im.self.rloc {
			continue
		}
		n := im.peerNode(ext, rloc, topology.RoleRouter)
		id := n.ID
		im.snap.Nodes = append(im.snap.Nodes, n)
		if t.Get(r, "Link") != "1" {
			continue
		}
		if self == "" {
			return fmt.Errorf("line %d: a link row, but the transcript never says which node it is (no extaddr/rloc16)", r.Line)
		}
		lqIn, err1 := parseInt(t.Get(r, "LQ In"))
		lqOut, err2 := parseInt(t.Get(r, "LQ Out"))
		if err1 != nil || err2 != nil {
			return fmt.Errorf("line %d: LQ In/Out %q/%q", r.Line, t.Get(r, "LQ In"), t.Get(r, "LQ Out"))
		}
		im.snap.Links = append(im.snap.Links, topology.Link{Kind: topology.LinkRouter, A: self, B: id,
			LQIn: topology.Ptr(lqIn), LQOut: topology.Ptr(lqOut), Sources: []string{SourceName}})
	}
	return nil
}

func bit(s string) bool { return strings.TrimSpace(s) == "1" }

func (im *importer) childTable(c Command) error {
	t, err := ParseTable(c)
	if err != nil {
		return err
	}
	self := im.selfID()
	if self == "" || im.self.rloc == nil {
		return fmt.Errorf("a child table, but the transcript never says which node it is (no rloc16)")
	}
	if im.self.rloc.IsRouter() {
		im.setSelf(func(n *topology.Node) { n.ChildTableKnown = true })
	}
	for _, r := range t.Rows {
		rloc, ext, err := rowAddrs(t, r)
		if err != nil {
			return err
		}
		mode := rowMode(t, r)
		n := im.peerNode(ext, rloc, topology.ChildRole(mode))
		id := n.ID
		n.Mode = &mode
		n.ThreadVersion = version(t.Get(r, "Ver"))
		l := topology.Link{Kind: topology.LinkChild, A: self, B: id, Sources: []string{SourceName}}
		if v, err := parseInt(t.Get(r, "Timeout")); err == nil {
			n.Timeout = topology.Ptr(uint32(v))
			l.Timeout = topology.Ptr(uint32(v))
		}
		if v, err := parseInt(t.Get(r, "Age")); err == nil {
			l.Age = topology.Ptr(uint32(v))
		}
		if v, err := parseInt(t.Get(r, "LQ In")); err == nil {
			l.LQIn = topology.Ptr(v)
		}
		im.snap.Nodes = append(im.snap.Nodes, n)
		im.snap.Links = append(im.snap.Links, l)
	}
	return nil
}

func (im *importer) childIP(c Command) error {
	for _, l := range c.Body() {
		rs, addr, ok := strings.Cut(l, ":")
		if !ok {
			return fmt.Errorf("line %q: want RLOC16: address", l)
		}
		rloc, err := topology.ParseRloc16(rs)
		if err != nil {
			return err
		}
		a, err := netip.ParseAddr(strings.TrimSpace(addr))
		if err != nil {
			return fmt.Errorf("line %q: %w", l, err)
		}
		im.addAddrs(rloc, []string{a.String()})
	}
	return nil
}

func (im *importer) addAddrs(rloc topology.Rloc16, addrs []string) {
	n := im.peerNode(0, rloc, topology.RoleUnknown)
	n.IPv6 = addrs
	im.snap.Nodes = append(im.snap.Nodes, n)
}

func (im *importer) neighborTable(c Command) error {
	t, err := ParseTable(c)
	if err != nil {
		return err
	}
	self := im.selfID()
	if self == "" {
		return fmt.Errorf("a neighbor table, but the transcript never says which node it is")
	}
	for _, r := range t.Rows {
		rloc, ext, err := rowAddrs(t, r)
		if err != nil {
			return err
		}
		mode := rowMode(t, r)
		n := im.peerNode(ext, rloc, topology.RoleUnknown)
		id := n.ID
		n.Mode = &mode
		n.ThreadVersion = version(t.Get(r, "Version"))
		l := topology.Link{A: self, B: id, Sources: []string{SourceName}}
		if v, err := parseInt(t.Get(r, "Avg RSSI")); err == nil {
			l.RSSI = topology.Ptr(v)
		}
		if v, err := parseInt(t.Get(r, "Last RSSI")); err == nil {
			l.LastRSSI = topology.Ptr(v)
		}
		if v, err := parseInt(t.Get(r, "LQ In")); err == nil {
			l.LQIn = topology.Ptr(v)
		}
		switch t.Get(r, "Role") {
		case "R":
			n.Role = topology.RoleRouter
			l.Kind = topology.LinkRouter
		case "C":
			n.Role = topology.ChildRole(mode)
			l.Kind = topology.LinkChild
			if im.self.rloc != nil && rloc.Parent() != im.self.rloc.Parent() {
				return fmt.Errorf("line %d: child %s is not under %s", r.Line, rloc, im.self.rloc)
			}
		default:
			return fmt.Errorf("line %d: role %q is neither R nor C", r.Line, t.Get(r, "Role"))
		}
		if l.Kind == topology.LinkRouter && im.self.rloc != nil && !im.self.rloc.IsRouter() {
			// A REED child lists its parent as a router neighbor: that is
			// the parent-child link, seen from the child.
			l = topology.Link{Kind: topology.LinkChild, A: id, B: self, Sources: []string{SourceName}}
		}
		im.snap.Nodes = append(im.snap.Nodes, n)
		im.snap.Links = append(im.snap.Links, l)
	}
	return nil
}

func (im *importer) parent(c Command) error {
	kv := KeyValues(c)
	ext, err := extOrZero(kv["ext addr"])
	if err != nil {
		return err
	}
	rloc, err := topology.ParseRloc16(kv["rloc"])
	if err != nil {
		return err
	}
	if ext == 0 || im.self.rloc == nil || im.self.rloc.IsRouter() {
		return nil // a router's "parent" is empty or stale
	}
	self := im.selfID()
	n := im.peerNode(ext, rloc, topology.RoleRouter)
	id := n.ID
	im.snap.Nodes = append(im.snap.Nodes, n)
	l := topology.Link{Kind: topology.LinkChild, A: id, B: self, Sources: []string{SourceName}}
	// The child's "Link Quality In" is the parent's LQ out, and vice versa.
	if v, err := parseInt(kv["link quality out"]); err == nil {
		l.LQIn = topology.Ptr(v)
	}
	if v, err := parseInt(kv["link quality in"]); err == nil {
		l.LQOut = topology.Ptr(v)
	}
	im.snap.Links = append(im.snap.Links, l)
	return nil
}

// dataset reads the network fields of "dataset active". The network key
// and PSKc lines are never looked at.
func (im *importer) dataset(c Command) error {
	kv := KeyValues(c)
	if v, ok := kv["network name"]; ok {
		im.snap.Network.Name = v
	}
	if v, ok := kv["ext pan id"]; ok {
		if err := im.extPanID(v); err != nil {
			return err
		}
	}
	if v, ok := kv["pan id"]; ok {
		if err := im.panID(v); err != nil {
			return err
		}
	}
	if v, ok := kv["channel"]; ok {
		if err := im.channel(v); err != nil {
			return err
		}
	}
	if v, ok := kv["mesh local prefix"]; ok {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return fmt.Errorf("mesh local prefix %q: %w", v, err)
		}
		im.snap.Network.MeshLocalPrefix = p.Masked().String()
	}
	return nil
}

// netdata reads `netdata show` as the network's network data (from which
// topology.Normalize derives the border routers). A sleepy child's
// stable-only copy (server RLOC16s elided) is noted and not used.
func (im *importer) netdata(c Command) error {
	nd, err := netdata.ParseShow(c.Body())
	if err != nil {
		return err
	}
	m := nd.Model(SourceName)
	if m.Elided() {
		im.note(c, "stable-only network data (RLOC16s elided): not used as the network's network data")
		return nil
	}
	im.snap.Network.NetworkData = m
	return nil
}

// answerRe is an answer line of "networkdiagnostic get".
var answerRe = regexp.MustCompile(`^DIAG_GET\.(?:rsp/ans|rsp|ans) from ([0-9a-fA-F:.]+):\s*([0-9a-fA-F]*)\s*$`)

// netdiag decodes every raw answer with thread/diag and adds it through
// diag's one conversion to the model.
func (im *importer) netdiag(c Command) error {
	var errs []string
	for i, l := range c.Output {
		m := answerRe.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			continue
		}
		line := c.Line + 1 + i
		if m[2] == "" {
			errs = append(errs, fmt.Sprintf("line %d: answer without TLV bytes", line))
			continue
		}
		raw, err := hexBytes(m[2])
		if err != nil {
			errs = append(errs, fmt.Sprintf("line %d: %v", line, err))
			continue
		}
		msg, err := diag.Decode(raw)
		if err != nil {
			errs = append(errs, fmt.Sprintf("line %d: %v", line, err))
			continue
		}
		msg.AddTo(im.snap, SourceName, rlocOf(m[1]))
	}
	return joinErrors(errs)
}

// joinErrors is one error of all of errs, nil when there are none.
func joinErrors(errs []string) error {
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

func hexBytes(s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("odd number of hex digits")
	}
	b := make([]byte, len(s)/2)
	for i := range b {
		v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, fmt.Errorf("bad hex at digit %d", 2*i)
		}
		b[i] = byte(v)
	}
	return b, nil
}

// rlocOf returns the RLOC16 of an RLOC address (…:0:ff:fe00:RLOC16), else nil.
func rlocOf(s string) *topology.Rloc16 {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return nil
	}
	r, ok := topology.LocatorOf(a)
	if !ok {
		return nil
	}
	if r >= 0xfc00 {
		return nil // an ALOC
	}
	return &r
}

// sortNotes orders notes by file and line.
func sortNotes(n []Note) {
	sort.SliceStable(n, func(i, j int) bool {
		if n[i].File != n[j].File {
			return n[i].File < n[j].File
		}
		return n[i].Line < n[j].Line
	})
}
