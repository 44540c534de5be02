package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"sort"
	"strings"

	"github.com/threadmap/threadmap/thread/topology"
)

// The look of the map, matching the UI's legend (frontend/src/style.ts):
// role shapes and colours, link-quality colours and widths, the border
// router ring.
var (
	roleColor = map[topology.Role]string{
		topology.RoleLeader: "#f2a900", topology.RoleRouter: "#2f7fd8", topology.RoleREED: "#10a3a3",
		"ftd-child": "#10a3a3", "fed": "#10a3a3",
		topology.RoleEndDevice: "#3aa657", topology.RoleSleepyEndDevice: "#9a62d0",
		topology.RoleDetached: "#8a8f98", topology.RoleUnknown: "#8a8f98",
	}
	lqColor   = [4]string{"#d1242f", "#e5534b", "#d4a72c", "#2ea043"}
	lqWidth   = [4]float64{2, 2.5, 4, 6}
	lqUnknown = "#8b949e"
	brColor   = "#ff7a1a"
	childGrey = "#7d8590"
)

// point is a position on the map.
type point struct{ x, y float64 }

// placed is the map's layout: a position per node id.
type placed struct {
	pos           map[string]point
	minX, minY    float64
	maxX, maxY    float64
	routers, kids int
}

// isRouter tells routers (and the leader) from children for the layout:
// by role, else by an RLOC16 with child id 0.
func isRouter(n *topology.Node) bool {
	if n.Role.IsRouterRole() {
		return true
	}
	return n.Parent == nil && n.Rloc16 != nil && n.Rloc16.IsRouter() && n.Role == topology.RoleUnknown
}

// rlocOrder sorts nodes by RLOC16 (unknown last), then id.
func rlocOrder(a, b *topology.Node) bool {
	switch {
	case a.Rloc16 != nil && b.Rloc16 != nil && *a.Rloc16 != *b.Rloc16:
		return *a.Rloc16 < *b.Rloc16
	case (a.Rloc16 == nil) != (b.Rloc16 == nil):
		return a.Rloc16 != nil
	}
	return a.ID < b.ID
}

// layout places routers evenly on a circle in RLOC16 order (the same mesh
// always draws the same), each router's children on arcs just outside it,
// and devices with neither role nor parent in a row beneath.
func layout(s *topology.Snapshot) placed {
	var routers, others []*topology.Node
	children := map[string][]*topology.Node{}
	for i := range s.Nodes {
		n := &s.Nodes[i]
		switch {
		case isRouter(n):
			routers = append(routers, n)
		case n.Parent != nil && s.Node(*n.Parent) != nil:
			children[*n.Parent] = append(children[*n.Parent], n)
		default:
			others = append(others, n)
		}
	}
	sort.Slice(routers, func(i, j int) bool { return rlocOrder(routers[i], routers[j]) })
	sort.Slice(others, func(i, j int) bool { return rlocOrder(others[i], others[j]) })
	p := placed{pos: map[string]point{}}
	// Ring radius: room for each router with its children around it.
	most := 0
	for _, r := range routers {
		most = max(most, len(children[r.ID]))
	}
	slot := 190.0 + 6*float64(min(most, 20))
	radius := math.Max(slot*float64(len(routers))/(2*math.Pi), 0)
	if len(routers) == 2 {
		radius = slot / 2
	}
	for i, r := range routers {
		a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(max(1, len(routers)))
		c := point{radius * math.Cos(a), radius * math.Sin(a)}
		p.pos[r.ID] = c
		kids := children[r.ID]
		sort.Slice(kids, func(i, j int) bool { return rlocOrder(kids[i], kids[j]) })
		// Children on arcs facing away from the ring's centre: 8 on the
		// first arc, then wider arcs further out.
		out := a
		if len(routers) == 1 {
			out = math.Pi / 2
		}
		for k, ring := 0, 0; k < len(kids); ring++ {
			// About 50 px between neighbours on an arc of at most 1.2π.
			dist := 85.0 + 45*float64(ring)
			step := 50 / dist
			per := max(1, int(math.Pi*1.2/step)+1)
			n := min(per, len(kids)-k)
			spread := step * float64(n-1)
			for j := 0; j < n; j++ {
				t := out
				if n > 1 {
					t = out - spread/2 + step*float64(j)
				}
				p.pos[kids[k+j].ID] = point{c.x + dist*math.Cos(t), c.y + dist*math.Sin(t)}
			}
			k += n
		}
		p.kids += len(kids)
	}
	p.routers = len(routers)
	// Devices without a place in the tree: a row below.
	bottom := 0.0
	for _, q := range p.pos {
		bottom = math.Max(bottom, q.y)
	}
	for i, n := range others {
		p.pos[n.ID] = point{-float64(len(others)-1)*35 + 70*float64(i), bottom + 110}
	}
	first := true
	for _, q := range p.pos {
		if first {
			p.minX, p.maxX, p.minY, p.maxY = q.x, q.x, q.y, q.y
			first = false
		}
		p.minX, p.maxX = math.Min(p.minX, q.x), math.Max(p.maxX, q.x)
		p.minY, p.maxY = math.Min(p.minY, q.y), math.Max(p.maxY, q.y)
	}
	return p
}

