package export

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/threadmap/threadmap/store"
	"github.com/threadmap/threadmap/thread/topology"
)

// defaultRedactKey keys pseudonyms when the caller gives no key.
var defaultRedactKey = []byte("threadmap redact v1")

// pseudonymizer maps identifiers to stable pseudonyms.
type pseudonymizer struct{ key []byte }

// hex16 is a pseudonym in the shape of an ext address (16 hex digits).
func (p pseudonymizer) hex16(kind, v string) string {
	if v == "" {
		return ""
	}
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(kind + "\x00" + strings.ToLower(v)))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// nodeID maps a node id: ext-address ids get a pseudonym, "rloc:0x…" ids
// stay (an RLOC16 says where a node sits in the mesh, not who it is).
func (p pseudonymizer) nodeID(id string) string {
	if id == "" || strings.HasPrefix(id, "rloc:") {
		return id
	}
	return p.hex16("ext", id)
}

// Redact returns a copy of s for sharing: ext addresses (and so node ids,
// parents and link ends) become stable pseudonyms, keyed by key (nil: a
// fixed key); IPv6 addresses, the network name, ext PAN ID (a pseudonym),
// PAN ID, mesh-local prefix, EUI-64s, device names, Matter node ids, hosts,
// URLs, border agent TXT state and free-text details are removed. The graph's shape — nodes, RLOC16s,
// roles, modes, parents, links and their qualities — is kept.
func Redact(s *topology.Snapshot, key []byte) *topology.Snapshot {
	if key == nil {
		key = defaultRedactKey
	}
	p := pseudonymizer{key: key}
	c := clone(s)
	c.Network.Name = "redacted"
	c.Network.ExtPanID = p.hex16("xpan", c.Network.ExtPanID)
	c.Network.PanID = ""
	c.Network.MeshLocalPrefix = ""
	for i := range c.Nodes {
		n := &c.Nodes[i]
		n.ID = p.nodeID(n.ID)
		n.ExtAddr = p.nodeID(n.ExtAddr)
		if n.Parent != nil {
			n.Parent = topology.Ptr(p.nodeID(*n.Parent))
		}
		n.Name, n.UserName, n.EUI64, n.IPv6, n.MatterNodeID, n.StatusDetail = "", "", "", nil, 0, ""
		if n.FieldSources != nil {
			for _, f := range []string{"name", "eui64", "matter_node_id"} {
				delete(n.FieldSources, f)
			}
		}
	}
	for i := range c.Links {
		c.Links[i].A = p.nodeID(c.Links[i].A)
		c.Links[i].B = p.nodeID(c.Links[i].B)
	}
	for i := range c.BorderRouters {
		b := &c.BorderRouters[i]
		b.ID = p.hex16("br", b.ID)
		b.ExtAddr = p.nodeID(b.ExtAddr)
		b.ExtPanID = p.hex16("xpan", b.ExtPanID)
		b.Instance, b.Host, b.Addresses, b.Port, b.NetworkName, b.RestURL = "", "", nil, 0, "", ""
		b.State = nil // TXT values carry agent ids, prefixes and names
	}
	for i := range c.Scan.Sources {
		r := &c.Scan.Sources[i]
		r.Target, r.Notes = "", nil
		if r.Error != "" {
			r.Error = "error (details redacted)"
		}
	}
	return c
}

// clone deep-copies s through its CBOR encoding.
func clone(s *topology.Snapshot) *topology.Snapshot {
	codec := store.NewCodec()
	b, err := codec.MarshalSnapshot(s)
	if err == nil {
		var c *topology.Snapshot
		if c, err = codec.UnmarshalSnapshot(b); err == nil {
			return c
		}
	}
	// Only a snapshot with a schema other than ours gets here: copy by hand
	// what Redact rewrites.
	c := *s
	c.Nodes = append([]topology.Node(nil), s.Nodes...)
	for i := range c.Nodes {
		fs := map[string]string{}
		for k, v := range c.Nodes[i].FieldSources {
			fs[k] = v
		}
		c.Nodes[i].FieldSources = fs
	}
	c.Links = append([]topology.Link(nil), s.Links...)
	c.BorderRouters = append([]topology.BorderRouter(nil), s.BorderRouters...)
	c.Scan.Sources = append([]topology.SourceReport(nil), s.Scan.Sources...)
	return &c
}
