package export

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/store/internal/meshgen"
	"github.com/threadmap/threadmap/thread/topology"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

func snapshots(t testing.TB) map[string]*topology.Snapshot {
	t.Helper()
	out := map[string]*topology.Snapshot{}
	for _, d := range []string{"small", "small-current"} {
		s, err := meshgen.Fixture(topologytest.OpenThread(d))
		if err != nil {
			t.Fatal(err)
		}
		s.ID = "42"
		out[d] = s
	}
	g := meshgen.Generate(rand.New(rand.NewPCG(1, 2)), 250, time.Date(2026, 11, 25, 12, 0, 0, 123456789, time.UTC))
	g.Nodes[3].Name = `Kitchen "plug" <1> & co`
	g.Nodes[3].Vendor = "Eve"
	g.BorderRouters = []topology.BorderRouter{{ID: "otbr-1", Host: "otbr.local", Addresses: []string{"192.168.1.20"}, ExtAddr: g.Nodes[0].ExtAddr,
		NetworkName: g.Network.Name, ExtPanID: g.Network.ExtPanID, State: map[string]string{"id": "0011223344"}, Vendor: "OpenThread"}}
	g.Nodes[5].EUI64 = "18b4300000000042"
	g.Nodes[6].MatterNodeID = 77
	g.Links[0].FrameErrorRate = topology.Ptr(0.125)
	out["generated-250"] = g
	return out
}

