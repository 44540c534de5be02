package otbr

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/topology"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// Fixtures seen from thread/otbr.
var (
	fixtures      = topologytest.Fixtures()
	legacyDir     = filepath.Join(fixtures, "openthread", "small", "otbr-rest-2025-09-legacy")
	currentDir    = filepath.Join(fixtures, "openthread", "small-current", "otbr-rest")
	queryDir      = filepath.Join(currentDir, "query-tlvs-sequential")
	otbrRESTDir   = filepath.Join(fixtures, "otbr_rest")
	secretsLegacy = []string{"00112233445566778899aabbccddeeff", "f0bfd24237b50cef4e3d6553ea4557b9"}
)

func readFixture(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeDiagnosticsFixtures(t *testing.T) {
	cases := []struct {
		file    string
		form    DiagnosticsBody
		entries int
		// the entry to check closely
		ext   string
		rloc  topology.Rloc16
		mode  string
		links int // route entries with a link
		kids  int // child table rows
	}{
		{filepath.Join(legacyDir, "15_GET_diagnostics.body"), BodyLegacy, 5, "46ddeb7bff6bb9b4", 0x3800, "rdn", 2, 2},
		{filepath.Join(legacyDir, "17_GET_diagnostics_again.body"), BodyLegacy, 5, "7a56f2be7e3d0d0b", 0xf000, "rdn", 2, 1},
		{filepath.Join(currentDir, "36_GET_api_diagnostics.body"), BodyJSONAPI, 9, "eeb4e5ab8fbf07e8", 0xf800, "rdn", 2, 2},
		{filepath.Join(currentDir, "37_GET_api_diagnostics_plainjson.body"), BodyPlainJSON, 9, "d6232969c413030b", 0xd002, "rn", 0, 0},
		{filepath.Join(currentDir, "38_GET_api_diagnostics_item.body"), BodyJSONAPI, 1, "8eb0043d8ac6f721", 0xc800, "rdn", 1, 0},
		{filepath.Join(queryDir, "06_GET_api_diagnostics.body"), BodyJSONAPI, 13, "66901f4604d368fe", 0xf801, "-", 0, 0},
		{filepath.Join(queryDir, "07_GET_api_diagnostics_plainjson.body"), BodyPlainJSON, 13, "a698f01e4e296706", 0xe000, "rdn", 1, 2},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			diags, form, skipped, err := DecodeDiagnostics(readFixture(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if form != tc.form || len(diags) != tc.entries || skipped != 0 {
				t.Fatalf("form %s, %d entries, %d skipped; want %s, %d, 0", form, len(diags), skipped, tc.form, tc.entries)
			}
			var d *diag.Message
			for i := range diags {
				m := diags[i].Message
				if m.ExtAddress != nil && m.ExtAddress.String() == tc.ext && m.Mode != nil {
					d = m
				}
			}
			if d == nil {
				t.Fatalf("no full entry for %s", tc.ext)
			}
			if d.Address16 == nil || *d.Address16 != tc.rloc || d.Mode.Topology().String() != tc.mode {
				t.Errorf("rloc16 %v mode %v, want %s %s", d.Address16, d.Mode, tc.rloc, tc.mode)
			}
			links := 0
			if d.Route64 != nil {
				for _, e := range d.Route64.Routes {
					if e.HasLink() {
						links++
					}
				}
			}
			if links != tc.links || len(d.ChildTable) != tc.kids {
				t.Errorf("%d links, %d child table rows; want %d, %d", links, len(d.ChildTable), tc.links, tc.kids)
			}
			if d.LeaderData == nil || len(d.IPv6Addresses) == 0 || d.MacCounters == nil {
				t.Errorf("leader data %v, %d addresses, MAC counters %v", d.LeaderData, len(d.IPv6Addresses), d.MacCounters)
			}
		})
	}
}

// TestPlainJSONEqualsJSONAPI: both forms of one answer decode the same.
func TestPlainJSONEqualsJSONAPI(t *testing.T) {
	for _, pair := range [][2]string{
		{filepath.Join(currentDir, "36_GET_api_diagnostics.body"), filepath.Join(currentDir, "37_GET_api_diagnostics_plainjson.body")},
		{filepath.Join(queryDir, "06_GET_api_diagnostics.body"), filepath.Join(queryDir, "07_GET_api_diagnostics_plainjson.body")},
	} {
		a, _, _, err := DecodeDiagnostics(readFixture(t, pair[0]))
		if err != nil {
			t.Fatal(err)
		}
		b, _, _, err := DecodeDiagnostics(readFixture(t, pair[1]))
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != len(b) {
			t.Fatalf("%d and %d answers", len(a), len(b))
		}
		for i := range a {
			if a[i].ID == "" || b[i].ID != "" {
				t.Errorf("answer %d: JSON:API id %q, plain JSON id %q", i, a[i].ID, b[i].ID)
			}
			a[i].ID = ""
			if !reflect.DeepEqual(a[i], b[i]) {
				t.Errorf("%s and %s decode differently at %d", filepath.Base(pair[0]), filepath.Base(pair[1]), i)
			}
		}
	}
}

// TestQueryTLVs: the Child, Child IPv6 and Router Neighbor TLVs decode
// with their link statistics.
func TestQueryTLVs(t *testing.T) {
	diags, _, _, err := DecodeDiagnostics(readFixture(t, filepath.Join(queryDir, "06_GET_api_diagnostics.body")))
	if err != nil {
		t.Fatal(err)
	}
	var n3 *diag.Message
	for i := range diags {
		if m := diags[i].Message; m.ExtAddress.String() == "eeb4e5ab8fbf07e8" && m.ChildrenEnd {
			n3 = m
		}
	}
	if n3 == nil {
		t.Fatal("no query answer of n3")
	}
	if len(n3.Children) != 2 || n3.Children[0].ExtAddress.String() != "66901f4604d368fe" || n3.Children[0].Mode().String() != "-" ||
		n3.Children[0].Timeout != 240 || n3.Children[1].LinkMargin != 78 || n3.Children[1].AverageRSSI != -22 {
		t.Errorf("children %+v", n3.Children)
	}
	if len(n3.ChildIPv6) != 2 || n3.ChildIPv6[1].Rloc16 != 0xf802 || len(n3.ChildIPv6[1].Addresses) != 2 || !n3.ChildIPv6End {
		t.Errorf("child ipv6 %+v", n3.ChildIPv6)
	}
	if len(n3.RouterNeighbors) != 2 || !n3.RouterNeighborsEnd {
		t.Errorf("router neighbors %+v", n3.RouterNeighbors)
	}
}

func TestDecodeResources(t *testing.T) {
	// /api/devices: the MEDs arrive with rx-on and device type swapped.
	devs, err := DecodeDevices(readFixture(t, filepath.Join(currentDir, "23_GET_api_devices.body")))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := DecodeDevices(readFixture(t, filepath.Join(currentDir, "24_GET_api_devices_plainjson.body")))
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 9 || len(plain) != 9 {
		t.Fatalf("%d and %d devices, want 9", len(devs), len(plain))
	}
	modes := map[string]string{}
	for _, d := range devs {
		modes[d.ExtAddr.String()] = d.Mode.String() + " " + d.TrueMode().String()
	}
	for ext, want := range map[string]string{
		"d6232969c413030b": "dn rn", "1adbdd583b9a7286": "dn rn", // MEDs: the bug, undone
		"523d1e635ee46754": "rdn rdn", "66901f4604d368fe": "- -", "5a7324b8eee603d2": "rdn rdn",
	} {
		if modes[ext] != want {
			t.Errorf("%s: mode/true mode %q, want %q", ext, modes[ext], want)
		}
	}
	var br *Device
	for i := range devs {
		if devs[i].Type == "threadBorderRouter" {
			br = &devs[i]
		}
	}
	if br == nil || br.Node == nil || !br.Node.Attached() || *br.Node.Rloc16 != 0xc800 || br.Node.NetworkName != "OTLAB-small" {
		t.Errorf("border router item %+v", br)
	}
	// /api/node before the device collection task: the stale startup item.
	stale, err := DecodeNode(readFixture(t, filepath.Join(currentDir, "18_GET_api_node.body")))
	if err != nil || stale.Attached() {
		t.Errorf("stale /api/node: %+v %v", stale, err)
	}
	fresh, err := DecodeNode(readFixture(t, filepath.Join(currentDir, "40_GET_api_node_after.body")))
	if err != nil || !fresh.Attached() || fresh.LeaderData.LeaderRouterID != 56 {
		t.Errorf("fresh /api/node: %+v %v", fresh, err)
	}
	for _, f := range []string{filepath.Join(legacyDir, "01_GET_node.body"), filepath.Join(currentDir, "01_GET_node.body")} {
		n, err := DecodeNode(readFixture(t, f))
		if err != nil || !n.Attached() || n.Rloc16 == nil || n.ExtPanID != "5a11000000000001" {
			t.Errorf("%s: %+v %v", f, n, err)
		}
	}
	for _, f := range []string{filepath.Join(legacyDir, "11_GET_node_dataset_active.body"), filepath.Join(currentDir, "11_GET_node_dataset_active.body")} {
		ds, err := DecodeDataset(readFixture(t, f))
		if err != nil || ds.NetworkName != "OTLAB-small" || *ds.PanID != 0x5a11 || ds.Channel != 15 || ds.MeshLocalPrefix != "fd00:5a11::/64" {
			t.Errorf("%s: %+v %v", f, ds, err)
		}
	}
	wk, err := DecodeWellKnown(readFixture(t, filepath.Join(currentDir, "17_GET_.well-known_thread_br-rest.body")))
	if err != nil || wk.Version != "0.4.0" || wk.Base != "/api/" {
		t.Errorf("well-known %+v %v", wk, err)
	}
	acts, err := DecodeActions(readFixture(t, filepath.Join(currentDir, "35_GET_api_actions.body")))
	if err != nil || len(acts) != 10 || acts[0].Status != "completed" || acts[0].ResultID != "59691e3c-433c-4fd1-b700-1e46109b5256" {
		t.Errorf("actions %+v %v", acts, err)
	}
	posted, err := DecodeActions(readFixture(t, filepath.Join(currentDir, "22_POST_api_actions_updateDeviceCollectionTask.body")))
	if err != nil || len(posted) != 1 || posted[0].Status != "pending" || posted[0].ID == "" {
		t.Errorf("posted %+v %v", posted, err)
	}
}

// TestClassifyCaptures: every saved answer in the capture directories is
// recognised or deliberately left out (metadata, error documents, bare
// values of /node/* leaves).
func TestClassifyCaptures(t *testing.T) {
	want := map[string]string{
		"01_GET_node.body": "node", "11_GET_node_dataset_active.body": "dataset", "15_GET_diagnostics.body": "diagnostics",
		"17_GET_diagnostics_again.body": "diagnostics", "23_GET_api_devices.body": "devices",
		"24_GET_api_devices_plainjson.body": "devices", "36_GET_api_diagnostics.body": "diagnostics",
		"37_GET_api_diagnostics_plainjson.body": "diagnostics", "18_GET_api_node.body": "devices",
	}
	for _, dir := range []string{legacyDir, currentDir} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			kind, err := Classify(readFixture(t, filepath.Join(dir, e.Name())))
			if w, ok := want[e.Name()]; ok && dir == legacyDir || ok && !strings.HasPrefix(e.Name(), "15_") {
				if kind != w {
					t.Errorf("%s/%s: %q (%v), want %q", filepath.Base(dir), e.Name(), kind, err, w)
				}
			}
			if strings.HasSuffix(e.Name(), ".meta.json") && kind != "" {
				t.Errorf("%s: metadata classified as %q", e.Name(), kind)
			}
		}
	}
}

