package otbr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/threadmap/threadmap/thread/topology"
)

// Diagnostic is one device's Network Diagnostic answer as any of the three
// REST dialects writes it, normalised: the legacy GET /diagnostics entry
// (PascalCase, decimal Rloc16), a JSON:API /api/diagnostics item, or its
// plain-JSON form, with or without the 2026 attribute renames. Absent TLVs
// are nil/empty.
type Diagnostic struct {
	ExtAddr         *topology.ExtAddress
	Rloc16          *topology.Rloc16
	Mode            *topology.Mode
	Timeout         *uint32 // TLV 3, seconds
	Connectivity    *Connectivity
	Route           *Route
	LeaderData      *LeaderData
	NetworkData     string // TLV 7, hex
	IPv6            []string
	MACCounters     map[string]uint64
	BatteryLevel    *int
	SupplyVoltage   *int
	ChildTable      []ChildTableEntry
	MaxChildTimeout *uint32
	EUI64           string
	ThreadVersion   int
	VendorName      string
	VendorModel     string
	VendorSWVersion string
	StackVersion    string
	MLECounters     map[string]uint64
	BRCounters      map[string]uint64
	Children        []Child
	ChildIPv6       []ChildIPv6
	RouterNeighbors []RouterNeighbor
	IsLeader        *bool
	IsBorderRouter  *bool
	IsPrimaryBBR    *bool
}

// Connectivity is TLV 4 plus the SED fields.
type Connectivity struct {
	topology.Connectivity
	SEDBufferSize    int
	SEDDatagramCount int
}

// Route is the Route64 TLV (5).
type Route struct {
	IDSequence int
	Entries    []RouteEntry
}

// RouteEntry is one router in a Route64 TLV. LQ 0/0 means no direct link.
type RouteEntry struct {
	RouterID uint8
	LQOut    int
	LQIn     int
	Cost     int
}

// LeaderData is TLV 6.
type LeaderData struct {
	PartitionID       uint32
	Weighting         int
	DataVersion       int
	StableDataVersion int
	LeaderRouterID    int
}

// ChildTableEntry is one row of the Child Table TLV (16).
type ChildTableEntry struct {
	ChildID uint16
	// TimeoutExp is the encoded timeout: 2^(TimeoutExp-4) seconds.
	TimeoutExp  int
	LinkQuality *int // absent in the legacy API
	Mode        topology.Mode
}

// TimeoutSeconds decodes the child table's timeout exponent.
func (c ChildTableEntry) TimeoutSeconds() uint32 {
	if c.TimeoutExp < 4 || c.TimeoutExp > 35 {
		return 0
	}
	return uint32(1) << (c.TimeoutExp - 4)
}

// Child is one Child TLV (29) entry, from a query.
type Child struct {
	Rloc16           topology.Rloc16
	ExtAddr          topology.ExtAddress
	Mode             topology.Mode
	ThreadVersion    int
	Timeout          *uint32
	Age              *uint32
	LinkAge          *uint32
	LinkMargin       *int
	AverageRSSI      *int
	LastRSSI         *int
	FrameErrorRate   *float64
	MessageErrorRate *float64
}

// ChildIPv6 is one Child IPv6 Address List TLV (30).
type ChildIPv6 struct {
	Rloc16 topology.Rloc16
	IPv6   []string
}

// RouterNeighbor is one Router Neighbor TLV (31) entry, from a query.
type RouterNeighbor struct {
	Rloc16           topology.Rloc16
	ExtAddr          topology.ExtAddress
	ThreadVersion    int
	LinkAge          *uint32
	LinkMargin       *int
	AverageRSSI      *int
	LastRSSI         *int
	FrameErrorRate   *float64
	MessageErrorRate *float64
}

// DiagnosticsBody tells which form a diagnostics answer had.
type DiagnosticsBody string

