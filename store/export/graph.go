package export

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// attr is one node or link attribute the graph formats and CSV carry.
type attr[T any] struct {
	name string
	typ  string // GraphML attr.type: string, int, boolean
	get  func(T) string
}

func ptrInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func ptrStr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// label is how a graph shows a node: the name a user gave it, else its
// own name, else RLOC16, else id.
func label(n topology.Node) string {
	switch {
	case n.UserName != "":
		return n.UserName
	case n.Name != "":
		return n.Name
	case n.Rloc16 != nil:
		return n.Rloc16.String()
	}
	return n.ID
}

var nodeAttrs = []attr[topology.Node]{
	{"label", "string", label},
	{"ext_addr", "string", func(n topology.Node) string { return n.ExtAddr }},
	{"rloc16", "string", func(n topology.Node) string {
		if n.Rloc16 == nil {
			return ""
		}
		return n.Rloc16.String()
	}},
	{"role", "string", func(n topology.Node) string { return string(n.Role) }},
	{"router_id", "int", func(n topology.Node) string { return ptrInt(n.RouterID) }},
	{"parent", "string", func(n topology.Node) string { return ptrStr(n.Parent) }},
	{"mode", "string", func(n topology.Node) string {
		if n.Mode == nil {
			return ""
		}
		return n.Mode.String()
	}},
	{"border_router", "boolean", func(n topology.Node) string { return strconv.FormatBool(n.BorderRouter) }},
	{"name", "string", func(n topology.Node) string { return n.Name }},
	{"vendor", "string", func(n topology.Node) string { return n.Vendor }},
	{"model", "string", func(n topology.Node) string { return n.Model }},
	{"thread_version", "int", func(n topology.Node) string {
		if n.ThreadVersion == 0 {
			return ""
		}
		return strconv.Itoa(n.ThreadVersion)
	}},
	{"eui64", "string", func(n topology.Node) string { return n.EUI64 }},
	{"ipv6", "string", func(n topology.Node) string { return strings.Join(n.IPv6, " ") }},
	{"status", "string", func(n topology.Node) string { return string(n.Status) }},
	{"flags", "string", func(n topology.Node) string { return strings.Join(n.Flags, " ") }},
	{"sources", "string", func(n topology.Node) string { return strings.Join(n.Sources, " ") }},
	// Last, so that CSV columns read by position keep their place.
	{"user_name", "string", func(n topology.Node) string { return n.UserName }},
}

var linkAttrs = []attr[topology.Link]{
	{"kind", "string", func(l topology.Link) string { return string(l.Kind) }},
	{"lq_in", "int", func(l topology.Link) string { return ptrInt(l.LQIn) }},
	{"lq_out", "int", func(l topology.Link) string { return ptrInt(l.LQOut) }},
	{"cost", "int", func(l topology.Link) string { return ptrInt(l.Cost) }},
	{"route_cost", "int", func(l topology.Link) string { return ptrInt(l.RouteCost) }},
	{"rssi", "int", func(l topology.Link) string { return ptrInt(l.RSSI) }},
	{"derived", "boolean", func(l topology.Link) string { return strconv.FormatBool(l.Derived) }},
	{"flags", "string", func(l topology.Link) string { return strings.Join(l.Flags, " ") }},
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// writeGraphML writes GraphML 1.0 with a <key> per attribute, which yEd
// (Edit → Properties Mapper) and Gephi read as node and edge attributes.
func writeGraphML(w io.Writer, s *topology.Snapshot) error {
	bw := bufio.NewWriter(w)
	fmt.Fprint(bw, xml.Header)
	fmt.Fprintln(bw, `<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">`)
	for _, a := range nodeAttrs {
		fmt.Fprintf(bw, "  <key id=\"n_%s\" for=\"node\" attr.name=\"%s\" attr.type=\"%s\"/>\n", a.name, a.name, a.typ)
	}
	for _, a := range linkAttrs {
		fmt.Fprintf(bw, "  <key id=\"e_%s\" for=\"edge\" attr.name=\"%s\" attr.type=\"%s\"/>\n", a.name, a.name, a.typ)
	}
	for _, k := range []string{"network", "ext_pan_id", "taken_at", "snapshot_id"} {
		fmt.Fprintf(bw, "  <key id=\"g_%s\" for=\"graph\" attr.name=\"%s\" attr.type=\"string\"/>\n", k, k)
	}
	fmt.Fprintln(bw, `  <graph id="threadmap" edgedefault="undirected">`)
	for _, kv := range [][2]string{{"network", s.Network.Name}, {"ext_pan_id", s.Network.ExtPanID}, {"taken_at", s.TakenAt.UTC().Format(time.RFC3339Nano)}, {"snapshot_id", s.ID}} {
		if kv[1] != "" {
			fmt.Fprintf(bw, "    <data key=\"g_%s\">%s</data>\n", kv[0], xmlText(kv[1]))
		}
	}
	for _, n := range s.Nodes {
		fmt.Fprintf(bw, "    <node id=\"%s\">\n", xmlText(n.ID))
		for _, a := range nodeAttrs {
			if v := a.get(n); v != "" {
				fmt.Fprintf(bw, "      <data key=\"n_%s\">%s</data>\n", a.name, xmlText(v))
			}
		}
		fmt.Fprintln(bw, "    </node>")
	}
	for i, l := range s.Links {
		fmt.Fprintf(bw, "    <edge id=\"e%d\" source=\"%s\" target=\"%s\">\n", i, xmlText(l.A), xmlText(l.B))
		for _, a := range linkAttrs {
			if v := a.get(l); v != "" {
				fmt.Fprintf(bw, "      <data key=\"e_%s\">%s</data>\n", a.name, xmlText(v))
			}
		}
		fmt.Fprintln(bw, "    </edge>")
	}
	fmt.Fprintln(bw, "  </graph>")
	fmt.Fprintln(bw, "</graphml>")
	return bw.Flush()
}

// dotQuote is a Graphviz double-quoted string.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", "")
	return `"` + r.Replace(s) + `"`
}

