package otcli

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/threadmap/threadmap/thread/topology"
)

// The meshdiag commands print records: a header line at column 0 and
// indented detail lines, with "key:value" tokens (OpenThread
// src/cli/cli_mesh_diag.cpp).

// record is one meshdiag record: its header tokens, detail lines and line number.
type record struct {
	line   int
	header string
	detail []string
}

func records(c Command) []record {
	var out []record
	for i, l := range c.Output {
		if strings.TrimSpace(l) == "" || strings.TrimSpace(l) == "Done" {
			continue
		}
		if !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "\t") {
			out = append(out, record{line: c.Line + 1 + i, header: strings.TrimSpace(l)})
			continue
		}
		if len(out) > 0 {
			out[len(out)-1].detail = append(out[len(out)-1].detail, strings.TrimSpace(l))
		}
	}
	return out
}

// tokens reads "key:value" tokens (value up to the next space; a trailing
// comma dropped) into kv, keeping earlier keys unless prefix is set (then
// keys become prefix+key).
func tokens(kv map[string]string, s, prefix string) {
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, ":")
		if !ok || k == "" {
			continue
		}
		kv[prefix+k] = strings.TrimSuffix(v, ",")
	}
}

func (r record) fields() map[string]string {
	kv := map[string]string{}
	tokens(kv, r.header, "")
	for _, d := range r.detail {
		prefix := ""
		if i := strings.Index(d, " - "); i > 0 {
			prefix = strings.TrimSpace(d[:i]) + "." // "rss - ave:-20" → rss.ave
		}
		tokens(kv, d, prefix)
	}
	return kv
}

func (im *importer) meshdiagTopology(c Command) error {
	var errs []string
	for _, r := range records(c) {
		if err := im.topologyRecord(c, r); err != nil {
			errs = append(errs, err.Error())
		}
	}
	return joinErrors(errs)
}

// topologyRecord reads one router of "meshdiag topology".
func (im *importer) topologyRecord(c Command, r record) error {
	{
		kv := map[string]string{}
		tokens(kv, r.header, "")
		rloc, ext, err := peerAddrs(r.line, kv["rloc16"], kv["ext-addr"])
		if err != nil {
			return err
		}
		n := im.peerNode(ext, rloc, topology.RoleRouter)
		id := n.ID
		n.ThreadVersion = version(kv["ver"])
		if _, flags, ok := strings.Cut(r.header, " - "); ok {
			for _, f := range strings.FieldsFunc(flags, func(r rune) bool { return r == ' ' || r == ',' }) {
				switch f {
				case "leader":
					n.Role = topology.RoleLeader
					// "br": border routers come from the network data
					// (topology.Normalize), not from this flag.
				}
			}
		}
		section := ""
		for _, d := range r.detail {
			switch {
			case strings.Contains(d, "-links:{"):
				lq, err := strconv.Atoi(strings.TrimSpace(d[:strings.Index(d, "-links:")]))
				if err != nil || lq < 1 || lq > 3 {
					return fmt.Errorf("line %d: link quality in %q", r.line, d)
				}
				ids := strings.Trim(d[strings.Index(d, "{"):], "{} ")
				for _, f := range strings.Fields(ids) {
					rid, err := strconv.Atoi(f)
					if err != nil || rid < 0 || rid > topology.MaxRouterID {
						return fmt.Errorf("line %d: router id %q", r.line, f)
					}
					peer := topology.RlocID(topology.RouterRloc16(uint8(rid)))
					// The quality the reporting router has for the peer.
					im.snap.Links = append(im.snap.Links, topology.Link{Kind: topology.LinkRouter, A: id, B: peer,
						LQIn: topology.Ptr(lq), Sources: []string{SourceName}})
				}
			case strings.HasPrefix(d, "ip6-addrs:") || strings.HasPrefix(d, "children:"):
				name, rest, _ := strings.Cut(d, ":")
				section = name
				if rest = strings.TrimSpace(rest); rest != "" && rest != "none" {
					return fmt.Errorf("line %d: unexpected %q", r.line, d)
				}
				if name == "children" {
					n.ChildTableKnown = true
				}
			case section == "ip6-addrs":
				a, err := netip.ParseAddr(d)
				if err != nil {
					return fmt.Errorf("line %d: %w", r.line, err)
				}
				n.IPv6 = append(n.IPv6, a.String())
			case section == "children":
				ckv := map[string]string{}
				tokens(ckv, d, "")
				cr, err := topology.ParseRloc16(ckv["rloc16"])
				if err != nil {
					return fmt.Errorf("line %d: child %q: %w", r.line, d, err)
				}
				mode, err := topology.ParseMode(ckv["mode"])
				if err != nil {
					return fmt.Errorf("line %d: child %q: %w", r.line, d, err)
				}
				child := im.peerNode(0, cr, topology.ChildRole(mode))
				child.Mode = &mode
				im.snap.Nodes = append(im.snap.Nodes, child)
				l := topology.Link{Kind: topology.LinkChild, A: id, B: topology.RlocID(cr), Sources: []string{SourceName}}
				if v, err := strconv.Atoi(ckv["lq"]); err == nil {
					l.LQIn = topology.Ptr(v)
				}
				im.snap.Links = append(im.snap.Links, l)
				n.ChildTableKnown = true
			}
		}
		if strings.Contains(c.Cmd, "children") {
			n.ChildTableKnown = true // asked for children: none listed means none
		}
		im.snap.Nodes = append(im.snap.Nodes, n)
	}
	return nil
}

