package otbr

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strings"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/topology"
)

// Answer is one device's Network Diagnostic answer as the REST API wrote
// it, decoded into the one Network Diagnostic model, diag.Message, which
// (*diag.Message).AddTo turns into nodes and links exactly as it does for
// TMF answers. The legacy GET /diagnostics entry (PascalCase, decimal
// Rloc16), a JSON:API /api/diagnostics item and its plain-JSON form, with
// or without the 2026 attribute renames, all decode into it. What the
// border router adds beside the TLVs (isLeader, isBorderRouter, routerId:
// derived again from the TLVs by the model) is not kept, except its own
// border-routing counters.
type Answer struct {
	// ID is the JSON:API item id ("" in the other forms).
	ID string
	// Message holds the TLVs: Children, ChildIPv6 and RouterNeighbors come
	// from the border router's queries (children, childIpv6Addresses,
	// routerNeighbors), each list ended (…End) when the answer had it.
	Message *diag.Message
	// BRCounters are the border router's own border-routing counters
	// (brCounters, only on its own answer), keyed "br_<snake_case>".
	BRCounters map[string]uint64
	// ChildLQUnknown: the child table came without link quality (the legacy
	// API), so the child links' LQ in is unknown, not 0.
	ChildLQUnknown bool
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
func DecodeDiagnostics(body []byte) (answers []Answer, form DiagnosticsBody, skipped int, err error) {
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
			o, err := parseObject(raw, fmt.Sprintf("diagnostics[%d]", i))
			if err != nil {
				return nil, "", 0, err
			}
			if o.pascal {
				form = BodyLegacy
			}
			a, ok, err := decodeAnswer(o)
			if err != nil {
				return nil, "", 0, err
			}
			if !ok {
				skipped++
				continue
			}
			answers = append(answers, a)
		}
		return answers, form, skipped, nil
	case '{':
		root, err := parseObject(t, "diagnostics")
		if err != nil {
			return nil, "", 0, err
		}
		data, p, ok := root.get("data")
		if !ok {
			// One plain-JSON item (GET /api/diagnostics/{id} as application/json).
			a, ok, err := decodeAnswer(root)
			if err != nil {
				return nil, "", 0, err
			}
			if !ok {
				return nil, BodyPlainJSON, 1, nil
			}
			return []Answer{a}, BodyPlainJSON, 0, nil
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
			a, ok, err := decodeAnswer(attrs)
			if err != nil {
				return nil, "", 0, err
			}
			if !ok {
				skipped++
				continue
			}
			a.ID = id
			answers = append(answers, a)
		}
		return answers, BodyJSONAPI, skipped, nil
	}
	return nil, "", 0, fmt.Errorf("diagnostics: want a JSON array or object, got %s", describe(t))
}

// isNetworkDiagnosticType: the server writes "networkDiagnostics"; the
// OpenAPI document says "threadNetworkDiagnostic".
func isNetworkDiagnosticType(t string) bool {
	return strings.Contains(strings.ToLower(t), "networkdiagnostic")
}

