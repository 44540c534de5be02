package otbrsim

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/topology"
)

// names are the attribute spellings of one JSON:API dialect (ot-br-posix
// src/rest/json.cpp before and after the 2026-07 renames, PR #3296).
type names struct {
	ftd, eui, version, hostname, linkAge, childIPv6 string
}

func namesFor(d otbr.Dialect) names {
	if d == otbr.DialectJSONAPI {
		return names{ftd: "deviceTypeFTD", eui: "eui64", version: "version", hostname: "hostName",
			linkAge: "connectionTime", childIPv6: "ip6Addresses"}
	}
	return names{ftd: "fullThreadDevice", eui: "eui", version: "threadVersion", hostname: "hostname",
		linkAge: "linkAge", childIPv6: "ipv6Addresses"}
}

// tlvNames maps a task's type names to Network Diagnostic TLV numbers.
func (n names) tlvNames() map[string]int {
	return map[string]int{
		"extAddress": 0, "rloc16": 1, "mode": 2, "timeout": 3, "connectivity": 4, "route": 5, "leaderData": 6,
		"networkData": 7, "ipv6Addresses": 8, "macCounters": 9, "batteryLevel": 14, "supplyVoltage": 15,
		"childTable": 16, "channelPages": 17, "maxChildTimeout": 19, n.eui: 23, n.version: 24, "vendorName": 25,
		"vendorModel": 26, "vendorSwVersion": 27, "threadStackVersion": 28, "children": 29,
		"childIpv6Addresses": 30, "routerNeighbors": 31, "mleCounters": 34,
	}
}

func (n names) tlvName(id int) string {
	for k, v := range n.tlvNames() {
		if v == id {
			return k
		}
	}
	return fmt.Sprint(id)
}

func (n names) mode(m topology.Mode) obj {
	return obj{{"rxOnWhenIdle", m.RxOnWhenIdle}, {n.ftd, m.FullThreadDevice}, {"fullNetworkData", m.FullNetworkData}}
}

func (m *mesh) leaderData(legacy bool) obj {
	k := func(s string) string {
		if legacy {
			return strings.ToUpper(s[:1]) + s[1:]
		}
		return s
	}
	return obj{{k("partitionId"), uint64(m.pid)}, {k("weighting"), 64}, {k("dataVersion"), int(m.version % 256)},
		{k("stableDataVersion"), int((m.version * 7) % 256)}, {k("leaderRouterId"), m.leader}}
}

var macCounterNames = []string{"ifInUnknownProtos", "ifInErrors", "ifOutErrors", "ifInUcastPkts", "ifInBroadcastPkts",
	"ifInDiscards", "ifOutUcastPkts", "ifOutBroadcastPkts", "ifOutDiscards"}

var mleCounterNames = []string{"radioDisabledCount", "detachedRoleCount", "childRoleCount", "routerRoleCount",
	"leaderRoleCount", "attachAttemptsCount", "partIdChangesCount", "betterPartIdAttachAttemptsCount", "newParentCount",
	"totalTrackingTime", "radioDisabledTime", "detachedRoleTime", "childRoleTime", "routerRoleTime", "leaderRoleTime"}

// counterKeys are the model's names (Node.Counters, as thread/diag names
// the TLV's fields) of the MAC (9) or MLE (34) Counters TLV's fields in
// TLV order: each field decoded holding its position, read back by Map.
func counterKeys(t diag.Type) []string {
	var m map[string]uint64
	if t == diag.TypeMacCounters {
		b := make([]byte, 36)
		for i := range 9 {
			binary.BigEndian.PutUint32(b[4*i:], uint32(i+1))
		}
		c, _ := diag.DecodeMacCounters(b)
		m = c.Map()
	} else {
		b := make([]byte, diag.MleCountersLen)
		for i := range 9 {
			binary.BigEndian.PutUint16(b[2*i:], uint16(i+1))
		}
		for i := range 6 {
			binary.BigEndian.PutUint64(b[18+8*i:], uint64(10+i))
		}
		c, _ := diag.DecodeMleCounters(b)
		m = c.Map()
	}
	keys := make([]string, len(m))
	for k, v := range m {
		keys[v-1] = k
	}
	return keys
}

// counterObj is a device's MAC or MLE counters under the REST API's names
// (PascalCase on the legacy API), from the truth's Node.Counters.
func counterObj(d *device, t diag.Type, legacy bool) obj {
	names := macCounterNames
	if t == diag.TypeMleCounters {
		names = mleCounterNames
	}
	keys := counterKeys(t)
	var o obj
	for i, k := range names {
		name := k
		if legacy {
			name = strings.ToUpper(k[:1]) + k[1:]
		}
		o.add(name, d.node.Counters[keys[i]])
	}
	return o
}

