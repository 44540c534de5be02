package meshcop

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestDecodeFixtureRecords(t *testing.T) {
	recs := loadMeshcopFixtures(t)
	type want struct {
		nn, xp, xa, vn, mn, tv string
		sb                     uint32
		conn                   ConnMode
		ifs                    IfStatus
		avail                  Availability
		bbrActive, bbrPrimary  bool
		role                   ThreadRole
		at                     Timestamp
		pt                     uint32
		sq                     uint8
		omr                    string
		missing                []string
		problem                string // substring of the decode error; "" = no error
		vendorKeys             []string
	}
	hass := want{nn: "OpenThread HC", xp: "e60fc7c186212ce5", xa: "aeeb2f594b570bbf", vn: "HomeAssistant", mn: "OpenThreadBorderRouter", tv: "1.3.0",
		sb: 0x1b1, conn: ConnModePSKc, ifs: IfActive, avail: AvailabilityHigh, bbrActive: true, bbrPrimary: true, role: RoleDisabledOrDetached,
		at: Timestamp{Seconds: 1}, pt: 0x8f06517e, sq: 0x33, omr: "fd20:be89:495a:1::/64"}
	with := func(w want, f func(*want)) want { f(&w); return w }
	google := want{nn: "NEST-PAN-E1AF", xp: "9e75e256f61409a3", vn: "Google Inc.", mn: "Google Nest Hub", tv: "1.3.0",
		conn: ConnModePSKc, ifs: IfActive, avail: AvailabilityHigh, bbrActive: true, role: RoleDisabledOrDetached,
		at: Timestamp{Seconds: 0x62f2f824, Ticks: 0x54e3 >> 1, Authoritative: true}, pt: 0x34863044,
		vendorKeys: []string{"vat", "vcd", "vvo", "vxp"}}
	cases := map[string]want{
		"ROUTER_DISCOVERY_GOOGLE_1": with(google, func(w *want) { w.xa = "f6a99b425a67abed"; w.sb = 0x1b1; w.bbrPrimary = true; w.sq = 0x7b }),
		"ROUTER_DISCOVERY_GOOGLE_2": with(google, func(w *want) { w.xa = "8e395aae6bd5d8d5"; w.sb = 0xb1; w.sq = 0x22 }),
		"ROUTER_DISCOVERY_HASS":     hass,
		"ROUTER_DISCOVERY_HASS_BAD_DATA": with(hass, func(w *want) {
			w.vn = ""
			w.problem = `key "vn": invalid UTF-8 (486f6d65417373697374616e74ff)`
		}),
		"ROUTER_DISCOVERY_HASS_MISSING_DATA":              with(hass, func(w *want) { w.vn = "" }),
		"ROUTER_DISCOVERY_HASS_MISSING_MANDATORY_DATA_XA": with(hass, func(w *want) { w.xa = ""; w.missing = []string{"xa"} }),
		"ROUTER_DISCOVERY_HASS_MISSING_MANDATORY_DATA_XP": with(hass, func(w *want) { w.xp = ""; w.missing = []string{"xp"} }),
		"ROUTER_DISCOVERY_HASS_NO_ACTIVE_TIMESTAMP":       with(hass, func(w *want) { w.at = Timestamp{}; w.missing = []string{"at"} }),
		"ROUTER_DISCOVERY_HASS_NO_STATE_BITMAP": with(hass, func(w *want) {
			w.sb, w.conn, w.ifs, w.avail, w.bbrActive, w.bbrPrimary = 0, 0, 0, 0, false, false
			w.missing = []string{"sb"}
		}),
		// Padding bits 24-31 set: kept as unknown bits, the named fields still decode.
		"ROUTER_DISCOVERY_HASS_BAD_STATE_BITMAP": with(hass, func(w *want) { w.sb = 0xff0001b1 }),
		// "Not active" is the backbone router function (bit 7), not the interface.
		"ROUTER_DISCOVERY_HASS_STATE_BITMAP_NOT_ACTIVE": with(hass, func(w *want) {
			w.sb, w.bbrActive, w.bbrPrimary = 0x131, false, true
		}),
		"ha_core_issue_147898_ha_otbr": {nn: "ha-thread-e93a", xp: "ab18ce507de39c3e", xa: "92a5b14b89509aa5", vn: "Home Assistant", mn: "OpenThread Border Router", tv: "1.3.0",
			sb: 0x7b1, conn: ConnModePSKc, ifs: IfActive, avail: AvailabilityHigh, bbrActive: true, bbrPrimary: true, role: RoleLeader,
			at: Timestamp{Seconds: 1}, pt: 0x51a50063, sq: 0x79, omr: "fd33:d83:c7e3:1::/64"},
		"ha_addons_issue_4634_ha_otbr": {nn: "ha-thread-4c83", xp: "087c4e34b73b9499", xa: "ca83ad6274691e32", vn: "Home Assistant", mn: "OpenThread Border Router", tv: "1.3.0",
			sb: 0x4b1, conn: ConnModePSKc, ifs: IfActive, avail: AvailabilityHigh, bbrActive: true, bbrPrimary: false, role: RoleRouter,
			at: Timestamp{Seconds: 2}, pt: 0x64088e68, sq: 0x7e, omr: "fd13:3510:7f2b:1::/64"},
	}
	if len(cases) != len(recs) {
		t.Fatalf("%d cases for %d fixture records", len(cases), len(recs))
	}
	for label, w := range cases {
		t.Run(label, func(t *testing.T) {
			fr, ok := recs[label]
			if !ok {
				t.Fatalf("fixture %s missing", label)
			}
			entries := fr.TXT.entries(t)
			r, err := Decode(entries)
			if w.problem == "" && err != nil {
				t.Fatalf("decode: %v", err)
			}
			if w.problem != "" {
				var de *DecodeError
				if !errors.As(err, &de) || !strings.Contains(err.Error(), w.problem) {
					t.Fatalf("error %v, want one containing %q", err, w.problem)
				}
			}
			// Every key stays in TXT with its exact bytes, in order.
			if len(r.TXT) != len(fr.TXT.Keys) {
				t.Fatalf("TXT has %d entries, fixture %d", len(r.TXT), len(fr.TXT.Keys))
			}
			for i, k := range fr.TXT.Keys {
				fv := fr.TXT.Values[k]
				if r.TXT[i].Key != k || r.TXT[i].Hex != fv.Hex {
					t.Errorf("TXT[%d] = %s=%s, want %s=%s", i, r.TXT[i].Key, r.TXT[i].Hex, k, fv.Hex)
				}
				if fv.UTF8 != "" && r.TXT[i].Text != fv.UTF8 {
					t.Errorf("TXT[%d] text %q, want %q", i, r.TXT[i].Text, fv.UTF8)
				}
			}
			check := func(name string, got, want any) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %v, want %v", name, got, want)
				}
			}
			check("rv", r.RecordVersion, "1")
			check("nn", r.NetworkName, w.nn)
			check("xp", r.ExtPanID.String(), w.xp)
			check("xa", r.ExtAddr.String(), w.xa)
			check("vn", r.VendorName, w.vn)
			check("mn", r.ModelName, w.mn)
			check("tv", r.ThreadVersion, w.tv)
			check("id", r.AgentID.String(), fr.TXT.Values["id"].Hex)
			check("dn", r.DomainName, "DefaultDomain")
			check("missing", r.Missing, w.missing)
			if w.sb == 0 {
				check("state", r.State, (*StateBitmap)(nil))
			} else {
				s := r.State
				check("sb raw", s.Uint32(), w.sb)
				check("connection mode", s.ConnMode, w.conn)
				check("interface status", s.IfStatus, w.ifs)
				check("availability", s.Availability, w.avail)
				check("bbr active", s.BBRActive, w.bbrActive)
				check("bbr primary", s.BBRPrimary, w.bbrPrimary)
				check("role", s.Role, w.role)
				check("unknown bits", s.UnknownBits, w.sb&^0x3fff)
			}
			if w.at == (Timestamp{}) {
				check("at", r.ActiveTimestamp, (*Timestamp)(nil))
			} else {
				check("at", *r.ActiveTimestamp, w.at)
			}
			check("pt", *r.PartitionID, w.pt)
			check("sq", *r.BBRSeq, w.sq)
			check("bb", *r.BBRPort, uint16(0xf0bf))
			if w.omr == "" {
				check("omr", r.OMRPrefix, (*netip.Prefix)(nil))
			} else {
				check("omr", r.OMRPrefix.String(), w.omr)
			}
			var vk []string
			for _, v := range r.Vendor {
				vk = append(vk, v.Key)
			}
			check("vendor keys", vk, w.vendorKeys)
			check("unknown keys", len(r.Unknown), 0)
			if len(w.vendorKeys) > 0 {
				check("vo", r.VendorOUI.String(), "7cd95c")
			}

			// Encoding gives the same bytes for every key (OpenThread's order,
			// so compare as sets) unless a value was malformed.
			if err == nil {
				enc, err := r.Entries()
				if err != nil {
					t.Fatalf("encode: %v", err)
				}
				if !sameEntrySet(enc, entries) {
					t.Errorf("encode: %v, want %v", Presentation(enc), Presentation(entries))
				}
			}
		})
	}
}