// decodeAnswer reads one diagnostic object. ok is false for objects that
// carry neither ext address nor RLOC16 (not a device's answer).
func decodeAnswer(o object) (Answer, bool, error) {
	var a Answer
	m := &diag.Message{}
	var err error
	if m.ExtAddress, err = optExt(o, "extAddress"); err != nil {
		return a, false, err
	}
	if r, ok, err := o.rloc("rloc16"); err != nil {
		return a, false, err
	} else if ok {
		m.Address16 = &r
	}
	if m.ExtAddress == nil && m.Address16 == nil {
		return a, false, nil
	}
	a.Message = m
	if mode, ok, err := o.obj("mode"); err != nil {
		return a, false, err
	} else if ok {
		b, err := modeByte(mode)
		if err != nil {
			return a, false, err
		}
		dm := diag.DeviceMode(b)
		m.Mode = &dm
	}
	if err = optNum(o, &m.Timeout, math.MaxUint32, "timeout", "childTimeout"); err != nil {
		return a, false, err
	}
	if m.Connectivity, err = optObject(o, decodeConnectivity, "connectivity"); err != nil {
		return a, false, err
	}
	if m.Route64, err = optObject(o, decodeRoute, "route", "route64"); err != nil {
		return a, false, err
	}
	if m.LeaderData, err = optObject(o, decodeLeaderData, "leaderData"); err != nil {
		return a, false, err
	}
	if m.NetworkData, err = optHex(o, "networkData"); err != nil {
		return a, false, err
	}
	if m.IPv6Addresses, err = addrList(o, "ipv6Addresses", "IP6AddressList", "ip6Addresses"); err != nil {
		return a, false, err
	}
	if m.MacCounters, err = optObject(o, decodeMacCounters, "macCounters"); err != nil {
		return a, false, err
	}
	if err = optNum(o, &m.BatteryLevel, math.MaxUint8, "batteryLevel"); err != nil {
		return a, false, err
	}
	if err = optNum(o, &m.SupplyVoltage, math.MaxUint16, "supplyVoltage"); err != nil {
		return a, false, err
	}
	if m.ChildTable, err = objectList(o, func(c object) (diag.ChildTableEntry, error) {
		e, lq, err := decodeChildTableEntry(c)
		if !lq {
			a.ChildLQUnknown = true
		}
		return e, err
	}, "childTable"); err != nil {
		return a, false, err
	}
	if m.ChannelPages, err = channelPages(o); err != nil {
		return a, false, err
	}
	if err = optNum(o, &m.MaxChildTimeout, math.MaxUint32, "maxChildTimeout"); err != nil {
		return a, false, err
	}
	if m.EUI64, err = optExt(o, "eui", "eui64"); err != nil {
		return a, false, err
	}
	if err = optNum(o, &m.Version, math.MaxUint16, "threadVersion", "version"); err != nil {
		return a, false, err
	}
	for _, f := range []struct {
		dst   **string
		names []string
	}{
		{&m.VendorName, []string{"vendorName"}}, {&m.VendorModel, []string{"vendorModel"}},
		{&m.VendorSWVersion, []string{"vendorSwVersion", "vendorVersion"}},
		{&m.StackVersion, []string{"threadStackVersion", "stackVersion"}},
		{&m.VendorAppURL, []string{"vendorAppUrl"}},
	} {
		if s, ok, err := o.str(f.names...); err != nil {
			return a, false, err
		} else if ok {
			*f.dst = &s
		}
	}
	if m.Children, m.ChildrenEnd, err = queryList(o, decodeChild, "children"); err != nil {
		return a, false, err
	}
	if m.ChildIPv6, m.ChildIPv6End, err = queryList(o, decodeChildIPv6, "childIpv6Addresses"); err != nil {
		return a, false, err
	}
	if m.RouterNeighbors, m.RouterNeighborsEnd, err = queryList(o, decodeNeighbor, "routerNeighbors"); err != nil {
		return a, false, err
	}
	if m.MleCounters, err = optObject(o, decodeMleCounters, "mleCounters"); err != nil {
		return a, false, err
	}
	if a.BRCounters, err = brCounters(o); err != nil {
		return a, false, err
	}
	return a, true, nil
}

// optExt reads an ext address (or EUI-64) written as 16 hex digits.
func optExt(o object, names ...string) (*diag.ExtAddr, error) {
	e, ok, err := o.ext(names...)
	if !ok || err != nil {
		return nil, err
	}
	x := diag.ExtAddr(e.Bytes())
	return &x, nil
}

// unsigned is the integer widths a TLV field has.
type unsigned interface {
	~uint8 | ~uint16 | ~uint32
}

// optNum sets *dst when one of names is present, refusing values above max.
func optNum[T unsigned](o object, dst **T, max uint64, names ...string) error {
	n, ok, err := o.num(names...)
	if !ok || err != nil {
		return err
	}
	if n > max {
		_, p, _ := o.get(names...)
		return fmt.Errorf("%s: %d above %d", p, n, max)
	}
	v := T(n)
	*dst = &v
	return nil
}

// field reads a number that must fit max into *dst (0 when absent).
func field[T unsigned](o object, dst *T, max uint64, names ...string) error {
	var p *T
	if err := optNum(o, &p, max, names...); err != nil {
		return err
	}
	if p != nil {
		*dst = *p
	}
	return nil
}

