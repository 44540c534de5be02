// Package topologytest reads the ground truth of the real OpenThread
// captures in testdata/openthread (each capture's summary.json) for
// tests that compare what a source made of a capture with what the mesh
// really was. Only tests and test-support packages import it.
package topologytest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/topology"
)

// Fixtures is the path (joined with elem) of the project's own copy of the
// captured data: testdata/ beside this package, a copy of shared/fixtures
// (data only; provenance and licenses in testdata/PROVENANCE.md and
// testdata/LICENSES.md). A user's clone has it, so tests that read it run
// everywhere. The path is absolute, found from this source file's location.
func Fixtures(elem ...string) string {
	return filepath.Join(append([]string{packageDir(), "testdata"}, elem...)...)
}

// packageDir is this package's source directory.
func packageDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Dir(file)
}

// RepoRoot is the repository's top directory (the one holding go.mod).
func RepoRoot() string {
	return filepath.Clean(filepath.Join(packageDir(), "..", "..", ".."))
}

// SharedDir is ../shared beside the repository (joined with elem): what
// stays outside the project — third-party documents such as the OTBR
// openapi.yaml and OpenThread's binaries in lab/. It may be absent (a
// user's clone); use Shared in tests.
func SharedDir(elem ...string) string {
	return filepath.Join(append([]string{RepoRoot(), "..", "shared"}, elem...)...)
}

// Shared returns SharedDir(elem...) when it exists. When it does not, the
// test is skipped with a message naming the path — or fails when the
// environment says CI=true, where ../shared is always laid out beside the
// clone and a skip would hide a broken test.
func Shared(t testing.TB, elem ...string) string {
	t.Helper()
	p := SharedDir(elem...)
	if _, err := os.Stat(p); err != nil {
		SkipOrFail(t, "needs %s (not in a plain clone of the repository): %v", p, err)
	}
	return p
}

// SkipOrFail skips the test with the message, or fails it when CI=true.
func SkipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true: "+format, args...)
	}
	t.Skipf(format, args...)
}

// OpenThread is Fixtures("openthread", elem...): the real OpenThread
// captures, e.g. OpenThread("small-current", "summary.json").
func OpenThread(elem ...string) string {
	return Fixtures(append([]string{"openthread"}, elem...)...)
}

// Summary is a capture's summary.json: the state of every node as the
// nodes themselves reported it when the capture was taken.
type Summary struct {
	// Captured is the capture time, "2006-01-02T15:04:05-0700".
	Captured string `json:"captured"`
	// Dataset is the active operational dataset (secrets left out).
	Dataset SummaryDataset `json:"dataset"`
	// Nodes lists the simulated nodes (a border router that is not one
	// of them shows up only as the far end of router links).
	Nodes []SummaryNode `json:"nodes"`
	// RouterLinks has one entry per direction: router A's view of B.
	RouterLinks []SummaryRouterLink `json:"router_links"`
	// ChildEntries are the routers' child table entries.
	ChildEntries []SummaryChildEntry `json:"child_table_entries"`
}

// SummaryDataset is the public part of the active dataset.
type SummaryDataset struct {
	NetworkName     string `json:"networkname"`
	PanID           string `json:"panid"`
	ExtPanID        string `json:"extpanid"`
	Channel         int    `json:"channel"`
	MeshLocalPrefix string `json:"meshlocalprefix"`
}

// SummaryNode is one node as it reported itself.
type SummaryNode struct {
	ExtAddr string `json:"extaddr"`
	Rloc16  string `json:"rloc16"`
	// Role is OpenThread's: leader, router or child.
	Role string `json:"role"`
	// Mode is the MLE mode, "rdn", "rn", "-"...
	Mode           string  `json:"mode"`
	MLEID          string  `json:"ml_eid"`
	RlocAddr       string  `json:"rloc_addr"`
	LinkLocal      string  `json:"link_local"`
	EUI64          string  `json:"eui64"`
	PartitionID    *string `json:"partition_id"`
	LeaderRouterID *int    `json:"leader_router_id"`
	BorderRouter   bool    `json:"is_border_router"`
	ParentExt      *string `json:"parent_extaddr"`
	ParentRloc16   *string `json:"parent_rloc16"`
}

// SummaryRouterLink is router A's view of its link to router B.
type SummaryRouterLink struct {
	A     string `json:"a"`
	B     string `json:"b"`
	AExt  string `json:"a_extaddr"`
	BExt  string `json:"b_extaddr"`
	LQIn  int    `json:"link_quality_in"`
	LQOut int    `json:"link_quality_out"`
	Cost  int    `json:"link_cost"`
}

// SummaryChildEntry is one entry of a router's child table.
type SummaryChildEntry struct {
	// Parent is the router's RLOC16.
	Parent  string `json:"parent"`
	Child   string `json:"child_extaddr"`
	LQIn    string `json:"lq_in"`
	Timeout string `json:"timeout"`
}