// Forms of a diagnostics answer.
const (
	BodyLegacy    DiagnosticsBody = "legacy"     // GET /diagnostics
	BodyJSONAPI   DiagnosticsBody = "json:api"   // GET /api/diagnostics, application/vnd.api+json
	BodyPlainJSON DiagnosticsBody = "plain-json" // GET /api/diagnostics, application/json
)

// DecodeDiagnostics decodes a saved or live diagnostics answer in any
// form: a legacy /diagnostics array, a JSON:API document (collection or
// single item), or the plain-JSON array (or single object). Items that are
// not network diagnostics (energy scan reports, discovery results) are
// skipped and counted in skipped.
func DecodeDiagnostics(body []byte) (diags []Diagnostic, form DiagnosticsBody, skipped int, err error) {
	items, form, skipped, err := decodeDiagnosticItems(body)
	for _, it := range items {
		diags = append(diags, it.Diagnostic)
	}
	return diags, form, skipped, err
}

// diagItem is a diagnostic with its JSON:API item id (empty in other forms).
type diagItem struct {
	id string
	Diagnostic
}

func decodeDiagnosticItems(body []byte) (diags []diagItem, form DiagnosticsBody, skipped int, err error) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 {
		return nil, "", 0, fmt.Errorf("diagnostics: empty body")
	}
	switch t[0] {
	case '[':
		items, err := parseArray(t, "diagnostics")
		if err != nil {
			return nil, "", 0, err
		}
		form = BodyPlainJSON
		for i, raw := range items {
			path := fmt.Sprintf("diagnostics[%d]", i)
			o, err := parseObject(raw, path)
			if err != nil {
				return nil, "", 0, err
			}
			if isLegacyKeyed(o) {
				form = BodyLegacy
			}
			d, ok, err := decodeDiagnostic(o)
			if err != nil {
				return nil, "", 0, err
			}
			if !ok {
				skipped++
				continue
			}
			diags = append(diags, diagItem{Diagnostic: d})
		}
		return diags, form, skipped, nil
	case '{':
		root, err := parseObject(t, "diagnostics")
		if err != nil {
			return nil, "", 0, err
		}
		data, p, ok := root.get("data")
		if !ok {
			// One plain-JSON item (GET /api/diagnostics/{id} as application/json).
			d, ok, err := decodeDiagnostic(root)
			if err != nil {
				return nil, "", 0, err
			}
			if !ok {
				return nil, BodyPlainJSON, 1, nil
			}
			return []diagItem{{Diagnostic: d}}, BodyPlainJSON, 0, nil
		}
		var items []json.RawMessage
		if data[0] == '{' {
			items = []json.RawMessage{data}
		} else if items, err = parseArray(data, p); err != nil {
			return nil, "", 0, err
		}
		for i, raw := range items {
			path := fmt.Sprintf("%s[%d]", p, i)
			item, err := parseObject(raw, path)
			if err != nil {
				return nil, "", 0, err
			}
			typ, _, err := item.str("type")
			if err != nil {
				return nil, "", 0, err
			}
			id, _, err := item.str("id")
			if err != nil {
				return nil, "", 0, err
			}
			if typ != "" && !isNetworkDiagnosticType(typ) {
				skipped++
				continue
			}
			attrs, ok, err := item.obj("attributes")
			if err != nil {
				return nil, "", 0, err
			}
			if !ok {
				return nil, "", 0, fmt.Errorf("%s: no attributes", path)
			}
			d, ok, err := decodeDiagnostic(attrs)
			if err != nil {
				return nil, "", 0, err
			}
			if !ok {
				skipped++
				continue
			}
			diags = append(diags, diagItem{id: id, Diagnostic: d})
		}
		return diags, BodyJSONAPI, skipped, nil
	}
	return nil, "", 0, fmt.Errorf("diagnostics: want a JSON array or object, got %s", describe(t))
}

// isNetworkDiagnosticType: the server writes "networkDiagnostics"; the
// OpenAPI document says "threadNetworkDiagnostic".
func isNetworkDiagnosticType(t string) bool {
	t = strings.ToLower(t)
	return strings.Contains(t, "networkdiagnostic")
}

