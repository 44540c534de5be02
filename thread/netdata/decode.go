package netdata

import (
	"encoding/hex"
	"fmt"
	"net/netip"

	"github.com/threadmap/threadmap/thread/topology"
)

// ThreadEnterpriseNumber is the IANA enterprise number of the Thread Group;
// a Service TLV with the T bit set implies it.
const ThreadEnterpriseNumber = 44970

// Service numbers (the first service data byte) of Thread services.
const (
	ServiceBackboneRouter = 0x01
	ServiceDNSSRPAnycast  = 0x5c
	ServiceDNSSRPUnicast  = 0x5d
)

// Flag bits of a Border Router entry (the 16-bit flags word).
const (
	brPreferenceShift = 14
	brPreferred       = 1 << 13
	brSLAAC           = 1 << 12
	brDHCP            = 1 << 11
	brConfigure       = 1 << 10
	brDefaultRoute    = 1 << 9
	brOnMesh          = 1 << 8
	brNDDNS           = 1 << 7
	brDP              = 1 << 6
)

// Flag bits of a Has Route entry.
const (
	hrPreferenceShift = 6
	hrNAT64           = 1 << 5
	hrAdvPIO          = 1 << 4
)

// Context TLV bits.
const (
	ctxCompress = 1 << 4
	ctxIDMask   = 0x0f
)

// Service TLV first byte.
const (
	svcThreadEnterprise = 1 << 7
	svcIDMask           = 0x0f
)

// MeshCoP TLV types that may sit in the Commissioning Data TLV and carry
// nothing secret; every other sub-TLV is reported by type and length only.
const (
	mcSteeringData       = 8
	mcBorderAgentLocator = 9
	mcSessionID          = 11
	mcJoinerUDPPort      = 18
)

// NetworkData is the decoded Thread Network Data.
type NetworkData struct {
	Prefixes      []Prefix       `json:"prefixes,omitempty"`
	Services      []Service      `json:"services,omitempty"`
	Commissioning *Commissioning `json:"commissioning,omitempty"`
	Unknown       []RawTLV       `json:"unknown,omitempty"`
}

// RawTLV is a TLV this package does not decode, kept as received.
type RawTLV struct {
	Offset int    `json:"offset"`
	Type   int    `json:"type"`
	Stable bool   `json:"stable"`
	Value  string `json:"value_hex"`
}

// Prefix is a Prefix TLV with its sub-TLVs.
type Prefix struct {
	Offset        int            `json:"offset"`
	Stable        bool           `json:"stable"`
	DomainID      int            `json:"domain_id"`
	Prefix        netip.Prefix   `json:"prefix"`
	BorderRouters []BorderRouter `json:"border_routers,omitempty"`
	Routes        []Route        `json:"routes,omitempty"`
	Context       *Context       `json:"context,omitempty"`
	Unknown       []RawTLV       `json:"unknown,omitempty"`
}

// BorderRouter is one entry of a Border Router sub-TLV: a device that
// publishes the prefix as on-mesh.
type BorderRouter struct {
	Rloc16       topology.Rloc16 `json:"rloc16"`
	Stable       bool            `json:"stable"`
	Preference   Preference      `json:"preference"`
	Preferred    bool            `json:"preferred"`
	SLAAC        bool            `json:"slaac"`
	DHCP         bool            `json:"dhcp"`
	Configure    bool            `json:"configure"`
	DefaultRoute bool            `json:"default_route"`
	OnMesh       bool            `json:"on_mesh"`
	NDDNS        bool            `json:"nd_dns"`
	DP           bool            `json:"dp"`
}

// Route is one entry of a Has Route sub-TLV: a device that offers an
// external route to the prefix.
type Route struct {
	Rloc16     topology.Rloc16 `json:"rloc16"`
	Stable     bool            `json:"stable"`
	Preference Preference      `json:"preference"`
	NAT64      bool            `json:"nat64"`
	AdvPIO     bool            `json:"adv_pio"`
}

