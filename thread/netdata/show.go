package netdata

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/threadmap/threadmap/thread/topology"
)

// ParseShow reads the body of OpenThread's CLI `netdata show` (the lines
// between the command and "Done"): sections "Prefixes:", "Routes:",
// "Services:", "Contexts:" and "Commissioning:". Offsets are 0 (the text
// has none). Errors name the section and the 1-based line of the body.
func ParseShow(lines []string) (*NetworkData, error) {
	nd := &NetworkData{}
	section := ""
	var contexts []struct {
		p netip.Prefix
		c Context
	}
	for i, l := range lines {
		s := strings.TrimSpace(strings.TrimRight(l, "\r"))
		if s == "" || s == "Done" {
			continue
		}
		if strings.HasSuffix(s, ":") && !strings.Contains(s, " ") {
			section = strings.ToLower(strings.TrimSuffix(s, ":"))
			continue
		}
		fail := func(format string, a ...any) error {
			return fmt.Errorf("netdata show: %s line %d %q: %s", section, i+1, s, fmt.Sprintf(format, a...))
		}
		f := strings.Split(s, " ")
		switch section {
		case "prefixes", "routes":
			if len(f) < 3 || len(f) > 4 {
				return nil, fail("want prefix [flags] preference rloc16")
			}
			p, err := netip.ParsePrefix(f[0])
			if err != nil {
				return nil, fail("%v", err)
			}
			r, err := strconv.ParseUint(f[len(f)-1], 16, 16)
			if err != nil {
				return nil, fail("rloc16: %v", err)
			}
			prf, ok := map[string]Preference{"low": -1, "med": 0, "high": 1}[f[len(f)-2]]
			if !ok {
				return nil, fail("preference %q", f[len(f)-2])
			}
			flags := ""
			if len(f) == 4 {
				flags = f[1]
			}
			pe := prefixEntry(nd, p)
			if section == "prefixes" {
				br := BorderRouter{Rloc16: topology.Rloc16(r), Preference: prf}
				for _, c := range flags {
					switch c {
					case 'p':
						br.Preferred = true
					case 'a':
						br.SLAAC = true
					case 'd':
						br.DHCP = true
					case 'c':
						br.Configure = true
					case 'r':
						br.DefaultRoute = true
					case 'o':
						br.OnMesh = true
					case 's':
						br.Stable = true
					case 'n':
						br.NDDNS = true
					case 'D':
						br.DP = true
					default:
						return nil, fail("unknown flag %q", c)
					}
				}
				pe.BorderRouters = append(pe.BorderRouters, br)
			} else {
				rt := Route{Rloc16: topology.Rloc16(r), Preference: prf}
				for _, c := range flags {
					switch c {
					case 's':
						rt.Stable = true
					case 'n':
						rt.NAT64 = true
					case 'a':
						rt.AdvPIO = true
					default:
						return nil, fail("unknown flag %q", c)
					}
				}
				pe.Routes = append(pe.Routes, rt)
			}
		case "services":
			// enterprise service-data server-data [s] rloc16 service-id;
			// empty hex prints as an empty field.
			if len(f) < 5 || len(f) > 6 {
				return nil, fail("want enterprise service-data server-data [s] rloc16 service-id")
			}
			ent, err := strconv.ParseUint(f[0], 10, 32)
			if err != nil {
				return nil, fail("enterprise number: %v", err)
			}
			sd, err := hex.DecodeString(f[1])
			if err != nil {
				return nil, fail("service data: %v", err)
			}
			srv, err := hex.DecodeString(f[2])
			if err != nil {
				return nil, fail("server data: %v", err)
			}
			stable := len(f) == 6
			if stable && f[3] != "s" {
				return nil, fail("flags %q", f[3])
			}
			r, err := strconv.ParseUint(f[len(f)-2], 16, 16)
			if err != nil {
				return nil, fail("rloc16: %v", err)
			}
			id, err := strconv.ParseUint(f[len(f)-1], 10, 4)
			if err != nil {
				return nil, fail("service id: %v", err)
			}
			sv := serviceEntry(nd, int(id), uint32(ent), sd, stable)
			server := Server{Rloc16: topology.Rloc16(r), Stable: stable, ServerData: hex.EncodeToString(srv)}
			if uint32(ent) == ThreadEnterpriseNumber && len(sd) >= 1 && sd[0] == ServiceDNSSRPUnicast && len(srv) >= 18 {
				server.Address, server.Port = addrPort(srv)
			}
			sv.Servers = append(sv.Servers, server)
		case "contexts":
			if len(f) < 2 || len(f) > 3 {
				return nil, fail("want prefix context-id [flags]")
			}
			p, err := netip.ParsePrefix(f[0])
			if err != nil {
				return nil, fail("%v", err)
			}
			id, err := strconv.ParseUint(f[1], 10, 4)
			if err != nil {
				return nil, fail("context id: %v", err)
			}
			c := Context{ID: int(id), ContextLn: p.Bits()}
			if len(f) == 3 {
				for _, ch := range f[2] {
					switch ch {
					case 's':
						c.Stable = true
					case 'c':
						c.Compress = true
					case '-':
					default:
						return nil, fail("unknown flag %q", ch)
					}
				}
			}
			contexts = append(contexts, struct {
				p netip.Prefix
				c Context
			}{p, c})
		case "commissioning":
			// session-id border-agent-rloc16 joiner-udp-port steering-data,
			// "-" for absent, then " e" when other TLVs are present.
			if len(f) == 5 && f[4] != "e" || len(f) < 4 || len(f) > 5 {
				return nil, fail("want session-id locator joiner-port steering-data [e]")
			}
			c := &Commissioning{ExtraTLVs: len(f) == 5}
			if f[0] != "-" {
				v, err := strconv.ParseUint(f[0], 10, 16)
				if err != nil {
					return nil, fail("session id: %v", err)
				}
				x := int(v)
				c.SessionID = &x
			}
			if f[1] != "-" {
				v, err := strconv.ParseUint(f[1], 16, 16)
				if err != nil {
					return nil, fail("border agent locator: %v", err)
				}
				x := int(v)
				c.BorderAgentLocator = &x
			}
			if f[2] != "-" {
				v, err := strconv.ParseUint(f[2], 10, 16)
				if err != nil {
					return nil, fail("joiner udp port: %v", err)
				}
				x := int(v)
				c.JoinerUDPPort = &x
			}
			if f[3] != "-" {
				if _, err := hex.DecodeString(f[3]); err != nil {
					return nil, fail("steering data: %v", err)
				}
				c.SteeringData = strings.ToLower(f[3])
			}
			nd.Commissioning = c
		default:
			return nil, fmt.Errorf("netdata show: line %d %q outside a known section", i+1, s)
		}
	}
	for _, c := range contexts {
		c := c
		prefixEntry(nd, c.p).Context = &c.c
	}
	return nd, nil
}