// TestDocsExamplesDecode: the OpenAPI document's examples and the REST
// README's examples decode. Both are third-party documents that stay in
// ../shared (not copied into testdata).
func TestDocsExamplesDecode(t *testing.T) {
	docs := topologytest.Shared(t, "fixtures", "otbr_rest")
	var spec map[string]any
	if err := yaml.Unmarshal(readFixture(t, filepath.Join(docs, "ot-br-posix_openapi.yaml")), &spec); err != nil {
		t.Fatal(err)
	}
	paths := spec["paths"].(map[string]any)
	decoders := map[string]func([]byte) error{
		"/api/diagnostics": func(b []byte) error { _, _, _, err := DecodeDiagnostics(b); return err },
		"/api/diagnostics/{diagnosticsId}": func(b []byte) error {
			_, _, _, err := DecodeDiagnostics(b)
			return err
		},
		"/api/devices":            func(b []byte) error { _, err := DecodeDevices(b); return err },
		"/api/devices/{deviceId}": func(b []byte) error { _, err := DecodeDevices(b); return err },
		"/api/node":               func(b []byte) error { _, err := DecodeNode(b); return err },
		"/api/actions":            func(b []byte) error { _, err := DecodeActions(b); return err },
		"/api/actions/{actionId}": func(b []byte) error { _, err := DecodeActions(b); return err },
	}
	decoded := 0
	var diagItems int
	for path, dec := range decoders {
		get := paths[path].(map[string]any)["get"].(map[string]any)
		content := get["responses"].(map[string]any)["200"].(map[string]any)["content"].(map[string]any)
		for media, c := range content {
			cm := c.(map[string]any)
			var examples []any
			if ex, ok := cm["example"]; ok {
				examples = append(examples, ex)
			}
			if exs, ok := cm["examples"].(map[string]any); ok {
				for _, e := range exs {
					examples = append(examples, e.(map[string]any)["value"])
				}
			}
			for _, ex := range examples {
				b, err := json.Marshal(ex)
				if err != nil {
					t.Fatal(err)
				}
				if err := dec(b); err != nil {
					t.Errorf("%s %s example: %v", path, media, err)
				}
				if path == "/api/diagnostics" && media == mediaJSONAPI {
					d, _, skipped, _ := DecodeDiagnostics(b)
					diagItems += len(d) + skipped
				}
				decoded++
			}
		}
	}
	t.Logf("decoded %d OpenAPI examples, %d diagnostics items", decoded, diagItems)
	if decoded < 10 || diagItems < 3 {
		t.Errorf("decoded %d examples (%d diagnostics items); the document has more", decoded, diagItems)
	}
	// README examples: illustrative, with <placeholders> and trailing commas.
	readme := string(readFixture(t, filepath.Join(docs, "ot-br-posix_rest_README_examples.txt")))
	placeholder := regexp.MustCompile(`<[^>]*>`)
	trailing := regexp.MustCompile(`,(\s*[\]}])`)
	blocks := strings.Split(readme, "##### example ")[1:]
	for i, blk := range blocks {
		body := blk[strings.Index(blk, "\n"):]
		body = regexp.MustCompile(`"<[^>]*>"`).ReplaceAllString(body, `"placeholder"`)
		body = placeholder.ReplaceAllStringFunc(body, func(s string) string {
			if strings.Contains(s, "timestamp") {
				return `"2025-01-01T00:00:00Z"`
			}
			return `"fd00::1"`
		})
		body = trailing.ReplaceAllString(body, "$1")
		var err error
		if i == 0 {
			var devs []Device
			devs, err = DecodeDevices([]byte(body))
			if err == nil && len(devs) != 2 {
				t.Errorf("README example 1: %d devices, want 2", len(devs))
			}
		} else {
			_, err = DecodeActions([]byte(body))
		}
		if err != nil {
			t.Errorf("README example %d: %v", i+1, err)
		}
	}
}