// optHex reads a hex string (network data, channel pages) as bytes.
func optHex(o object, names ...string) (diag.HexBytes, error) {
	s, ok, err := o.str(names...)
	if !ok || err != nil {
		return nil, err
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		_, p, _ := o.get(names...)
		return nil, fmt.Errorf("%s: not hex: %w", p, err)
	}
	return append(diag.HexBytes{}, b...), nil
}

// channelPages reads the Channel Pages TLV: a hex string as the border
// router writes it, or a list of page numbers as the OpenAPI examples do.
func channelPages(o object) (diag.HexBytes, error) {
	v, p, ok := o.get("channelPages")
	if !ok || v[0] != '[' {
		return optHex(o, "channelPages")
	}
	items, err := parseArray(v, p)
	if err != nil {
		return nil, err
	}
	out := diag.HexBytes{}
	for i, it := range items {
		n, err := rawUint(it)
		if err != nil || n > 255 {
			return nil, fmt.Errorf("%s[%d]: want a page number 0-255", p, i)
		}
		out = append(out, byte(n))
	}
	return out, nil
}

// addrList reads a list of IPv6 addresses; nil when absent, empty (not nil)
// when present and empty, as the TLV decoder gives it.
func addrList(o object, names ...string) ([]netip.Addr, error) {
	ss, ok, err := o.strList(names...)
	if !ok || err != nil {
		return nil, err
	}
	out := make([]netip.Addr, 0, len(ss))
	for i, s := range ss {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() || a.Zone() != "" {
			_, p, _ := o.get(names...)
			return nil, fmt.Errorf("%s[%d]: %q is not an IPv6 address", p, i, s)
		}
		out = append(out, a)
	}
	return out, nil
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

// queryList is objectList for a query TLV list: present means the border
// router collected the whole list (the empty TLV that ends it arrived).
func queryList[T any](o object, dec func(object) (T, error), name string) ([]T, bool, error) {
	list, err := objectList(o, dec, name)
	if err != nil {
		return nil, false, err
	}
	if list == nil {
		return nil, false, nil
	}
	if len(list) == 0 {
		list = nil
	}
	return list, true, nil
}

// modeByte reads a mode object into the Mode TLV byte: {RxOnWhenIdle,
// DeviceType, NetworkData} as 0/1 (legacy), {rxOnWhenIdle, deviceTypeFTD,
// fullNetworkData} (JSON:API before 2026-07) or {rxOnWhenIdle,
// fullThreadDevice, fullNetworkData}.
func modeByte(m object) (byte, error) {
	var mode topology.Mode
	var err error
	if mode.RxOnWhenIdle, _, err = m.flag("rxOnWhenIdle"); err != nil {
		return 0, err
	}
	if mode.FullThreadDevice, _, err = m.flag("fullThreadDevice", "deviceTypeFTD", "deviceType"); err != nil {
		return 0, err
	}
	if mode.FullNetworkData, _, err = m.flag("fullNetworkData", "networkData"); err != nil {
		return 0, err
	}
	return mode.Byte(), nil
}

// decodeMode is modeByte in the model's terms (for /api/devices).
func decodeMode(m object) (topology.Mode, error) {
	b, err := modeByte(m)
	return topology.ModeFromByte(b), err
}

func decodeConnectivity(c object) (diag.Connectivity, error) {
	var out diag.Connectivity
	p, _, err := c.signed("parentPriority")
	if err != nil {
		return out, err
	}
	if p < -2 || p > 1 {
		return out, fmt.Errorf("%s.parentPriority: %d is not -2..1", c.path, p)
	}
	out.ParentPriority = int8(p)
	for _, f := range []struct {
		dst  *uint8
		name string
	}{
		{&out.LinkQuality3, "linkQuality3"}, {&out.LinkQuality2, "linkQuality2"}, {&out.LinkQuality1, "linkQuality1"},
		{&out.LeaderCost, "leaderCost"}, {&out.IDSequence, "idSequence"}, {&out.ActiveRouters, "activeRouters"},
	} {
		if err := field(c, f.dst, math.MaxUint8, f.name); err != nil {
			return out, err
		}
	}
	if c.has("sedBufferSize", "sedDatagramCount") {
		out.HasSEDFields = true
		if err := field(c, &out.SEDBufferSize, math.MaxUint16, "sedBufferSize"); err != nil {
			return out, err
		}
		if err := field(c, &out.SEDDatagramCount, math.MaxUint8, "sedDatagramCount"); err != nil {
			return out, err
		}
	}
	return out, nil
}

func decodeRoute(r object) (diag.Route64, error) {
	var out diag.Route64
	if err := field(r, &out.IDSequence, math.MaxUint8, "idSequence"); err != nil {
		return out, err
	}
	entries, err := objectList(r, func(e object) (diag.RouteEntry, error) {
		var entry diag.RouteEntry
		id, ok, err := e.num("routeId", "routerId")
		if err != nil {
			return entry, err
		}
		if !ok || id > topology.MaxRouterID {
			return entry, fmt.Errorf("%s: router id missing or above %d", e.path, topology.MaxRouterID)
		}
		entry.RouterID = uint8(id)
		for _, f := range []struct {
			dst  *uint8
			name string
			max  uint64
		}{{&entry.LQOut, "linkQualityOut", 3}, {&entry.LQIn, "linkQualityIn", 3}, {&entry.Cost, "routeCost", 15}} {
			if err := field(e, f.dst, f.max, f.name); err != nil {
				return entry, err
			}
		}
		return entry, nil
	}, "routeData")
	if err != nil {
		return out, err
	}
	// The TLV lists routers in ascending ID order, once each.
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].RouterID < entries[j].RouterID })
	for i := 1; i < len(entries); i++ {
		if entries[i].RouterID == entries[i-1].RouterID {
			return out, fmt.Errorf("%s.routeData: router id %d twice", r.path, entries[i].RouterID)
		}
	}
	out.Routes = entries
	if out.Routes == nil {
		out.Routes = []diag.RouteEntry{}
	}
	return out, nil
}

