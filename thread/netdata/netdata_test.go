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

func TestBorderRoutersRealCapture(t *testing.T) {
	for _, nd := range realNetworkData(t) {
		got, err := BorderRouters(nd)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, []uint16{0xc800}) {
			t.Errorf("border routers %04x, want [c800] (the OTBR)", got)
		}
	}
}

func TestBorderRouters(t *testing.T) {
	tests := []struct {
		name, hex string
		want      []uint16
		err       string
	}{
		{"empty", "", nil, ""},
		{"short border router entry", "030f" + "0040" + "fd00000000000001" + "0503" + "140000", nil, "not a multiple"},
		{"two routers", "0319" + "0040" + "fd00000000000001" + "0508" + "14003100" + "2c003100" + "0103" + "140000", []uint16{0x1400, 0x2c00}, ""},
		{"external route only", "030c" + "0000" + "0103" + "500000" + "0103" + "500040", []uint16{0x5000}, ""},
		{"truncated", "0314", nil, "runs past the end"},
		{"bad prefix length", "0302" + "00ff", nil, "prefix length 255"},
		{"prefix past TLV", "0303" + "0040" + "fd", nil, "runs past the TLV"},
		{"short prefix TLV", "0301" + "00", nil, "shorter than"},
		{"half header", "03", nil, "truncated header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := hex.DecodeString(tt.hex)
			if err != nil {
				t.Fatal(err)
			}
			got, err := BorderRouters(b)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %04x, %v; want %04x", got, err, tt.want)
			}
		})
	}
}

func FuzzBorderRouters(f *testing.F) {
	for _, nd := range realNetworkData(f) {
		f.Add(nd)
	}
	f.Add([]byte{0x03, 0x0e, 0, 64, 0xfd, 0, 0, 0, 0, 0, 0, 1, 0x05, 0x04, 0x14, 0, 0x31, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := BorderRouters(b)
		if err == nil && len(rs) > len(b)/3 {
			t.Fatalf("%d routers from %d bytes", len(rs), len(b))
		}
	})
}
