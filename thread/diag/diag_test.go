package diag

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

type vector struct {
	ID       string          `json:"id"`
	Hex      string          `json:"hex"`
	Expected json.RawMessage `json:"expected"`
}

func loadVectors(t testing.TB) map[string]vector {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, "tmf_diag", "ot-commissioner_netdiag_vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Vectors []vector }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]vector{}
	for _, v := range doc.Vectors {
		out[v.ID] = v
	}
	return out
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// expectJSON checks that every key of want (a JSON object) equals the
// same-named field of got marshalled to JSON, after renaming keys per ren.
func expectJSON(t *testing.T, got any, want json.RawMessage, ren map[string]string, skip ...string) {
	t.Helper()
	gb, _ := json.Marshal(got)
	var g, w map[string]any
	if err := json.Unmarshal(gb, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
outer:
	for k, wv := range w {
		for _, s := range skip {
			if s == k {
				continue outer
			}
		}
		gk := k
		if r, ok := ren[k]; ok {
			gk = r
		}
		gv, ok := g[gk]
		if !ok {
			t.Errorf("%s: no field %q in %s", k, gk, gb)
			continue
		}
		if str, ok := gv.(string); ok && strings.HasPrefix(str, "0x") {
			r, err := topology.ParseRloc16(str)
			if err == nil {
				gv = float64(r)
			}
		}
		if !reflect.DeepEqual(gv, wv) {
			t.Errorf("%s: got %v, want %v", k, gv, wv)
		}
	}
}

var childRen = map[string]string{"thread_version": "version"}
var mleRen = map[string]string{"radio_disabled": "disabled_role", "new_parent": "parent_changes",
	"total_tracking_time": "tracked_time_ms", "radio_disabled_time": "disabled_time_ms",
	"detached_role_time": "detached_time_ms", "child_role_time": "child_time_ms",
	"router_role_time": "router_time_ms", "leader_role_time": "leader_time_ms"}
var connRen = map[string]string{"rx_off_child_buffer_size": "sed_buffer_size",
	"rx_off_child_datagram_count": "sed_datagram_count"}

// Flag fields the commissioner test spells as booleans; we keep the raw byte.
var flagKeys = []string{"rx_on_when_idle", "device_type_mtd", "has_network_data", "supports_csl",
	"supports_error_rates", "parent_priority"}

func TestCommissionerFullAnswer(t *testing.T) {
	v := loadVectors(t)["DecodeNetDiagData_full_answer"]
	raw := mustHex(t, v.Hex)
	m, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		ExtMac       string `json:"ext_mac_address"`
		Rloc16       int    `json:"rloc16"`
		Timeout      uint32 `json:"timeout"`
		Battery      uint8  `json:"battery_level"`
		Supply       uint16 `json:"supply_voltage"`
		ChannelPages string `json:"channel_pages_hex"`
		TypeList     string `json:"type_list_hex"`
		MaxChild     uint32 `json:"max_child_timeout"`
		Version      uint16 `json:"version"`
		VendorName   string `json:"vendor_name"`
		VendorModel  string `json:"vendor_model"`
		VendorSW     string `json:"vendor_sw_version"`
		Stack        string `json:"thread_stack_version"`
		AppURL       string `json:"vendor_app_url"`
		ModeIsMTD    bool   `json:"mode_is_mtd"`
		RouteCount   int    `json:"route64_route_data_count"`
		AddrCount    int    `json:"ipv6_addresses_count"`
		Addr0        string `json:"ipv6_addresses_0"`
		ChildCount   int    `json:"child_table_count"`
		Child0ID     uint16 `json:"child_table_0_child_id"`
		LeaderRouter uint8  `json:"leader_router_id"`
		ChildIPv6    []struct {
			Rloc16  int      `json:"rloc16"`
			ChildID int      `json:"child_id"`
			Addrs   []string `json:"addrs"`
		} `json:"child_ipv6_addrs"`
		Connectivity   json.RawMessage   `json:"connectivity"`
		Child          []json.RawMessage `json:"child"`
		RouterNeighbor []json.RawMessage `json:"router_neighbor"`
		MleCounters    json.RawMessage   `json:"mle_counters"`
		NonPreferred   []struct {
			Page uint8  `json:"page"`
			Mask string `json:"mask_hex"`
		} `json:"non_preferred_channels_mask"`
	}
	if err := json.Unmarshal(v.Expected, &exp); err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	check("ext", m.ExtAddress.String(), exp.ExtMac)
	check("rloc16", int(*m.Address16), exp.Rloc16)
	check("timeout", *m.Timeout, exp.Timeout)
	check("battery", *m.BatteryLevel, exp.Battery)
	check("supply", *m.SupplyVoltage, exp.Supply)
	check("channel pages", hex.EncodeToString(m.ChannelPages), exp.ChannelPages)
	tl := make([]byte, len(m.TypeList))
	for i, x := range m.TypeList {
		tl[i] = byte(x)
	}
	check("type list", hex.EncodeToString(tl), exp.TypeList)
	check("max child timeout", *m.MaxChildTimeout, exp.MaxChild)
	check("version", *m.Version, exp.Version)
	check("vendor name", *m.VendorName, exp.VendorName)
	check("vendor model", *m.VendorModel, exp.VendorModel)
	check("vendor sw", *m.VendorSWVersion, exp.VendorSW)
	check("stack", *m.StackVersion, exp.Stack)
	check("app url", *m.VendorAppURL, exp.AppURL)
	check("mode is mtd", !m.Mode.Topology().FullThreadDevice, exp.ModeIsMTD)
	check("route count", len(m.Route64.Routes), exp.RouteCount)
	check("addr count", len(m.IPv6Addresses), exp.AddrCount)
	check("addr 0", m.IPv6Addresses[0].String(), exp.Addr0)
	check("child table count", len(m.ChildTable), exp.ChildCount)
	check("child table 0 id", m.ChildTable[0].ChildID, exp.Child0ID)
	check("leader router id", m.LeaderData.LeaderRouterID, exp.LeaderRouter)
	check("child ipv6 count", len(m.ChildIPv6), len(exp.ChildIPv6))
	for i, c := range exp.ChildIPv6 {
		got := m.ChildIPv6[i]
		check("child ipv6 rloc16", int(got.Rloc16), c.Rloc16)
		check("child ipv6 child id", int(got.Rloc16.ChildID()), c.ChildID)
		check("child ipv6 addrs", addrStrings(got.Addresses), c.Addrs)
	}
	expectJSON(t, m.Connectivity, exp.Connectivity, connRen, "parent_priority")
	check("children", len(m.Children), len(exp.Child))
	expectJSON(t, m.Children[0], exp.Child[0], childRen, flagKeys...)
	check("router neighbors", len(m.RouterNeighbors), len(exp.RouterNeighbor))
	expectJSON(t, m.RouterNeighbors[0], exp.RouterNeighbor[0], childRen, flagKeys...)
	expectJSON(t, m.MleCounters, exp.MleCounters, mleRen)
	check("non-preferred", len(m.NonPreferredChans), len(exp.NonPreferred))
	for i, np := range exp.NonPreferred {
		check("non-preferred page", m.NonPreferredChans[i].Page, np.Page)
		check("non-preferred mask", hex.EncodeToString(m.NonPreferredChans[i].Mask), np.Mask)
	}
	// Child flags 0xa8: rx-on, full network data, error rates; not FTD.
	c := m.Children[0]
	check("child mode", c.Mode(), topology.Mode{RxOnWhenIdle: true, FullNetworkData: true})
	check("child error-rate flag", c.Flags&ChildFlagErrorRates != 0, true)
	check("neighbor error-rate flag", m.RouterNeighbors[0].Flags&RouterNeighborFlagErrorRates != 0, true)
	if enc := m.Encode(); !bytes.Equal(enc, raw) {
		t.Errorf("round trip:\n got %x\nwant %x", enc, raw)
	}
}

func TestCommissionerValueVectors(t *testing.T) {
	vs := loadVectors(t)
	tests := []struct {
		id     string
		decode func([]byte) (any, error)
		ren    map[string]string
		skip   []string
	}{
		{"Connectivity_all_fields", func(b []byte) (any, error) { return DecodeConnectivity(b) }, connRen, []string{"parent_priority"}},
		{"Connectivity_mandatory_only", func(b []byte) (any, error) { return DecodeConnectivity(b) }, connRen, nil},
		{"Connectivity_too_short", func(b []byte) (any, error) { return DecodeConnectivity(b) }, nil, nil},
		{"Child_valid", func(b []byte) (any, error) { return DecodeChild(b) }, childRen, flagKeys},
		{"RouterNeighbor_valid", func(b []byte) (any, error) { return DecodeRouterNeighbor(b) }, childRen, flagKeys},
		{"MleCounters_valid", func(b []byte) (any, error) { return DecodeMleCounters(b) }, mleRen, nil},
		{"NonPreferredChannelsMask_valid", func(b []byte) (any, error) { return DecodeChannelMasks(b) }, nil, nil},
		{"NonPreferredChannelsMask_truncated", func(b []byte) (any, error) { return DecodeChannelMasks(b) }, nil, nil},
		{"NonPreferredChannelsMask_trailing", func(b []byte) (any, error) { return DecodeChannelMasks(b) }, nil, nil},
	}
	if len(tests)+1 != len(vs) {
		t.Errorf("fixture has %d vectors, test covers %d", len(vs), len(tests)+1)
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			v, ok := vs[tc.id]
			if !ok {
				t.Fatalf("vector %s missing", tc.id)
			}
			raw := mustHex(t, v.Hex)
			got, err := tc.decode(raw)
			if strings.HasPrefix(string(v.Expected), `"error`) {
				if err == nil {
					t.Fatalf("decoded malformed %x without error: %+v", raw, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.id == "NonPreferredChannelsMask_valid" {
				var want []struct {
					Page uint8  `json:"page"`
					Mask string `json:"mask_hex"`
				}
				_ = json.Unmarshal(v.Expected, &want)
				ms := got.([]ChannelMask)
				if len(ms) != len(want) {
					t.Fatalf("got %d masks, want %d", len(ms), len(want))
				}
				for i := range want {
					if ms[i].Page != want[i].Page || hex.EncodeToString(ms[i].Mask) != want[i].Mask {
						t.Errorf("mask %d: got %+v, want %+v", i, ms[i], want[i])
					}
				}
				if enc := AppendChannelMasks(nil, ms); !bytes.Equal(enc, raw) {
					t.Errorf("round trip %x != %x", enc, raw)
				}
				return
			}
			expectJSON(t, got, v.Expected, tc.ren, tc.skip...)
			type appender interface{ AppendTo([]byte) []byte }
			if a, ok := got.(appender); ok {
				if enc := a.AppendTo(nil); !bytes.Equal(enc, raw) {
					t.Errorf("round trip %x != %x", enc, raw)
				}
			}
		})
	}
}

// TestParentPriority: the spec's 2-bit signed field in bits 7–6.
func TestParentPriority(t *testing.T) {
	for b, want := range map[byte]int8{0x40: 1, 0x00: 0, 0xc0: -1, 0x80: -2} {
		c, err := DecodeConnectivity([]byte{b, 1, 2, 3, 4, 5, 6})
		if err != nil {
			t.Fatal(err)
		}
		if c.ParentPriority != want {
			t.Errorf("byte %#x: priority %d, want %d", b, c.ParentPriority, want)
		}
		if enc := c.AppendTo(nil); enc[0] != b {
			t.Errorf("byte %#x encodes back as %#x", b, enc[0])
		}
	}
}

func TestHostileInput(t *testing.T) {
	route := "0509" + "00" + "8000000000000000" // router 0 in mask, no route byte
	tests := []struct {
		name    string
		hex     string
		typ     Type
		offset  int
		errText string
	}{
		{"lone type byte", "00", TypeExtMacAddress, 0, "truncated header"},
		{"length past end", "0008aabb", TypeExtMacAddress, 0, "runs past the end"},
		{"second TLV past end", "010224000205", TypeMode, 4, "runs past the end"},
		{"extended header cut", "08ff00", TypeIPv6AddressList, 0, "truncated extended length"},
		{"extended length past end", "08ff0010" + strings.Repeat("00", 15), TypeIPv6AddressList, 0, "runs past the end"},
		{"ext address short", "0007" + strings.Repeat("11", 7), TypeExtMacAddress, 0, "want 8"},
		{"rloc16 long", "0103240000", TypeAddress16, 0, "want 2"},
		{"duplicate rloc16", "010224000102f000", TypeAddress16, 4, "duplicate"},
		{"duplicate route64 later", "0201" + "0f" + "0201" + "0f", TypeMode, 3, "duplicate"},
		{"route64 mask mismatch", route, TypeRoute64, 0, "1 routers but 0 route bytes"},
		{"route64 short", "050400000000", TypeRoute64, 0, "at least 9"},
		{"leader data short", "0607" + strings.Repeat("00", 7), TypeLeaderData, 0, "want 8"},
		{"ipv6 not 16n", "0811" + strings.Repeat("00", 17), TypeIPv6AddressList, 0, "multiple of 16"},
		{"mac counters short", "0904" + "00000000", TypeMacCounters, 0, "want 36"},
		{"child table not 3n", "10040000000f", TypeChildTable, 0, "multiple of 3"},
		{"connectivity 8", "0408" + strings.Repeat("00", 8), TypeConnectivity, 0, "want 7 or 10"},
		{"child short", "1d02aaaa", TypeChild, 0, "want 43"},
		{"child after end", "1d00" + "1d2b" + strings.Repeat("00", 43), TypeChild, 2, "after the empty TLV"},
		{"neighbor short", "1f03aaaaaa", TypeRouterNeighbor, 0, "want 24"},
		{"child ipv6 odd", "1e03aaaaaa", TypeChildIPv6AddressList, 0, "2 + n×16"},
		{"answer short", "200180", TypeAnswer, 0, "want 2"},
		{"mle counters short", "2202aaaa", TypeMleCounters, 0, "want 66"},
		{"vendor name too long", "1921" + strings.Repeat("41", 33), TypeVendorName, 0, "at most 32"},
		{"enhanced route mismatch", "2509" + "8000000000000000" + "00", TypeEnhancedRoute, 0, "want 2"},
		{"channel mask truncated", "24050004000780", TypeNonPreferredChannelsMask, 0, "runs past the end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := mustHex(t, tc.hex)
			m, err := Decode(b)
			if err == nil {
				t.Fatalf("no error; decoded %+v", m)
			}
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *diag.Error", err)
			}
			if de.Type != tc.typ || de.Offset != tc.offset {
				t.Errorf("error names %s at %d, want %s at %d: %v", de.Type, de.Offset, tc.typ, tc.offset, err)
			}
			if !strings.Contains(err.Error(), tc.errText) || !strings.Contains(err.Error(), tc.typ.Name()) {
				t.Errorf("error %q lacks %q or the TLV name", err, tc.errText)
			}
		})
	}
}

