package otlab

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// Truth is every node's own view, as `otlab truth` printed it: one file per
// node (nN.txt, br.txt) of "### command" sections with OpenThread's CLI
// output under each. It is read here independently of threadmap's own
// ot-cli importer, so the importer's mistakes cannot hide in both.
type Truth struct {
	TakenAt time.Time
	// Nodes by lab name: "1".."8", "br".
	Nodes map[string]*TruthNode
}

// TruthNode is one node's view of itself and its tables.
type TruthNode struct {
	Name string
	// Running is false when the node's process is gone ("(not running)").
	Running bool
	// State is OpenThread's: leader, router, child, detached, disabled.
	State       string
	Rloc16      topology.Rloc16
	ExtAddr     string
	Mode        string
	PartitionID uint32
	LeaderID    int
	// ParentExt is the parent's ext address (children only).
	ParentExt string
	Routers   []RouterRow
	Children  []ChildRow
	Neighbors []NeighborRow
	IPv6      []string
	// Sections holds every command's raw output.
	Sections map[string]string
}

// RouterRow is a row of `router table`.
type RouterRow struct {
	ID            int
	Rloc16        topology.Rloc16
	NextHop, Cost int
	LQIn, LQOut   int
	ExtAddr       string
	Link          bool
	Age           int
}

// ChildRow is a row of `child table`.
type ChildRow struct {
	Rloc16  topology.Rloc16
	Timeout int
	LQIn    int
	Mode    string
	ExtAddr string
}

// NeighborRow is a row of `neighbor table`.
type NeighborRow struct {
	Role    string // "R" or "C"
	Rloc16  topology.Rloc16
	LQIn    int
	ExtAddr string
}

// InMesh says the node is attached (leader, router or child).
func (n *TruthNode) InMesh() bool {
	return n.Running && (n.State == "leader" || n.State == "router" || n.State == "child")
}

// ReadTruth reads a directory `otlab truth` wrote.
func ReadTruth(dir string) (*Truth, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("otlab truth %s: no node files", dir)
	}
	tr := &Truth{Nodes: map[string]*TruthNode{}}
	if b, err := os.ReadFile(filepath.Join(dir, "TAKEN_AT")); err == nil {
		tr.TakenAt, _ = time.Parse(time.RFC3339, strings.TrimSpace(string(b)))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		name = strings.TrimPrefix(name, "n")
		n, err := parseNode(name, string(b))
		if err != nil {
			return nil, fmt.Errorf("otlab truth %s: %w", f, err)
		}
		tr.Nodes[name] = n
	}
	return tr, nil
}

func parseNode(name, text string) (*TruthNode, error) {
	n := &TruthNode{Name: name, Sections: map[string]string{}}
	if strings.TrimSpace(text) == "(not running)" {
		return n, nil
	}
	n.Running = true
	var cur string
	var body []string
	flush := func() {
		if cur != "" {
			n.Sections[cur] = strings.Join(body, "\n")
		}
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.HasPrefix(line, "### ") {
			flush()
			cur, body = strings.TrimPrefix(line, "### "), nil
			continue
		}
		if line == "Done" || line == "" {
			continue
		}
		body = append(body, line)
	}
	flush()
	one := func(sec string) string {
		s := strings.TrimSpace(n.Sections[sec])
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[:i]
		}
		if strings.HasPrefix(s, "Error") {
			return ""
		}
		return s
	}
	n.State = one("state")
	n.ExtAddr = strings.ToLower(one("extaddr"))
	n.Mode = one("mode")
	if s := one("rloc16"); s != "" {
		v, err := strconv.ParseUint(s, 16, 16)
		if err != nil {
			return nil, fmt.Errorf("rloc16 %q: %w", s, err)
		}
		n.Rloc16 = topology.Rloc16(v)
	}
	if s := one("partitionid"); s != "" {
		v, _ := strconv.ParseUint(s, 10, 32)
		n.PartitionID = uint32(v)
	}
	for _, l := range strings.Split(n.Sections["leaderdata"], "\n") {
		if v, ok := strings.CutPrefix(l, "Leader Router ID: "); ok {
			n.LeaderID, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	if n.State == "child" {
		for _, l := range strings.Split(n.Sections["parent"], "\n") {
			if v, ok := strings.CutPrefix(l, "Ext Addr: "); ok {
				n.ParentExt = strings.ToLower(strings.TrimSpace(v))
			}
		}
	}
	for _, l := range strings.Split(n.Sections["ipaddr"], "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "Error") {
			n.IPv6 = append(n.IPv6, l)
		}
	}
	var err error
	if n.Routers, err = parseRouterTable(n.Sections["router table"]); err != nil {
		return nil, err
	}
	if n.Children, err = parseChildTable(n.Sections["child table"]); err != nil {
		return nil, err
	}
	if n.Neighbors, err = parseNeighborTable(n.Sections["neighbor table"]); err != nil {
		return nil, err
	}
	return n, nil
}