// quality is a link's worse known direction, -1 when unknown.
func quality(l *topology.Link) int {
	q := -1
	for _, v := range []*int{l.LQIn, l.LQOut} {
		if v != nil && *v >= 0 && *v <= 3 && (q < 0 || *v < q) {
			q = *v
		}
	}
	return q
}

// mapSVG draws s as an SVG document fragment (inline in the report).
func mapSVG(s *topology.Snapshot, label func(*topology.Node) string) string {
	p := layout(s)
	const pad = 60.0
	w, h := p.maxX-p.minX+2*pad, p.maxY-p.minY+2*pad+20
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="%.0f %.0f %.0f %.0f" role="img" aria-label="map of the mesh">`,
		p.minX-pad, p.minY-pad, math.Max(w, 200), math.Max(h, 120))
	b.WriteString(`<g class="links">`)
	for i := range s.Links {
		l := &s.Links[i]
		a, okA := p.pos[l.A]
		c, okB := p.pos[l.B]
		if !okA || !okB {
			continue
		}
		q := quality(l)
		switch l.Kind {
		case topology.LinkRouter:
			color, width, dash := lqUnknown, 2.0, ""
			if q >= 0 {
				color, width = lqColor[q], lqWidth[q]
			}
			if q == 0 {
				dash = ` stroke-dasharray="4 3"`
			}
			fmt.Fprintf(&b, `<line class="router-link lq-%d" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%.1f"%s/>`,
				q, a.x, a.y, c.x, c.y, color, width, dash)
		default:
			color := childGrey
			if q >= 0 && q <= 1 {
				color = lqColor[1]
			}
			fmt.Fprintf(&b, `<line class="child-link" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.2" stroke-dasharray="4 3"/>`,
				a.x, a.y, c.x, c.y, color)
		}
	}
	b.WriteString(`</g><g class="nodes">`)
	for i := range s.Nodes {
		n := &s.Nodes[i]
		q, ok := p.pos[n.ID]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, `<g class="node role-%s" data-id="%s">`, html.EscapeString(string(n.Role)), html.EscapeString(n.ID))
		b.WriteString(shape(n.Role, q.x, q.y, n.BorderRouter))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, q.x, q.y+size(n.Role)/2+11, html.EscapeString(short(label(n), 22)))
		b.WriteString(`</g>`)
	}
	b.WriteString(`</g></svg>`)
	return b.String()
}

// short cuts s to n characters with an ellipsis (the table has it whole).
func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// size is a role's drawn size (the UI's sizes).
func size(r topology.Role) float64 {
	switch r {
	case topology.RoleLeader:
		return 30
	case topology.RoleRouter:
		return 26
	case topology.RoleEndDevice:
		return 15
	case topology.RoleSleepyEndDevice:
		return 13
	}
	return 17
}