// Context is a 6LoWPAN Context sub-TLV.
type Context struct {
	Stable    bool `json:"stable"`
	ID        int  `json:"id"`
	Compress  bool `json:"compress"`
	ContextLn int  `json:"length"`
}

// Service is a Service TLV with its Server sub-TLVs.
type Service struct {
	Offset           int      `json:"offset"`
	Stable           bool     `json:"stable"`
	ServiceID        int      `json:"service_id"`
	EnterpriseNumber uint32   `json:"enterprise_number"`
	ServiceData      string   `json:"service_data_hex"`
	Servers          []Server `json:"servers,omitempty"`
	Unknown          []RawTLV `json:"unknown,omitempty"`
	// Kind names a known Thread service: "srp-anycast", "srp-unicast",
	// "backbone-router"; empty otherwise.
	Kind string `json:"kind,omitempty"`
	// AnycastSeq is the sequence number of a DNS/SRP anycast service.
	AnycastSeq *int `json:"anycast_seq,omitempty"`
	// Address and Port of a DNS/SRP unicast service when the service data
	// carries them.
	Address string `json:"address,omitempty"`
	Port    int    `json:"port,omitempty"`
}

// Server is one Server sub-TLV.
type Server struct {
	Rloc16     topology.Rloc16 `json:"rloc16"`
	Stable     bool            `json:"stable"`
	ServerData string          `json:"server_data_hex"`
	// Address and Port of a DNS/SRP unicast server when the server data
	// carries them.
	Address string `json:"address,omitempty"`
	Port    int    `json:"port,omitempty"`
}

// Commissioning is the Commissioning Data TLV: the session ID, border agent
// locator, steering data and joiner port in clear, other MeshCoP sub-TLVs
// by type and length only (their values are never kept).
type Commissioning struct {
	Offset             int      `json:"offset"`
	Stable             bool     `json:"stable"`
	SessionID          *int     `json:"session_id,omitempty"`
	BorderAgentLocator *int     `json:"border_agent_locator,omitempty"`
	SteeringData       string   `json:"steering_data_hex,omitempty"`
	JoinerUDPPort      *int     `json:"joiner_udp_port,omitempty"`
	Withheld           []RawTLV `json:"withheld,omitempty"`
	// ExtraTLVs: other sub-TLVs are present (all `netdata show` says).
	ExtraTLVs bool `json:"extra_tlvs,omitempty"`
}

func raw(t tlv) RawTLV {
	return RawTLV{Offset: t.offset, Type: t.typ, Stable: t.stable, Value: hex.EncodeToString(t.value)}
}

// Preference is a route preference: -1 (low), 0 (medium), 1 (high); 2
// stands for the reserved value 10b. JSON spells it as OpenThread does.
type Preference int

// String is "low", "med", "high" or "reserved".
func (p Preference) String() string { return PreferenceName(int(p)) }

// MarshalJSON writes the String form.
func (p Preference) MarshalJSON() ([]byte, error) { return []byte(`"` + p.String() + `"`), nil }

func pref(bits int) Preference {
	if bits&2 != 0 {
		if bits == 2 {
			return 2
		}
		return -1
	}
	return Preference(bits)
}

// Decode decodes Network Data (the value of the Network Data diagnostic
// TLV, or of the MLE Network Data TLV after its version bytes).
func Decode(b []byte) (*NetworkData, error) {
	top, err := parse(b, 0)
	if err != nil {
		return nil, err
	}
	nd := &NetworkData{}
	for _, t := range top {
		switch t.typ {
		case TypePrefix:
			p, err := decodePrefix(b[t.offset:t.offset+2+len(t.value)], t)
			if err != nil {
				return nil, err
			}
			p.Stable = t.stable
			nd.Prefixes = append(nd.Prefixes, *p)
		case TypeService:
			s, err := decodeService(b[t.offset:t.offset+2+len(t.value)], t)
			if err != nil {
				return nil, err
			}
			s.Stable = t.stable
			nd.Services = append(nd.Services, *s)
		case TypeCommission:
			c, err := decodeCommissioning(t)
			if err != nil {
				return nil, err
			}
			c.Stable = t.stable
			nd.Commissioning = c
		default:
			nd.Unknown = append(nd.Unknown, raw(t))
		}
	}
	return nd, nil
}

