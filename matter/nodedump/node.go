// Package nodedump decodes Matter node data as a Matter server holds it
// (python-matter-server's MatterNodeData: attributes keyed
// "endpoint/cluster/attribute"), in the clusters threadmap reads: Thread
// Network Diagnostics (0x0035), General Diagnostics (0x0033) and Basic
// Information (0x0028). It also reads the files users have: server node
// dumps and Home Assistant Matter diagnostics downloads (file.go).
//
// A value that cannot be decoded never fails the node: it is left unset and
// named in Node.Problems. Only a document that is not node data is an error.
package nodedump

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Cluster IDs read here.
const (
	ClusterBasicInformation         = 0x0028 // 40
	ClusterGeneralDiagnostics       = 0x0033 // 51
	ClusterThreadNetworkDiagnostics = 0x0035 // 53
)

// Global attributes every cluster has.
const (
	AttrFeatureMap      = 0xFFFC // 65532
	AttrClusterRevision = 0xFFFD // 65533
)

// NodeData is one node as the Matter server sends and stores it
// (MatterNodeData). Attribute values stay raw JSON until decoded, so 64-bit
// integers keep every bit.
type NodeData struct {
	NodeID           uint64                     `json:"node_id"`
	DateCommissioned string                     `json:"date_commissioned,omitempty"`
	LastInterview    string                     `json:"last_interview,omitempty"`
	InterviewVersion int                        `json:"interview_version,omitempty"`
	Available        bool                       `json:"available"`
	IsBridge         bool                       `json:"is_bridge"`
	Attributes       map[string]json.RawMessage `json:"attributes"`
}

// AttributePath is "endpoint/cluster/attribute" in decimal.
type AttributePath struct {
	Endpoint  uint16
	Cluster   uint32
	Attribute uint32
}

// String is the dump's key form.
func (p AttributePath) String() string {
	return fmt.Sprintf("%d/%d/%d", p.Endpoint, p.Cluster, p.Attribute)
}

// ParseAttributePath reads "0/53/7".
func ParseAttributePath(s string) (AttributePath, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return AttributePath{}, fmt.Errorf("attribute path %q: want endpoint/cluster/attribute", s)
	}
	ep, err1 := strconv.ParseUint(parts[0], 10, 16)
	cl, err2 := strconv.ParseUint(parts[1], 10, 32)
	at, err3 := strconv.ParseUint(parts[2], 10, 32)
	if err1 != nil || err2 != nil || err3 != nil {
		return AttributePath{}, fmt.Errorf("attribute path %q: not three decimal numbers", s)
	}
	return AttributePath{uint16(ep), uint32(cl), uint32(at)}, nil
}

// Node is a decoded node: what threadmap needs from its root endpoint.
type Node struct {
	NodeID    uint64
	Available bool
	// LastInterview is when the server last interviewed the node (zero if
	// the dump does not say).
	LastInterview time.Time
	Basic         BasicInformation
	// Interfaces is General Diagnostics NetworkInterfaces (0/51/0).
	Interfaces []NetworkInterface
	// Thread is the Thread Network Diagnostics cluster, nil when the node
	// has none (Wi-Fi/Ethernet devices, Thread devices without the
	// cluster, or a cluster whose every attribute is null).
	Thread *ThreadNetworkDiagnostics
	// Problems names every value that could not be decoded and was left
	// unset ("0/53/5: "QP1x..." is not base64").
	Problems []string
}

// ThreadInterface returns the node's Thread network interface, or nil.
func (n *Node) ThreadInterface() *NetworkInterface {
	for i := range n.Interfaces {
		if n.Interfaces[i].Type == InterfaceThread {
			return &n.Interfaces[i]
		}
	}
	return nil
}

// DecodeNodeData reads one MatterNodeData JSON object.
func DecodeNodeData(b []byte) (*NodeData, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("matter node: %w", err)
	}
	return nodeDataFromObject(raw)
}

func nodeDataFromObject(raw map[string]json.RawMessage) (*NodeData, error) {
	var nd NodeData
	idRaw, ok := raw["node_id"]
	if !ok {
		return nil, fmt.Errorf("matter node: no node_id")
	}
	id, err := parseValue(idRaw)
	if err != nil {
		return nil, fmt.Errorf("matter node: node_id: %w", err)
	}
	if nd.NodeID, err = toUint(id, 64, false); err != nil {
		return nil, fmt.Errorf("matter node: node_id: %v", err)
	}
	attrsRaw, ok := raw["attributes"]
	if !ok {
		return nil, fmt.Errorf("matter node %d: no attributes", nd.NodeID)
	}
	if err := json.Unmarshal(attrsRaw, &nd.Attributes); err != nil {
		return nil, fmt.Errorf("matter node %d: attributes: %w", nd.NodeID, err)
	}
	str := func(key string) string {
		var s string
		if r, ok := raw[key]; ok {
			_ = json.Unmarshal(r, &s) // optional metadata; a wrong type leaves it empty
		}
		return s
	}
	nd.DateCommissioned = str("date_commissioned")
	nd.LastInterview = str("last_interview")
	if r, ok := raw["interview_version"]; ok {
		_ = json.Unmarshal(r, &nd.InterviewVersion)
	}
	if r, ok := raw["available"]; ok {
		_ = json.Unmarshal(r, &nd.Available)
	}
	if r, ok := raw["is_bridge"]; ok {
		_ = json.Unmarshal(r, &nd.IsBridge)
	}
	return &nd, nil
}