// parentArg reads the router RLOC16 a meshdiag command asked.
func parentArg(args string) (string, topology.Rloc16, error) {
	f := strings.Fields(args)
	if len(f) == 0 {
		return "", 0, fmt.Errorf("no router RLOC16 in the command")
	}
	r, err := topology.ParseRloc16(f[0])
	if err != nil {
		return "", 0, err
	}
	return topology.RlocID(r), r, nil
}

func (im *importer) meshdiagChildTable(c Command, args string) error {
	pid, pr, err := parentArg(args)
	if err != nil {
		return err
	}
	parent := im.peerNode(0, pr, topology.RoleRouter)
	parent.ChildTableKnown = true
	im.snap.Nodes = append(im.snap.Nodes, parent)
	for _, r := range records(c) {
		kv := r.fields()
		rloc, ext, err := peerAddrs(r.line, kv["rloc16"], kv["ext-addr"])
		if err != nil {
			return err
		}
		mode := topology.Mode{RxOnWhenIdle: kv["rx-on"] == "yes", FullThreadDevice: kv["type"] == "ftd", FullNetworkData: kv["full-net"] == "yes"}
		n := im.peerNode(ext, rloc, topology.ChildRole(mode))
		id := n.ID
		n.Mode = &mode
		n.ThreadVersion = version(kv["ver"])
		l := topology.Link{Kind: topology.LinkChild, A: pid, B: id, Sources: []string{SourceName}}
		if v, err := strconv.ParseUint(kv["timeout"], 10, 32); err == nil {
			l.Timeout = topology.Ptr(uint32(v))
			n.Timeout = topology.Ptr(uint32(v))
		}
		if v, err := strconv.ParseUint(kv["age"], 10, 32); err == nil {
			l.Age = topology.Ptr(uint32(v))
		}
		linkQuality(&l, kv)
		im.snap.Nodes = append(im.snap.Nodes, n)
		im.snap.Links = append(im.snap.Links, l)
	}
	return nil
}

// linkQuality copies "rss - ave/last/margin" and "err-rate - frame/msg".
func linkQuality(l *topology.Link, kv map[string]string) {
	if v, err := strconv.Atoi(kv["rss.ave"]); err == nil {
		l.RSSI = topology.Ptr(v)
	}
	if v, err := strconv.Atoi(kv["rss.last"]); err == nil {
		l.LastRSSI = topology.Ptr(v)
	}
	if v, err := strconv.Atoi(kv["rss.margin"]); err == nil {
		l.LinkMargin = topology.Ptr(v)
	}
	if p := percent(kv["err-rate.frame"]); p != nil {
		l.FrameErrorRate = p
	}
	if p := percent(kv["err-rate.msg"]); p != nil {
		l.MessageErrorRate = p
	}
}

func (im *importer) meshdiagChildIP6(c Command, args string) error {
	if _, _, err := parentArg(args); err != nil {
		return err
	}
	for _, r := range records(c) {
		_, v, ok := strings.Cut(r.header, ":")
		if !ok || !strings.HasPrefix(r.header, "child-rloc16") {
			return fmt.Errorf("line %d: %q is not a child-rloc16 line", r.line, r.header)
		}
		rloc, err := topology.ParseRloc16(v)
		if err != nil {
			return fmt.Errorf("line %d: %w", r.line, err)
		}
		var addrs []string
		for _, d := range r.detail {
			a, err := netip.ParseAddr(d)
			if err != nil {
				return fmt.Errorf("line %d: %w", r.line, err)
			}
			addrs = append(addrs, a.String())
		}
		im.addAddrs(rloc, addrs)
	}
	return nil
}

func (im *importer) meshdiagRouterNeighbors(c Command, args string) error {
	rid, rr, err := parentArg(args)
	if err != nil {
		return err
	}
	im.snap.Nodes = append(im.snap.Nodes, im.peerNode(0, rr, topology.RoleRouter))
	for _, r := range records(c) {
		kv := r.fields()
		rloc, ext, err := peerAddrs(r.line, kv["rloc16"], kv["ext-addr"])
		if err != nil {
			return err
		}
		n := im.peerNode(ext, rloc, topology.RoleRouter)
		id := n.ID
		n.ThreadVersion = version(kv["ver"])
		l := topology.Link{Kind: topology.LinkRouter, A: rid, B: id, Sources: []string{SourceName}}
		linkQuality(&l, kv)
		im.snap.Nodes = append(im.snap.Nodes, n)
		im.snap.Links = append(im.snap.Links, l)
	}
	return nil
}