func sameEntrySet(a, b []Entry) bool {
	key := func(es []Entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Key+"="+hex.EncodeToString(e.Value))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

// The state bitmap decodes python-otbr-api's tests list in the fixture.
func TestStateBitmapFixtureDecodes(t *testing.T) {
	b, err := readFixture("meshcop_txt/ha_core_thread_meshcop_txt.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		SB []struct {
			Hex     string `json:"sb_hex"`
			Conn    string `json:"connection_mode"`
			If      string `json:"thread_interface_status"`
			Avail   string `json:"availability"`
			Active  bool   `json:"is_active"`
			Primary bool   `json:"is_primary"`
		} `json:"state_bitmap_decodes_from_python-otbr-api_tests"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.SB) == 0 {
		t.Fatal("no state bitmap cases in the fixture")
	}
	names := map[string]string{"PSKC": "pskc", "ACTIVE": "active", "NOT_INITIALIZED": "not-initialized", "HIGH": "high"}
	for _, c := range doc.SB {
		raw, _ := hex.DecodeString(c.Hex)
		r, err := Decode([]Entry{{Key: "sb", Value: raw, HasValue: true}})
		if err != nil {
			t.Fatal(err)
		}
		s := r.State
		if s.ConnMode.String() != names[c.Conn] || s.IfStatus.String() != names[c.If] || s.Availability.String() != names[c.Avail] ||
			s.BBRActive != c.Active || s.BBRPrimary != c.Primary {
			t.Errorf("sb %s decoded %+v, want %+v", c.Hex, *s, c)
		}
	}
}

func readFixture(rel string) ([]byte, error) {
	return os.ReadFile(filepath.Join(fixtures, rel))
}

// The current OTBR advert: raw DNS bytes parsed with miekg/dns (as zeroconf
// does), every TXT entry equal to the capture's decoded text and to the
// exact RDATA bytes, and the decoded fields equal to the mesh's ground truth.
func TestCurrentOTBRAdvert(t *testing.T) {
	browses := loadOTBRBrowse(t, filepath.Join(fixtures, "openthread", "small-current", "otbr-mdns", "meshcop_udp_browse.txt"))
	if len(browses) != 1 {
		t.Fatalf("want 1 response in the capture, got %d", len(browses))
	}
	br := browses[0]
	var msg dns.Msg
	if err := msg.Unpack(br.Raw); err != nil {
		t.Fatalf("unpack raw DNS: %v", err)
	}
	var txt *dns.TXT
	var srv *dns.SRV
	var ptr *dns.PTR
	var aaaa []netip.Addr
	for _, rr := range append(append([]dns.RR(nil), msg.Answer...), msg.Extra...) {
		switch v := rr.(type) {
		case *dns.TXT:
			txt = v
		case *dns.SRV:
			srv = v
		case *dns.PTR:
			ptr = v
		case *dns.AAAA:
			a, _ := netip.AddrFromSlice(v.AAAA)
			aaaa = append(aaaa, a)
		}
	}
	if txt == nil || srv == nil || ptr == nil {
		t.Fatalf("capture lacks PTR/SRV/TXT: %v", msg.String())
	}
	// miekg hands the TXT over in presentation form (that is what zeroconf
	// passes on): decode it back to bytes.
	entries, err := EntriesFromPresentation(txt.Txt)
	if err != nil {
		t.Fatal(err)
	}
	// The same entries straight from the TXT RDATA bytes.
	buf := make([]byte, 1024)
	off, err := dns.PackRR(txt, buf, 0, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	rdlen := int(txt.Hdr.Rdlength)
	wire, err := EntriesFromWire(buf[off-rdlen : off])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(entries, wire) {
		t.Fatalf("presentation decode %v != wire decode %v", Presentation(entries), Presentation(wire))
	}
	rdata := string(br.Raw)
	w, _ := Wire(entries)
	if !strings.Contains(rdata, string(w)) {
		t.Fatal("re-encoded TXT RDATA is not in the raw message")
	}
	// Every entry equals the capture's decoded text, in order.
	if len(entries) != len(br.Keys) {
		t.Fatalf("%d entries, capture printed %d", len(entries), len(br.Keys))
	}
	for i, k := range br.Keys {
		want := printedValue(t, br.Decoded[k])
		if entries[i].Key != k || string(entries[i].Value) != string(want) {
			t.Errorf("entry %d = %s=%x, capture %s=%x", i, entries[i].Key, entries[i].Value, k, want)
		}
	}
	r, err := Decode(entries)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Missing) != 0 {
		t.Errorf("missing %v", r.Missing)
	}
	// Ground truth: small-current/summary.json (dataset and the otbr node).
	wantState := StateBitmap{ConnMode: ConnModePSKc, IfStatus: IfActive, Availability: AvailabilityHigh,
		Role: RoleRouter, EPSKcSupported: true, MultiAIL: MultiAILNotDetected}
	checks := []struct {
		name      string
		got, want any
	}{
		{"agent id", r.AgentID.String(), "ea122ae3de355640339cb8b28e75911b"},
		{"rv", r.RecordVersion, "1"},
		{"tv", r.ThreadVersion, "1.4.0"},
		{"state", *r.State, wantState},
		{"sb raw", r.State.Uint32(), uint32(0x1c31)},
		{"xa = otbr extaddr", r.ExtAddr.String(), "8eb0043d8ac6f721"},
		{"xp = dataset extpanid", r.ExtPanID.String(), "5a11000000000001"},
		{"nn = dataset networkname", r.NetworkName, "OTLAB-small"},
		{"pt = otbr partition_id", *r.PartitionID, uint32(1862888045)},
		{"at", *r.ActiveTimestamp, Timestamp{Seconds: 1}},
		{"omr", r.OMRPrefix.String(), "fd95:9c6e:cffc:1::/64"},
		{"vn", r.VendorName, "OTLab"},
		{"mn", r.ModelName, "SimBR"},
		{"port", srv.Port, uint16(49154)},
		{"host", srv.Target, "ot8eb0043d8ac6f721.local."},
		{"addresses", aaaa, []netip.Addr{netip.MustParseAddr("fe80::a86f:33ff:fe7f:2090"),
			netip.MustParseAddr("fdde:ad00:beef:cafe:a86f:33ff:fe7f:2090"), netip.MustParseAddr("fd5a:1100:0:1:a86f:33ff:fe7f:2090")}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// The instance label as zeroconf would hand it over.
	inst := strings.TrimSuffix(ptr.Ptr, "."+ptr.Hdr.Name)
	b, err := Unescape(inst)
	if err != nil || string(b) != "OTLab SimBR #F721" {
		t.Errorf("instance %q -> %q, %v", inst, b, err)
	}
	// Conversion to the topology model.
	svc := NewService(string(b), srv.Target, int(srv.Port), aaaa, entries)
	got := ToBorderRouter(svc)
	if got.ID != "ea122ae3de355640339cb8b28e75911b" || got.ExtPanID != "5a11000000000001" || got.ExtAddr != "8eb0043d8ac6f721" ||
		got.NetworkName != "OTLAB-small" || got.Vendor != "OTLab" || got.Model != "SimBR" || got.ThreadVersion != "1.4.0" ||
		got.Port != 49154 || len(got.Addresses) != 3 || got.TXT["sb"] != "00001c31" || got.State["thread_role"] != "router" ||
		got.State["multi_ail_state"] != "not-detected" || got.State["epskc_supported"] != "true" ||
		got.State["partition_id"] != "1862888045" || got.State["omr_prefix"] != "fd95:9c6e:cffc:1::/64" {
		t.Errorf("ToBorderRouter = %+v", got)
	}
}

// The 2025-09 OTBR capture got no answer on that link; the parser must say
// so (zero responses) rather than invent one.
func TestLegacyOTBRCaptureHasNoResponse(t *testing.T) {
	browses := loadOTBRBrowse(t, filepath.Join(fixtures, "openthread", "small", "otbr-2025-09-mdns", "meshcop_udp_browse.txt"))
	if len(browses) != 0 {
		t.Fatalf("got %d responses, the capture has none", len(browses))
	}
}

func TestDecodeProblems(t *testing.T) {
	cases := []struct {
		name    string
		entries []Entry
		want    string
	}{
		{"short xp", []Entry{{Key: "xp", Value: []byte{1, 2}, HasValue: true}}, `key "xp": 2 bytes (0102), want 8`},
		{"long sb", []Entry{{Key: "sb", Value: make([]byte, 5), HasValue: true}}, `key "sb": 5 bytes`},
		{"omr too long prefix", []Entry{{Key: "omr", Value: []byte{200, 1}, HasValue: true}}, `prefix length 200 above 128`},
		{"omr short", []Entry{{Key: "omr", Value: []byte{64, 0xfd}, HasValue: true}}, `prefix length 64 needs 8 bytes, 1 given`},
		{"omr empty", []Entry{{Key: "omr", HasValue: true}}, `key "omr": empty`},
		{"bool nn", []Entry{{Key: "nn"}}, `key "nn": no value`},
		{"duplicate", []Entry{{Key: "rv", Value: []byte("1"), HasValue: true}, {Key: "rv", Value: []byte("2"), HasValue: true}}, `key "rv": duplicate key ignored`},
		{"long nn", []Entry{{Key: "nn", Value: []byte("abcdefghijklmnopq"), HasValue: true}}, `17 bytes, a Thread network name has at most 16`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Decode(c.entries)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if len(r.TXT) != len(c.entries) {
				t.Fatalf("raw entries lost: %v", r.TXT)
			}
		})
	}
}

func TestUnknownKeysKept(t *testing.T) {
	r, err := Decode([]Entry{{Key: "zz", Value: []byte{0, 0xff}, HasValue: true}, {Key: "dd", Value: []byte{1, 2, 3}, HasValue: true}, {Key: "flag"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Unknown) != 2 || r.Unknown[0] != (Value{Key: "zz", Hex: "00ff"}) || r.Unknown[1] != (Value{Key: "flag", NoVal: true}) {
		t.Errorf("unknown = %+v", r.Unknown)
	}
	if len(r.Vendor) != 1 || r.Vendor[0].Hex != "010203" {
		t.Errorf("vendor = %+v", r.Vendor)
	}
	enc, err := r.Entries()
	if err != nil || len(enc) != 3 {
		t.Fatalf("encode: %v %v", enc, err)
	}
}

func TestStateBitmapRoundTrip(t *testing.T) {
	for _, v := range []uint32{0, 0x1c31, 0x7b1, 0xff0001b1, 0xffffffff, 0x21, 0x3fff, 0x4000} {
		if got := DecodeStateBitmap(v).Uint32(); got != v {
			t.Errorf("0x%08x -> 0x%08x", v, got)
		}
		j, _ := json.Marshal(DecodeStateBitmap(v))
		var back StateBitmap
		if err := json.Unmarshal(j, &back); err != nil || back.Uint32() != v {
			t.Errorf("json 0x%08x: %s -> %v %v", v, j, back, err)
		}
	}
	s := DecodeStateBitmap(0xffffffff)
	if s.ConnMode.String() != "reserved-7" || s.IfStatus.String() != "reserved-3" || s.MultiAIL.String() != "reserved-3" || s.UnknownBits != 0xffffc000 {
		t.Errorf("all ones: %+v", s)
	}
}

func TestTimestampRoundTrip(t *testing.T) {
	for _, h := range []string{"000062f2f82454e3", "0000000000010000", "ffffffffffffffff", "0000000000000001"} {
		b, _ := hex.DecodeString(h)
		ts, err := DecodeTimestamp(b)
		if err != nil || hex.EncodeToString(ts.Bytes()) != h {
			t.Errorf("%s -> %+v -> %x (%v)", h, ts, ts.Bytes(), err)
		}
	}
}