func (m *mesh) connectivity(d *device, legacy bool) obj {
	lq := [4]int{}
	for _, nb := range d.neighbors {
		lq[min(nb.lqIn, nb.lqOut)]++
	}
	leaderCost := 0
	for _, e := range d.route {
		if int(e.id) == m.leader && d.rloc.RouterID() != e.id {
			leaderCost = e.cost
		}
	}
	if !d.router && d.parent != nil {
		for _, e := range d.parent.route {
			if int(e.id) == m.leader {
				leaderCost = e.cost + 1
			}
		}
	}
	k := func(s string) string {
		if legacy {
			return strings.ToUpper(s[:1]) + s[1:]
		}
		return s
	}
	return obj{{k("parentPriority"), 0}, {k("linkQuality3"), lq[3]}, {k("linkQuality2"), lq[2]}, {k("linkQuality1"), lq[1]},
		{k("leaderCost"), leaderCost}, {k("idSequence"), 200}, {k("activeRouters"), m.activeRouters()},
		{k("sedBufferSize"), 1280}, {k("sedDatagramCount"), 1}}
}

func (m *mesh) route(d *device, legacy bool) obj {
	k := func(s string) string {
		if legacy {
			return strings.ToUpper(s[:1]) + s[1:]
		}
		return s
	}
	var data arr
	for _, e := range d.route {
		data = append(data, obj{{k("routeId"), int(e.id)}, {k("linkQualityOut"), e.lqOut}, {k("linkQualityIn"), e.lqIn}, {k("routeCost"), e.cost}})
	}
	if data == nil {
		data = arr{}
	}
	return obj{{k("idSequence"), 200}, {k("routeData"), data}}
}

// timeoutExp encodes a child timeout as the Child Table TLV's exponent:
// the smallest e with 2^(e-4) >= seconds.
func timeoutExp(sec uint32) int {
	e := 4
	for e < 31 && uint64(1)<<(e-4) < uint64(sec) {
		e++
	}
	return e
}

