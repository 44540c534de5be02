package netdata

import (
	"bufio"
	"encoding/hex"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// realNetworkData reads the Network Data lines of a real OpenThread capture
// (the current OTBR joined as router 0xc800).
func realNetworkData(t testing.TB) [][]byte {
	path := topologytest.OpenThread("small-current", "diag", "netdiag_ff03-1_netdata.txt")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		if h, ok := strings.CutPrefix(sc.Text(), "Network Data: "); ok {
			b, err := hex.DecodeString(strings.TrimSpace(h))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		t.Fatal("no Network Data lines in the fixture")
	}
	return out
}

// TestBorderRouterEntries: the RLOC16s Decode finds in Border Router and
// Has Route entries, on the real capture (the OTBR 0xc800, nothing else)
// and on hand-made data.
func TestBorderRouterEntries(t *testing.T) {
	rlocs := func(nd *NetworkData) []uint16 {
		var out []uint16
		for _, p := range nd.Prefixes {
			for _, b := range p.BorderRouters {
				out = append(out, uint16(b.Rloc16))
			}
			for _, r := range p.Routes {
				out = append(out, uint16(r.Rloc16))
			}
		}
		return out
	}
	for _, b := range realNetworkData(t) {
		nd, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if got := rlocs(nd); !reflect.DeepEqual(got, []uint16{0xc800, 0xc800}) {
			t.Errorf("border router and route entries %04x, want the OTBR c800 twice (on-mesh prefix, route)", got)
		}
	}
	for _, tt := range []struct {
		name, hex string
		want      []uint16
		err       string
	}{
		{"two routers", "0319" + "0040" + "fd00000000000001" + "0508" + "14003100" + "2c003100" + "0103" + "140000", []uint16{0x1400, 0x2c00, 0x1400}, ""},
		{"external route only", "030c" + "0000" + "0103" + "500000" + "0103" + "500040", []uint16{0x5000, 0x5000}, ""},
		{"prefix past TLV", "0303" + "0040" + "fd", nil, "runs past the TLV"},
		{"short prefix TLV", "0301" + "00", nil, "shorter than"},
		{"half header", "03", nil, "truncated header"},
	} {
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
			if err != nil || !reflect.DeepEqual(rlocs(nd), tt.want) {
				t.Errorf("got %04x, %v; want %04x", rlocs(nd), err, tt.want)
			}
		})
	}
}
