package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/store/diff"
	"github.com/threadmap/threadmap/thread/meshcop/meshcoptest"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim/otbrsimtest"
	"github.com/threadmap/threadmap/thread/otlab"
	"github.com/threadmap/threadmap/thread/topology"
)

// The live tests of this file run `threadmap` as a process in the lab's
// LAN namespace (otlan), where the real otbr-agent is a host on the link,
// and compare what it prints or stores with every node's own view (`otlab
// truth`). They share one lab start; the tests that change the mesh come
// last (TestLab's subtests run in order).
func TestMain(m *testing.M) { os.Exit(otlab.Main(m)) }

// Ext addresses of the lab's small scenario (scenarios/small).
func labExt(n string) string {
	if n == "br" {
		return "5a110000000000b1"
	}
	return "5a1100000000000" + n
}

// ftdChildRole is the role a source that cannot learn router eligibility
// (the OTBR REST API) gives an rx-on FTD child.
var ftdChildRole = topology.ChildRole(topology.Mode{RxOnWhenIdle: true, FullThreadDevice: true, FullNetworkData: true})

// labRun is threadmap with args as a process in the LAN namespace: its
// stdout, stderr and exit status, and how long it took.
func labRun(t testing.TB, lab *otlab.Lab, bin string, args ...string) (string, string, int, time.Duration) {
	t.Helper()
	return labRunEnv(t, lab, bin, 3*time.Minute, nil, args...)
}

// labRunEnv is labRun with a time limit and extra environment variables.
func labRunEnv(t testing.TB, lab *otlab.Lab, bin string, timeout time.Duration, env []string, args ...string) (string, string, int, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := lab.InLAN(ctx, bin, args...)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("threadmap %v: %v", args, err)
	}
	return out.String(), errs.String(), code, took
}

// envWebGUI makes TestLabWebGUIHelper run the OTBR web GUI's task plan
// against the REST API at its value (inside the LAN namespace).
const envWebGUI = "THREADMAP_LAB_WEBGUI"

// TestLabWebGUIHelper is the helper process of BenchmarkLiveOTBRScan: run
// in the LAN namespace, it does the border router web GUI's task plan. In
// a normal run it does nothing.
func TestLabWebGUIHelper(t *testing.T) {
	u := os.Getenv(envWebGUI)
	if u == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	n, err := otbrsimtest.WebGUIPlan(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("{\"items\": %d}\n", n)
}

// BenchmarkLiveOTBRScan scans the lab's real otbr-agent from the LAN
// namespace two ways, side by side: threadmap's `scan --otbr` (the whole
// process) and, as the baseline, the task plan of the border router's own
// web GUI (otbrsimtest.WebGUIPlan, in a helper process). The first
// iteration after the lab starts includes the agent's first discovery
// round.
func BenchmarkLiveOTBRScan(b *testing.B) {
	lab := otlab.Need(b)
	bin := buildThreadmap(b, b.TempDir())
	b.Run("threadmap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, errs, code, _ := labRun(b, lab, bin, "scan", "--otbr", lab.RESTURL(), "--json"); code != 0 {
				b.Fatalf("scan: exit %d: %s", code, errs)
			}
		}
	})
	b.Run("otbr-web-gui", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			cmd := lab.InLAN(ctx, os.Args[0], "-test.run=^TestLabWebGUIHelper$")
			cmd.Env = append(os.Environ(), envWebGUI+"="+lab.RESTURL())
			out, err := cmd.CombinedOutput()
			cancel()
			if err != nil || !bytes.Contains(out, []byte(`{"items": `)) {
				b.Fatalf("web GUI plan: %v\n%s", err, out)
			}
		}
	})
}

// TestLab runs every live test on one lab start, in order: reading first,
// then the mesh changes.
func TestLab(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the OpenThread lab")
	}
	lab := otlab.Need(t)
	bin := buildThreadmap(t, t.TempDir())
	// The nodes' own view of the healthy mesh, read once (it takes a while)
	// for every test until the mesh changes.
	healthy := lab.MustTruth(t)
	t.Run("discover", func(t *testing.T) { labDiscover(t, lab, bin) })
	t.Run("scan", func(t *testing.T) { labScan(t, lab, bin, healthy) })
	t.Run("scan-budget", func(t *testing.T) { labScanBudget(t, lab, bin, healthy) })
	t.Run("serve", func(t *testing.T) { labServe(t, lab, bin, healthy) })
}