// isLegacyKeyed reports whether an object uses the legacy PascalCase keys.
func isLegacyKeyed(o object) bool { return o.pascal }

// decodeDiagnostic reads one diagnostic object. ok is false for objects
// that carry neither ext address nor RLOC16 (not a device's answer).
func decodeDiagnostic(o object) (Diagnostic, bool, error) {
	d, err := decodeDiagnosticFields(o)
	if err != nil {
		return d, false, err
	}
	return d, d.ExtAddr != nil || d.Rloc16 != nil, nil
}

func decodeDiagnosticFields(o object) (d Diagnostic, err error) {
	if d.ExtAddr, d.Rloc16, err = addresses(o); err != nil {
		return d, err
	}
	if d.ExtAddr == nil && d.Rloc16 == nil {
		return d, nil
	}
	if d.Mode, err = optObject(o, decodeMode, "mode"); err != nil {
		return d, err
	}
	if err = o.optUint32(&d.Timeout, "timeout", "childTimeout"); err != nil {
		return d, err
	}
	if d.Connectivity, err = optObject(o, decodeConnectivity, "connectivity"); err != nil {
		return d, err
	}
	if d.Route, err = optObject(o, decodeRoute, "route", "route64"); err != nil {
		return d, err
	}
	if d.LeaderData, err = optObject(o, decodeLeaderData, "leaderData"); err != nil {
		return d, err
	}
	if d.NetworkData, _, err = o.str("networkData"); err != nil {
		return d, err
	}
	if d.IPv6, _, err = o.strList("ipv6Addresses", "IP6AddressList", "ip6Addresses"); err != nil {
		return d, err
	}
	if d.MACCounters, err = counters(o, "macCounters"); err != nil {
		return d, err
	}
	if d.MLECounters, err = counters(o, "mleCounters"); err != nil {
		return d, err
	}
	if d.BRCounters, err = counters(o, "brCounters"); err != nil {
		return d, err
	}
	if err = o.optInt(&d.BatteryLevel, "batteryLevel"); err != nil {
		return d, err
	}
	if err = o.optInt(&d.SupplyVoltage, "supplyVoltage"); err != nil {
		return d, err
	}
	if err = o.optUint32(&d.MaxChildTimeout, "maxChildTimeout"); err != nil {
		return d, err
	}
	if d.ChildTable, err = objectList(o, decodeChildTableEntry, "childTable"); err != nil {
		return d, err
	}
	if d.EUI64, _, err = o.str("eui", "eui64"); err != nil {
		return d, err
	}
	d.EUI64 = strings.ToLower(d.EUI64)
	if d.ThreadVersion, err = threadVersion(o); err != nil {
		return d, err
	}
	if d.VendorName, _, err = o.str("vendorName"); err != nil {
		return d, err
	}
	if d.VendorModel, _, err = o.str("vendorModel"); err != nil {
		return d, err
	}
	if d.VendorSWVersion, _, err = o.str("vendorSwVersion", "vendorVersion"); err != nil {
		return d, err
	}
	if d.StackVersion, _, err = o.str("threadStackVersion", "stackVersion"); err != nil {
		return d, err
	}
	if d.Children, err = objectList(o, decodeChild, "children"); err != nil {
		return d, err
	}
	if d.ChildIPv6, err = objectList(o, decodeChildIPv6, "childIpv6Addresses"); err != nil {
		return d, err
	}
	if d.RouterNeighbors, err = objectList(o, decodeNeighbor, "routerNeighbors"); err != nil {
		return d, err
	}
	for _, f := range []struct {
		dst  **bool
		name string
	}{{&d.IsLeader, "isLeader"}, {&d.IsBorderRouter, "isBorderRouter"}, {&d.IsPrimaryBBR, "isPrimaryBBR"}} {
		if b, ok, err := o.flag(f.name); err != nil {
			return d, err
		} else if ok {
			*f.dst = topology.Ptr(b)
		}
	}
	return d, nil
}