// Decode decodes the node's root-endpoint clusters. It fails only when the
// attribute map itself is unusable; bad values become Problems.
func Decode(nd *NodeData) (*Node, error) {
	if nd == nil {
		return nil, fmt.Errorf("matter node: nil")
	}
	n := &Node{NodeID: nd.NodeID, Available: nd.Available}
	var p problems
	if nd.LastInterview != "" {
		if t, err := parseTime(nd.LastInterview); err == nil {
			n.LastInterview = t
		} else {
			p.add("last_interview", "%v", err)
		}
	}
	// Group the root endpoint's attributes by cluster.
	var keys []string
	var paths []AttributePath
	for _, key := range sortedKeys(nd.Attributes) {
		path, err := ParseAttributePath(key)
		if err != nil {
			p.add(key, "%v", err)
			continue
		}
		if path.Endpoint != 0 {
			continue
		}
		switch path.Cluster {
		case ClusterBasicInformation, ClusterGeneralDiagnostics, ClusterThreadNetworkDiagnostics:
			keys = append(keys, key)
			paths = append(paths, path)
		}
	}
	values := parseValues(nd.Attributes, keys, &p)
	clusters := map[uint32]map[uint32]any{}
	for i, path := range paths {
		v, ok := values[keys[i]]
		if !ok {
			continue
		}
		if clusters[path.Cluster] == nil {
			clusters[path.Cluster] = map[uint32]any{}
		}
		clusters[path.Cluster][path.Attribute] = v
	}
	n.Basic = decodeBasic(clusters[ClusterBasicInformation], &p)
	n.Interfaces = decodeInterfaces(clusters[ClusterGeneralDiagnostics], &p)
	n.Thread = decodeThread(clusters[ClusterThreadNetworkDiagnostics], &p)
	n.Problems = p.list
	return n, nil
}

// parseTime reads the server's ISO timestamps (no zone: UTC).
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 time", s)
}

// attrReader reads one cluster's attributes, recording problems.
type attrReader struct {
	cluster uint32
	attrs   map[uint32]any
	p       *problems
}

func (r attrReader) path(id uint32) string { return fmt.Sprintf("0/%d/%d", r.cluster, id) }

func (r attrReader) get(id uint32) (any, bool) {
	v, ok := r.attrs[id]
	if !ok || absent(v) {
		return nil, false
	}
	return v, true
}

// attrOf converts attribute id with conv; a value that does not convert is
// recorded as a problem and reads as nil.
func attrOf[T any](r attrReader, id uint32, conv func(any) (T, error)) *T {
	v, ok := r.get(id)
	if !ok {
		return nil
	}
	x, err := conv(v)
	if err != nil {
		r.p.add(r.path(id), "%v", err)
		return nil
	}
	return &x
}

func (r attrReader) uint(id uint32, bits int, b64 bool) *uint64 {
	return attrOf(r, id, func(v any) (uint64, error) { return toUint(v, bits, b64) })
}

func (r attrReader) int(id uint32, bits int) *int {
	return attrOf(r, id, func(v any) (int, error) {
		i, err := toInt(v, bits)
		return clampInt(i), err
	})
}

func (r attrReader) string(id uint32) *string {
	return attrOf(r, id, toString)
}

func (r attrReader) bytes(id uint32) []byte {
	return val(attrOf(r, id, toBytes))
}

func (r attrReader) list(id uint32) ([]any, bool) {
	v, ok := r.get(id)
	if !ok {
		return nil, false
	}
	l, isList := v.([]any)
	if !isList {
		r.p.add(r.path(id), "%s is not a list", describe(v))
		return nil, false
	}
	return l, true
}

func (r attrReader) object(id uint32) (map[string]any, bool) {
	v, ok := r.get(id)
	if !ok {
		return nil, false
	}
	o, isObj := v.(map[string]any)
	if !isObj {
		r.p.add(r.path(id), "%s is not a struct", describe(v))
		return nil, false
	}
	return o, true
}

// redacted reports whether the attribute is present but redacted.
func (r attrReader) redacted(id uint32) bool {
	s, ok := r.attrs[id].(string)
	return ok && Redacted(s)
}