// labDiscover: `discover --mdns-iface lan0 --json` decodes the real
// advert: every TXT field equals what the border router itself says.
func labDiscover(t *testing.T, lab *otlab.Lab, bin string) {
	out, errs, code, _ := labRun(t, lab, bin, "discover", "--mdns-iface", otlab.LANIface, "--json", "--timeout", "5s")
	if code != 0 {
		t.Fatalf("discover: exit %d: %s", code, errs)
	}
	var got struct {
		Networks []struct {
			Key           string `json:"key"`
			BorderRouters []struct {
				Port   int `json:"port"`
				Record struct {
					AgentID       string `json:"agent_id"`
					ThreadVersion string `json:"thread_version"`
					NetworkName   string `json:"network_name"`
					ExtPanID      string `json:"ext_pan_id"`
					ExtAddr       string `json:"ext_addr"`
					OMRPrefix     string `json:"omr_prefix"`
					VendorName    string `json:"vendor_name"`
					ModelName     string `json:"model_name"`
					State         struct {
						ConnectionMode        string `json:"connection_mode"`
						ThreadInterfaceStatus string `json:"thread_interface_status"`
						ThreadRole            string `json:"thread_role"`
						EPSKcSupported        bool   `json:"epskc_supported"`
					} `json:"state"`
				} `json:"record"`
			} `json:"border_routers"`
		} `json:"networks"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("discover --json: %v\n%s", err, out)
	}
	if len(got.Networks) != 1 || len(got.Networks[0].BorderRouters) != 1 {
		t.Fatalf("want one network with one border router, got %s", out)
	}
	br := got.Networks[0].BorderRouters[0]
	r := br.Record
	cli := func(cmd string) string { return strings.TrimSpace(lab.MustCLI(t, "br", cmd)) }
	pid, _ := strconv.ParseUint(cli("partitionid"), 10, 32)
	vendor, model := agentFlag(t, lab, "--vendor-name"), agentFlag(t, lab, "--model-name")
	state := cli("state")
	wantRole := map[string]string{"leader": "leader", "router": "router", "child": "child"}[state]
	tv, _ := strconv.Atoi(cli("thread version"))
	checks := []struct{ what, got, want string }{
		{"network name (nn)", r.NetworkName, cli("networkname")},
		{"ext PAN ID (xp)", r.ExtPanID, strings.ToLower(cli("extpanid"))},
		{"network key", got.Networks[0].Key, strings.ToLower(cli("extpanid"))},
		{"border agent id (id)", r.AgentID, strings.ToLower(cli("ba id"))},
		{"ext address (xa)", r.ExtAddr, strings.ToLower(cli("extaddr"))},
		{"partition id (pt)", partitionOf(t, out), strconv.FormatUint(pid, 10)},
		{"OMR prefix (omr)", r.OMRPrefix, omrPrefix(t, cli("br omrprefix"))},
		{"vendor name (vn)", r.VendorName, vendor},
		{"model name (mn)", r.ModelName, model},
		{"BA port (SRV)", strconv.Itoa(br.Port), cli("ba port")},
		{"thread role (sb bits 9-10)", r.State.ThreadRole, wantRole},
		{"interface status (sb bits 3-4)", r.State.ThreadInterfaceStatus, "active"},
		{"connection mode (sb bits 0-2), ba state " + cli("ba state"), r.State.ConnectionMode, "pskc"},
		{"thread version (tv) for version " + strconv.Itoa(tv), r.ThreadVersion, map[int]string{4: "1.3.0", 5: "1.4.0"}[tv]},
	}
	for _, c := range checks {
		if c.got != c.want || c.want == "" {
			t.Errorf("%s: advert says %q, the border router %q", c.what, c.got, c.want)
		}
	}
	if !r.State.EPSKcSupported {
		t.Error("state bitmap: ePSKc not supported, but the agent runs the Thread 1.4 border agent")
	}
}

// partitionOf reads the advert's partition ID (TXT pt) from discover's JSON.
func partitionOf(t *testing.T, out string) string {
	t.Helper()
	var doc struct {
		Networks []struct {
			BorderRouters []struct {
				Record struct {
					PartitionID *uint32 `json:"partition_id"`
				} `json:"record"`
			} `json:"border_routers"`
		} `json:"networks"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Networks) == 0 || len(doc.Networks[0].BorderRouters) == 0 {
		t.Fatalf("discover JSON: %v", err)
	}
	if p := doc.Networks[0].BorderRouters[0].Record.PartitionID; p != nil {
		return strconv.FormatUint(uint64(*p), 10)
	}
	return ""
}

