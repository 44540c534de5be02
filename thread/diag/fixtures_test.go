package diag

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// fixtures is the project's copy of the captured data (topologytest.Fixtures).
var fixtures = topologytest.Fixtures()

// otAnswer is one answer in a `networkdiagnostic get` transcript: the raw
// TLV bytes and OpenThread's own decoding printed under them.
type otAnswer struct {
	file, from string
	raw        []byte
	otText     string
}

var answerLine = regexp.MustCompile(`^DIAG_GET\.rsp/ans from (\S+): ([0-9a-fA-F]+)\s*$`)

func readAnswers(t testing.TB, file string) []otAnswer {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []otAnswer
	var cur *otAnswer
	var text []string
	flush := func() {
		if cur != nil {
			cur.otText = strings.Join(text, "\n")
			out = append(out, *cur)
		}
		cur, text = nil, nil
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \r")
		if m := answerLine.FindStringSubmatch(line); m != nil {
			flush()
			raw, err := hex.DecodeString(m[2])
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			cur = &otAnswer{file: filepath.Base(file), from: m[1], raw: raw}
			continue
		}
		if line == "Done" || strings.HasPrefix(line, "> ") || strings.HasPrefix(line, "#") {
			flush()
			continue
		}
		if cur != nil {
			text = append(text, line)
		}
	}
	flush()
	return out
}

func allAnswers(t testing.TB) []otAnswer {
	t.Helper()
	var files []string
	for _, pat := range []string{
		filepath.Join(fixtures, "openthread", "*", "diag", "netdiag_*.txt"),
		filepath.Join(fixtures, "openthread", "*", "*", "diag", "netdiag_*.txt"),
	} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatalf("no netdiag fixtures under %s", fixtures)
	}
	var out []otAnswer
	for _, f := range files {
		out = append(out, readAnswers(t, f)...)
	}
	return out
}

