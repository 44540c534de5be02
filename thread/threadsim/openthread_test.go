package threadsim

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/topology"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// The small-current OpenThread capture as a scenario: leader 0xe000 linked
// to 0xd000 (LQ 3), 0xd000 to 0xf800 (LQ 2), 0xf800 to the border router
// 0xc800 (LQ 3), ground truth from its summary.json.
const smallCurrent = `{
  "network": {"mesh_local_prefix": "fd00:5a11::/64"},
  "routers": [
    {"rloc16": "0xc800", "ext_addr": "8eb0043d8ac6f721"},
    {"rloc16": "0xd000", "ext_addr": "5a7324b8eee603d2"},
    {"rloc16": "0xe000", "ext_addr": "a698f01e4e296706", "leader": true},
    {"rloc16": "0xf800", "ext_addr": "eeb4e5ab8fbf07e8"}
  ],
  "links": [
    {"a": "0xe000", "b": "0xd000", "lq_a": 3, "lq_b": 3},
    {"a": "0xd000", "b": "0xf800", "lq_a": 2, "lq_b": 2},
    {"a": "0xf800", "b": "0xc800", "lq_a": 3, "lq_b": 3}
  ],
  "children": [
    {"rloc16": "0xe002", "ext_addr": "32cf8caf78b775f5", "mode": "-"},
    {"rloc16": "0xe003", "ext_addr": "523d1e635ee46754", "mode": "rdn"}
  ]
}`

// realAnswers reads the DIAG_GET answers of a capture file: hex payloads
// after "DIAG_GET.rsp/ans from ADDR: ".
func realAnswers(t *testing.T, name string) [][]diag.TLV {
	t.Helper()
	path := topologytest.OpenThread("small-current", "diag", name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]diag.TLV
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "DIAG_GET.rsp/ans from ") {
			continue
		}
		raw, err := hex.DecodeString(strings.TrimSpace(line[strings.LastIndex(line, ": ")+2:]))
		if err != nil {
			t.Fatal(err)
		}
		tlvs, err := diag.ParseTLVs(raw)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tlvs)
	}
	return out
}

func find(tlvs []diag.TLV, typ diag.Type) []byte {
	for _, t := range tlvs {
		if t.Type == typ {
			return t.Value
		}
	}
	return nil
}

// The simulator shapes Route64 and Connectivity byte for byte as the real
// OpenThread nodes did: every allocated router listed, LQ 0/0 and the
// routed cost where there is no direct link, the own entry as 0x01; the
// REED child's Route64 costs through its parent; mode bytes with 0x04.
func TestAnswersShapedAsOpenThread(t *testing.T) {
	m, err := ParseScenario([]byte(smallCurrent))
	if err != nil {
		t.Fatal(err)
	}
	answers := realAnswers(t, "netdiag_ff03-2_main.txt")
	checked := 0
	for _, tlvs := range answers {
		a16 := find(tlvs, diag.TypeAddress16)
		if len(a16) != 2 {
			t.Fatal("answer without Address16")
		}
		n := m.Node(topology.Rloc16(uint16(a16[0])<<8 | uint16(a16[1])))
		if n == nil {
			t.Fatalf("no node %x in the scenario", a16)
		}
		if real := find(tlvs, diag.TypeRoute64); real != nil {
			m.Network.IDSequence = real[0] // the capture's sequence
			got := m.answer(n, []diag.Type{diag.TypeRoute64}).Route64.AppendTo(nil)
			if !bytes.Equal(got, real) {
				t.Errorf("%s Route64: sim %x, OpenThread %x", n.Rloc16, got, real)
			}
			checked++
		}
		if real := find(tlvs, diag.TypeConnectivity); real != nil {
			got := m.answer(n, []diag.Type{diag.TypeConnectivity}).Connectivity.AppendTo(nil)
			if !bytes.Equal(got, real) {
				t.Errorf("%s Connectivity: sim %x, OpenThread %x", n.Rloc16, got, real)
			}
		}
		if real := find(tlvs, diag.TypeMode); real != nil {
			if got := byte(*m.answer(n, []diag.Type{diag.TypeMode}).Mode); got != real[0] {
				t.Errorf("%s Mode: sim %02x, OpenThread %02x", n.Rloc16, got, real[0])
			}
		}
	}
	if checked != 5 {
		t.Errorf("compared %d Route64 TLVs, want 5 (4 routers and the REED)", checked)
	}
}

// The leader's Child Table (16) and Mode are the bytes the real leader sent.
func TestChildTableShapedAsOpenThread(t *testing.T) {
	m, err := ParseScenario([]byte(smallCurrent))
	if err != nil {
		t.Fatal(err)
	}
	answers := realAnswers(t, "netdiag_unicast_0xe000.txt")
	if len(answers) != 1 {
		t.Fatalf("%d answers", len(answers))
	}
	real := find(answers[0], diag.TypeChildTable)
	got := diag.AppendChildTable(nil, m.answer(m.Node(0xe000), []diag.Type{diag.TypeChildTable}).ChildTable)
	if !bytes.Equal(got, real) {
		t.Errorf("child table: sim %x, OpenThread %x", got, real)
	}
}

// Query answers are framed as OpenThread frames them: Query ID first,
// Answer last, split near 800 bytes.
func TestQueryAnswerFraming(t *testing.T) {
	m, err := Generate(Options{Seed: 1, Nodes: 120, Routers: 4})
	if err != nil {
		t.Fatal(err)
	}
	var big *Node
	for _, r := range m.Routers {
		if big == nil || len(r.Children) > len(big.Children) {
			big = r
		}
	}
	qid := uint16(0x3a22)
	msgs := m.queryAnswers(big, []diag.Type{diag.TypeChild, diag.TypeChildIPv6AddressList, diag.TypeRouterNeighbor}, &qid)
	if len(msgs) < 2 {
		t.Fatalf("%d messages for %d children", len(msgs), len(big.Children))
	}
	children := 0
	for i, b := range msgs {
		if !bytes.HasPrefix(b, []byte{0x21, 0x02, 0x3a, 0x22}) {
			t.Errorf("message %d does not start with the Query ID TLV: %x", i, b[:4])
		}
		last := i == len(msgs)-1
		want := []byte{0x20, 0x02, byte(i >> 8), byte(i)}
		if last {
			want[2] |= 0x80
		}
		if !bytes.HasSuffix(b, want) {
			t.Errorf("message %d does not end with Answer %x", i, want)
		}
		if len(b) > 800+2*(diag.ChildInfoLen+2)+8 {
			t.Errorf("message %d is %d bytes", i, len(b))
		}
		d, err := diag.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		children += len(d.Children)
	}
	if children != len(big.Children) {
		t.Errorf("%d Child TLVs, want %d", children, len(big.Children))
	}
}