// omrPrefix reads the favored OMR prefix from `br omrprefix` ("Local:
// fd..::/64", "Favored: fd..::/64 prf:low").
func omrPrefix(t *testing.T, out string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "Favored:"); ok {
			return strings.Fields(v)[0]
		}
	}
	t.Fatalf("br omrprefix: no favored prefix in %q", out)
	return ""
}

// agentFlag reads a flag's value from the running otbr-agent's command line.
func agentFlag(t *testing.T, lab *otlab.Lab, flag string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(lab.Run, "otbr", "otbr.pid"))
	if err != nil {
		t.Fatal(err)
	}
	cmdline, err := os.ReadFile(filepath.Join("/proc", strings.TrimSpace(string(b)), "cmdline"))
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Split(string(cmdline), "\x00")
	if i := slices.Index(args, flag); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	t.Fatalf("otbr-agent runs without %s: %q", flag, args)
	return ""
}

// labScan: `scan --otbr` from the LAN equals the truth — nodes with RLOC16
// and role, parents, router links with each side's LQ in/out — with every
// node placed, the report complete, twice in a row (the first scan after
// the agent started includes its first discovery round). Timings go to
// the test log; speed is measured by BenchmarkLiveOTBRScan.
func labScan(t *testing.T, lab *otlab.Lab, bin string, tr *otlab.Truth) {
	for i := range 2 {
		out, errs, code, took := labRun(t, lab, bin, "scan", "--otbr", lab.RESTURL(), "--json")
		t.Logf("scan %d: exit %d in %.1f s", i+1, code, took.Seconds())
		if code != 0 {
			t.Fatalf("scan: exit %d: %s", code, errs)
		}
		snap := decodeSnapshot(t, out)
		compareWithTruth(t, tr, snap)
		rep := snap.Scan.Sources[0]
		if rep.Partial || snap.Scan.Partial || rep.Error != "" || rep.Answered != rep.Queried {
			t.Errorf("report %+v: want complete", rep)
		}
		for _, n := range rep.Notes {
			if strings.Contains(n, "task completed") {
				t.Errorf("note %q", n)
			}
		}
	}
}

func decodeSnapshot(t *testing.T, out string) *topology.Snapshot {
	t.Helper()
	snap, err := topology.DecodeJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return snap
}

// compareWithTruth compares snap with the nodes' own view: the shape
// (nodes with RLOC16 and role, parents, router links) and every router
// link's LQ in/out as each side's router table has it.
func compareWithTruth(t *testing.T, tr *otlab.Truth, snap *topology.Snapshot) {
	t.Helper()
	want, err := tr.Shape(otlab.ShapeOptions{FTDChildRole: ftdChildRole})
	if err != nil {
		t.Fatal(err)
	}
	if d := want.Diff(snap.Shape()); len(d) > 0 {
		t.Errorf("the map differs from the nodes' own view:\n%s", strings.Join(d, "\n"))
	}
	lq := tr.LinkQuality()
	for _, l := range snap.Links {
		if l.Kind != topology.LinkRouter {
			continue
		}
		view, ok := lq[l.A+" "+l.B]
		if !ok || l.LQIn == nil || l.LQOut == nil {
			t.Errorf("router link %s-%s: LQ %v/%v, truth %v", l.A, l.B, l.LQIn, l.LQOut, view)
			continue
		}
		if *l.LQIn != view[0] || *l.LQOut != view[1] {
			t.Errorf("router link %s-%s: LQ in/out %d/%d, %s's router table says %d/%d", l.A, l.B, *l.LQIn, *l.LQOut, l.A, view[0], view[1])
		}
	}
}