// dotStyle is how DOT draws each role (shape, fill).
var dotStyle = map[topology.Role][2]string{
	topology.RoleLeader:          {"doubleoctagon", "#f4a261"},
	topology.RoleRouter:          {"octagon", "#e9c46a"},
	topology.RoleREED:            {"box", "#a8dadc"},
	topology.RoleFED:             {"box", "#cfe3e4"},
	topology.RoleFTDChild:        {"box", "#bcdfe1"},
	topology.RoleEndDevice:       {"ellipse", "#cdeac0"},
	topology.RoleSleepyEndDevice: {"ellipse", "#e0e0e0"},
}

// lqColor colours a router link by its worse link quality.
func lqColor(l topology.Link) string {
	q := 3
	for _, p := range []*int{l.LQIn, l.LQOut} {
		if p != nil && *p < q {
			q = *p
		}
	}
	return [...]string{"#d62828", "#f77f00", "#fcbf49", "#2a9d8f"}[q]
}

// writeDOT writes an undirected Graphviz graph: routers as octagons (the
// leader doubled), children as ellipses, router links solid and coloured
// by link quality, parent-child links dashed. Every attribute is also
// written as a DOT attribute for tools that read them.
func writeDOT(w io.Writer, s *topology.Snapshot) error {
	bw := bufio.NewWriter(w)
	name := s.Network.Name
	if name == "" {
		name = "threadmap"
	}
	fmt.Fprintf(bw, "graph %s {\n", dotQuote(name))
	fmt.Fprintf(bw, "  graph [label=%s, overlap=false, splines=true];\n", dotQuote(name+" "+s.TakenAt.UTC().Format(time.RFC3339)))
	fmt.Fprintln(bw, `  node [style=filled, fontname="Helvetica"];`)
	for _, n := range s.Nodes {
		st, ok := dotStyle[n.Role]
		if !ok {
			st = [2]string{"ellipse", "#ffffff"}
		}
		attrs := []string{"shape=" + st[0], "fillcolor=" + dotQuote(st[1])}
		if n.BorderRouter {
			attrs = append(attrs, "penwidth=3")
		}
		for _, a := range nodeAttrs {
			if v := a.get(n); v != "" {
				attrs = append(attrs, a.name+"="+dotQuote(v))
			}
		}
		fmt.Fprintf(bw, "  %s [%s];\n", dotQuote(n.ID), strings.Join(attrs, ", "))
	}
	for _, l := range s.Links {
		var attrs []string
		if l.Kind == topology.LinkChild {
			attrs = append(attrs, "style=dashed")
		} else {
			attrs = append(attrs, "color="+dotQuote(lqColor(l)), "penwidth=2")
			if l.LQIn != nil || l.LQOut != nil {
				attrs = append(attrs, "label="+dotQuote(ptrInt(l.LQIn)+"/"+ptrInt(l.LQOut)))
			}
		}
		for _, a := range linkAttrs {
			if v := a.get(l); v != "" {
				attrs = append(attrs, a.name+"="+dotQuote(v))
			}
		}
		fmt.Fprintf(bw, "  %s -- %s [%s];\n", dotQuote(l.A), dotQuote(l.B), strings.Join(attrs, ", "))
	}
	fmt.Fprintln(bw, "}")
	return bw.Flush()
}

// WriteNodesCSV writes nodes.csv: a header row with the attribute names, a row per node.
func WriteNodesCSV(w io.Writer, s *topology.Snapshot) error {
	return writeCSV(w, append([]string{"id"}, names(nodeAttrs)...), len(s.Nodes), func(i int) []string {
		row := []string{s.Nodes[i].ID}
		for _, a := range nodeAttrs {
			row = append(row, a.get(s.Nodes[i]))
		}
		return row
	})
}

// WriteLinksCSV writes links.csv: a header row, a row per link (a, b, then attributes).
func WriteLinksCSV(w io.Writer, s *topology.Snapshot) error {
	return writeCSV(w, append([]string{"a", "b"}, names(linkAttrs)...), len(s.Links), func(i int) []string {
		row := []string{s.Links[i].A, s.Links[i].B}
		for _, a := range linkAttrs {
			row = append(row, a.get(s.Links[i]))
		}
		return row
	})
}

func names[T any](attrs []attr[T]) []string {
	out := make([]string, len(attrs))
	for i, a := range attrs {
		out[i] = a.name
	}
	return out
}

func writeCSV(w io.Writer, header []string, n int, row func(int) []string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if err := cw.Write(row(i)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeCSVZip writes a zip of nodes.csv and links.csv, dated at the
// snapshot's time so the same snapshot always gives the same bytes.
func writeCSVZip(w io.Writer, s *topology.Snapshot) error {
	zw := zip.NewWriter(w)
	for _, f := range []struct {
		name  string
		write func(io.Writer, *topology.Snapshot) error
	}{{"nodes.csv", WriteNodesCSV}, {"links.csv", WriteLinksCSV}} {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: s.TakenAt.UTC()})
		if err != nil {
			return err
		}
		if err := f.write(fw, s); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return zw.Close()
}