// tableRows splits an OpenThread CLI table into header names and rows of cells.
func tableRows(s string) (head []string, rows [][]string) {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(l, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if head == nil {
			head = cells
			continue
		}
		rows = append(rows, cells)
	}
	return head, rows
}

func column(head []string, name string) int {
	for i, h := range head {
		if h == name {
			return i
		}
	}
	return -1
}

// cells reads named columns of a row; a missing column or an unreadable
// number is an error naming it.
type cells struct {
	head []string
	row  []string
	err  error
}

func (c *cells) str(name string) string {
	i := column(c.head, name)
	if i < 0 || i >= len(c.row) {
		if c.err == nil {
			c.err = fmt.Errorf("column %q missing in %v", name, c.head)
		}
		return ""
	}
	return c.row[i]
}

func (c *cells) num(name string) int {
	s := c.str(name)
	v, err := strconv.Atoi(s)
	if err != nil && c.err == nil {
		c.err = fmt.Errorf("column %q: %q is not a number", name, s)
	}
	return v
}

func (c *cells) rloc(name string) topology.Rloc16 {
	s := c.str(name)
	r, err := topology.ParseRloc16(s)
	if err != nil && c.err == nil {
		c.err = fmt.Errorf("column %q: %w", name, err)
	}
	return r
}

func parseRouterTable(s string) ([]RouterRow, error) {
	head, rows := tableRows(s)
	var out []RouterRow
	for _, r := range rows {
		c := &cells{head: head, row: r}
		out = append(out, RouterRow{ID: c.num("ID"), Rloc16: c.rloc("RLOC16"), NextHop: c.num("Next Hop"),
			Cost: c.num("Path Cost"), LQIn: c.num("LQ In"), LQOut: c.num("LQ Out"), Age: c.num("Age"),
			ExtAddr: strings.ToLower(c.str("Extended MAC")), Link: c.str("Link") == "1"})
		if c.err != nil {
			return nil, fmt.Errorf("router table: %w", c.err)
		}
	}
	return out, nil
}

func parseChildTable(s string) ([]ChildRow, error) {
	head, rows := tableRows(s)
	var out []ChildRow
	for _, r := range rows {
		c := &cells{head: head, row: r}
		mode := ""
		if c.str("R") == "1" {
			mode += "r"
		}
		if c.str("D") == "1" {
			mode += "d"
		}
		if c.str("N") == "1" {
			mode += "n"
		}
		if mode == "" {
			mode = "-"
		}
		out = append(out, ChildRow{Rloc16: c.rloc("RLOC16"), Timeout: c.num("Timeout"), LQIn: c.num("LQ In"),
			Mode: mode, ExtAddr: strings.ToLower(c.str("Extended MAC"))})
		if c.err != nil {
			return nil, fmt.Errorf("child table: %w", c.err)
		}
	}
	return out, nil
}

func parseNeighborTable(s string) ([]NeighborRow, error) {
	head, rows := tableRows(s)
	var out []NeighborRow
	for _, r := range rows {
		c := &cells{head: head, row: r}
		out = append(out, NeighborRow{Role: c.str("Role"), Rloc16: c.rloc("RLOC16"), LQIn: c.num("LQ In"),
			ExtAddr: strings.ToLower(c.str("Extended MAC"))})
		if c.err != nil {
			return nil, fmt.Errorf("neighbor table: %w", c.err)
		}
	}
	return out, nil
}