// labScanBudget: a scan whose budget runs out prints what it has, marked
// partial, and exits 3. The budget runs out while a sleepy child is asked
// (--children all): on the lab a sleepy child polls its parent only every
// few minutes, so its answer never comes within the budget, while the
// routers and rx-on children have answered by then.
func labScanBudget(t *testing.T, lab *otlab.Lab, bin string, tr *otlab.Truth) {
	out, errs, code, took := labRun(t, lab, bin, "scan", "--otbr", lab.RESTURL(), "--json", "--children", "all", "--timeout", "5s")
	t.Logf("scan with a 5 s budget: exit %d in %.1f s", code, took.Seconds())
	if code != 3 {
		t.Fatalf("exit %d, want 3 (partial): %s", code, errs)
	}
	snap := decodeSnapshot(t, out)
	if !snap.Scan.Partial || !snap.Scan.Sources[0].Partial {
		t.Errorf("scan %+v: want partial", snap.Scan)
	}
	// The map is whole: the routers' tables placed every child.
	compareWithTruth(t, tr, snap)
	statuses := map[string]topology.NodeStatus{}
	for _, n := range snap.Nodes {
		statuses[n.ID] = n.Status
	}
	for _, n := range []string{"1", "2", "3", "br", "4", "5", "8"} {
		if statuses[labExt(n)] != topology.StatusAnswered {
			t.Errorf("n%s: status %q, want answered", n, statuses[labExt(n)])
		}
	}
	// The sleepy children: the one asked when the budget ran out timed
	// out, the other was not asked.
	sleepy := []topology.NodeStatus{statuses[labExt("6")], statuses[labExt("7")]}
	sort.Slice(sleepy, func(i, j int) bool { return sleepy[i] < sleepy[j] })
	if !slices.Equal(sleepy, []topology.NodeStatus{topology.StatusNotQueried, topology.StatusTimedOut}) {
		t.Errorf("sleepy children n6, n7: %v, want one timed-out and one not-queried", sleepy)
	}
}