func (m *mesh) childTable(d *device, n names, legacy bool) arr {
	out := arr{}
	for _, c := range d.children {
		if legacy {
			out = append(out, obj{{"ChildId", int(c.rloc.ChildID())}, {"Timeout", timeoutExp(c.timeout)},
				{"Mode", obj{{"RxOnWhenIdle", b2i(c.mode.RxOnWhenIdle)}, {"DeviceType", b2i(c.mode.FullThreadDevice)}, {"NetworkData", b2i(c.mode.FullNetworkData)}}}})
			continue
		}
		out = append(out, obj{{"childId", int(c.rloc.ChildID())}, {"timeout", timeoutExp(c.timeout)},
			{"linkQuality", c.childLQ}, {"mode", n.mode(c.mode)}})
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// networkData is the leader's Network Data (TLV 7) in hex, shaped like
// the real border router's: Commissioning Data (session ID), the OMR
// prefix with the border router's Border Router entry and a 6LoWPAN
// context, and the fc00::/7 route it publishes (Has Route), so the network
// data names the border router as a real one's does.
func (m *mesh) networkData() string {
	br := m.self.rloc
	omr := m.omrPrefix()
	b := []byte{0x08, 0x04, 0x0b, 0x02, byte(m.pid >> 8), byte(m.pid)}
	// Prefix TLV (1, stable): domain 0, /64, then Border Router (2) and
	// 6LoWPAN context (3) sub-TLVs, both stable.
	b = append(b, 0x03, 20, 0x00, 64)
	b = append(b, omr[:8]...)
	b = append(b, 0x05, 0x04, byte(br>>8), byte(br), 0x31, 0x00) // preferred, SLAAC, on-mesh
	b = append(b, 0x07, 0x02, 0x11, 64)                          // compress, context ID 1, /64
	// Prefix fc00::/7 with a Has Route (0) entry.
	b = append(b, 0x03, 0x08, 0x00, 7, 0xfc, 0x01, 0x03, byte(br>>8), byte(br), 0x00)
	return hex.EncodeToString(b)
}

// omrPrefix is the border router's OMR /64: the prefix of its OMR address
// when the truth has one, else one made from the network's identity.
func (m *mesh) omrPrefix() [16]byte {
	if a, err := netip.ParseAddr(m.self.omr); err == nil && a.Is6() && !a.IsUnspecified() {
		return a.As16()
	}
	h := sha256.Sum256([]byte("omr" + m.net.ExtPanID + m.net.Name))
	var p [16]byte
	p[0] = 0xfd
	copy(p[1:8], h[:7])
	return p
}

func str(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// diagAttributes is one networkDiagnostics item's attributes for the TLVs
// asked for, in TLV order as the border router writes them.
func (m *mesh) diagAttributes(d *device, tlvs []int, n names, at time.Time) obj {
	m.refresh(at)
	var o obj
	want := map[int]bool{}
	for _, t := range tlvs {
		want[t] = true
	}
	query := want[29] || want[30] || want[31]
	onlyQuery := query
	for t := range want {
		if t < 29 || t > 31 {
			onlyQuery = false
		}
	}
	if onlyQuery {
		// A query answer always names who answered.
		o.add("rloc16", d.rloc.String())
		if d.router {
			o.add("routerId", int(d.rloc.RouterID()))
		}
		o.add("extAddress", d.ext)
	}
	sorted := append([]int(nil), tlvs...)
	sort.Ints(sorted)
	for _, t := range sorted {
		switch t {
		case 0:
			o.add("extAddress", d.ext)
		case 1:
			o.add("rloc16", d.rloc.String())
			if d.router {
				o.add("routerId", int(d.rloc.RouterID()))
			}
		case 2:
			o.add("mode", n.mode(d.mode))
		case 3:
			if !d.mode.RxOnWhenIdle {
				o.add("timeout", d.timeout)
			}
		case 4:
			o.add("connectivity", m.connectivity(d, false))
		case 5:
			if d.router {
				o.add("route", m.route(d, false))
			}
		case 6:
			o.add("leaderData", m.leaderData(false))
		case 7:
			o.add("networkData", m.networkData())
		case 8:
			o.add("ipv6Addresses", d.ipv6)
		case 9:
			o.add("macCounters", counterObj(d, diag.TypeMacCounters, false))
		case 14:
			if d.node.Battery != nil {
				o.add("batteryLevel", *d.node.Battery)
			}
		case 15:
			if d.node.SupplyVoltage != nil {
				o.add("supplyVoltage", *d.node.SupplyVoltage)
			}
		case 16:
			if d.router {
				o.add("childTable", m.childTable(d, n, false))
			}
		case 17:
			o.add("channelPages", "00")
		case 19:
			if d.router && !d.br {
				o.add("maxChildTimeout", 240)
			}
		case 23:
			o.add(n.eui, d.eui)
		case 24:
			o.add(n.version, max(d.node.ThreadVersion, 4))
		case 25:
			o.add("vendorName", str(d.node.Vendor, "OTLab"))
		case 26:
			o.add("vendorModel", str(d.node.Model, "SimNode"))
		case 27:
			o.add("vendorSwVersion", d.node.SWVersion)
		case 28:
			o.add("threadStackVersion", str(d.node.StackVersion, "OPENTHREAD/; SIMULATION"))
		case 29:
			if d.router {
				o.add("children", m.children(d, n))
			}
		case 30:
			if d.router {
				var out arr
				for _, c := range d.children {
					out = append(out, obj{{"rloc16", c.rloc.String()}, {n.childIPv6, c.ipv6}})
				}
				if out == nil {
					out = arr{}
				}
				o.add("childIpv6Addresses", out)
			}
		case 31:
			if d.router {
				var out arr
				for _, nb := range d.neighbors {
					out = append(out, obj{{"supportsErrorRate", true}, {"rloc16", nb.peer.rloc.String()},
						{"extAddress", nb.peer.ext}, {n.version, max(nb.peer.node.ThreadVersion, 4)}, {n.linkAge, 400},
						{"linkMargin", linkMargin(min(nb.lqIn, nb.lqOut))}, {"averageRssi", rssi(nb.lqIn)},
						{"lastRssi", rssi(nb.lqIn)}, {"frameErrorRate", 0}, {"messageErrorRate", 0}})
				}
				if out == nil {
					out = arr{}
				}
				o.add("routerNeighbors", out)
			}
		case 34:
			o.add("mleCounters", counterObj(d, diag.TypeMleCounters, false))
		}
	}
	if d.br {
		o.add("brCounters", obj{{"ifInUcastPkts", 0}, {"ifInBroadcastPkts", 0}, {"ifOutUcastPkts", 0},
			{"ifOutBroadcastPkts", 0}, {"raRx", 6}, {"raTxSuccess", 6}, {"raTxFailed", 0}, {"rsRx", 0},
			{"rsTxSuccess", 3}, {"rsTxFailed", 0}})
	}
	if !onlyQuery {
		o.add("isLeader", d.leader)
		o.add("hostsService", d.br)
		o.add("isPrimaryBBR", false)
		o.add("isBorderRouter", d.br)
	}
	return o
}

func (m *mesh) children(d *device, n names) arr {
	out := arr{}
	for _, c := range d.children {
		ch := obj{{"rxOnWhenIdle", c.mode.RxOnWhenIdle}, {n.ftd, c.mode.FullThreadDevice},
			{"fullNetworkData", c.mode.FullNetworkData}, {"cslSynchronized", false}, {"supportsErrorRate", true},
			{"rloc16", c.rloc.String()}, {"childId", int(c.rloc.ChildID())}, {"extAddress", c.ext},
			{n.version, max(c.node.ThreadVersion, 4)}, {"timeout", c.timeout}, {"age", 1}, {n.linkAge, 400}}
		if !c.mode.RxOnWhenIdle {
			ch.add("supervisionInterval", 129)
		}
		ch = append(ch, obj{{"linkMargin", linkMargin(c.childLQ)}, {"averageRssi", rssi(c.childLQ)},
			{"lastRssi", rssi(c.childLQ)}, {"frameErrorRate", 0}, {"messageErrorRate", 0}, {"queuedMessageCount", 0}}...)
		out = append(out, ch)
	}
	return out
}

// linkMargin and rssi are typical values for a link quality (OpenThread
// maps margin > 20 dB to LQ 3, > 10 to 2, > 2 to 1).
func linkMargin(lq int) int { return [4]int{1, 6, 15, 40}[clamp(lq)] }
func rssi(lq int) int       { return -100 + linkMargin(lq) }
func clamp(lq int) int      { return min(max(lq, 0), 3) }

// legacyEntry is one GET /diagnostics entry (ot-br-posix 2025-09 json.cpp
// Diag2JsonString, all TLVs of kAllTlvTypes the device answers).
func (m *mesh) legacyEntry(d *device) obj {
	o := obj{{"ExtAddress", strings.ToUpper(d.ext)}, {"Rloc16", int(d.rloc)},
		{"Mode", obj{{"RxOnWhenIdle", b2i(d.mode.RxOnWhenIdle)}, {"DeviceType", b2i(d.mode.FullThreadDevice)}, {"NetworkData", b2i(d.mode.FullNetworkData)}}}}
	if !d.mode.RxOnWhenIdle {
		o.add("Timeout", d.timeout)
	}
	o.add("Connectivity", m.connectivity(d, true))
	if d.router || d.parent != nil {
		rd := d
		if !d.router {
			rd = d.parent // an FTD child reports its parent's view of the routes, without links
		}
		r := m.route(rd, true)
		if !d.router {
			for _, e := range r[1].v.(arr) {
				e.(obj)[1].v, e.(obj)[2].v = 0, 0
			}
		}
		o.add("Route", r)
	}
	o.add("LeaderData", m.leaderData(true))
	o.add("NetworkData", strings.ToUpper(m.networkData()))
	o.add("IP6AddressList", d.ipv6)
	o.add("MACCounters", counterObj(d, diag.TypeMacCounters, true))
	if d.node.Battery != nil {
		o.add("BatteryLevel", *d.node.Battery)
	}
	if d.node.SupplyVoltage != nil {
		o.add("SupplyVoltage", *d.node.SupplyVoltage)
	}
	if d.router {
		o.add("ChildTable", m.childTable(d, names{}, true))
	}
	o.add("ChannelPages", "00")
	if d.router && !d.br {
		o.add("MaxChildTimeout", 240)
	}
	return o
}

// deviceAttributes is one /api/devices item's attributes. Children's mode
// carries the real border router's bug: rx-on and device type swapped.
func (m *mesh) deviceAttributes(d *device, n names, collected bool, created, updated string, plain bool) obj {
	o := obj{{"extAddress", d.ext}}
	if d == m.self && !collected {
		// The startup snapshot a fresh agent keeps until a collection task runs.
		o = append(o, obj{{"mlEidIid", "0000000000000000"}, {"omrIpv6Address", "::"}, {n.hostname, ""}, {"role", ""},
			{"mode", obj{{n.ftd, false}, {"rxOnWhenIdle", false}, {"fullNetworkData", false}}},
			{"baId", m.baID}, {"baState", "enabled"}, {"state", "disabled"}, {"routerCount", 0}, {"rlocAddress", "::"},
			{"networkName", ""}, {"rloc16", "0x0000"}, {"routerId", 0},
			{"leaderData", obj{{"partitionId", 0}, {"weighting", 0}, {"dataVersion", 0}, {"stableDataVersion", 0}, {"leaderRouterId", 0}}},
			{"extPanId", m.net.ExtPanID}}...)
		if !plain {
			o.add("created", created)
		}
		return o
	}
	role := "child"
	mode := obj{{n.ftd, d.mode.RxOnWhenIdle}, {"rxOnWhenIdle", d.mode.FullThreadDevice}, {"fullNetworkData", d.mode.FullNetworkData}}
	if d.router {
		role = "router" // the leader too, as the real one writes it
		mode = obj{{n.ftd, d.mode.FullThreadDevice}, {"rxOnWhenIdle", d.mode.RxOnWhenIdle}, {"fullNetworkData", d.mode.FullNetworkData}}
	}
	o = append(o, obj{{"mlEidIid", d.mlEidIID}, {"omrIpv6Address", d.omr}, {n.hostname, ""}, {"role", role}, {"mode", mode}}...)
	if d == m.self {
		o = append(o, m.nodeAttributes(n)[0:]...)
	}
	if !plain {
		o.add("created", created)
		if updated != "" {
			o.add("updated", updated)
		}
	}
	return o
}

// nodeAttributes are the border router's own node fields (camelCase /node
// and the threadBorderRouter item), after baId.
func (m *mesh) nodeAttributes(n names) obj {
	d := m.self
	return obj{{"baId", m.baID}, {"baState", "active"}, {"state", m.selfState()}, {"routerCount", m.activeRouters()},
		{"rlocAddress", m.selfRlocAddress()}, {"networkName", m.net.Name}, {"rloc16", d.rloc.String()},
		{"routerId", int(d.rloc.RouterID())}, {"leaderData", m.leaderData(false)}, {"extPanId", m.net.ExtPanID}}
}

// selfState is the border router's node state.
func (m *mesh) selfState() string {
	if m.self.leader {
		return "leader"
	}
	return "router"
}

// selfRlocAddress is the border router's RLOC IPv6 address.
func (m *mesh) selfRlocAddress() string {
	var prefix [8]byte
	a := m.mlp.Addr().As16()
	copy(prefix[:], a[:8])
	return ipString(topology.RlocAddress(prefix, m.self.rloc))
}

// legacyNode is the legacy GET /node body.
func (m *mesh) legacyNode() obj {
	d := m.self
	return obj{{"BaId", strings.ToUpper(m.baID)}, {"State", m.selfState()}, {"NumOfRouter", m.activeRouters()},
		{"RlocAddress", m.selfRlocAddress()}, {"ExtAddress", strings.ToUpper(d.ext)},
		{"NetworkName", m.net.Name}, {"Rloc16", int(d.rloc)}, {"LeaderData", m.leaderData(true)},
		{"ExtPanId", strings.ToUpper(m.net.ExtPanID)}}
}

// dataset is GET /node/dataset/active, secrets included as on the real
// border router.
func (m *mesh) dataset(legacy bool) obj {
	var pan uint64
	fmt.Sscanf(strings.TrimPrefix(m.net.PanID, "0x"), "%x", &pan)
	k := func(camel, pascal string) string {
		if legacy {
			return pascal
		}
		return camel
	}
	keyCase := strings.ToLower
	if legacy {
		keyCase = strings.ToUpper
	}
	return obj{
		{k("activeTimestamp", "ActiveTimestamp"), obj{{k("seconds", "Seconds"), 1}, {k("ticks", "Ticks"), 0}, {k("authoritative", "Authoritative"), false}}},
		{k("networkKey", "NetworkKey"), keyCase(m.networkKey)},
		{k("networkName", "NetworkName"), m.net.Name},
		{k("extPanId", "ExtPanId"), keyCase(m.net.ExtPanID)},
		{k("meshLocalPrefix", "MeshLocalPrefix"), m.mlp.String()},
		{k("panId", "PanId"), pan},
		{k("channel", "Channel"), m.net.Channel},
		{k("pskc", "PSKc"), keyCase(m.pskc)},
		{k("securityPolicy", "SecurityPolicy"), obj{{k("rotationTime", "RotationTime"), 672}, {k("obtainNetworkKey", "ObtainNetworkKey"), true},
			{k("nativeCommissioning", "NativeCommissioning"), true}, {k("routers", "Routers"), true},
			{k("externalCommissioning", "ExternalCommissioning"), true}, {k("commercialCommissioning", "CommercialCommissioning"), false},
			{k("autonomousEnrollment", "AutonomousEnrollment"), false}, {k("networkKeyProvisioning", "NetworkKeyProvisioning"), false},
			{k("tobleLink", "TobleLink"), true}, {k("nonCcmRouters", "NonCcmRouters"), false}}},
		{k("channelMask", "ChannelMask"), 134215680},
	}
}

func ipString(b [16]byte) string { return netip.AddrFrom16(b).String() }