func decodeLeaderData(l object) (diag.LeaderData, error) {
	var out diag.LeaderData
	if err := field(l, &out.PartitionID, math.MaxUint32, "partitionId"); err != nil {
		return out, err
	}
	for _, f := range []struct {
		dst  *uint8
		name string
	}{{&out.Weighting, "weighting"}, {&out.DataVersion, "dataVersion"}, {&out.StableDataVersion, "stableDataVersion"},
		{&out.LeaderRouterID, "leaderRouterId"}} {
		if err := field(l, f.dst, math.MaxUint8, f.name); err != nil {
			return out, err
		}
	}
	return out, nil
}

// macCounterNames are the MAC Counters TLV's fields in order, as the REST
// API names them.
var macCounterNames = []string{"ifInUnknownProtos", "ifInErrors", "ifOutErrors", "ifInUcastPkts", "ifInBroadcastPkts",
	"ifInDiscards", "ifOutUcastPkts", "ifOutBroadcastPkts", "ifOutDiscards"}

func decodeMacCounters(c object) (diag.MacCounters, error) {
	var out diag.MacCounters
	dst := []*uint32{&out.IfInUnknownProtos, &out.IfInErrors, &out.IfOutErrors, &out.IfInUcastPkts,
		&out.IfInBroadcastPkts, &out.IfInDiscards, &out.IfOutUcastPkts, &out.IfOutBroadcastPkts, &out.IfOutDiscards}
	for i, name := range macCounterNames {
		if err := field(c, dst[i], math.MaxUint32, name); err != nil {
			return out, err
		}
	}
	return out, nil
}

// mleCounterNames are the MLE Counters TLV's fields in order: the REST
// API's names, then the names its documents used before 2026-07.
var mleCounterNames = [][]string{
	{"radioDisabledCount", "roleDisabled"}, {"detachedRoleCount", "roleDetached"}, {"childRoleCount", "roleChild"},
	{"routerRoleCount", "roleRouter"}, {"leaderRoleCount", "roleLeader"}, {"attachAttemptsCount", "attachAttempts"},
	{"partIdChangesCount", "partitionChanges"}, {"betterPartIdAttachAttemptsCount", "betterAttachAttempts"},
	{"newParentCount", "parentChanges"},
	{"totalTrackingTime", "trackedTime"}, {"radioDisabledTime", "roleDisabledTime"}, {"detachedRoleTime", "roleDetachedTime"},
	{"childRoleTime", "roleChildTime"}, {"routerRoleTime", "roleRouterTime"}, {"leaderRoleTime", "roleLeaderTime"},
}