// TestPythonOTBRAPIAnswersDecode: python-otbr-api's mocked answers decode.
func TestPythonOTBRAPIAnswersDecode(t *testing.T) {
	var lib map[string]json.RawMessage
	if err := json.Unmarshal(readFixture(t, filepath.Join(otbrRESTDir, "python-otbr-api_responses.json")), &lib); err != nil {
		t.Fatal(err)
	}
	for k, v := range lib {
		switch {
		case strings.HasPrefix(k, "GET /node/dataset/active (") && !strings.Contains(k, "text/plain"):
			ds, err := DecodeDataset(v)
			if err != nil || ds.NetworkName != "OpenThread HA" || ds.ExtPanID != "8478e3379e047b92" || *ds.PanID != 33991 {
				t.Errorf("%s: %+v %v", k, ds, err)
			}
		case strings.HasPrefix(k, "GET /api/actions"):
			if _, err := DecodeActions(v); err != nil {
				t.Errorf("%s: %v", k, err)
			}
		}
	}
}

func TestDecodeErrorsNameTheSpot(t *testing.T) {
	cases := map[string]string{
		`[{"ExtAddress": "AE983C48B31EB30A", "Rloc16": "x"}]`:                                                            "diagnostics[0].rloc16",
		`[{"extAddress": "ae983c48b31eb30a", "route": {"routeData": [{"routeId": 70}]}}]`:                                "routeData[0]",
		`{"data": [{"type": "networkDiagnostics", "attributes": {"rloc16": "0x5000", "childTable": [{"childId": 0}]}}]}`: "childTable[0].childId",
		`{"data": 5}`: "want a JSON array",
		`[1, 2]`:      "diagnostics[0]",
		``:            "empty",
	}
	for body, want := range cases {
		_, _, _, err := DecodeDiagnostics([]byte(body))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one naming %q", body, err, want)
		}
	}
}