// ShapeOptions says how the truth is put in threadmap's words where a
// source can know less than the node itself.
type ShapeOptions struct {
	// FTDChildRole is the role expected for an rx-on FTD child (mode rdn).
	// Sources that cannot learn router eligibility (TMF, OTBR REST) report
	// a neutral FTD-child role; the ot-cli importer reads routereligible.
	FTDChildRole topology.Role
}

// Shape is the truth as a topology.Shape keyed by ext address: every
// attached node's RLOC16 and role, every child's parent (from the child's
// own `parent`), and every router-router link (a router-table row with
// Link 1, one entry per pair). Nodes that are stopped, detached or
// disabled are not on it.
func (tr *Truth) Shape(opt ShapeOptions) (topology.Shape, error) {
	sh := topology.Shape{Nodes: map[string]string{}, Parents: map[string]string{}, RouterLinks: map[string]bool{}}
	for _, name := range tr.Names() {
		n := tr.Nodes[name]
		if !n.InMesh() {
			continue
		}
		if n.ExtAddr == "" {
			return sh, fmt.Errorf("node %s: no ext address", name)
		}
		role, err := n.role(opt)
		if err != nil {
			return sh, fmt.Errorf("node %s: %w", name, err)
		}
		sh.Nodes[n.ExtAddr] = n.Rloc16.String() + " " + string(role)
		if n.State == "child" {
			if n.ParentExt == "" {
				return sh, fmt.Errorf("node %s: child without a parent", name)
			}
			sh.Parents[n.ExtAddr] = n.ParentExt
		}
		if n.State == "leader" || n.State == "router" {
			for _, r := range n.Routers {
				if !r.Link || r.ExtAddr == n.ExtAddr {
					continue
				}
				a, b := n.ExtAddr, r.ExtAddr
				if b < a {
					a, b = b, a
				}
				sh.RouterLinks[a+" "+b] = true
			}
		}
	}
	return sh, nil
}

func (n *TruthNode) role(opt ShapeOptions) (topology.Role, error) {
	switch n.State {
	case "leader":
		return topology.RoleLeader, nil
	case "router":
		return topology.RoleRouter, nil
	}
	m, err := topology.ParseMode(n.Mode)
	if err != nil {
		return "", err
	}
	switch {
	case !m.RxOnWhenIdle:
		return topology.RoleSleepyEndDevice, nil
	case m.FullThreadDevice:
		if opt.FTDChildRole == "" {
			return "", fmt.Errorf("FTD child: no role chosen for it (ShapeOptions.FTDChildRole)")
		}
		return opt.FTDChildRole, nil
	default:
		return topology.RoleEndDevice, nil
	}
}

// LinkQuality is router a's view of its link to router b: LQ in/out from a's
// router table (keys "a b" by ext address, in that direction).
func (tr *Truth) LinkQuality() map[string][2]int {
	out := map[string][2]int{}
	for _, n := range tr.Nodes {
		if n.State != "leader" && n.State != "router" {
			continue
		}
		for _, r := range n.Routers {
			if r.Link && r.ExtAddr != n.ExtAddr {
				out[n.ExtAddr+" "+r.ExtAddr] = [2]int{r.LQIn, r.LQOut}
			}
		}
	}
	return out
}

// Names lists the node names in order: "1".."8", then "br".
func (tr *Truth) Names() []string {
	var out []string
	for k := range tr.Nodes {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, aerr := strconv.Atoi(out[i])
		b, berr := strconv.Atoi(out[j])
		switch {
		case aerr == nil && berr == nil:
			return a < b
		case aerr == nil:
			return true
		case berr == nil:
			return false
		}
		return out[i] < out[j]
	})
	return out
}

// ByExt finds a node by ext address.
func (tr *Truth) ByExt(ext string) *TruthNode {
	for _, n := range tr.Nodes {
		if n.ExtAddr == strings.ToLower(ext) {
			return n
		}
	}
	return nil
}