func TestRoundTrip(t *testing.T) {
	for name, s := range snapshots(t) {
		for _, f := range []Format{JSON, CBOR} {
			t.Run(name+"/"+string(f), func(t *testing.T) {
				b, err := Bytes(s, f, Options{})
				if err != nil {
					t.Fatal(err)
				}
				back, err := Import(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(back, s) {
					t.Fatalf("import of the %s export differs from the snapshot", f)
				}
				again, _ := Bytes(back, f, Options{})
				if !bytes.Equal(again, b) {
					t.Fatal("export of the import differs")
				}
			})
		}
	}
}

func TestImportErrors(t *testing.T) {
	for _, in := range []string{"", "   ", "[1,2]", `{"schema":"other/v1"}`, "\xa1\x61\x61\x01", "{", "\x00"} {
		if _, err := Import(strings.NewReader(in)); err == nil || !strings.HasPrefix(err.Error(), "import") {
			t.Errorf("Import(%q) = %v", in, err)
		}
	}
}

type graphml struct {
	Keys []struct {
		ID   string `xml:"id,attr"`
		For  string `xml:"for,attr"`
		Name string `xml:"attr.name,attr"`
		Type string `xml:"attr.type,attr"`
	} `xml:"key"`
	Graph struct {
		EdgeDefault string `xml:"edgedefault,attr"`
		Nodes       []struct {
			ID   string `xml:"id,attr"`
			Data []struct {
				Key string `xml:"key,attr"`
				V   string `xml:",chardata"`
			} `xml:"data"`
		} `xml:"node"`
		Edges []struct {
			Source string `xml:"source,attr"`
			Target string `xml:"target,attr"`
			Data   []struct {
				Key string `xml:"key,attr"`
				V   string `xml:",chardata"`
			} `xml:"data"`
		} `xml:"edge"`
	} `xml:"graph"`
}

func TestGraphML(t *testing.T) {
	s := snapshots(t)["generated-250"]
	b, err := Bytes(s, GraphML, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var g graphml
	if err := xml.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Graph.Nodes) != len(s.Nodes) || len(g.Graph.Edges) != len(s.Links) || g.Graph.EdgeDefault != "undirected" {
		t.Fatalf("%d nodes, %d edges; want %d, %d", len(g.Graph.Nodes), len(g.Graph.Edges), len(s.Nodes), len(s.Links))
	}
	keys := map[string]bool{}
	for _, k := range g.Keys {
		keys[k.ID] = true
	}
	for _, n := range g.Graph.Nodes {
		for _, d := range n.Data {
			if !keys[d.Key] {
				t.Fatalf("data key %s not declared", d.Key)
			}
		}
	}
	n := g.Graph.Nodes[3]
	found := false
	for _, d := range n.Data {
		found = found || (d.Key == "n_name" && d.V == `Kitchen "plug" <1> & co`)
	}
	if !found || n.ID != s.Nodes[3].ID {
		t.Errorf("node 3: %+v", n)
	}
	e := g.Graph.Edges[0]
	if e.Source != s.Links[0].A || e.Target != s.Links[0].B || e.Data[0].Key != "e_kind" || e.Data[0].V != "router" {
		t.Errorf("edge 0: %+v", e)
	}
}

func TestDOT(t *testing.T) {
	s := snapshots(t)["small"]
	b, err := Bytes(s, DOT, Options{})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if !strings.HasPrefix(lines[0], `graph "OTLAB-small" {`) || lines[len(lines)-1] != "}" {
		t.Fatalf("dot frame:\n%s", b)
	}
	nodes, edges, dashed := 0, 0, 0
	for _, l := range lines[1 : len(lines)-1] {
		switch {
		case strings.Contains(l, " -- "):
			edges++
			if strings.Contains(l, "style=dashed") {
				dashed++
			}
		case strings.HasPrefix(l, `  "`):
			nodes++
		}
		if !strings.HasSuffix(l, ";") {
			t.Errorf("line without ';': %s", l)
		}
	}
	if nodes != 8 || edges != 7 || dashed != 5 {
		t.Errorf("%d nodes, %d edges (%d dashed); want 8, 7 (5)\n%s", nodes, edges, dashed, b)
	}
	if !strings.Contains(string(b), `"ae983c48b31eb30a" [shape=doubleoctagon`) {
		t.Errorf("leader not drawn as the leader:\n%s", b)
	}
	if got := dotQuote("a\"b\\c\nd"); got != `"a\"b\\c\nd"` {
		t.Errorf("dotQuote: %s", got)
	}
}

func TestCSVZip(t *testing.T) {
	s := snapshots(t)["generated-250"]
	b, err := Bytes(s, CSV, Options{})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 2 || zr.File[0].Name != "nodes.csv" || zr.File[1].Name != "links.csv" {
		t.Fatalf("zip holds %v", zr.File)
	}
	want := map[string]int{"nodes.csv": len(s.Nodes), "links.csv": len(s.Links)}
	for _, f := range zr.File {
		rc, _ := f.Open()
		rows, err := csv.NewReader(rc).ReadAll()
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if len(rows)-1 != want[f.Name] {
			t.Errorf("%s: %d rows, want %d", f.Name, len(rows)-1, want[f.Name])
		}
		if f.Name == "nodes.csv" && (rows[0][0] != "id" || rows[4][0] != s.Nodes[3].ID || rows[4][9] != `Kitchen "plug" <1> & co`) {
			t.Errorf("nodes.csv row: %v / %v", rows[0], rows[4])
		}
	}
	again, _ := Bytes(s, CSV, Options{})
	if !bytes.Equal(again, b) {
		t.Error("zip not deterministic")
	}
}

func TestRedact(t *testing.T) {
	for name, s := range snapshots(t) {
		t.Run(name, func(t *testing.T) {
			var secrets []string
			add := func(v ...string) {
				for _, x := range v {
					if len(x) >= 4 {
						secrets = append(secrets, strings.ToLower(x))
					}
				}
			}
			add(s.Network.Name, s.Network.ExtPanID, strings.TrimSuffix(s.Network.MeshLocalPrefix, "::/64"))
			for i, n := range s.Nodes {
				if i == 60 {
					break // enough to catch a leak, and quick
				}
				if !strings.HasPrefix(n.ID, "rloc:") {
					add(n.ID)
				}
				add(n.ExtAddr, n.Name, n.EUI64)
				add(n.IPv6...)
			}
			for _, br := range s.BorderRouters {
				add(br.Host, br.Instance, br.NetworkName)
				add(br.Addresses...)
			}
			for _, f := range Formats {
				b, err := Bytes(s, f, Options{Redact: true})
				if err != nil {
					t.Fatal(err)
				}
				text := strings.ToLower(string(b))
				if f == CSV {
					text = unzipText(t, b)
				}
				for _, sec := range secrets {
					if strings.Contains(text, sec) {
						t.Errorf("%s export leaks %q", f, sec)
					}
				}
			}
			r := Redact(s, nil)
			if !reflect.DeepEqual(Redact(s, nil), r) {
				t.Error("pseudonyms not stable")
			}
			if other := Redact(s, []byte("k2")); other.Nodes[0].ID == r.Nodes[0].ID && !strings.HasPrefix(r.Nodes[0].ID, "rloc:") {
				t.Error("the key does not change the pseudonyms")
			}
			// The shape survives: map every original id through the pseudonyms.
			p := pseudonymizer{key: defaultRedactKey}
			want := s.Shape()
			mapped := topology.Shape{Nodes: map[string]string{}, Parents: map[string]string{}, RouterLinks: map[string]bool{}}
			for id, v := range want.Nodes {
				mapped.Nodes[p.nodeID(id)] = v
			}
			for c, par := range want.Parents {
				mapped.Parents[p.nodeID(c)] = p.nodeID(par)
			}
			got := r.Shape()
			if d := got.Diff(mapped); len(d)-countRouterLinkDiffs(d) != 0 {
				t.Errorf("shape changed: %v", d)
			}
			if len(got.RouterLinks) != len(want.RouterLinks) || len(r.Links) != len(s.Links) {
				t.Errorf("links: %d router links, want %d", len(got.RouterLinks), len(want.RouterLinks))
			}
			// A redacted export is still a valid export.
			b, _ := Bytes(s, JSON, Options{Redact: true})
			back, err := Import(bytes.NewReader(b))
			if err != nil || !reflect.DeepEqual(back, r) {
				t.Errorf("redacted JSON does not import to the redacted snapshot: %v", err)
			}
		})
	}
}

// countRouterLinkDiffs counts Shape.Diff lines about router links, which
// the mapped shape above leaves empty on purpose (pseudonyms reorder a/b).
func countRouterLinkDiffs(d []string) int {
	n := 0
	for _, l := range d {
		if strings.HasPrefix(l, "router link") {
			n++
		}
	}
	return n
}

func unzipText(t *testing.T, b []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, f := range zr.File {
		rc, _ := f.Open()
		x, _ := io.ReadAll(rc)
		rc.Close()
		out.Write(bytes.ToLower(x))
	}
	return out.String()
}

func TestParseFormatAndFilename(t *testing.T) {
	for _, f := range Formats {
		if g, err := ParseFormat(strings.ToUpper(string(f))); err != nil || g != f {
			t.Errorf("ParseFormat(%s) = %v, %v", f, g, err)
		}
	}
	if _, err := ParseFormat("png"); err == nil {
		t.Error("png accepted")
	}
	s := snapshots(t)["small"]
	if got := Filename(s, CSV, Options{}); got != "threadmap-OTLAB-small-42.zip" {
		t.Errorf("filename %s", got)
	}
	if got := Filename(s, GraphML, Options{Redact: true}); got != "threadmap-network-42-redacted.graphml" {
		t.Errorf("redacted filename %s", got)
	}
}