func decodeMleCounters(c object) (diag.MleCounters, error) {
	var out diag.MleCounters
	counts := []*uint16{&out.DisabledRole, &out.DetachedRole, &out.ChildRole, &out.RouterRole, &out.LeaderRole,
		&out.AttachAttempts, &out.PartitionIDChanges, &out.BetterPartitionAttachAttempts, &out.ParentChanges}
	times := []*uint64{&out.TrackedTime, &out.DisabledTime, &out.DetachedTime, &out.ChildTime, &out.RouterTime, &out.LeaderTime}
	for i, dst := range counts {
		if err := field(c, dst, math.MaxUint16, mleCounterNames[i]...); err != nil {
			return out, err
		}
	}
	for i, dst := range times {
		// Milliseconds, written as 44000.000 in the docs: rounded down.
		n, _, err := c.num(mleCounterNames[len(counts)+i]...)
		if err != nil {
			return out, err
		}
		*dst = n
	}
	return out, nil
}

// brCounters reads the border router's own counters (not a TLV), keyed
// "br_" + the snake_case name.
func brCounters(o object) (map[string]uint64, error) {
	c, ok, err := o.obj("brCounters")
	if !ok || err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(c.m))
	for k := range c.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(map[string]uint64, len(keys))
	for _, k := range keys {
		n, ok, err := c.num(k)
		if err != nil {
			return nil, err
		}
		if ok {
			out["br_"+snakeCase(c.name(k))] = n
		}
	}
	return out, nil
}

// snakeCase turns "raTxSuccess" into "ra_tx_success".
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// decodeChildTableEntry reads a child table row; lq reports whether it
// carried a link quality (the legacy API writes none).
func decodeChildTableEntry(c object) (e diag.ChildTableEntry, lq bool, err error) {
	id, ok, err := c.num("childId")
	if err != nil {
		return e, false, err
	}
	if !ok || id > 0x1ff || id == 0 {
		return e, false, fmt.Errorf("%s.childId: missing or not 1-511", c.path)
	}
	e.ChildID = uint16(id)
	if err := field(c, &e.TimeoutExp, 31, "timeout"); err != nil {
		return e, false, fmt.Errorf("%s (the timeout exponent)", err)
	}
	lq = c.has("linkQuality")
	if err := field(c, &e.LinkQuality, 3, "linkQuality"); err != nil {
		return e, false, err
	}
	if m, ok, err := c.obj("mode"); err != nil {
		return e, false, err
	} else if ok {
		b, err := modeByte(m)
		if err != nil {
			return e, false, err
		}
		e.Mode = diag.DeviceMode(b)
	}
	return e, lq, nil
}

// errorRate reads an error rate the REST API writes as a fraction
// (OpenThread's 16-bit value / 0xffff) back into the 16-bit value.
func errorRate(c object, dst *uint16, names ...string) error {
	v, ok, err := c.float(names...)
	if !ok || err != nil {
		return err
	}
	if v < 0 || v > 1 || math.IsNaN(v) {
		_, p, _ := c.get(names...)
		return fmt.Errorf("%s: %v is not a fraction 0..1", p, v)
	}
	*dst = uint16(math.Round(v * 0xffff))
	return nil
}

// rssi reads a signed RSSI in dBm; 127 (OpenThread's "unknown") when absent.
func rssi(c object, dst *int8, names ...string) error {
	v, ok, err := c.signed(names...)
	if err != nil {
		return err
	}
	if !ok {
		*dst = 127
		return nil
	}
	if v < math.MinInt8 || v > math.MaxInt8 {
		_, p, _ := c.get(names...)
		return fmt.Errorf("%s: %d is not a one-byte RSSI", p, v)
	}
	*dst = int8(v)
	return nil
}

// peer reads the RLOC16 and ext address children and neighbors carry.
func peer(c object, rlocNames ...string) (topology.Rloc16, diag.ExtAddr, error) {
	r, err := c.needRloc(rlocNames...)
	if err != nil {
		return r, diag.ExtAddr{}, err
	}
	e, err := c.needExt("extAddress")
	return r, diag.ExtAddr(e.Bytes()), err
}

