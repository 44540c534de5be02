package otbr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/topology"
)

// Device is one /api/devices item (threadDevice or threadBorderRouter).
// Mode is as the border router wrote it; for children ot-br-posix swaps
// rxOnWhenIdle and fullThreadDevice (network_diag_handler.cpp initialises
// otLinkModeConfig in the wrong field order), see TrueMode.
type Device struct {
	Type     string // "threadDevice" or "threadBorderRouter"
	ExtAddr  topology.ExtAddress
	MlEidIID string
	OMR      []string
	Hostname string
	EUI64    string
	Role     string
	Mode     *topology.Mode
	// Node is set on the threadBorderRouter item (its /node attributes).
	Node *NodeInfo
	// LastSeen is when the border router last heard of the device: the
	// item's "updated" time, else its "created" time (JSON:API items only).
	// The list keeps devices that left, so for them it says when.
	LastSeen *time.Time
}

// TrueMode undoes the border router's field-order bug for children: the
// rx-on and device-type bits arrive swapped. Routers are reported right.
func (d Device) TrueMode() *topology.Mode {
	if d.Mode == nil {
		return nil
	}
	m := *d.Mode
	if d.Role == "child" {
		m.RxOnWhenIdle, m.FullThreadDevice = m.FullThreadDevice, m.RxOnWhenIdle
	}
	return &m
}

// NodeInfo is the border router's own view: GET /node (legacy PascalCase or
// camelCase), GET /api/node, or the threadBorderRouter device item.
type NodeInfo struct {
	ExtAddr     *topology.ExtAddress
	Rloc16      *topology.Rloc16
	State       string // disabled, detached, child, router, leader
	NetworkName string
	ExtPanID    string
	RouterCount int
	RlocAddress string
	BaID        string
	LeaderData  *diag.LeaderData
}

// Dataset is the public part of an active operational dataset
// (GET /node/dataset/active). The network key and PSKc are read past and
// never stored: there is no field for them.
type Dataset struct {
	NetworkName     string
	ExtPanID        string
	PanID           *uint16
	Channel         int
	MeshLocalPrefix string
	ActiveSeconds   uint64
}

// WellKnown is GET /.well-known/thread/br-rest.
type WellKnown struct {
	Version string
	Base    string
}

// Action is one /api/actions task item.
type Action struct {
	ID       string
	Type     string
	Status   string
	ResultID string // relationships.result.data.id when completed
	// Destination is the getNetworkDiagnosticTask destination.
	Destination string
}

