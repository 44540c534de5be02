package meshcop

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"time"

	"github.com/threadmap/threadmap/thread/topology"
)

// ServiceType is the MeshCoP DNS-SD service type.
const ServiceType = "_meshcop._udp"

// EphemeralServiceType is the service a Thread 1.4 border agent advertises
// while an ephemeral key (ePSKc) is active: same instance name as its
// `_meshcop._udp` service, the ephemeral key's DTLS port, no TXT record
// (OpenThread's EphemeralKeyManager).
const EphemeralServiceType = "_meshcop-e._udp"

// SourceName is the name discovery records in topology.BorderRouter.Sources.
const SourceName = "mdns"

// Service is one resolved `_meshcop._udp` service instance.
type Service struct {
	// Instance is the instance label, e.g. "OpenThread BorderRouter #F721".
	Instance string `json:"instance"`
	// Host is the SRV target, e.g. "ot8eb0043d8ac6f721.local.".
	Host      string       `json:"host,omitempty"`
	Port      int          `json:"port,omitempty"`
	Addresses []netip.Addr `json:"addresses,omitempty"`
	// TTL is the record TTL the responder gave, in seconds.
	TTL uint32 `json:"ttl,omitempty"`
	// TXT is the record's entries as exact bytes.
	TXT []Entry `json:"-"`
	// Record is TXT decoded; DecodeError says what was malformed, if anything.
	Record      *Record   `json:"record"`
	DecodeError string    `json:"decode_error,omitempty"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
}

// NewService decodes txt (exact-bytes entries) into a Service.
func NewService(instance, host string, port int, addrs []netip.Addr, txt []Entry) Service {
	s := Service{Instance: instance, Host: host, Port: port, Addresses: addrs, TXT: txt}
	rec, err := Decode(txt)
	s.Record = rec
	if err != nil {
		s.DecodeError = err.Error()
	}
	return s
}

// NetworkKey is the key of the Thread network the service belongs to: the
// ext PAN ID in lower-case hex, else "name:<network name>", else "unknown"
// (the rule of topology.Network.Key).
func (s Service) NetworkKey() string {
	if s.Record == nil {
		return topology.Network{}.Key()
	}
	return topology.Network{Name: s.Record.NetworkName, ExtPanID: s.Record.ExtPanID.String()}.Key()
}

// ID is the border router's id: the border agent ID in hex when the TXT
// record has one, else the instance name.
func (s Service) ID() string {
	if s.Record != nil && len(s.Record.AgentID) > 0 {
		return s.Record.AgentID.String()
	}
	return s.Instance
}

// ToBorderRouter converts a discovered service into the topology model.
// State holds every state bitmap field by name plus the other decoded
// scalar keys; TXT holds every raw entry (key -> hex).
func ToBorderRouter(s Service) topology.BorderRouter {
	br := topology.BorderRouter{
		ID:       s.ID(),
		Instance: s.Instance,
		Host:     s.Host,
		Port:     s.Port,
		Sources:  []string{SourceName},
		State:    map[string]string{},
		TXT:      map[string]string{},
	}
	for _, a := range s.Addresses {
		br.Addresses = append(br.Addresses, a.String())
	}
	if !s.LastSeen.IsZero() {
		t := s.LastSeen.UTC()
		br.LastSeen = &t
	}
	for _, e := range s.TXT {
		if _, dup := br.TXT[e.Key]; !dup {
			br.TXT[e.Key] = hex.EncodeToString(e.Value)
		}
	}
	r := s.Record
	if r == nil {
		return br
	}
	br.Vendor = r.VendorName
	br.Model = r.ModelName
	br.NetworkName = r.NetworkName
	br.ExtPanID = r.ExtPanID.String()
	br.ExtAddr = r.ExtAddr.String()
	br.ThreadVersion = r.ThreadVersion
	if r.State != nil {
		for k, v := range r.State.Fields() {
			br.State[k] = v
		}
	}
	set := func(k, v string) {
		if v != "" {
			br.State[k] = v
		}
	}
	set("record_version", r.RecordVersion)
	set("agent_id", r.AgentID.String())
	set("domain_name", r.DomainName)
	set("vendor_oui", r.VendorOUI.String())
	if r.PartitionID != nil {
		set("partition_id", strconv.FormatUint(uint64(*r.PartitionID), 10))
		set("partition_id_byte_swapped", strconv.FormatUint(uint64(*r.PartitionIDSwapped), 10))
	}
	if t := r.ActiveTimestamp; t != nil {
		set("active_timestamp", fmt.Sprintf("%d.%05d", t.Seconds, t.Ticks))
		set("active_timestamp_authoritative", strconv.FormatBool(t.Authoritative))
	}
	if r.BBRSeq != nil {
		set("bbr_seq", strconv.Itoa(int(*r.BBRSeq)))
	}
	if r.BBRPort != nil {
		set("bbr_port", strconv.Itoa(int(*r.BBRPort)))
	}
	if r.OMRPrefix != nil {
		set("omr_prefix", r.OMRPrefix.String())
	}
	set("decode_error", s.DecodeError)
	return br
}

// Network is a Thread network as discovery sees it: the border routers of
// every vendor that advertise one ext PAN ID.
type Network struct {
	// Key is topology.Network.Key(): ext PAN ID hex, or "name:<name>".
	Key           string    `json:"key"`
	Name          string    `json:"name,omitempty"`
	ExtPanID      string    `json:"ext_pan_id,omitempty"`
	BorderRouters []Service `json:"border_routers"`
}

// GroupNetworks groups services by network key. Networks are sorted by key,
// border routers by instance name. A network's Name is the name most of its
// border routers give (ties: the smallest).
func GroupNetworks(services []Service) []Network {
	byKey := map[string]*Network{}
	var keys []string
	for _, s := range services {
		k := s.NetworkKey()
		n := byKey[k]
		if n == nil {
			n = &Network{Key: k}
			if s.Record != nil {
				n.ExtPanID = s.Record.ExtPanID.String()
			}
			byKey[k] = n
			keys = append(keys, k)
		}
		n.BorderRouters = append(n.BorderRouters, s)
	}
	sort.Strings(keys)
	out := make([]Network, 0, len(keys))
	for _, k := range keys {
		n := byKey[k]
		sort.Slice(n.BorderRouters, func(i, j int) bool { return n.BorderRouters[i].Instance < n.BorderRouters[j].Instance })
		votes := map[string]int{}
		for _, s := range n.BorderRouters {
			if s.Record != nil && s.Record.NetworkName != "" {
				votes[s.Record.NetworkName]++
			}
		}
		for name, c := range votes {
			if c > votes[n.Name] || (c == votes[n.Name] && name < n.Name) {
				n.Name = name
			}
		}
		out = append(out, *n)
	}
	return out
}