func decodePrefix(whole []byte, t tlv) (*Prefix, error) {
	v := t.value
	if len(v) < 2 {
		return nil, &Error{t.typ, t.offset, "prefix TLV shorter than domain ID + prefix length"}
	}
	plen := int(v[1])
	if plen > 128 {
		return nil, &Error{t.typ, t.offset, fmt.Sprintf("prefix length %d bits", plen)}
	}
	nb := (plen + 7) / 8
	if 2+nb > len(v) {
		return nil, &Error{t.typ, t.offset, fmt.Sprintf("%d-bit prefix runs past the TLV", plen)}
	}
	var a [16]byte
	copy(a[:], v[2:2+nb])
	pfx, err := netip.AddrFrom16(a).Prefix(plen)
	if err != nil {
		return nil, &Error{t.typ, t.offset, err.Error()}
	}
	p := &Prefix{Offset: t.offset, DomainID: int(v[0]), Prefix: pfx}
	subBase := t.offset + 2 + 2 + nb
	subs, err := parse(whole[4+nb:], subBase)
	if err != nil {
		return nil, err
	}
	for _, s := range subs {
		switch s.typ {
		case TypeBorderRouter:
			if len(s.value)%borderRouterEntryLen != 0 {
				return nil, &Error{s.typ, s.offset, fmt.Sprintf("border router sub-TLV: %d bytes, not a multiple of the %d-byte entry", len(s.value), borderRouterEntryLen)}
			}
			for j := 0; j < len(s.value); j += borderRouterEntryLen {
				e := s.value[j:]
				f := uint16(e[2])<<8 | uint16(e[3])
				p.BorderRouters = append(p.BorderRouters, BorderRouter{
					Rloc16: topology.Rloc16(e[0])<<8 | topology.Rloc16(e[1]), Stable: s.stable,
					Preference: pref(int(f >> brPreferenceShift & 3)),
					Preferred:  f&brPreferred != 0, SLAAC: f&brSLAAC != 0, DHCP: f&brDHCP != 0,
					Configure: f&brConfigure != 0, DefaultRoute: f&brDefaultRoute != 0, OnMesh: f&brOnMesh != 0,
					NDDNS: f&brNDDNS != 0, DP: f&brDP != 0,
				})
			}
		case TypeHasRoute:
			if len(s.value)%hasRouteEntryLen != 0 {
				return nil, &Error{s.typ, s.offset, fmt.Sprintf("has route sub-TLV: %d bytes, not a multiple of the %d-byte entry", len(s.value), hasRouteEntryLen)}
			}
			for j := 0; j < len(s.value); j += hasRouteEntryLen {
				e := s.value[j:]
				f := e[2]
				p.Routes = append(p.Routes, Route{
					Rloc16: topology.Rloc16(e[0])<<8 | topology.Rloc16(e[1]), Stable: s.stable,
					Preference: pref(int(f >> hrPreferenceShift & 3)),
					NAT64:      f&hrNAT64 != 0, AdvPIO: f&hrAdvPIO != 0,
				})
			}
		case TypeContext:
			if len(s.value) < 2 {
				return nil, &Error{s.typ, s.offset, fmt.Sprintf("context sub-TLV: %d bytes, want 2", len(s.value))}
			}
			p.Context = &Context{Stable: s.stable, ID: int(s.value[0] & ctxIDMask),
				Compress: s.value[0]&ctxCompress != 0, ContextLn: int(s.value[1])}
		default:
			p.Unknown = append(p.Unknown, raw(s))
		}
	}
	return p, nil
}

