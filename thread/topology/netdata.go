package topology

// NetworkData is the Thread Network Data of the partition as a source saw
// it: the on-mesh prefixes and external routes border routers publish and
// the services (SRP, DNS, backbone router) servers offer.
type NetworkData struct {
	// Source names where it came from ("diag", "otcli", ...).
	Source   string           `json:"source,omitempty"`
	Prefixes []NetDataPrefix  `json:"prefixes"`
	Services []NetDataService `json:"services"`
	// CommissionerSessionID is set while a commissioner is active.
	CommissionerSessionID *int `json:"commissioner_session_id,omitempty"`
}

// NetDataPrefix is one prefix of the network data.
type NetDataPrefix struct {
	Prefix        string                `json:"prefix"`
	DomainID      int                   `json:"domain_id"`
	BorderRouters []NetDataBorderRouter `json:"border_routers,omitempty"`
	Routes        []NetDataRoute        `json:"routes,omitempty"`
	// ContextID and Compress come from the 6LoWPAN Context sub-TLV.
	ContextID *int `json:"context_id,omitempty"`
	Compress  bool `json:"compress,omitempty"`
}

// NetDataBorderRouter is a device publishing a prefix as on-mesh.
// Preference is "low", "med", "high" (or "reserved").
type NetDataBorderRouter struct {
	// Node is the id of the node with this RLOC16 (set by Normalize), or
	// "rloc:0x...." when no such node is known.
	Node         string `json:"node"`
	Rloc16       Rloc16 `json:"rloc16"`
	Stable       bool   `json:"stable"`
	Preference   string `json:"preference"`
	Preferred    bool   `json:"preferred"`
	SLAAC        bool   `json:"slaac"`
	DHCP         bool   `json:"dhcp"`
	Configure    bool   `json:"configure"`
	DefaultRoute bool   `json:"default_route"`
	OnMesh       bool   `json:"on_mesh"`
	NDDNS        bool   `json:"nd_dns"`
	DP           bool   `json:"dp"`
}

// NetDataRoute is a device offering an external route to a prefix.
type NetDataRoute struct {
	Node       string `json:"node"`
	Rloc16     Rloc16 `json:"rloc16"`
	Stable     bool   `json:"stable"`
	Preference string `json:"preference"`
	NAT64      bool   `json:"nat64"`
	AdvPIO     bool   `json:"adv_pio"`
}

// NetDataService is one service with its servers.
type NetDataService struct {
	ServiceID        int    `json:"service_id"`
	EnterpriseNumber uint32 `json:"enterprise_number"`
	ServiceData      string `json:"service_data"`
	Stable           bool   `json:"stable"`
	// Kind: "srp-anycast", "srp-unicast", "backbone-router" or "".
	Kind       string          `json:"kind,omitempty"`
	AnycastSeq *int            `json:"anycast_seq,omitempty"`
	Address    string          `json:"address,omitempty"`
	Port       int             `json:"port,omitempty"`
	Servers    []NetDataServer `json:"servers"`
}

// NetDataServer is one server of a service.
type NetDataServer struct {
	Node       string `json:"node"`
	Rloc16     Rloc16 `json:"rloc16"`
	Stable     bool   `json:"stable"`
	ServerData string `json:"server_data"`
	Address    string `json:"address,omitempty"`
	Port       int    `json:"port,omitempty"`
}

// resolveNetData points every RLOC16 of the network data at the node that
// has it, or at "rloc:0x...." when none does. Idempotent.
func resolveNetData(s *Snapshot) {
	nd := s.Network.NetworkData
	if nd == nil {
		return
	}
	byRloc := map[Rloc16]string{}
	for _, n := range s.Nodes {
		if n.Rloc16 != nil {
			byRloc[*n.Rloc16] = n.ID
		}
	}
	ref := func(r Rloc16) string {
		if r == InvalidRloc16 {
			return "" // elided in stable-only data
		}
		if id, ok := byRloc[r]; ok {
			return id
		}
		return "rloc:" + r.String()
	}
	for i := range nd.Prefixes {
		p := &nd.Prefixes[i]
		for j := range p.BorderRouters {
			p.BorderRouters[j].Node = ref(p.BorderRouters[j].Rloc16)
		}
		for j := range p.Routes {
			p.Routes[j].Node = ref(p.Routes[j].Rloc16)
		}
	}
	for i := range nd.Services {
		for j := range nd.Services[i].Servers {
			nd.Services[i].Servers[j].Node = ref(nd.Services[i].Servers[j].Rloc16)
		}
	}
}

// Elided reports whether nd is a sleepy child's stable-only copy: the
// server RLOC16s replaced by 0xfffe (InvalidRloc16), so it cannot say who
// the border routers are.
func (nd *NetworkData) Elided() bool {
	elided := false
	nd.eachRloc(true, func(r Rloc16) { elided = elided || r == InvalidRloc16 })
	return elided
}

// eachRloc calls f with the RLOC16 of every Border Router and Has Route
// entry and, with servers, of every service's server (nil nd: none).
func (nd *NetworkData) eachRloc(servers bool, f func(Rloc16)) {
	if nd == nil {
		return
	}
	for _, p := range nd.Prefixes {
		for _, b := range p.BorderRouters {
			f(b.Rloc16)
		}
		for _, r := range p.Routes {
			f(r.Rloc16)
		}
	}
	if !servers {
		return
	}
	for _, s := range nd.Services {
		for _, v := range s.Servers {
			f(v.Rloc16)
		}
	}
}

// Clone returns a deep copy of nd (nil for nil).
func (nd *NetworkData) Clone() *NetworkData {
	if nd == nil {
		return nil
	}
	out := *nd
	out.Prefixes = make([]NetDataPrefix, len(nd.Prefixes))
	for i, p := range nd.Prefixes {
		p.BorderRouters = append([]NetDataBorderRouter(nil), p.BorderRouters...)
		p.Routes = append([]NetDataRoute(nil), p.Routes...)
		out.Prefixes[i] = p
	}
	out.Services = make([]NetDataService, len(nd.Services))
	for i, s := range nd.Services {
		s.Servers = append([]NetDataServer(nil), s.Servers...)
		out.Services[i] = s
	}
	return &out
}