func TestUnknownAndExtended(t *testing.T) {
	// An unknown type 0x63 is kept raw; an IPv6 list of 20 addresses is
	// extended (320 bytes); both survive the round trip.
	var b []byte
	b = AppendTLV(b, TLV{Type: 1, Value: []byte{0x24, 0x00}})
	b = AppendTLV(b, TLV{Type: 0x63, Value: []byte("kept")})
	b = AppendTLV(b, TLV{Type: TypeIPv6AddressList, Value: bytes.Repeat([]byte{0xfd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 20)})
	b = AppendTLV(b, TLV{Type: TypeLDevIDSubjectPubKeyInfo, Value: []byte{1, 2}})
	if b[4+2+4+1] != 0xff {
		t.Fatalf("320-byte TLV not extended: % x", b[:16])
	}
	m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Unknown) != 2 || m.Unknown[0].Type != 0x63 || string(m.Unknown[0].Value) != "kept" {
		t.Errorf("unknown TLVs: %+v", m.Unknown)
	}
	if len(m.IPv6Addresses) != 20 {
		t.Errorf("%d addresses, want 20", len(m.IPv6Addresses))
	}
	if enc := m.Encode(); !bytes.Equal(enc, b) {
		t.Errorf("round trip:\n got %x\nwant %x", enc, b)
	}
	// A built (not decoded) message encodes in canonical order: Query ID
	// first, Answer last.
	q := uint16(7)
	r := topology.Rloc16(0x2400)
	built := &Message{Answer: &Answer{Last: true}, Address16: &r, QueryID: &q}
	got := built.Encode()
	if want := "2102000701022400" + "20028000"; hex.EncodeToString(got) != want {
		t.Errorf("built message: %x, want %s", got, want)
	}
}

