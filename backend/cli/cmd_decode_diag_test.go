package cli

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"github.com/threadmap/threadmap/thread/topology"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// realAnswer is the leader's answer to n2's unicast DIAG_GET in the small
// OpenThread mesh (fixtures/openthread/small/diag/netdiag_unicast_0x2400.txt).
func realAnswer(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(otFixtures, "small", "diag", "netdiag_unicast_0x2400.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.Index(line, "2400: "); strings.HasPrefix(line, "DIAG_GET") && i > 0 {
			return strings.TrimSpace(line[i+6:])
		}
	}
	t.Fatal("no answer line in fixture")
	return ""
}

func TestDecodeDiag(t *testing.T) {
	raw := realAnswer(t)
	b, _ := hex.DecodeString(raw)
	var parts []string
	for i := 0; i < len(raw); i += 2 {
		parts = append(parts, raw[i:i+2])
	}
	spaced := strings.Join(parts, " ")
	colons := strings.Join(parts, ":")
	dir := t.TempDir()
	hexFile := filepath.Join(dir, "answer.hex")
	binFile := filepath.Join(dir, "answer.bin")
	os.WriteFile(hexFile, []byte("0x"+raw[:20]+"\n"+raw[20:]+"\n"), 0o644)
	os.WriteFile(binFile, b, 0o644)
	for _, tc := range []struct {
		name, stdin string
		args        []string
	}{
		{"hex", "", []string{"decode", "diag", raw}},
		{"spaced", "", []string{"decode", "diag", spaced}},
		{"colons", "", []string{"decode", "diag", colons}},
		{"stdin", spaced + "\n", []string{"decode", "diag", "-"}},
		{"hex file", "", []string{"decode", "diag", hexFile}},
		{"binary file", "", []string{"decode", "diag", binFile}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := runCLIEnv(t, tc.stdin, nil, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var got struct {
				Length int `json:"length"`
				TLVs   []struct {
					Type     int    `json:"type"`
					Name     string `json:"name"`
					ValueHex string `json:"value_hex"`
				} `json:"tlvs"`
				Message struct {
					ExtAddress string `json:"ext_address"`
					Rloc16     string `json:"rloc16"`
					Route64    struct {
						Routes []struct {
							RouterID int `json:"router_id"`
							LQIn     int `json:"lq_in"`
						} `json:"routes"`
					} `json:"route64"`
					LeaderData struct {
						PartitionID uint32 `json:"partition_id"`
					} `json:"leader_data"`
					ChildTable []struct {
						ChildID int `json:"child_id"`
					} `json:"child_table"`
					StackVersion string `json:"thread_stack_version"`
				} `json:"message"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			m := got.Message
			if got.Length != len(b) || len(got.TLVs) != 18 || got.TLVs[4].Name != "Route64" {
				t.Errorf("split: length %d, %d TLVs", got.Length, len(got.TLVs))
			}
			if m.ExtAddress != "ae983c48b31eb30a" || m.Rloc16 != "0x2400" || m.LeaderData.PartitionID != 0x3b52b7ab {
				t.Errorf("decoded: %+v", m)
			}
			if len(m.Route64.Routes) != 3 || m.Route64.Routes[2].RouterID != 60 || m.Route64.Routes[2].LQIn != 3 {
				t.Errorf("route64: %+v", m.Route64)
			}
			if len(m.ChildTable) != 2 || m.ChildTable[1].ChildID != 3 {
				t.Errorf("child table: %+v", m.ChildTable)
			}
			if !strings.HasPrefix(m.StackVersion, "OPENTHREAD/") {
				t.Errorf("stack version %q", m.StackVersion)
			}
		})
	}
}

func TestDecodeDiagBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no argument", []string{"decode", "diag"}, 2, "usage"},
		{"not hex", []string{"decode", "diag", "zz"}, 2, "neither a file nor hex"},
		{"odd digits", []string{"decode", "diag", "000"}, 2, "odd number"},
		{"truncated", []string{"decode", "diag", "0008ae98"}, 1, "ExtMacAddress(0) at byte 0"},
		{"duplicate", []string{"decode", "diag", "010224000102f000"}, 1, "Address16(1) at byte 4: duplicate"},
		{"route64 wrong size", []string{"decode", "diag", "0102f000" + "050b00" + "8000000000000000" + "3333"}, 1, "Route64(5) at byte 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d (want %d), stderr %q (want %q), stdout %q", code, tc.code, errs, tc.want, out)
			}
		})
	}
}

// TestDecodeDiagNetworkData: the OTBR's network data in a real answer
// (small-current, query for TLV 7) is printed decoded.
func TestDecodeDiagNetworkData(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(otFixtures, "small-current", "diag", "netdiag_ff03-1_netdata.txt"))
	if err != nil {
		t.Fatal(err)
	}
	raw := ""
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.Index(line, "d000: "); strings.HasPrefix(line, "DIAG_GET") && i > 0 {
			raw = strings.TrimSpace(line[i+6:])
			break
		}
	}
	out, errs, code := runCLI(t, "decode", "diag", raw)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		NetworkData struct {
			Prefixes []struct {
				Prefix        string `json:"prefix"`
				BorderRouters []struct {
					Rloc16     string `json:"rloc16"`
					Preference string `json:"preference"`
					OnMesh     bool   `json:"on_mesh"`
				} `json:"border_routers"`
				Routes []struct {
					Rloc16 string `json:"rloc16"`
					AdvPIO bool   `json:"adv_pio"`
				} `json:"routes"`
			} `json:"prefixes"`
			Services []struct {
				Kind    string `json:"kind"`
				Servers []struct {
					Address string `json:"address"`
					Port    int    `json:"port"`
				} `json:"servers"`
			} `json:"services"`
		} `json:"network_data"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	nd := got.NetworkData
	// The API's shape exactly: network_data decodes strictly into the model.
	var raw2 struct {
		NetworkData json.RawMessage `json:"network_data"`
	}
	json.Unmarshal([]byte(out), &raw2)
	dec := json.NewDecoder(bytes.NewReader(raw2.NetworkData))
	dec.DisallowUnknownFields()
	var model topology.NetworkData
	if err := dec.Decode(&model); err != nil || model.Source != "diag" || model.Prefixes[0].BorderRouters[0].Node != "rloc:0xc800" {
		t.Errorf("network_data is not the API's shape: %v %+v", err, model)
	}
	if len(nd.Prefixes) != 2 || nd.Prefixes[0].Prefix != "fd95:9c6e:cffc:1::/64" || len(nd.Prefixes[0].BorderRouters) != 1 ||
		nd.Prefixes[0].BorderRouters[0].Rloc16 != "0xc800" || nd.Prefixes[0].BorderRouters[0].Preference != "low" ||
		!nd.Prefixes[0].BorderRouters[0].OnMesh || len(nd.Prefixes[1].Routes) != 1 || !nd.Prefixes[1].Routes[0].AdvPIO {
		t.Errorf("prefixes %+v", nd.Prefixes)
	}
	if len(nd.Services) != 1 || nd.Services[0].Kind != "srp-unicast" || nd.Services[0].Servers[0].Port != 53536 {
		t.Errorf("services %+v", nd.Services)
	}
	// Broken network data: printed raw with the error, exit 1.
	out, errs, code = runCLI(t, "decode", "diag", "0704"+"0302"+"00ff")
	if code != 1 || !strings.Contains(errs, "TLV type 1 at byte 0: prefix length 255") || !strings.Contains(out, `"network_data_error"`) {
		t.Errorf("exit %d, stderr %q, stdout %q", code, errs, out)
	}
}
