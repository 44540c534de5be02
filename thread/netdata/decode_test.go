package netdata

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// showBody returns the lines of the `netdata show` answer in a transcript.
func showBody(t testing.TB, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimRight(sc.Text(), "\r")
		switch {
		case l == "> netdata show":
			in = true
		case in && l == "Done":
			return out
		case in:
			out = append(out, l)
		}
	}
	t.Fatalf("%s: no netdata show answer", path)
	return nil
}

func transcripts(t testing.TB) []string {
	nodes, err := filepath.Glob(topologytest.OpenThread("small-current", "nodes", "node*.txt"))
	if err != nil || len(nodes) == 0 {
		t.Fatalf("no node transcripts: %v", err)
	}
	return append(nodes, topologytest.OpenThread("small-current", "otbr-node", "ot-ctl.txt"))
}

func jsonOf(t *testing.T, v any) string {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDecodeRealCapture checks the decode of the real TLV 7 bytes against
// OpenThread's own `netdata show` of the same network on the OTBR.
func TestDecodeRealCapture(t *testing.T) {
	show, err := ParseShow(showBody(t, topologytest.OpenThread("small-current", "otbr-node", "ot-ctl.txt")))
	if err != nil {
		t.Fatal(err)
	}
	want := jsonOf(t, show.Model("x"))
	for _, b := range realNetworkData(t) {
		nd, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonOf(t, nd.Model("x")); got != want {
			t.Errorf("decode of %x:\n%s\nwant (netdata show):\n%s", b, got, want)
		}
		if len(nd.Unknown) != 0 || len(nd.Prefixes) != 2 || len(nd.Services) != 1 {
			t.Fatalf("shape: %+v", nd)
		}
		br := nd.Prefixes[0].BorderRouters[0]
		wantBR := BorderRouter{Rloc16: 0xc800, Stable: true, Preference: -1, Preferred: true, SLAAC: true, OnMesh: true}
		if br != wantBR {
			t.Errorf("border router %+v, want %+v", br, wantBR)
		}
		rt := nd.Prefixes[1].Routes[0]
		if rt != (Route{Rloc16: 0xc800, Stable: true, AdvPIO: true}) || nd.Prefixes[1].Prefix.String() != "fc00::/7" {
			t.Errorf("route %+v on %v", rt, nd.Prefixes[1].Prefix)
		}
		s := nd.Services[0]
		if s.Kind != "srp-unicast" || s.Servers[0].Address != "fd00:5a11::5318:4d17:1b09:3c51" || s.Servers[0].Port != 53536 {
			t.Errorf("service %+v", s)
		}
		if c := nd.Commissioning; c == nil || c.SessionID == nil || *c.SessionID != 12563 || c.Stable {
			t.Errorf("commissioning %+v", c)
		}
		if c := nd.Prefixes[0].Context; c == nil || *c != (Context{Stable: true, ID: 1, Compress: true, ContextLn: 64}) {
			t.Errorf("context %+v", c)
		}
	}
}

// TestParseShowTranscripts reads every real `netdata show`: routers see the
// BR 0xc800, sleepy children get stable data with RLOC16s elided (fffe).
func TestParseShowTranscripts(t *testing.T) {
	for _, p := range transcripts(t) {
		nd, err := ParseShow(showBody(t, p))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if len(nd.Prefixes) != 2 || len(nd.Services) != 1 || nd.Prefixes[0].Context == nil {
			t.Fatalf("%s: %+v", p, nd)
		}
		r := nd.Prefixes[0].BorderRouters[0].Rloc16
		if r != 0xc800 && r != 0xfffe {
			t.Errorf("%s: border router %04x", p, r)
		}
	}
}

// TestParseShowFormats covers the spellings OpenThread's CLI prints that the
// captures lack: no flags, empty server data, context "-", commissioning
// with every field and the "e" flag.
func TestParseShowFormats(t *testing.T) {
	body := []string{"Prefixes:", "fd00:dead:beef:cafe::/64 paros med dc00", "fd00:1::/64 high 0400", "Routes:",
		"64:ff9b::/96 sn high 4000", "Services:", "44970 5d c000 s 4000 0", "44970 5c01  4000 1", "Contexts:",
		"fd00:dead:beef:cafe::/64 1 -", "Commissioning:", "1248 dc00 9988 00000000000120000000000000000000 e"}
	nd, err := ParseShow(body)
	if err != nil {
		t.Fatal(err)
	}
	if b := nd.Prefixes[0].BorderRouters[0]; !(b.Preferred && b.SLAAC && b.OnMesh && b.DefaultRoute && b.Stable) || b.DHCP || b.Rloc16 != 0xdc00 {
		t.Errorf("border router %+v", b)
	}
	if b := nd.Prefixes[1].BorderRouters[0]; b != (BorderRouter{Rloc16: 0x0400, Preference: 1}) {
		t.Errorf("flagless border router %+v", b)
	}
	if r := nd.Prefixes[2].Routes[0]; r != (Route{Rloc16: 0x4000, Stable: true, NAT64: true, Preference: 1}) {
		t.Errorf("route %+v", r)
	}
	if c := nd.Prefixes[0].Context; c == nil || c.Stable || c.Compress || c.ID != 1 {
		t.Errorf("context %+v", c)
	}
	if s := nd.Services[1]; s.Kind != "srp-anycast" || *s.AnycastSeq != 1 || s.Servers[0].ServerData != "" || s.Servers[0].Stable {
		t.Errorf("anycast %+v", s)
	}
	c := nd.Commissioning
	if *c.SessionID != 1248 || *c.BorderAgentLocator != 0xdc00 || *c.JoinerUDPPort != 9988 || !c.ExtraTLVs || c.SteeringData != "00000000000120000000000000000000" {
		t.Errorf("commissioning %+v", c)
	}
}

func TestParseShowErrors(t *testing.T) {
	tests := []struct{ name, body, err string }{
		{"bad flag", "Prefixes:\nfd00::/64 pz low c800", `unknown flag 'z'`},
		{"bad preference", "Routes:\nfc00::/7 s mid c800", `preference "mid"`},
		{"bad rloc", "Routes:\nfc00::/7 s med zz", "rloc16"},
		{"no section", "fc00::/7 s med c800", "outside a known section"},
		{"service fields", "Services:\n44970 5d", "want enterprise"},
		{"commissioning", "Commissioning:\nx - - -", "session id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseShow(strings.Split(tt.body, "\n"))
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err %v, want %q", err, tt.err)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, hex string
		check     func(*NetworkData) bool
		err       string
	}{
		{"empty", "", func(nd *NetworkData) bool { return len(nd.Prefixes)+len(nd.Services)+len(nd.Unknown) == 0 }, ""},
		{"unknown kept raw", "0e02abcd", func(nd *NetworkData) bool {
			return reflect.DeepEqual(nd.Unknown, []RawTLV{{Offset: 0, Type: 7, Value: "abcd"}})
		}, ""},
		{"nat64 route high", "0313" + "0060" + "0064ff9b0000000000000000" + "0103" + "140060", func(nd *NetworkData) bool {
			r := nd.Prefixes[0].Routes[0]
			return r == Route{Rloc16: 0x1400, Stable: true, Preference: 1, NAT64: true} && nd.Prefixes[0].Prefix.String() == "64:ff9b::/96"
		}, ""},
		{"srp anycast, enterprise number explicit", "0b0c" + "01" + "0000afaa" + "02" + "5c07" + "0d02" + "2400", func(nd *NetworkData) bool {
			s := nd.Services[0]
			return s.ServiceID == 1 && s.EnterpriseNumber == 44970 && s.Kind == "srp-anycast" && *s.AnycastSeq == 7 && s.Servers[0].Rloc16 == 0x2400
		}, ""},
		{"bbr", "0b09" + "80" + "0101" + "0d04" + "2400" + "0102", func(nd *NetworkData) bool {
			return nd.Services[0].Kind == "backbone-router" && nd.Services[0].Servers[0].ServerData == "0102"
		}, ""},
		{"commissioning withholds unknown sub-TLVs", "0808" + "0b023113" + "04025e5e", func(nd *NetworkData) bool {
			c := nd.Commissioning
			return *c.SessionID == 0x3113 && reflect.DeepEqual(c.Withheld, []RawTLV{{Offset: 6, Type: 4}}) && !strings.Contains(jsonOfNoT(nd), "5e5e")
		}, ""},
		{"nd-dns dp flags", "0310" + "0040" + "fd00000000000001" + "0504" + "1400" + "01c0", func(nd *NetworkData) bool {
			b := nd.Prefixes[0].BorderRouters[0]
			return b.OnMesh && b.NDDNS && b.DP && b.Preference == 0
		}, ""},
		{"short border router entry", "030f" + "0040" + "fd00000000000001" + "0503" + "140000", nil, "TLV type 2 at byte 12"},
		{"short context", "030d" + "0040" + "fd00000000000001" + "0701" + "11", nil, "context sub-TLV"},
		{"service empty", "0b00", nil, "service TLV empty"},
		{"service data past end", "0b03" + "80" + "055d", nil, "run past the TLV"},
		{"server short", "0b05" + "80" + "015d" + "0d00", nil, "shorter than an RLOC16"},
		{"commissioning truncated", "0803" + "0b0431", nil, "runs past the TLV"},
		{"truncated", "0314", nil, "runs past the end"},
		{"bad prefix length", "0302" + "00ff", nil, "prefix length 255"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := hex.DecodeString(tt.hex)
			if err != nil {
				t.Fatal(err)
			}
			nd, err := Decode(b)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(nd) {
				b, _ := json.Marshal(nd)
				t.Errorf("unexpected decode %s", b)
			}
		})
	}
}

func jsonOfNoT(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func FuzzDecode(f *testing.F) {
	for _, nd := range realNetworkData(f) {
		f.Add(nd)
	}
	f.Add([]byte{0x0b, 0x0c, 0x01, 0, 0, 0xaf, 0xaa, 0x02, 0x5c, 0x07, 0x0d, 0x02, 0x24, 0})
	f.Add([]byte{0x08, 0x08, 0x0b, 0x02, 0x31, 0x13, 0x04, 0x02, 0x5e, 0x5e})
	f.Fuzz(func(t *testing.T, b []byte) {
		nd, err := Decode(b)
		if err != nil {
			return
		}
		if _, err := json.Marshal(nd.Model("fuzz")); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseShow(f *testing.F) {
	for _, p := range transcripts(f) {
		f.Add(strings.Join(showBody(f, p), "\n"))
	}
	f.Fuzz(func(t *testing.T, s string) {
		nd, err := ParseShow(strings.Split(s, "\n"))
		if err == nil {
			nd.Model("fuzz")
		}
	})
}