// TestToSnapshot turns n2's unicast answers from the small mesh into a
// topology: the answering nodes, their router links and children.
func TestToSnapshot(t *testing.T) {
	var msgs []*Message
	for _, f := range []string{"netdiag_unicast_0x2400.txt", "netdiag_unicast_0x3800.txt", "netdiag_ff03-2_main.txt"} {
		for _, a := range readAnswers(t, filepath.Join(fixtures, "openthread", "small", "diag", f)) {
			m, err := Decode(a.raw)
			if err != nil {
				t.Fatal(err)
			}
			msgs = append(msgs, m)
		}
	}
	s := ToSnapshot("tmf", time.Unix(0, 0), msgs)
	sh := s.Shape()
	want := map[string]string{
		"ae983c48b31eb30a": "0x2400 leader", "7a56f2be7e3d0d0b": "0xf000 router", "46ddeb7bff6bb9b4": "0x3800 router",
		"bad7a8e7b2ca0b48": "0x2402 ftd-child", "rloc:0x2403": "0x2403 sleepy-end-device",
		"rloc:0x3801": "0x3801 end-device", "rloc:0x3802": "0x3802 sleepy-end-device", "rloc:0xf001": "0xf001 end-device",
	}
	// Child RLOC16s are whatever the child tables say; compare those we know.
	for id, v := range want {
		if strings.HasPrefix(id, "rloc:") {
			continue
		}
		if sh.Nodes[id] != v {
			t.Errorf("node %s: got %q, want %q", id, sh.Nodes[id], v)
		}
	}
	if !sh.RouterLinks["46ddeb7bff6bb9b4 7a56f2be7e3d0d0b"] || !sh.RouterLinks["7a56f2be7e3d0d0b ae983c48b31eb30a"] {
		t.Errorf("router links: %v", sh.RouterLinks)
	}
	if sh.RouterLinks["46ddeb7bff6bb9b4 ae983c48b31eb30a"] {
		t.Errorf("n1-n3 have no direct link but got one")
	}
	if len(sh.RouterLinks) != 2 {
		t.Errorf("router links: %v", sh.RouterLinks)
	}
	if s.Network.MeshLocalPrefix != "fd00:5a11::/64" {
		t.Errorf("mesh-local prefix %q", s.Network.MeshLocalPrefix)
	}
	if s.Network.PartitionID == nil || *s.Network.PartitionID != 0x3b52b7ab || s.Network.LeaderRouterID == nil || *s.Network.LeaderRouterID != 9 {
		t.Errorf("network: %+v", s.Network)
	}
	leader := s.Node("ae983c48b31eb30a")
	if !leader.ChildTableKnown || leader.EUI64 != "18b4300000000001" || leader.Counters["mac_if_in_ucast_pkts"] == 0 {
		t.Errorf("leader node: %+v", leader)
	}
	// n4 (0x2402) answered itself and is in n1's child table: one node.
	if p := sh.Parents["bad7a8e7b2ca0b48"]; p != "ae983c48b31eb30a" {
		t.Errorf("parent of n4: %q", p)
	}
	for _, n := range s.Nodes {
		if n.HasFlag(topology.FlagNotInParentTable) {
			t.Errorf("node %s flagged %v", n.ID, n.Flags)
		}
	}
}