// ReadSummary reads a capture's summary.json.
func ReadSummary(path string) (*Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

// ShapeOptions says what a comparison with the truth expects where a
// capture's summary.json cannot tell.
type ShapeOptions struct {
	// FTDChildRole is the role expected for an rx-on FTD child (mode rdn).
	// summary.json records the mode, not router eligibility, so the role
	// is the one the source under test can know: RoleFTDChild (the
	// default) for sources that cannot learn eligibility (TMF diagnostics,
	// OTBR REST); RoleFED for the ot-cli importer of these captures, whose
	// only rdn child, n4, is a FED (the capture README says so, and its
	// transcript's `routereligible` answers Disabled).
	FTDChildRole topology.Role
}

func (o ShapeOptions) ftdChildRole() topology.Role {
	if o.FTDChildRole == "" {
		return topology.RoleFTDChild
	}
	return o.FTDChildRole
}

// OurRole is the node's role in our terms: the summary says "child" and the
// mode gives the role (rn → end-device, - → sleepy-end-device, rdn →
// ftdChild: what the source can know of an FTD child, see ShapeOptions);
// leader and router stay as they are.
func (n SummaryNode) OurRole(ftdChild topology.Role) (topology.Role, error) {
	if n.Role != "child" {
		return topology.Role(n.Role), nil
	}
	m, err := topology.ParseMode(n.Mode)
	if err != nil {
		return "", fmt.Errorf("node %s: mode: %w", n.ExtAddr, err)
	}
	r := topology.ChildRole(m)
	if r == topology.RoleFTDChild {
		return ftdChild, nil
	}
	return r, nil
}

// Shape is the truth as a topology.Shape keyed by ext address: every
// node's RLOC16 and role, every parent-child pair and every router-router
// link (one per pair). A router that appears only as the far end of a
// router link (a border router the summary does not list as a node) is a
// router too. An FTD child's role is opt's FTDChildRole.
func (s *Summary) Shape(opt ShapeOptions) (topology.Shape, error) {
	sh := topology.Shape{Nodes: map[string]string{}, Parents: map[string]string{}, RouterLinks: map[string]bool{}}
	for _, n := range s.Nodes {
		r, err := topology.ParseRloc16(n.Rloc16)
		if err != nil {
			return sh, fmt.Errorf("node %s: %w", n.ExtAddr, err)
		}
		role, err := n.OurRole(opt.ftdChildRole())
		if err != nil {
			return sh, err
		}
		sh.Nodes[n.ExtAddr] = r.String() + " " + string(role)
		if n.ParentExt != nil {
			sh.Parents[n.ExtAddr] = *n.ParentExt
		}
	}
	for _, l := range s.RouterLinks {
		for _, end := range [][2]string{{l.AExt, l.A}, {l.BExt, l.B}} {
			if _, ok := sh.Nodes[end[0]]; ok {
				continue
			}
			r, err := topology.ParseRloc16(end[1])
			if err != nil {
				return sh, fmt.Errorf("router link end %s: %w", end[0], err)
			}
			sh.Nodes[end[0]] = r.String() + " " + string(topology.RoleRouter)
		}
		a, b := l.AExt, l.BExt
		if b < a {
			a, b = b, a
		}
		sh.RouterLinks[a+" "+b] = true
	}
	return sh, nil
}

// TruthShape reads the summary.json at path as Summary.Shape does (with
// opt, when given: what the source under test can know of FTD children)
// and fails the test when it cannot be read or holds no nodes, parents or
// router links (a truth that cannot catch anything).
func TruthShape(t testing.TB, path string, opt ...ShapeOptions) topology.Shape {
	t.Helper()
	s, err := ReadSummary(path)
	if err != nil {
		t.Fatal(err)
	}
	var o ShapeOptions
	if len(opt) > 0 {
		o = opt[0]
	}
	sh, err := s.Shape(o)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(sh.Nodes) == 0 || len(sh.RouterLinks) == 0 || len(sh.Parents) == 0 {
		t.Fatalf("%s: empty truth %+v", path, sh)
	}
	return sh
}

// ByRloc16 rewrites a shape keyed by node id into one keyed by RLOC16 (the
// first word of each node's value), for views that by their nature know
// some devices only by RLOC16. A node without an RLOC16 is keyed "-". Two
// nodes with one RLOC16 do not fold into one: the second is keyed
// "RLOC16 id", which no truth holds, so a comparison reports it.
func ByRloc16(sh topology.Shape) topology.Shape {
	ids := make([]string, 0, len(sh.Nodes))
	for id := range sh.Nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	rloc := map[string]string{}
	out := topology.Shape{Nodes: map[string]string{}, Parents: map[string]string{}, RouterLinks: map[string]bool{}}
	for _, id := range ids {
		v := sh.Nodes[id]
		r := strings.Fields(v)[0]
		if _, dup := out.Nodes[r]; dup {
			r += " " + id
		}
		rloc[id] = r
		out.Nodes[r] = v
	}
	for c, p := range sh.Parents {
		out.Parents[rloc[c]] = rloc[p]
	}
	for l := range sh.RouterLinks {
		ab := strings.Fields(l)
		a, b := rloc[ab[0]], rloc[ab[1]]
		if b < a {
			a, b = b, a
		}
		out.RouterLinks[a+" "+b] = true
	}
	return out
}