// labServe: `serve --mdns-iface lan0` in the LAN namespace discovers the
// border router, probes its REST API and stores a snapshot equal to the
// truth; then the mesh changes and each next snapshot, and the diff
// between it and the one before, say exactly what changed.
//
// What the real OpenThread does, measured on this lab (and mirrored by
// otbrsim): a child that detaches (`detach`, OpenThread's graceful
// detach) is gone from its parent's child table at once; one that stops
// (`thread stop`) stays there until the child timeout (240 s here) — so the
// test lets children leave with detach. A child that attaches to another
// parent is dropped by the old parent at once. A router that detaches
// releases its router ID and is gone from every router table at once; one
// that stops keeps its links in its neighbors' tables for 100 s and its ID
// at the leader for about 255 s. The border router's device list
// (/api/devices) keeps every device that ever answered.
func labServe(t *testing.T, lab *otlab.Lab, bin string, healthy *otlab.Truth) {
	dir := t.TempDir()
	p := startServeIn(t, []string{"ip", "netns", "exec", otlab.LANNS}, bin, "--listen", "127.0.0.1:0",
		"--db", filepath.Join(dir, "lab.db"), "--mdns-iface", otlab.LANIface, "--interval", "1h", "--scan-timeout", "4s")
	// Stop serve before the event helper (cleanups run later): its stream
	// then ends and the helper exits.
	defer func() { _ = p.stop(t) }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	s := &labServer{t: t, ctx: ctx, addr: p.addr, logs: p.logs}
	s.events = meshcoptest.StartHelper(t, ctx, otlab.LANNS, "TestServeNetnsHelper", envEventsURL+"=http://"+p.addr+"/api/v1/events")
	if line := s.events.Next(t, 30*time.Second); line != `{"event": "subscribed"}` {
		t.Fatalf("event stream: %q", line)
	}
	// Discovery, the REST probe and the first scan need no trigger.
	s.waitSnapshot(90 * time.Second)
	first := s.latest()
	if tg := first.Scan.Sources[0].Target; !strings.HasSuffix(tg, ":"+strconv.Itoa(otlab.RESTPort)) {
		t.Errorf("first snapshot from %q, want the discovered border router's REST API", tg)
	}
	if len(first.BorderRouters) == 0 {
		t.Error("no border router in the first snapshot")
	}
	compareWithTruth(t, healthy, first)

	lab.MarkDirty()
	cli := func(node, cmd string) string { return lab.MustCLI(t, node, cmd) }
	// 1. A child leaves: n8 (MED under n3) detaches.
	cli("8", "detach")
	// `detach` returns before the child's goodbye (a Child Update Request
	// with timeout 0) has reached its parent: a scan started at once can
	// still find n8 in n3's child table, as the real mesh does then.
	waitChildGone(t, lab, "3", labExt("8"), 30*time.Second)
	prev, now := first, s.scan()
	compareWithTruth(t, lab.MustTruth(t), now)
	s.expectDiff(prev, now, diff.Result{NodesRemoved: []string{labExt("8")},
		LinksRemoved: []diff.LinkRef{{Kind: topology.LinkChild, A: labExt("3"), B: labExt("8")}}})
	if !notSeen(now, labExt("8")) {
		t.Errorf("n8 left: want it in not_seen (the device list keeps it), got %v", now.NotSeen)
	}
	// 2. A child re-attaches under another parent: n5 (MED under n2) is
	// let hear n1 and no longer n2 (macfilter allowlists are per node),
	// detaches and starts again.
	cli("5", "macfilter addr add "+labExt("1"))
	cli("1", "macfilter addr add "+labExt("5"))
	cli("5", "macfilter addr remove "+labExt("2"))
	cli("5", "detach")
	cli("5", "thread start")
	waitCLI(t, lab, "5", "parent", "Ext Addr: "+labExt("1"), 60*time.Second)
	waitChildGone(t, lab, "2", labExt("5"), 30*time.Second)
	prev, now = now, s.scan()
	compareWithTruth(t, lab.MustTruth(t), now)
	n5 := now.Node(labExt("5"))
	if n5 == nil || n5.Rloc16 == nil {
		t.Fatalf("n5 missing after re-attaching: %+v", n5)
	}
	s.expectDiff(prev, now, diff.Result{
		Rloc16Changed: []diff.ValueChange{{ID: labExt("5"), From: prev.Node(labExt("5")).Rloc16.String(), To: n5.Rloc16.String()}},
		ParentChanged: []diff.ParentChange{{ID: labExt("5"), From: topology.Ptr(labExt("2")), To: topology.Ptr(labExt("1"))}},
		LinksAdded:    []diff.LinkRef{{Kind: topology.LinkChild, A: labExt("1"), B: labExt("5")}},
		LinksRemoved:  []diff.LinkRef{{Kind: topology.LinkChild, A: labExt("2"), B: labExt("5")}}})
	// 3. A router stops: n8 comes back as a router (an FTD, made router
	// eligible), then detaches.
	cli("8", "mode rdn")
	cli("8", "routereligible enable")
	cli("8", "routerselectionjitter 1")
	cli("8", "thread start")
	waitCLI(t, lab, "8", "state", "router", 90*time.Second)
	waitRouterLink(t, lab, "3", labExt("8"), 60*time.Second)
	prev, now = now, s.scan()
	compareWithTruth(t, lab.MustTruth(t), now)
	if n := now.Node(labExt("8")); n == nil || n.Role != topology.RoleRouter {
		t.Fatalf("n8 as a router: %+v", n)
	}
	cli("8", "detach")
	// Its neighbor and the leader drop it at once; the other routers when
	// the leader's next advertisement reaches them.
	waitRouterGone(t, lab, labExt("8"), 90*time.Second)
	prev, now = now, s.scan()
	compareWithTruth(t, lab.MustTruth(t), now)
	s.expectDiff(prev, now, diff.Result{NodesRemoved: []string{labExt("8")},
		LinksRemoved: []diff.LinkRef{routerLink(labExt("3"), labExt("8"))}})
	if rep := now.Scan.Sources[0]; rep.Queried != 4 || rep.Partial {
		t.Errorf("after n8 detached: %+v, want the 4 routers the mesh names asked (not n8, which the device list keeps)", rep)
	}
	// 4. A router that stops without detaching does not answer, while its
	// neighbors still list it: the scan budget (4 s) runs out while the
	// border router waits for it; the stored snapshot keeps what was
	// collected and is marked partial.
	cli("8", "thread start")
	waitCLI(t, lab, "8", "state", "router", 90*time.Second)
	waitRouterLink(t, lab, "3", labExt("8"), 60*time.Second)
	_ = s.scan()
	cli("8", "thread stop")
	part := s.scan()
	if !part.Scan.Partial {
		t.Errorf("scan with a stopped router: %+v, want partial", part.Scan)
	}
	var n8 *topology.Node
	for i := range part.Nodes {
		if part.Nodes[i].ID == labExt("8") {
			n8 = &part.Nodes[i]
		}
	}
	for i := range part.NotSeen {
		if part.NotSeen[i].ID == labExt("8") {
			n8 = &part.NotSeen[i]
		}
	}
	if n8 == nil || n8.Status != topology.StatusTimedOut {
		t.Errorf("stopped router n8: %+v, want status timed-out", n8)
	}
	for _, n := range []string{"1", "2", "3", "br"} {
		x := part.Node(labExt(n))
		if x == nil || x.Rloc16 == nil || (x.Status != topology.StatusAnswered && x.Status != topology.StatusNotQueried) {
			t.Errorf("n%s in the partial snapshot: %+v, want it placed, answered or not asked", n, x)
		}
	}
	if x := part.Node(labExt("br")); x == nil || x.Status != topology.StatusAnswered {
		t.Errorf("the border router in the partial snapshot: %+v, want answered (asked first)", x)
	}
}