// addresses reads a device's extAddress and rloc16, each nil when absent.
func addresses(o object) (*topology.ExtAddress, *topology.Rloc16, error) {
	e, eok, err := o.ext("extAddress")
	if err != nil {
		return nil, nil, err
	}
	r, rok, err := o.rloc("rloc16")
	if err != nil {
		return nil, nil, err
	}
	var ep *topology.ExtAddress
	var rp *topology.Rloc16
	if eok {
		ep = &e
	}
	if rok {
		rp = &r
	}
	return ep, rp, nil
}

// optObject decodes the nested object names with dec; nil when absent.
func optObject[T any](o object, dec func(object) (T, error), names ...string) (*T, error) {
	sub, ok, err := o.obj(names...)
	if !ok || err != nil {
		return nil, err
	}
	x, err := dec(sub)
	if err != nil {
		return nil, err
	}
	return &x, nil
}

// objectList decodes the array names, each item an object, with dec: nil
// when absent, empty (not nil) when present but empty.
func objectList[T any](o object, dec func(object) (T, error), names ...string) ([]T, error) {
	items, p, ok, err := o.arr(names...)
	if !ok || err != nil {
		return nil, err
	}
	out := make([]T, 0, len(items))
	for i, raw := range items {
		c, err := parseObject(raw, fmt.Sprintf("%s[%d]", p, i))
		if err != nil {
			return nil, err
		}
		x, err := dec(c)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// optUint32 sets *dst when one of names is present.
func (o object) optUint32(dst **uint32, names ...string) error {
	n, ok, err := o.num(names...)
	if ok {
		*dst = topology.Ptr(uint32(n))
	}
	return err
}

// optInt sets *dst when one of names is present.
func (o object) optInt(dst **int, names ...string) error {
	n, ok, err := o.num(names...)
	if ok {
		*dst = topology.Ptr(int(n))
	}
	return err
}

// threadVersion reads the Thread version (0 when absent).
func threadVersion(o object) (int, error) {
	n, _, err := o.num("threadVersion", "version")
	return int(n), err
}

func decodeChildIPv6(c object) (ChildIPv6, error) {
	r, err := c.needRloc("rloc16")
	if err != nil {
		return ChildIPv6{}, err
	}
	addrs, _, err := c.strList("ipv6Addresses", "ip6Addresses")
	if err != nil {
		return ChildIPv6{}, err
	}
	return ChildIPv6{Rloc16: r, IPv6: addrs}, nil
}

// decodeMode reads a mode object: {RxOnWhenIdle, DeviceType, NetworkData}
// as 0/1 (legacy), {rxOnWhenIdle, deviceTypeFTD, fullNetworkData} (JSON:API
// before 2026-07) or {rxOnWhenIdle, fullThreadDevice, fullNetworkData}.
func decodeMode(m object) (topology.Mode, error) {
	var mode topology.Mode
	var err error
	if mode.RxOnWhenIdle, _, err = m.flag("rxOnWhenIdle"); err != nil {
		return mode, err
	}
	if mode.FullThreadDevice, _, err = m.flag("fullThreadDevice", "deviceTypeFTD", "deviceType"); err != nil {
		return mode, err
	}
	if mode.FullNetworkData, _, err = m.flag("fullNetworkData", "networkData"); err != nil {
		return mode, err
	}
	return mode, nil
}

func decodeConnectivity(c object) (Connectivity, error) {
	var out Connectivity
	fields := []struct {
		dst  *int
		name string
	}{
		{&out.LinkQuality3, "linkQuality3"}, {&out.LinkQuality2, "linkQuality2"}, {&out.LinkQuality1, "linkQuality1"},
		{&out.LeaderCost, "leaderCost"}, {&out.IDSequence, "idSequence"}, {&out.ActiveRouters, "activeRouters"},
		{&out.SEDBufferSize, "sedBufferSize"}, {&out.SEDDatagramCount, "sedDatagramCount"},
	}
	for _, f := range fields {
		n, _, err := c.num(f.name)
		if err != nil {
			return out, err
		}
		*f.dst = int(n)
	}
	p, _, err := c.signed("parentPriority")
	if err != nil {
		return out, err
	}
	out.ParentPriority = int(p)
	return out, nil
}

func decodeRoute(r object) (Route, error) {
	var out Route
	n, _, err := r.num("idSequence")
	if err != nil {
		return out, err
	}
	out.IDSequence = int(n)
	items, p, _, err := r.arr("routeData")
	if err != nil {
		return out, err
	}
	for i, raw := range items {
		e, err := parseObject(raw, fmt.Sprintf("%s[%d]", p, i))
		if err != nil {
			return out, err
		}
		id, ok, err := e.num("routeId", "routerId")
		if err != nil {
			return out, err
		}
		if !ok || id > topology.MaxRouterID {
			return out, fmt.Errorf("%s: router id missing or above %d", e.path, topology.MaxRouterID)
		}
		var entry RouteEntry
		entry.RouterID = uint8(id)
		for _, f := range []struct {
			dst  *int
			name string
			max  uint64
		}{{&entry.LQOut, "linkQualityOut", 3}, {&entry.LQIn, "linkQualityIn", 3}, {&entry.Cost, "routeCost", 255}} {
			v, _, err := e.num(f.name)
			if err != nil {
				return out, err
			}
			if v > f.max {
				return out, fmt.Errorf("%s.%s: %d above %d", e.path, f.name, v, f.max)
			}
			*f.dst = int(v)
		}
		out.Entries = append(out.Entries, entry)
	}
	return out, nil
}

func decodeLeaderData(l object) (LeaderData, error) {
	var out LeaderData
	pid, _, err := l.num("partitionId")
	if err != nil {
		return out, err
	}
	if pid > 0xffffffff {
		return out, fmt.Errorf("%s.partitionId: %d is not 32-bit", l.path, pid)
	}
	out.PartitionID = uint32(pid)
	for _, f := range []struct {
		dst  *int
		name string
	}{{&out.Weighting, "weighting"}, {&out.DataVersion, "dataVersion"}, {&out.StableDataVersion, "stableDataVersion"}, {&out.LeaderRouterID, "leaderRouterId"}} {
		n, _, err := l.num(f.name)
		if err != nil {
			return out, err
		}
		if n > 255 {
			return out, fmt.Errorf("%s.%s: %d is not one byte", l.path, f.name, n)
		}
		*f.dst = int(n)
	}
	return out, nil
}

func decodeChildTableEntry(c object) (ChildTableEntry, error) {
	var e ChildTableEntry
	id, ok, err := c.num("childId")
	if err != nil {
		return e, err
	}
	if !ok || id > 0x1ff || id == 0 {
		return e, fmt.Errorf("%s.childId: missing or not 1-511", c.path)
	}
	e.ChildID = uint16(id)
	t, _, err := c.num("timeout")
	if err != nil {
		return e, err
	}
	if t > 31 {
		return e, fmt.Errorf("%s.timeout: exponent %d above 31", c.path, t)
	}
	e.TimeoutExp = int(t)
	if lq, ok, err := c.num("linkQuality"); err != nil {
		return e, err
	} else if ok {
		if lq > 3 {
			return e, fmt.Errorf("%s.linkQuality: %d above 3", c.path, lq)
		}
		e.LinkQuality = topology.Ptr(int(lq))
	}
	if m, ok, err := c.obj("mode"); err != nil {
		return e, err
	} else if ok {
		if e.Mode, err = decodeMode(m); err != nil {
			return e, err
		}
	}
	return e, nil
}

// linkFields reads the link statistics children and neighbors share.
func linkFields(c object, linkAge **uint32, margin, avg, last **int, fer, mer **float64) error {
	if err := c.optUint32(linkAge, "linkAge", "connectionTime", "connTime"); err != nil {
		return err
	}
	if err := c.optInt(margin, "linkMargin"); err != nil {
		return err
	}
	for _, f := range []struct {
		dst   **int
		names []string
	}{{avg, []string{"averageRssi", "avgRssi"}}, {last, []string{"lastRssi"}}} {
		if n, ok, err := c.signed(f.names...); err != nil {
			return err
		} else if ok {
			*f.dst = topology.Ptr(int(n))
		}
	}
	for _, f := range []struct {
		dst   **float64
		names []string
	}{{fer, []string{"frameErrorRate"}}, {mer, []string{"messageErrorRate", "msgErrorRate"}}} {
		if v, ok, err := c.float(f.names...); err != nil {
			return err
		} else if ok {
			*f.dst = topology.Ptr(v)
		}
	}
	return nil
}

// peer reads the two addresses children and neighbors must carry.
func peer(c object, rlocNames ...string) (topology.Rloc16, topology.ExtAddress, error) {
	r, err := c.needRloc(rlocNames...)
	if err != nil {
		return r, 0, err
	}
	e, err := c.needExt("extAddress")
	return r, e, err
}

func decodeChild(c object) (Child, error) {
	var ch Child
	var err error
	if ch.Rloc16, ch.ExtAddr, err = peer(c, "rloc16"); err != nil {
		return ch, err
	}
	if ch.Mode, err = decodeMode(c); err != nil {
		return ch, err
	}
	if ch.ThreadVersion, err = threadVersion(c); err != nil {
		return ch, err
	}
	if err = c.optUint32(&ch.Timeout, "timeout"); err != nil {
		return ch, err
	}
	if err = c.optUint32(&ch.Age, "age"); err != nil {
		return ch, err
	}
	err = linkFields(c, &ch.LinkAge, &ch.LinkMargin, &ch.AverageRSSI, &ch.LastRSSI, &ch.FrameErrorRate, &ch.MessageErrorRate)
	return ch, err
}

func decodeNeighbor(c object) (RouterNeighbor, error) {
	var n RouterNeighbor
	var err error
	if n.Rloc16, n.ExtAddr, err = peer(c, "rloc16", "addr"); err != nil {
		return n, err
	}
	if n.ThreadVersion, err = threadVersion(c); err != nil {
		return n, err
	}
	err = linkFields(c, &n.LinkAge, &n.LinkMargin, &n.AverageRSSI, &n.LastRSSI, &n.FrameErrorRate, &n.MessageErrorRate)
	return n, err
}

// mleCounterAliases maps the names the docs used before 2026-07 to the
// current ones, so counters keep one key whichever dialect answered.
var mleCounterAliases = map[string]string{
	"roledisabled": "radioDisabledCount", "roledetached": "detachedRoleCount", "rolechild": "childRoleCount",
	"rolerouter": "routerRoleCount", "roleleader": "leaderRoleCount", "roledisabledtime": "radioDisabledTime",
	"roledetachedtime": "detachedRoleTime", "rolechildtime": "childRoleTime", "roleroutertime": "routerRoleTime",
	"roleleadertime": "leaderRoleTime", "attachattempts": "attachAttemptsCount", "partitionchanges": "partIdChangesCount",
	"betterattachattempts": "betterPartIdAttachAttemptsCount", "parentchanges": "newParentCount",
}

// counters reads a flat object of counters; keys become lowerCamelCase
// (legacy "IfInErrors" → "ifInErrors").
func counters(o object, name string) (map[string]uint64, error) {
	v, p, ok := o.get(name)
	if !ok {
		return nil, nil
	}
	if v[0] != '{' {
		return nil, fmt.Errorf("%s: want an object, got %s", p, describe(v))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	out := make(map[string]uint64, len(m))
	for k, raw := range m {
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue
		}
		n, err := rawUint(bytes.TrimSpace(raw))
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", p, k, err)
		}
		key := k
		if alias, ok := mleCounterAliases[strings.ToLower(k)]; ok {
			key = alias
		} else if key != "" {
			key = strings.ToLower(key[:1]) + key[1:]
		}
		out[key] = n
	}
	return out, nil
}