// TestAddToQueryAnswer: a DIAG_GET.ans carrying only Child and Router
// Neighbor TLVs (no Address16) is placed by the sender's RLOC16.
func TestAddToQueryAnswer(t *testing.T) {
	vs := loadVectors(t)
	child, err := DecodeChild(mustHex(t, vs["Child_valid"].Hex)) // RLOC16 0x1234, ext 0102030405060708
	if err != nil {
		t.Fatal(err)
	}
	nb, err := DecodeRouterNeighbor(mustHex(t, vs["RouterNeighbor_valid"].Hex)) // RLOC16 0x5678, ext 1122334455667788
	if err != nil {
		t.Fatal(err)
	}
	nb.Rloc16 = 0x5800 // a router's RLOC16
	q := uint16(9)
	m := &Message{QueryID: &q, Children: []ChildInfo{child}, ChildrenEnd: true, RouterNeighbors: []RouterNeighbor{nb},
		RouterNeighborsEnd: true, Answer: &Answer{Last: true}}
	raw := m.Encode()
	back, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	sender := topology.Rloc16(0x1000)
	s := ToSnapshot("tmf", time.Unix(0, 0), []*Message{back}, &sender)
	c := s.Node("0102030405060708")
	if c == nil || c.Parent == nil || *c.Parent != "rloc:0x1000" || c.Role != topology.RoleEndDevice || c.Rloc16.String() != "0x1234" {
		t.Fatalf("child: %+v", c)
	}
	p := s.Node("rloc:0x1000")
	if p == nil || !p.ChildTableKnown || p.HasFlag(topology.FlagInferred) {
		t.Errorf("parent: %+v", p)
	}
	var childLink, routerLink *topology.Link
	for i := range s.Links {
		switch l := &s.Links[i]; l.Kind {
		case topology.LinkChild:
			childLink = l
		case topology.LinkRouter:
			routerLink = l
		}
	}
	if childLink == nil || *childLink.RSSI != -60 || *childLink.LastRSSI != -64 || *childLink.LinkMargin != 26 || *childLink.Timeout != 240 {
		t.Errorf("child link: %+v", childLink)
	}
	if routerLink == nil || routerLink.A != "1122334455667788" && routerLink.B != "1122334455667788" || *routerLink.LinkMargin != 21 {
		t.Errorf("router link: %+v", routerLink)
	}
	// Without a sender nothing can be placed, and nothing panics.
	s2 := ToSnapshot("tmf", time.Unix(0, 0), []*Message{back})
	if len(s2.Links) != 0 {
		t.Errorf("links without a sender: %+v", s2.Links)
	}
}

