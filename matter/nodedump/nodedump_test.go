package nodedump

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

var fixtureDir = topologytest.Fixtures("matter_nodes", "ha_core")

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every real dump decodes; what the README table says about each holds.
func TestEveryFixtureDecodes(t *testing.T) {
	cases := []struct {
		file           string
		thread         bool
		role           RoutingRole
		neighbors      int // -1: no table
		wantNetName    string
		redacted       bool
		interfaceType  InterfaceType
		vendor, produc string
	}{
		{"aqara_door_window_p2.json", false, 0, -1, "", false, InterfaceThread, "Aqara", "Aqara Door and Window Sensor P2"},
		{"aqara_u200.json", false, 0, -1, "", false, InterfaceThread, "Aqara", "Aqara Smart Lock U200"},
		{"aqara_shutter_switch_h2.json", true, RoleREED, 3, "MyHome", false, InterfaceThread, "Aqara", "Aqara Shutter Switch H2 EU"},
		{"aqara_thermostat_w500.json", true, RoleRouter, 10, "", true, InterfaceThread, "Aqara", "Floor Heating Thermostat W500"},
		{"eve_contact_sensor.json", true, RoleSleepyEndDevice, 1, "MyHome1425454932", false, InterfaceThread, "Eve Systems", "Eve Door"},
		{"eve_energy_20ecn4101.json", true, RoleRouter, 21, "MyHome********", false, InterfaceThread, "Eve Systems", "Eve Energy 20ECN4101"},
		{"eve_energy_plug.json", true, RoleRouter, 8, "MyHome23", false, InterfaceThread, "Eve Systems", "Eve Energy Plug"},
		{"eve_shutter.json", true, RoleRouter, 8, "MyHome", false, InterfaceThread, "Eve Systems", "Eve Shutter Switch 20ECI1701"},
		{"eve_thermo_v4.json", true, RoleSleepyEndDevice, 0, "", true, 0, "Eve Systems", "Eve Thermo 20EBP1701"},
		{"eve_thermo_v5.json", true, RoleSleepyEndDevice, 1, "MyHome", false, InterfaceThread, "Eve Systems", "Eve Thermo 20ECD1701"},
		{"eve_weather_sensor.json", true, RoleSleepyEndDevice, 0, "", true, 0, "Eve Systems", "Eve Weather"},
		{"ikea_air_quality_monitor.json", true, RoleRouter, 3, "Thread Beverage", false, InterfaceThread, "IKEA of Sweden", "ALPSTUGA air quality monitor"},
		{"zemismart_mt25b.json", true, RoleSleepyEndDevice, 1, "MyHome36", false, InterfaceThread, "Zemismart Technology Limited", "Zemismart MT25B Roller Motor"},
	}
	entries, err := os.ReadDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(cases) {
		t.Fatalf("%d fixture files, %d cases: a new dump needs a row", len(entries), len(cases))
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			dumps, err := ParseDocument(fixture(t, c.file), c.file)
			if err != nil {
				t.Fatal(err)
			}
			n, err := Decode(dumps[0].Data)
			if err != nil {
				t.Fatal(err)
			}
			if n.Basic.VendorName != c.vendor || n.Basic.ProductName != c.produc {
				t.Errorf("basic info %q %q", n.Basic.VendorName, n.Basic.ProductName)
			}
			if c.interfaceType != 0 {
				if ti := n.ThreadInterface(); ti == nil || len(ti.HardwareAddress) != 8 {
					t.Errorf("thread interface %+v", ti)
				}
			}
			if (n.Thread != nil) != c.thread {
				t.Fatalf("thread cluster present = %v, want %v", n.Thread != nil, c.thread)
			}
			if !c.thread {
				return
			}
			if n.Thread.RoutingRole == nil || *n.Thread.RoutingRole != c.role {
				t.Errorf("role %v, want %v", n.Thread.RoutingRole, c.role)
			}
			if len(n.Thread.NeighborTable) != c.neighbors || n.Thread.NeighborTable == nil {
				t.Errorf("neighbors %d (nil %v), want %d", len(n.Thread.NeighborTable), n.Thread.NeighborTable == nil, c.neighbors)
			}
			if c.redacted {
				if n.Thread.NetworkName != "" || len(n.Thread.Redacted) == 0 {
					t.Errorf("redacted name decoded as %q (redacted %v)", n.Thread.NetworkName, n.Thread.Redacted)
				}
			} else if n.Thread.NetworkName != c.wantNetName {
				t.Errorf("network name %q, want %q", n.Thread.NetworkName, c.wantNetName)
			}
		})
	}
}