func notSeen(s *topology.Snapshot, id string) bool {
	if s.Node(id) != nil {
		return false
	}
	for _, n := range s.NotSeen {
		if n.ID == id {
			return true
		}
	}
	return false
}

func routerLink(a, b string) diff.LinkRef {
	if b < a {
		a, b = b, a
	}
	return diff.LinkRef{Kind: topology.LinkRouter, A: a, B: b}
}

// waitLab polls check, bounded by limit, every period (the nodes' CLI has
// no event to wait on), until check says nothing is awaited any more ("");
// otherwise check says what is still awaited. It returns how long it took.
func waitLab(t *testing.T, limit, every time.Duration, check func() string) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		awaited := check()
		if awaited == "" {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			t.Fatalf("%s after %v", awaited, limit)
		}
		time.Sleep(every)
	}
}

// waitCLI polls a node's CLI command (bounded) until its output contains want.
func waitCLI(t *testing.T, lab *otlab.Lab, node, cmd, want string, limit time.Duration) {
	t.Helper()
	waitLab(t, limit, 500*time.Millisecond, func() string {
		if out := lab.MustCLI(t, node, cmd); !strings.Contains(out, want) {
			return fmt.Sprintf("n%s %q: %q, want %q", node, cmd, out, want)
		}
		return ""
	})
}

// waitChildGone waits (bounded) until parent's child table no longer lists
// ext.
func waitChildGone(t *testing.T, lab *otlab.Lab, parent, ext string, limit time.Duration) {
	t.Helper()
	took := waitLab(t, limit, 250*time.Millisecond, func() string {
		if strings.Contains(lab.MustCLI(t, parent, "child table"), ext) {
			return fmt.Sprintf("n%s's child table still lists %s", parent, ext)
		}
		return ""
	})
	t.Logf("%s gone from n%s's child table after %.1f s", ext, parent, took.Seconds())
}

// waitRouterLink waits (bounded) until node's router table has a link to ext.
func waitRouterLink(t *testing.T, lab *otlab.Lab, node, ext string, limit time.Duration) {
	t.Helper()
	waitLab(t, limit, 500*time.Millisecond, func() string {
		if !routerTableLinks(lab.MustCLI(t, node, "router table"), ext) {
			return fmt.Sprintf("n%s has no router link to %s", node, ext)
		}
		return ""
	})
}

// routerTableLinks reports whether a `router table` printout has a row for
// ext whose Link column (the last) is 1.
func routerTableLinks(table, ext string) bool {
	for _, l := range strings.Split(table, "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(l), "|"), "|")
		if strings.Contains(l, ext) && strings.TrimSpace(cells[len(cells)-1]) == "1" {
			return true
		}
	}
	return false
}

// labServer drives a `threadmap serve` in the LAN namespace through its API.
type labServer struct {
	t      *testing.T
	ctx    context.Context
	addr   string
	logs   func() string
	events *meshcoptest.Proc
}

// request runs one GET (or POST) inside the LAN namespace and returns the body.
func (s *labServer) request(env, path string) []byte {
	s.t.Helper()
	h := meshcoptest.StartHelper(s.t, s.ctx, otlab.LANNS, "TestServeNetnsHelper", env+"=http://"+s.addr+path)
	return []byte(h.Next(s.t, 60*time.Second))
}