// DecodeDevices reads GET /api/devices (JSON:API document or plain JSON
// array) or one device item.
func DecodeDevices(body []byte) ([]Device, error) {
	items, err := jsonAPIItems(body, "devices")
	if err != nil {
		return nil, err
	}
	var out []Device
	for _, it := range items {
		d, err := decodeDevice(it.attrs, it.typ)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func decodeDevice(a object, typ string) (Device, error) {
	var d Device
	d.Type = typ
	var err error
	if d.ExtAddr, err = a.needExt("extAddress"); err != nil {
		return d, err
	}
	if d.MlEidIID, _, err = a.str("mlEidIid"); err != nil {
		return d, err
	}
	// omrIpv6Address is a string on the wire and a list in the OpenAPI examples.
	if v, _, ok := a.get("omrIpv6Address"); ok {
		if v[0] == '[' {
			if d.OMR, _, err = a.strList("omrIpv6Address"); err != nil {
				return d, err
			}
		} else {
			s, _, err := a.str("omrIpv6Address")
			if err != nil {
				return d, err
			}
			if s != "" && s != "::" {
				d.OMR = []string{s}
			}
		}
	}
	if d.Hostname, _, err = a.str("hostname", "hostName"); err != nil {
		return d, err
	}
	if d.EUI64, _, err = a.str("eui", "eui64"); err != nil {
		return d, err
	}
	d.EUI64 = strings.ToLower(d.EUI64)
	if d.Role, _, err = a.str("role"); err != nil {
		return d, err
	}
	if d.Mode, err = optObject(a, decodeMode, "mode"); err != nil {
		return d, err
	}
	for _, k := range []string{"updated", "created"} {
		if v, ok, err := a.str(k); err != nil {
			return d, err
		} else if ok {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return d, fmt.Errorf("%s.%s: %w", a.path, k, err)
			}
			d.LastSeen = &t
			break
		}
	}
	if typ == "threadBorderRouter" || a.has("baId", "rloc16") {
		n, err := decodeNodeInfo(a)
		if err != nil {
			return d, err
		}
		d.Node = &n
	}
	return d, nil
}

// addresses reads a device's extAddress and rloc16, each nil when absent.
func addresses(o object) (*topology.ExtAddress, *topology.Rloc16, error) {
	var ep *topology.ExtAddress
	var rp *topology.Rloc16
	if e, ok, err := o.ext("extAddress"); err != nil {
		return nil, nil, err
	} else if ok {
		ep = &e
	}
	if r, ok, err := o.rloc("rloc16"); err != nil {
		return nil, nil, err
	} else if ok {
		rp = &r
	}
	return ep, rp, nil
}

// DecodeNode reads GET /node (legacy or camelCase) or GET /api/node.
func DecodeNode(body []byte) (NodeInfo, error) {
	t := bytes.TrimSpace(body)
	o, err := parseObject(t, "node")
	if err != nil {
		return NodeInfo{}, err
	}
	if _, _, ok := o.get("data"); ok {
		items, err := jsonAPIItems(t, "node")
		if err != nil {
			return NodeInfo{}, err
		}
		if len(items) != 1 {
			return NodeInfo{}, fmt.Errorf("node: %d items, want 1", len(items))
		}
		o = items[0].attrs
	}
	return decodeNodeInfo(o)
}

func decodeNodeInfo(o object) (NodeInfo, error) {
	var n NodeInfo
	var err error
	if n.ExtAddr, n.Rloc16, err = addresses(o); err != nil {
		return n, err
	}
	if n.State, _, err = o.str("state"); err != nil {
		return n, err
	}
	if n.NetworkName, n.ExtPanID, err = networkIDs(o); err != nil {
		return n, err
	}
	if c, _, err := o.num("routerCount", "numOfRouter"); err != nil {
		return n, err
	} else {
		n.RouterCount = int(c)
	}
	if n.RlocAddress, _, err = o.str("rlocAddress"); err != nil {
		return n, err
	}
	if n.BaID, _, err = o.str("baId"); err != nil {
		return n, err
	}
	n.LeaderData, err = optObject(o, decodeLeaderData, "leaderData")
	return n, err
}

// Attached reports whether the node info describes an attached device (the
// JSON:API keeps a startup snapshot with state "disabled" until a device
// collection task refreshes it).
func (n NodeInfo) Attached() bool {
	switch n.State {
	case "child", "router", "leader":
		return true
	}
	return false
}

// networkIDs reads the network name and the extended PAN ID (lower case).
func networkIDs(o object) (name, extPanID string, err error) {
	if name, _, err = o.str("networkName"); err != nil {
		return "", "", err
	}
	extPanID, _, err = o.str("extPanId")
	return name, strings.ToLower(extPanID), err
}

// DecodeDataset reads GET /node/dataset/active (JSON, either key style).
// Secrets are skipped without being kept or echoed in errors.
func DecodeDataset(body []byte) (Dataset, error) {
	var ds Dataset
	o, err := parseObject(bytes.TrimSpace(body), "dataset")
	if err != nil {
		return ds, err
	}
	if ds.NetworkName, ds.ExtPanID, err = networkIDs(o); err != nil {
		return ds, err
	}
	if p, ok, err := o.num("panId"); err != nil {
		return ds, err
	} else if ok {
		if p > 0xffff {
			return ds, fmt.Errorf("dataset.panId: %d is not 16-bit", p)
		}
		ds.PanID = topology.Ptr(uint16(p))
	}
	if c, _, err := o.num("channel"); err != nil {
		return ds, err
	} else {
		ds.Channel = int(c)
	}
	if ds.MeshLocalPrefix, _, err = o.str("meshLocalPrefix"); err != nil {
		return ds, err
	}
	if ts, ok, err := o.obj("activeTimestamp"); err != nil {
		return ds, err
	} else if ok {
		if ds.ActiveSeconds, _, err = ts.num("seconds"); err != nil {
			return ds, err
		}
	}
	return ds, nil
}

// DecodeWellKnown reads GET /.well-known/thread/br-rest.
func DecodeWellKnown(body []byte) (WellKnown, error) {
	var w WellKnown
	o, err := parseObject(bytes.TrimSpace(body), "well-known")
	if err != nil {
		return w, err
	}
	api, ok, err := o.obj("api")
	if err != nil {
		return w, err
	}
	if !ok {
		return w, fmt.Errorf("well-known: no api object")
	}
	if w.Version, _, err = api.str("version"); err != nil {
		return w, err
	}
	if w.Base, _, err = api.str("base"); err != nil {
		return w, err
	}
	return w, nil
}

// DecodeActions reads a POST or GET /api/actions answer (collection or item).
func DecodeActions(body []byte) ([]Action, error) {
	items, err := jsonAPIItems(body, "actions")
	if err != nil {
		return nil, err
	}
	var out []Action
	for _, it := range items {
		a := Action{ID: it.id, Type: it.typ}
		if a.Status, _, err = it.attrs.str("status"); err != nil {
			return nil, err
		}
		if a.Destination, _, err = it.attrs.str("destination"); err != nil {
			return nil, err
		}
		if it.rel.m != nil {
			if res, ok, err := it.rel.obj("result"); err != nil {
				return nil, err
			} else if ok {
				if data, ok, err := res.obj("data"); err != nil {
					return nil, err
				} else if ok {
					if a.ResultID, _, err = data.str("id"); err != nil {
						return nil, err
					}
				}
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// apiItem is one JSON:API resource object (or a plain-JSON object standing
// in for one).
type apiItem struct {
	id, typ string
	attrs   object
	rel     object
}

// jsonAPIItems reads a JSON:API document's data (array or single object),
// or a plain-JSON array/object of attribute objects.
func jsonAPIItems(body []byte, what string) ([]apiItem, error) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 {
		return nil, fmt.Errorf("%s: empty body", what)
	}
	var raws []json.RawMessage
	plain := false
	switch t[0] {
	case '[':
		a, err := parseArray(t, what)
		if err != nil {
			return nil, err
		}
		raws, plain = a, true
	case '{':
		root, err := parseObject(t, what)
		if err != nil {
			return nil, err
		}
		data, p, ok := root.get("data")
		if !ok {
			if _, _, isErr := root.get("title"); isErr && root.has("status") {
				return nil, fmt.Errorf("%s: the body is an error document", what)
			}
			raws, plain = []json.RawMessage{t}, true
			break
		}
		if data[0] == '{' {
			raws = []json.RawMessage{data}
		} else if raws, err = parseArray(data, p); err != nil {
			return nil, err
		}
		what = p
	default:
		return nil, fmt.Errorf("%s: want a JSON object or array, got %s", what, describe(t))
	}
	out := make([]apiItem, 0, len(raws))
	for i, raw := range raws {
		o, err := parseObject(raw, fmt.Sprintf("%s[%d]", what, i))
		if err != nil {
			return nil, err
		}
		if plain {
			out = append(out, apiItem{attrs: o})
			continue
		}
		var it apiItem
		if it.id, _, err = o.str("id"); err != nil {
			return nil, err
		}
		if it.typ, _, err = o.str("type"); err != nil {
			return nil, err
		}
		a, ok, err := o.obj("attributes")
		if err != nil {
			return nil, err
		}
		if !ok {
			a = object{path: o.path + ".attributes", m: map[string]json.RawMessage{}}
		}
		it.attrs = a
		if r, ok, err := o.obj("relationships"); err != nil {
			return nil, err
		} else if ok {
			it.rel = r
		}
		out = append(out, it)
	}
	return out, nil
}
