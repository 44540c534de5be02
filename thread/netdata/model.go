package netdata

import "github.com/threadmap/threadmap/thread/topology"

// PreferenceName is OpenThread's word for a preference value.
func PreferenceName(p int) string {
	switch p {
	case -1:
		return "low"
	case 0:
		return "med"
	case 1:
		return "high"
	}
	return "reserved"
}

// Model converts nd to the topology model, naming source as its origin.
// Node references are left for topology.Normalize to resolve.
func (nd *NetworkData) Model(source string) *topology.NetworkData {
	out := &topology.NetworkData{Source: source, Prefixes: []topology.NetDataPrefix{}, Services: []topology.NetDataService{}}
	for _, p := range nd.Prefixes {
		mp := topology.NetDataPrefix{Prefix: p.Prefix.String(), DomainID: p.DomainID}
		for _, b := range p.BorderRouters {
			mp.BorderRouters = append(mp.BorderRouters, topology.NetDataBorderRouter{
				Rloc16: b.Rloc16, Stable: b.Stable, Preference: b.Preference.String(),
				Preferred: b.Preferred, SLAAC: b.SLAAC, DHCP: b.DHCP, Configure: b.Configure,
				DefaultRoute: b.DefaultRoute, OnMesh: b.OnMesh, NDDNS: b.NDDNS, DP: b.DP})
		}
		for _, r := range p.Routes {
			mp.Routes = append(mp.Routes, topology.NetDataRoute{Rloc16: r.Rloc16, Stable: r.Stable,
				Preference: r.Preference.String(), NAT64: r.NAT64, AdvPIO: r.AdvPIO})
		}
		if p.Context != nil {
			id := p.Context.ID
			mp.ContextID, mp.Compress = &id, p.Context.Compress
		}
		out.Prefixes = append(out.Prefixes, mp)
	}
	for _, s := range nd.Services {
		ms := topology.NetDataService{ServiceID: s.ServiceID, EnterpriseNumber: s.EnterpriseNumber,
			ServiceData: s.ServiceData, Stable: s.Stable, Kind: s.Kind, AnycastSeq: s.AnycastSeq,
			Address: s.Address, Port: s.Port, Servers: []topology.NetDataServer{}}
		for _, v := range s.Servers {
			ms.Servers = append(ms.Servers, topology.NetDataServer{Rloc16: v.Rloc16, Stable: v.Stable,
				ServerData: v.ServerData, Address: v.Address, Port: v.Port})
		}
		out.Services = append(out.Services, ms)
	}
	if nd.Commissioning != nil && nd.Commissioning.SessionID != nil {
		id := *nd.Commissioning.SessionID
		out.CommissionerSessionID = &id
	}
	return out
}