// TestChildTimeout: the one decoding of a child table's timeout exponent
// (TMF's 5-bit field, OTBR REST's number): 2^(exp-4) seconds, unknown
// outside 4–35, and an upper bound below twice the child's real timeout
// for OpenThread's encoding ceil(log2(t)) + 4.
func TestChildTimeout(t *testing.T) {
	for _, tc := range []struct {
		exp  int
		want uint32
		ok   bool
	}{{-1, 0, false}, {0, 0, false}, {3, 0, false}, {4, 1, true}, {5, 2, true}, {12, 256, true},
		{31, 1 << 27, true}, {35, 1 << 31, true}, {36, 0, false}, {1 << 20, 0, false}} {
		got, ok := ChildTimeout(tc.exp)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ChildTimeout(%d) = %d, %v; want %d, %v", tc.exp, got, ok, tc.want, tc.ok)
		}
	}
	for _, timeout := range []uint32{1, 2, 3, 240, 241, 65536, 100000} {
		exp := 4
		for uint32(1)<<(exp-4) < timeout {
			exp++
		}
		got, ok := ChildTimeout(exp)
		if !ok || got < timeout || got >= 2*timeout && timeout > 1 {
			t.Errorf("timeout %d s encoded as %d decodes to %d", timeout, exp, got)
		}
	}
}