// shape is one node's mark at (x, y): the role's shape and colour, an
// orange ring for a border router.
func shape(r topology.Role, x, y float64, br bool) string {
	color, ok := roleColor[r]
	if !ok {
		color = roleColor[topology.RoleUnknown]
	}
	z := size(r) / 2
	var b strings.Builder
	if br {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="none" stroke="%s" stroke-width="3"/>`, x, y, z+5, brColor)
	}
	stroke := `stroke="#ffffff" stroke-width="1.5"`
	switch r {
	case topology.RoleLeader:
		var pts []string
		for i := 0; i < 10; i++ {
			rr := z
			if i%2 == 1 {
				rr = z * 0.45
			}
			a := math.Pi/5*float64(i) - math.Pi/2
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x+rr*math.Cos(a), y+rr*math.Sin(a)))
		}
		fmt.Fprintf(&b, `<polygon points="%s" fill="%s" %s/>`, strings.Join(pts, " "), color, stroke)
	case topology.RoleRouter:
		var pts []string
		for i := 0; i < 6; i++ {
			a := math.Pi / 3 * float64(i)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x+z*math.Cos(a), y+z*math.Sin(a)))
		}
		fmt.Fprintf(&b, `<polygon points="%s" fill="%s" %s/>`, strings.Join(pts, " "), color, stroke)
	case topology.RoleREED, "ftd-child", "fed":
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="3" fill="%s" %s/>`, x-z, y-z, 2*z, 2*z, color, stroke)
	case topology.RoleDetached:
		fmt.Fprintf(&b, `<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="%s" stroke="#1b1f24" stroke-dasharray="2 2"/>`,
			x, y-z, x+z, y, x, y+z, x-z, y, color)
	case topology.RoleSleepyEndDevice:
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s" stroke="#1b1f24" stroke-width="1" stroke-dasharray="2 2"/>`, x, y, z, color)
	case topology.RoleUnknown:
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s" stroke="#1b1f24" stroke-width="1" stroke-dasharray="1 2"/>`, x, y, z, color)
	default:
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s" %s/>`, x, y, z, color, stroke)
	}
	return b.String()
}

// legendRow is one entry of the legend: a small SVG and its words.
type legendRow struct {
	SVG   template.HTML // built here from constants only
	Words string
}

// legend explains the map's marks, in the UI's words.
func legend() []legendRow {
	mark := func(r topology.Role, br bool) template.HTML {
		return template.HTML(`<svg width="30" height="26" viewBox="-15 -13 30 26" aria-hidden="true">` + shape(r, 0, 0, br) + `</svg>`)
	}
	line := func(color string, width float64, dash string) template.HTML {
		d := ""
		if dash != "" {
			d = ` stroke-dasharray="` + dash + `"`
		}
		return template.HTML(fmt.Sprintf(`<svg width="30" height="12" viewBox="0 0 30 12" aria-hidden="true"><line x1="1" y1="6" x2="29" y2="6" stroke="%s" stroke-width="%.1f"%s/></svg>`, color, width, d))
	}
	return []legendRow{
		{mark(topology.RoleLeader, false), "Leader"},
		{mark(topology.RoleRouter, false), "Router"},
		{mark(topology.RoleREED, false), "REED / FTD child (full Thread device child)"},
		{mark(topology.RoleEndDevice, false), "End device (MED)"},
		{mark(topology.RoleSleepyEndDevice, false), "Sleepy end device (SED)"},
		{mark(topology.RoleDetached, false), "Detached"},
		{mark(topology.RoleUnknown, false), "Unknown role"},
		{mark(topology.RoleRouter, true), "Border router (orange ring)"},
		{line(lqColor[3], lqWidth[3], ""), "Router link, link quality 3"},
		{line(lqColor[2], lqWidth[2], ""), "Router link, link quality 2"},
		{line(lqColor[1], lqWidth[1], ""), "Router link, link quality 1 (weak)"},
		{line(lqColor[0], lqWidth[0], "4 3"), "Router link, link quality 0"},
		{line(childGrey, 1.5, "4 3"), "Parent–child link"},
		{line(lqColor[1], 1.5, "4 3"), "Parent–child link, weak (link quality 0–1)"},
	}
}