func prefixEntry(nd *NetworkData, p netip.Prefix) *Prefix {
	p = p.Masked()
	for i := range nd.Prefixes {
		if nd.Prefixes[i].Prefix == p {
			return &nd.Prefixes[i]
		}
	}
	nd.Prefixes = append(nd.Prefixes, Prefix{Prefix: p})
	return &nd.Prefixes[len(nd.Prefixes)-1]
}

func serviceEntry(nd *NetworkData, id int, ent uint32, sd []byte, stable bool) *Service {
	h := hex.EncodeToString(sd)
	for i := range nd.Services {
		if s := &nd.Services[i]; s.ServiceID == id && s.EnterpriseNumber == ent && s.ServiceData == h {
			return s
		}
	}
	s := Service{ServiceID: id, EnterpriseNumber: ent, ServiceData: h, Stable: stable}
	classify(&s, sd)
	nd.Services = append(nd.Services, s)
	return &nd.Services[len(nd.Services)-1]
}

// classify names known Thread services from their service data.
func classify(s *Service, sd []byte) {
	if s.EnterpriseNumber != ThreadEnterpriseNumber || len(sd) < 1 {
		return
	}
	switch sd[0] {
	case ServiceBackboneRouter:
		s.Kind = "backbone-router"
	case ServiceDNSSRPAnycast:
		s.Kind = "srp-anycast"
		if len(sd) >= 2 {
			seq := int(sd[1])
			s.AnycastSeq = &seq
		}
	case ServiceDNSSRPUnicast:
		s.Kind = "srp-unicast"
		if len(sd) >= 19 {
			s.Address, s.Port = addrPort(sd[1:])
		}
	}
}