func TestFixtureValues(t *testing.T) {
	dec := func(file string) *Node {
		d, err := ParseDocument(fixture(t, file), file)
		if err != nil {
			t.Fatal(err)
		}
		n, err := Decode(d[0].Data)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Older dump: structs keyed by field name.
	n := dec("eve_contact_sensor.json")
	if sp := n.Thread.SecurityPolicy; sp == nil || sp.RotationTime != 672 || sp.Flags != 8335 {
		t.Errorf("security policy %+v", sp)
	}
	if c := n.Thread.OperationalDatasetComponents; !c[0] || c[1] || !c[2] || !c[11] || len(c) != 12 {
		t.Errorf("dataset components %v", c)
	}
	if n.Thread.MeshLocalPrefix == nil || n.Thread.MeshLocalPrefix.String() != "fd52:fe74:9563::/64" {
		t.Errorf("mesh-local prefix %v", n.Thread.MeshLocalPrefix)
	}
	if n.Thread.Counters["tx_total_count"] != 2614 || n.Thread.Counters["rx_err_fcs_count"] != 2 || n.Thread.Counters["child_role_count"] != 1 {
		t.Errorf("counters %v", n.Thread.Counters)
	}
	if n.Thread.ClusterRevision != 1 || n.Thread.FeatureMap != 15 || *n.Thread.LeaderRouterID != 1 || *n.Thread.PanID != 4895 || *n.Thread.Channel != 25 {
		t.Errorf("revision %d features %d leader %v pan %v", n.Thread.ClusterRevision, n.Thread.FeatureMap, n.Thread.LeaderRouterID, n.Thread.PanID)
	}
	// Newer dump: the same structs keyed by number.
	n = dec("eve_thermo_v5.json")
	if sp := n.Thread.SecurityPolicy; sp == nil || sp.RotationTime != 672 || sp.Flags != 143 {
		t.Errorf("security policy %+v", sp)
	}
	if n.Thread.ClusterRevision != 3 || n.Thread.ExtAddress != nil || n.Thread.Rloc16 != nil {
		t.Errorf("revision 3 without 63/64: %d %v %v", n.Thread.ClusterRevision, n.Thread.ExtAddress, n.Thread.Rloc16)
	}
	// Nulls for 63/64.
	n = dec("aqara_shutter_switch_h2.json")
	if n.Thread.ExtAddress != nil || n.Thread.Rloc16 != nil || len(n.Problems) != 0 {
		t.Errorf("null 63/64: %v %v problems %v", n.Thread.ExtAddress, n.Thread.Rloc16, n.Problems)
	}
	// Hand-obfuscated base64: named problems, everything else decoded.
	n = dec("eve_energy_plug.json")
	if n.Thread.MeshLocalPrefix != nil {
		t.Errorf("bad prefix decoded as %v", n.Thread.MeshLocalPrefix)
	}
	joined := strings.Join(n.Problems, "\n")
	if !strings.Contains(joined, "0/53/5:") || !strings.Contains(joined, "0/51/0[0] field 6[0]") {
		t.Errorf("problems %v", n.Problems)
	}
	if len(n.Thread.RouteTable) != 13 || *n.Thread.ExtendedPanID != 8211480967175688173 {
		t.Errorf("rest not decoded")
	}
	// IKEA: no counters, FeatureMap 0.
	n = dec("ikea_air_quality_monitor.json")
	if n.Thread.Counters != nil || n.Thread.OverrunCount != nil || n.Thread.FeatureMap != 0 {
		t.Errorf("ikea counters %v overrun %v", n.Thread.Counters, n.Thread.OverrunCount)
	}
}

// Values in every encoding a dump may use.
func TestValueEncodings(t *testing.T) {
	doc := `{"node_id": 18446744073709551615, "available": true, "attributes": {
	  "0/53/4": 18446744073709551615,
	  "0/53/63": "3jP5Rq6mlcw=",
	  "0/53/64": 11267,
	  "0/53/1": {"TLVValue": null, "Reason": null},
	  "0/53/2": "**REDACTED**",
	  "0/53/5": "**REDACTED**",
	  "0/53/0": null,
	  "0/53/9": 4294967296,
	  "0/53/7": [{"0": "3jP5Rq6mlcw=", "2": 1024, "6": null, "13": true}, "junk", {"1": 5}],
	  "0/53/8": {"not": "a list"},
	  "0/51/0": [{"0": "ieee802154", "4": "!!!", "7": 4}],
	  "0/40/1": 7,
	  "bad/key": 1,
	  "1/53/0": 11
	}}`
	d, err := ParseDocument([]byte(doc), "inline")
	if err != nil {
		t.Fatal(err)
	}
	if d[0].Data.NodeID != math.MaxUint64 {
		t.Errorf("node id %d", d[0].Data.NodeID)
	}
	n, err := Decode(d[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	th := n.Thread
	if th == nil || th.ExtendedPanID == nil || *th.ExtendedPanID != math.MaxUint64 {
		t.Fatalf("2^64-1 ext PAN ID lost: %+v", th)
	}
	if th.ExtAddress == nil || *th.ExtAddress != 0xde33f946aea695cc {
		t.Errorf("base64 ext address %v", th.ExtAddress)
	}
	if th.Rloc16 == nil || *th.Rloc16 != 0x2c03 || th.RoutingRole != nil || th.Channel != nil || th.NetworkName != "" || th.MeshLocalPrefix != nil {
		t.Errorf("rloc %v role %v channel %v name %q", th.Rloc16, th.RoutingRole, th.Channel, th.NetworkName)
	}
	if th.PartitionID != nil {
		t.Errorf("33-bit partition id accepted")
	}
	if len(th.NeighborTable) != 1 || th.NeighborTable[0].ExtAddress != 0xde33f946aea695cc || th.NeighborTable[0].AverageRssi != nil || !th.NeighborTable[0].IsChild {
		t.Errorf("neighbors %+v", th.NeighborTable)
	}
	if th.RouteTable != nil {
		t.Errorf("route table from an object: %+v", th.RouteTable)
	}
	if len(th.Redacted) != 2 {
		t.Errorf("redacted %v", th.Redacted)
	}
	for _, want := range []string{"0/53/9:", "0/53/7[1]", "0/53/7[2]", "0/53/8:", "0/51/0[0] field 4", "0/40/1:", "bad/key"} {
		if !strings.Contains(strings.Join(n.Problems, "\n"), want) {
			t.Errorf("no problem named %q in %v", want, n.Problems)
		}
	}
}

func TestWrappers(t *testing.T) {
	node := string(fixture(t, "eve_thermo_v5.json"))
	info := `{"fabric_id": 1, "compressed_fabric_id": 18446744073709551615, "schema_version": 11, "min_supported_schema_version": 9, "sdk_version": "2025.1.0", "wifi_credentials_set": false, "thread_credentials_set": true, "bluetooth_enabled": false}`
	docs := map[string]string{
		"plain":                 node,
		"list":                  "[" + node + "," + node + "]",
		"ws result":             `{"message_id": "3", "result": [` + node + `]}`,
		"server diagnostics":    `{"info": ` + info + `, "nodes": [` + node + `], "events": []}`,
		"storage":               `{"vendor_info": {}, "nodes": {"12": ` + node + `}}`,
		"HA device diagnostics": `{"home_assistant": {"version": "2025.1"}, "integration_manifest": {"domain": "matter"}, "data": {"server_info": ` + info + `, "node": ` + node + `}}`,
		"HA entry diagnostics":  `{"home_assistant": {}, "data": {"server": {"info": ` + info + `, "nodes": [` + node + `], "events": []}}}`,
	}
	for name, doc := range docs {
		d, err := ParseDocument([]byte(doc), name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(d) == 0 || d[0].Data.NodeID != 12 || len(d[0].Data.Attributes) == 0 {
			t.Errorf("%s: %+v", name, d)
		}
	}
	for _, bad := range []string{``, `{`, `{"data": {"x": 1}}`, `[1,2]`, `{"node_id": "x", "attributes": {}}`, `{"node_id": 1, "attributes": []}`} {
		if _, err := ParseDocument([]byte(bad), "bad.json"); err == nil || !strings.Contains(err.Error(), "bad.json") {
			t.Errorf("%q: error %v, want one naming the file", bad, err)
		}
	}
}

func FuzzParseDocument(f *testing.F) {
	entries, _ := os.ReadDir(fixtureDir)
	for _, e := range entries {
		f.Add(fixture(f, e.Name()))
	}
	f.Add([]byte(`{"data": {"node": {"node_id": 1, "attributes": {"0/53/7": [{"0": 1e30}]}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dumps, err := ParseDocument(b, "fuzz")
		if err != nil {
			return
		}
		for _, d := range dumps {
			if _, err := Decode(d.Data); err != nil {
				t.Fatalf("decode after parse: %v", err)
			}
		}
	})
}

// FuzzAttributeValue feeds one attribute value of each kind threadmap reads.
func FuzzAttributeValue(f *testing.F) {
	for _, s := range []string{`[{"0": 12864791528929066571, "1": 12, "2": 11264, "5": 3, "6": -50, "13": false}]`,
		`"QP0ADbgAoAAA"`, `{"rotationTime": 672, "flags": 8335}`, `null`, `"**REDACTED**"`, `18446744073709551616`, `-1`} {
		f.Add("0/53/7", s)
		f.Add("0/53/5", s)
	}
	f.Add("0/51/0", `[{"0": "MyHome", "4": "3jP5Rq6mlcw=", "6": ["/QANuACgAAAAAAD//gAsAw=="], "7": 4}]`)
	f.Fuzz(func(t *testing.T, path, value string) {
		nd := &NodeData{NodeID: 1, Attributes: map[string]json.RawMessage{path: json.RawMessage(value)}}
		if _, err := Decode(nd); err != nil {
			t.Fatal(err)
		}
	})
}

// Values built in Go that are not one JSON value each must not shift the
// others in the one-pass decode.
func TestInvalidRawValues(t *testing.T) {
	nd := &NodeData{NodeID: 1, Attributes: map[string]json.RawMessage{
		"0/53/0": json.RawMessage(`[1`), "0/53/1": json.RawMessage(`2],3`), "0/53/3": json.RawMessage(`4660`), "0/53/9": json.RawMessage(`1 2`),
	}}
	n, err := Decode(nd)
	if err != nil {
		t.Fatal(err)
	}
	if n.Thread == nil || n.Thread.PanID == nil || *n.Thread.PanID != 4660 || n.Thread.Channel != nil || n.Thread.RoutingRole != nil || n.Thread.PartitionID != nil {
		t.Fatalf("thread %+v", n.Thread)
	}
	if len(n.Problems) != 3 {
		t.Errorf("problems %v", n.Problems)
	}
}

// BenchmarkDecodeFixtures decodes the 13 real dumps (one JSON pass per
// node); BenchmarkDecodeFixturesPerValue is the baseline that runs one
// decoder per attribute value.
func BenchmarkDecodeFixtures(b *testing.B) {
	nodes := benchNodes(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, nd := range nodes {
			if _, err := Decode(nd); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkDecodeFixturesPerValue(b *testing.B) {
	nodes := benchNodes(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, nd := range nodes {
			for _, raw := range nd.Attributes {
				if _, err := parseValue(raw); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

func benchNodes(b *testing.B) []*NodeData {
	dumps, err := ReadPath(context.Background(), fixtureDir)
	if err != nil {
		b.Fatal(err)
	}
	var out []*NodeData
	for _, d := range dumps {
		out = append(out, d.Data)
	}
	return out
}

// Older python-matter-server dumps key structs by field name; table entries
// in that form decode like the numeric form.
func TestTableFieldNames(t *testing.T) {
	named := `{"node_id": 9, "attributes": {"0/53/1": 5,
	  "0/53/7": [{"extAddress": 12872547289273451492, "age": 654, "rloc16": 1024, "linkFrameCounter": 738, "mleFrameCounter": 418, "lqi": 3,
	    "averageRssi": -50, "lastRssi": -51, "frameErrorRate": 5, "messageErrorRate": 0, "rxOnWhenIdle": true, "fullThreadDevice": true, "fullNetworkData": true, "isChild": false}],
	  "0/53/8": [{"extAddress": 12872547289273451492, "rloc16": 1024, "routerId": 1, "nextHop": 0, "pathCost": 0, "LQIIn": 3, "LQIOut": 3, "age": 142, "allocated": true, "linkEstablished": true}]}}`
	numbered := `{"node_id": 9, "attributes": {"0/53/1": 5,
	  "0/53/7": [{"0": 12872547289273451492, "1": 654, "2": 1024, "3": 738, "4": 418, "5": 3, "6": -50, "7": -51, "8": 5, "9": 0, "10": true, "11": true, "12": true, "13": false}],
	  "0/53/8": [{"0": 12872547289273451492, "1": 1024, "2": 1, "3": 0, "4": 0, "5": 3, "6": 3, "7": 142, "8": true, "9": true}]}}`
	dec := func(doc string) *ThreadNetworkDiagnostics {
		d, err := ParseDocument([]byte(doc), "inline")
		if err != nil {
			t.Fatal(err)
		}
		n, err := Decode(d[0].Data)
		if err != nil || len(n.Problems) > 0 {
			t.Fatalf("%v %v", err, n.Problems)
		}
		return n.Thread
	}
	a, b := dec(named), dec(numbered)
	if len(a.NeighborTable) != 1 || len(a.RouteTable) != 1 {
		t.Fatalf("named tables %+v", a)
	}
	if *a.NeighborTable[0].AverageRssi != *b.NeighborTable[0].AverageRssi || *a.NeighborTable[0].LastRssi != -51 {
		t.Errorf("rssi %v", a.NeighborTable[0])
	}
	na, nb := a.NeighborTable[0], b.NeighborTable[0]
	na.AverageRssi, na.LastRssi, nb.AverageRssi, nb.LastRssi = nil, nil, nil, nil
	if na != nb || a.RouteTable[0] != b.RouteTable[0] {
		t.Errorf("named %+v %+v\nnumbered %+v %+v", na, a.RouteTable[0], nb, b.RouteTable[0])
	}
}