// TestElidedNetworkDataNeverReplacesFull: answers to a group query carry
// the network data of every node; a sleepy or rx-off child's stable-only
// copy names no server (RLOC16 0xfffe) and must not hide the full copy,
// in whichever order the answers came.
func TestElidedNetworkDataNeverReplacesFull(t *testing.T) {
	netData := func(rloc string) []byte {
		// Prefix TLV (stable) fd95:9c6e:cffc:1::/64 with one Border Router entry.
		b, err := hex.DecodeString("0310" + "0040" + "fd959c6ecffc0001" + "0504" + rloc + "7300")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	full := &Message{NetworkData: netData("c800")}
	elided := &Message{NetworkData: netData("fffe")}
	for _, order := range [][]*Message{{full, elided}, {elided, full}} {
		s := ToSnapshot("tmf", time.Unix(0, 0), order, topology.Ptr(topology.Rloc16(0xc800)), topology.Ptr(topology.Rloc16(0xe003)))
		nd := s.Network.NetworkData
		if nd == nil || len(nd.Prefixes) != 1 || nd.Prefixes[0].BorderRouters[0].Rloc16 != 0xc800 {
			t.Fatalf("network data %+v, want the full copy", nd)
		}
		if n := s.NodeByRloc16(0xc800); n == nil || !n.BorderRouter {
			t.Errorf("border router 0xc800 not marked: %+v", s.Nodes)
		}
	}
}