// waitSnapshot waits for the next snapshot.new event.
func (s *labServer) waitSnapshot(limit time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			s.t.Fatalf("no snapshot stored within %v\nlog:\n%s", limit, s.logs())
		}
		if s.events.Next(s.t, left) == `{"event": "snapshot.new"}` {
			return
		}
	}
}

// scan triggers a scan, waits until its snapshot is stored and returns it.
func (s *labServer) scan() *topology.Snapshot {
	s.t.Helper()
	for drained := false; !drained; {
		select {
		case <-s.events.Lines:
		default:
			drained = true
		}
	}
	start := time.Now()
	body := s.request(envPostURL, "/api/v1/scan")
	if !bytes.Contains(body, []byte(`"scan_id"`)) {
		s.t.Fatalf("POST /api/v1/scan: %s", body)
	}
	s.waitSnapshot(60 * time.Second)
	snap := s.latest()
	s.t.Logf("serve scan stored in %.1f s (source report %+v)", time.Since(start).Seconds(), snap.Scan.Sources)
	return snap
}

// latest is the newest stored snapshot of the lab's network.
func (s *labServer) latest() *topology.Snapshot {
	s.t.Helper()
	body := s.request(envGetURL, "/api/v1/topology/latest?network="+otlab.ExtPanID)
	return decodeSnapshot(s.t, string(body))
}

// expectDiff checks that /api/v1/diff between a and b says exactly want
// (the link lists compared by kind and ends).
func (s *labServer) expectDiff(a, b *topology.Snapshot, want diff.Result) {
	s.t.Helper()
	body := s.request(envGetURL, fmt.Sprintf("/api/v1/diff?from=%s&to=%s", a.ID, b.ID))
	var got diff.Result
	if err := json.Unmarshal(body, &got); err != nil {
		s.t.Fatalf("diff: %v: %s", err, body)
	}
	type cmp struct {
		what      string
		got, want any
	}
	refs := func(l []diff.LinkRef) []string {
		var out []string
		for _, r := range l {
			out = append(out, fmt.Sprintf("%s %s-%s", r.Kind, r.A, r.B))
		}
		sort.Strings(out)
		return out
	}
	var changed []string
	for _, c := range got.LinksChanged {
		changed = append(changed, fmt.Sprintf("%s %s-%s", c.Kind, c.A, c.B))
	}
	for _, c := range []cmp{
		{"nodes added", fmt.Sprint(got.NodesAdded), fmt.Sprint(want.NodesAdded)},
		{"nodes removed", fmt.Sprint(got.NodesRemoved), fmt.Sprint(want.NodesRemoved)},
		{"RLOC16 changes", fmt.Sprint(got.Rloc16Changed), fmt.Sprint(want.Rloc16Changed)},
		{"role changes", fmt.Sprint(got.RoleChanged), fmt.Sprint(want.RoleChanged)},
		{"parent changes", parentChanges(got.ParentChanged), parentChanges(want.ParentChanged)},
		{"links added", fmt.Sprint(refs(got.LinksAdded)), fmt.Sprint(refs(want.LinksAdded))},
		{"links removed", fmt.Sprint(refs(got.LinksRemoved)), fmt.Sprint(refs(want.LinksRemoved))},
		{"links changed", fmt.Sprint(changed), fmt.Sprint([]string(nil))},
	} {
		if c.got != c.want {
			s.t.Errorf("diff %s → %s, %s: %v, want %v", a.ID, b.ID, c.what, c.got, c.want)
		}
	}
}

func parentChanges(l []diff.ParentChange) string {
	var out []string
	for _, p := range l {
		str := func(s *string) string {
			if s == nil {
				return "-"
			}
			return *s
		}
		out = append(out, p.ID+":"+str(p.From)+"→"+str(p.To))
	}
	return fmt.Sprint(out)
}

// waitRouterGone waits (bounded) until no router's table lists ext.
func waitRouterGone(t *testing.T, lab *otlab.Lab, ext string, limit time.Duration) {
	t.Helper()
	took := waitLab(t, limit, time.Second, func() string {
		for _, node := range []string{"1", "2", "3", "br"} {
			if strings.Contains(lab.MustCLI(t, node, "router table"), ext) {
				return fmt.Sprintf("n%s's router table still lists %s", node, ext)
			}
		}
		return ""
	})
	t.Logf("%s gone from every router table after %.0f s", ext, took.Seconds())
}