func decodeService(whole []byte, t tlv) (*Service, error) {
	v := t.value
	if len(v) < 1 {
		return nil, &Error{t.typ, t.offset, "service TLV empty"}
	}
	s := &Service{Offset: t.offset, ServiceID: int(v[0] & svcIDMask)}
	i := 1
	if v[0]&svcThreadEnterprise != 0 {
		s.EnterpriseNumber = ThreadEnterpriseNumber
	} else {
		if len(v) < 5 {
			return nil, &Error{t.typ, t.offset, "service TLV: enterprise number truncated"}
		}
		s.EnterpriseNumber = uint32(v[1])<<24 | uint32(v[2])<<16 | uint32(v[3])<<8 | uint32(v[4])
		i = 5
	}
	if i >= len(v) {
		return nil, &Error{t.typ, t.offset, "service TLV: service data length missing"}
	}
	dl := int(v[i])
	i++
	if i+dl > len(v) {
		return nil, &Error{t.typ, t.offset, fmt.Sprintf("service TLV: %d bytes of service data run past the TLV", dl)}
	}
	sd := v[i : i+dl]
	s.ServiceData = hex.EncodeToString(sd)
	i += dl
	subs, err := parse(whole[2+i:], t.offset+2+i)
	if err != nil {
		return nil, err
	}
	for _, sub := range subs {
		if sub.typ != TypeServer {
			s.Unknown = append(s.Unknown, raw(sub))
			continue
		}
		if len(sub.value) < 2 {
			return nil, &Error{sub.typ, sub.offset, "server sub-TLV shorter than an RLOC16"}
		}
		sv := Server{Rloc16: topology.Rloc16(sub.value[0])<<8 | topology.Rloc16(sub.value[1]), Stable: sub.stable,
			ServerData: hex.EncodeToString(sub.value[2:])}
		if s.EnterpriseNumber == ThreadEnterpriseNumber && len(sd) >= 1 && sd[0] == ServiceDNSSRPUnicast && len(sub.value[2:]) >= 18 {
			sv.Address, sv.Port = addrPort(sub.value[2:])
		}
		s.Servers = append(s.Servers, sv)
	}
	classify(s, sd)
	return s, nil
}

// addrPort reads a 16-byte IPv6 address and a 2-byte port.
func addrPort(b []byte) (string, int) {
	var a [16]byte
	copy(a[:], b[:16])
	return netip.AddrFrom16(a).String(), int(b[16])<<8 | int(b[17])
}

func decodeCommissioning(t tlv) (*Commissioning, error) {
	c := &Commissioning{Offset: t.offset}
	// MeshCoP sub-TLVs use a plain type byte (no stable bit).
	v := t.value
	for i := 0; i < len(v); {
		if i+2 > len(v) {
			return nil, &Error{t.typ, t.offset + 2 + i, "commissioning data: truncated sub-TLV header"}
		}
		typ, l := int(v[i]), int(v[i+1])
		if typ == 0xff { // extended length: not expected here; keep out.
			return nil, &Error{t.typ, t.offset + 2 + i, "commissioning data: extended-length sub-TLV"}
		}
		if i+2+l > len(v) {
			return nil, &Error{t.typ, t.offset + 2 + i, fmt.Sprintf("commissioning data: sub-TLV %d length %d runs past the TLV", typ, l)}
		}
		val := v[i+2 : i+2+l]
		u16 := func() *int {
			if l != 2 {
				return nil
			}
			x := int(val[0])<<8 | int(val[1])
			return &x
		}
		switch typ {
		case mcSessionID:
			c.SessionID = u16()
		case mcBorderAgentLocator:
			c.BorderAgentLocator = u16()
		case mcJoinerUDPPort:
			c.JoinerUDPPort = u16()
		case mcSteeringData:
			c.SteeringData = hex.EncodeToString(val)
		default:
			c.Withheld = append(c.Withheld, RawTLV{Offset: t.offset + 2 + i, Type: typ})
			c.ExtraTLVs = true
		}
		i += 2 + l
	}
	return c, nil
}