// otAddr is OpenThread's uncompressed IPv6 spelling (fd00:5a11:0:0:0:ff:fe00:fc00).
func otAddr(a netip.Addr) string {
	b := a.As16()
	g := make([]string, 8)
	for i := range g {
		g[i] = fmt.Sprintf("%x", uint16(b[2*i])<<8|uint16(b[2*i+1]))
	}
	return strings.Join(g, ":")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// otFormat prints m the way OpenThread's CLI prints a diagnostic answer
// (src/cli/cli.cpp HandleDiagnosticGetResponse), so the test compares our
// decode with OpenThread's field by field.
func otFormat(m *Message) string {
	var w []string
	p := func(f string, a ...any) { w = append(w, strings.TrimRight(fmt.Sprintf(f, a...), " ")) }
	mode := func(ind string, d DeviceMode) {
		t := d.Topology()
		p("%sRxOnWhenIdle: %d", ind, b2i(t.RxOnWhenIdle))
		p("%sDeviceType: %d", ind, b2i(t.FullThreadDevice))
		p("%sNetworkData: %d", ind, b2i(t.FullNetworkData))
	}
	for _, t := range m.TLVs() {
		switch t.Type {
		case TypeExtMacAddress:
			p("Ext Address: %s", m.ExtAddress)
		case TypeAddress16:
			p("Rloc16: %s", m.Address16)
		case TypeMode:
			p("Mode:")
			mode("    ", *m.Mode)
		case TypeConnectivity:
			c := m.Connectivity
			p("Connectivity:")
			p("    ParentPriority: %d", c.ParentPriority)
			p("    LinkQuality3: %d", c.LinkQuality3)
			p("    LinkQuality2: %d", c.LinkQuality2)
			p("    LinkQuality1: %d", c.LinkQuality1)
			p("    LeaderCost: %d", c.LeaderCost)
			p("    IdSequence: %d", c.IDSequence)
			p("    ActiveRouters: %d", c.ActiveRouters)
			if c.HasSEDFields {
				p("    SedBufferSize: %d", c.SEDBufferSize)
				p("    SedDatagramCount: %d", c.SEDDatagramCount)
			}
		case TypeRoute64:
			p("Route:")
			p("    IdSequence: %d", m.Route64.IDSequence)
			p("    RouteData:")
			for _, e := range m.Route64.Routes {
				p("        - RouteId: 0x%02x", e.RouterID)
				p("          LinkQualityOut: %d", e.LQOut)
				p("          LinkQualityIn: %d", e.LQIn)
				p("          RouteCost: %d", e.Cost)
			}
		case TypeLeaderData:
			l := m.LeaderData
			p("Leader Data:")
			p("    PartitionId: 0x%08x", l.PartitionID)
			p("    Weighting: %d", l.Weighting)
			p("    DataVersion: %d", l.DataVersion)
			p("    StableDataVersion: %d", l.StableDataVersion)
			p("    LeaderRouterId: 0x%02x", l.LeaderRouterID)
		case TypeNetworkData:
			p("Network Data: %x", []byte(m.NetworkData))
		case TypeIPv6AddressList:
			p("IP6 Address List:")
			for _, a := range m.IPv6Addresses {
				p("    - %s", otAddr(a))
			}
		case TypeMacCounters:
			c := m.MacCounters
			p("MAC Counters:")
			p("    IfInUnknownProtos: %d", c.IfInUnknownProtos)
			p("    IfInErrors: %d", c.IfInErrors)
			p("    IfOutErrors: %d", c.IfOutErrors)
			p("    IfInUcastPkts: %d", c.IfInUcastPkts)
			p("    IfInBroadcastPkts: %d", c.IfInBroadcastPkts)
			p("    IfInDiscards: %d", c.IfInDiscards)
			p("    IfOutUcastPkts: %d", c.IfOutUcastPkts)
			p("    IfOutBroadcastPkts: %d", c.IfOutBroadcastPkts)
			p("    IfOutDiscards: %d", c.IfOutDiscards)
		case TypeChildTable:
			p("Child Table:")
			for _, e := range m.ChildTable {
				p("    - ChildId: 0x%04x", e.ChildID)
				p("      Timeout: %d", e.TimeoutExp)
				p("      Link Quality: %d", e.LinkQuality)
				p("      Mode:")
				mode("          ", e.Mode)
			}
		case TypeMaxChildTimeout:
			p("Max Child Timeout: %d", *m.MaxChildTimeout)
		case TypeEUI64:
			p("EUI64: %s", m.EUI64)
		case TypeVendorName:
			p("Vendor Name: %s", *m.VendorName)
		case TypeVendorModel:
			p("Vendor Model: %s", *m.VendorModel)
		case TypeVendorSWVersion:
			p("Vendor SW Version: %s", *m.VendorSWVersion)
		case TypeThreadStackVersion:
			p("Thread Stack Version: %s", *m.StackVersion)
		case TypeMleCounters:
			c := m.MleCounters
			p("MLE Counters:")
			p("    DisabledRole: %d", c.DisabledRole)
			p("    DetachedRole: %d", c.DetachedRole)
			p("    ChildRole: %d", c.ChildRole)
			p("    RouterRole: %d", c.RouterRole)
			p("    LeaderRole: %d", c.LeaderRole)
			p("    AttachAttempts: %d", c.AttachAttempts)
			p("    PartitionIdChanges: %d", c.PartitionIDChanges)
			p("    BetterPartitionAttachAttempts: %d", c.BetterPartitionAttachAttempts)
			p("    ParentChanges: %d", c.ParentChanges)
			p("TrackedTime: %d", c.TrackedTime)
			p("DisabledTime: %d", c.DisabledTime)
			p("DetachedTime: %d", c.DetachedTime)
			p("ChildTime: %d", c.ChildTime)
			p("RouterTime: %d", c.RouterTime)
			p("LeaderTime: %d", c.LeaderTime)
		case TypeEnhancedRoute:
			p("EnhRoute:")
			for _, e := range m.EnhancedRoute.Routes {
				if e.IsSelf {
					p("    - RouterId:%-2d The queried device", e.RouterID)
					continue
				}
				nh, nc := "na", "na"
				if e.NextHop != 63 {
					nh, nc = fmt.Sprint(e.NextHop), fmt.Sprint(e.NextHopCost)
				}
				yes := "no"
				if e.HasLink {
					yes = "yes"
				}
				p("    - RouterId:%-2d HasLink:%-3s LinkQualityOut:%d LinkQualityIn:%d NextHop:%-2s NextHopCost:%s",
					e.RouterID, yes, e.LQOut, e.LQIn, nh, nc)
			}
		}
	}
	return strings.Join(w, "\n")
}

// TestOpenThreadAnswers decodes every raw answer real OpenThread nodes gave
// and checks it against OpenThread's own decoding printed beside it, and
// that encoding gives back the same bytes.
func TestOpenThreadAnswers(t *testing.T) {
	answers := allAnswers(t)
	if len(answers) < 40 {
		t.Fatalf("only %d answers found in the fixtures", len(answers))
	}
	for i, a := range answers {
		name := fmt.Sprintf("%s#%d_%s", a.file, i, a.from)
		t.Run(name, func(t *testing.T) {
			m, err := Decode(a.raw)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if got := otFormat(m); got != a.otText {
				t.Errorf("decode differs from OpenThread's:\n--- ours\n%s\n--- OpenThread\n%s", got, a.otText)
			}
			if enc := m.Encode(); hex.EncodeToString(enc) != hex.EncodeToString(a.raw) {
				t.Errorf("round trip:\n got %x\nwant %x", enc, a.raw)
			}
			// The answering node's RLOC16 is in the source address.
			if m.Address16 != nil && !strings.HasSuffix(a.from, fmt.Sprintf(":%x", uint16(*m.Address16))) {
				t.Errorf("Address16 %s but the answer came from %s", m.Address16, a.from)
			}
		})
	}
}