// Child TLV flag names, in the flag byte's bit order.
var childFlags = []struct {
	bit  uint8
	name []string
}{
	{diag.ChildFlagRxOnWhenIdle, []string{"rxOnWhenIdle"}},
	{diag.ChildFlagFTD, []string{"fullThreadDevice", "deviceTypeFTD"}},
	{diag.ChildFlagFullNetworkData, []string{"fullNetworkData"}},
	{diag.ChildFlagCSLSync, []string{"cslSynchronized"}},
	{diag.ChildFlagErrorRates, []string{"supportsErrorRate"}},
}

func decodeChild(c object) (diag.ChildInfo, error) {
	var ch diag.ChildInfo
	var err error
	if ch.Rloc16, ch.ExtAddress, err = peer(c, "rloc16"); err != nil {
		return ch, err
	}
	for _, f := range childFlags {
		on, _, err := c.flag(f.name...)
		if err != nil {
			return ch, err
		}
		if on {
			ch.Flags |= f.bit
		}
	}
	for _, f := range []struct {
		dst   *uint32
		names []string
	}{{&ch.Timeout, []string{"timeout"}}, {&ch.Age, []string{"age"}},
		{&ch.ConnectionTime, []string{"linkAge", "connectionTime", "connTime"}}, {&ch.CSLTimeout, []string{"cslTimeout"}}} {
		if err := field(c, f.dst, math.MaxUint32, f.names...); err != nil {
			return ch, err
		}
	}
	for _, f := range []struct {
		dst   *uint16
		names []string
	}{{&ch.Version, []string{"threadVersion", "version"}}, {&ch.SupervisionInterval, []string{"supervisionInterval"}},
		{&ch.QueuedMessageCount, []string{"queuedMessageCount"}}, {&ch.CSLPeriod, []string{"cslPeriod"}}} {
		if err := field(c, f.dst, math.MaxUint16, f.names...); err != nil {
			return ch, err
		}
	}
	if err := field(c, &ch.CSLChannel, math.MaxUint8, "cslChannel"); err != nil {
		return ch, err
	}
	err = linkStats(c, &ch.LinkMargin, &ch.AverageRSSI, &ch.LastRSSI, &ch.FrameErrorRate, &ch.MessageErrorRate)
	return ch, err
}

// linkStats reads what children and router neighbors both say of a link:
// link margin, average and last RSSI, frame and message error rates.
func linkStats(c object, margin *uint8, avg, last *int8, fer, mer *uint16) error {
	if err := field(c, margin, math.MaxUint8, "linkMargin"); err != nil {
		return err
	}
	if err := rssi(c, avg, "averageRssi", "avgRssi"); err != nil {
		return err
	}
	if err := rssi(c, last, "lastRssi"); err != nil {
		return err
	}
	if err := errorRate(c, fer, "frameErrorRate"); err != nil {
		return err
	}
	return errorRate(c, mer, "messageErrorRate", "msgErrorRate")
}

func decodeChildIPv6(c object) (diag.ChildIPv6Addresses, error) {
	r, err := c.needRloc("rloc16")
	if err != nil {
		return diag.ChildIPv6Addresses{}, err
	}
	addrs, err := addrList(c, "ipv6Addresses", "ip6Addresses")
	if err != nil {
		return diag.ChildIPv6Addresses{}, err
	}
	if addrs == nil {
		addrs = []netip.Addr{}
	}
	return diag.ChildIPv6Addresses{Rloc16: r, Addresses: addrs}, nil
}

func decodeNeighbor(c object) (diag.RouterNeighbor, error) {
	var n diag.RouterNeighbor
	var err error
	if n.Rloc16, n.ExtAddress, err = peer(c, "rloc16", "addr"); err != nil {
		return n, err
	}
	if on, _, err := c.flag("supportsErrorRate"); err != nil {
		return n, err
	} else if on {
		n.Flags |= diag.RouterNeighborFlagErrorRates
	}
	if err := field(c, &n.Version, math.MaxUint16, "threadVersion", "version"); err != nil {
		return n, err
	}
	if err := field(c, &n.ConnectionTime, math.MaxUint32, "linkAge", "connectionTime", "connTime"); err != nil {
		return n, err
	}
	err = linkStats(c, &n.LinkMargin, &n.AverageRSSI, &n.LastRSSI, &n.FrameErrorRate, &n.MessageErrorRate)
	return n, err
}