// TestDatasetErrorsKeepSecrets: a malformed dataset's error never echoes
// the key material.
func TestDatasetErrorsKeepSecrets(t *testing.T) {
	body := `{"networkKey": "00112233445566778899aabbccddeeff", "pskc": "f0bfd24237b50cef4e3d6553ea4557b9", "panId": "00112233445566778899aabbccddeeff"}`
	_, err := DecodeDataset([]byte(body))
	if err == nil {
		t.Fatal("want an error for a string panId")
	}
	for _, s := range secretsLegacy {
		if strings.Contains(strings.ToLower(err.Error()), s) {
			t.Errorf("error %q carries a secret", err)
		}
	}
}

// TestClassifyPlainDevicesBorderRouterFirst: a plain-JSON device list that
// starts with the border router (which has rloc16) is still devices.
func TestClassifyPlainDevicesBorderRouterFirst(t *testing.T) {
	body := `[{"extAddress": "8eb0043d8ac6f721", "mlEidIid": "53184d171b093c51", "role": "router", "rloc16": "0xc800", "baId": "ea12"},
	          {"extAddress": "5a7324b8eee603d2", "mlEidIid": "832324e86f1eb3a8", "role": "router"}]`
	if kind, err := Classify([]byte(body)); kind != "devices" {
		t.Errorf("classified %q (%v), want devices", kind, err)
	}
}
