package threadsim

import (
	"fmt"
	"math/rand/v2"

	"github.com/threadmap/threadmap/thread/topology"
)

// deviceKind is a kind of product found in homes, with who makes it.
type deviceKind struct {
	noun    string // "plug", used in names: "Kitchen plug"
	vendor  string
	model   string
	sw      string
	battery bool
}

// Mains-powered devices that act as routers (or REEDs).
var routerKinds = []deviceKind{
	{"plug", "Eve Systems", "Eve Energy 20ECN4101", "3.5.0", false},
	{"plug", "Eve Systems", "Eve Energy Plug", "3.2.1", false},
	{"light", "Nanoleaf", "Essentials A19", "3.6.180", false},
	{"light strip", "Nanoleaf", "Essentials Lightstrip", "3.6.180", false},
	{"shutter", "Eve Systems", "Eve Shutter Switch 20ECI1701", "3.3.0", false},
	{"thermostat", "Aqara", "Floor Heating Thermostat W500", "1.0.1.8", false},
	{"air quality monitor", "IKEA of Sweden", "ALPSTUGA air quality monitor", "1.0.7", false},
	{"smart plug", "Meross", "Smart Plug Mini MSS315", "9.3.26", false},
	{"light switch", "Aqara", "Light Switch H2 EU", "1.0.5", false},
	{"bulb", "Philips", "Hue White and Color Ambiance", "1.116.3", false},
	{"outlet", "Eve Systems", "Eve Energy Outlet", "3.5.0", false},
	{"blinds", "IKEA of Sweden", "KADRILJ roller blind", "24.4.5", false},
}

// Rx-on end devices (MEDs).
var medKinds = []deviceKind{
	{"lock", "Aqara", "Aqara Smart Lock U200", "4.1.9", true},
	{"lock", "Nuki", "Smart Lock Pro (4th Gen)", "4.3.6", true},
	{"roller motor", "Zemismart Technology Limited", "Zemismart MT25B Roller Motor", "1.0.3", true},
	{"speaker", "Apple", "HomePod mini", "18.2", false},
	{"doorbell", "Aqara", "Doorbell Camera Hub G410", "4.0.2", false},
}

// Sleepy end devices (sensors).
var sleepyKinds = []deviceKind{
	{"door sensor", "Eve Systems", "Eve Door", "3.2.1", true},
	{"window sensor", "Aqara", "Aqara Door and Window Sensor P2", "1.0.2", true},
	{"thermostat", "Eve Systems", "Eve Thermo 20ECD1701", "3.4.0", true},
	{"weather sensor", "Eve Systems", "Eve Weather", "3.1.0", true},
	{"motion sensor", "Eve Systems", "Eve Motion 20EBY9901", "3.3.0", true},
	{"leak sensor", "Aqara", "Water Leak Sensor T1", "1.0.1", true},
	{"climate sensor", "IKEA of Sweden", "TIMMERFLOTTE temp/hmd sensor", "1.0.11", true},
	{"button", "Eve Systems", "Eve Button", "3.0.2", true},
	{"presence sensor", "Aqara", "Presence Sensor FP300", "1.2.0", true},
}

// Border routers people have at home: vendor, model, MeshCoP instance prefix.
var borderRouterKinds = []struct {
	vendor, model, instance, tv, noun string
}{
	{"Apple", "HomePod mini", "HomePod", "1.4.0", "HomePod mini"},
	{"Google", "Nest Hub (2nd gen)", "Nest Hub", "1.3.0", "Nest Hub"},
	{"Home Assistant", "OpenThread Border Router", "Home Assistant OpenThread Border Router", "1.4.0", "Home Assistant"},
	{"Amazon", "Echo (4th Gen)", "Echo", "1.3.0", "Echo"},
	{"Apple", "Apple TV 4K", "Apple TV", "1.4.0", "Apple TV"},
	{"Nanoleaf", "Nanoleaf Shapes Controller", "Nanoleaf", "1.3.0", "Shapes controller"},
}

var rooms = []string{
	"Kitchen", "Living room", "Bedroom", "Hallway", "Office", "Bathroom", "Garage", "Porch",
	"Nursery", "Dining room", "Basement", "Attic", "Guest room", "Laundry", "Study", "Patio",
	"Landing", "Kids room", "Utility room", "Conservatory",
}

type generator struct {
	rng   *rand.Rand
	names map[string]int
	exts  map[topology.ExtAddress]bool
}

func (g *generator) network(name string) Network {
	if name == "" {
		name = fmt.Sprintf("MyHome%04X", g.rng.IntN(0x10000))
	}
	n := Network{
		Name:              name,
		ExtPanID:          g.rng.Uint64(),
		PanID:             uint16(g.rng.IntN(0xfffe)),
		Channel:           []int{11, 15, 20, 25, 26}[g.rng.IntN(5)],
		PartitionID:       g.rng.Uint32(),
		Weighting:         64,
		DataVersion:       uint8(g.rng.IntN(256)),
		StableDataVersion: uint8(g.rng.IntN(256)),
		IDSequence:        uint8(g.rng.IntN(256)),
	}
	// A ULA prefix fdXX:XXXX:XXXX:0000::/64 as OpenThread generates it.
	n.MeshLocalPrefix[0] = 0xfd
	for i := 1; i < 6; i++ {
		n.MeshLocalPrefix[i] = byte(g.rng.IntN(256))
	}
	return n
}

// extAddr is a fresh random ext address (locally administered, unicast).
func (g *generator) extAddr() topology.ExtAddress {
	for {
		v := g.rng.Uint64()
		v = (v | 0x0200000000000000) &^ 0x0100000000000000
		e := topology.ExtAddress(v)
		if !g.exts[e] {
			g.exts[e] = true
			return e
		}
	}
}

// name gives "Room noun", numbering repeats ("Kitchen plug 2").
func (g *generator) name(noun string) string {
	base := rooms[g.rng.IntN(len(rooms))] + " " + noun
	g.names[base]++
	if k := g.names[base]; k > 1 {
		return fmt.Sprintf("%s %d", base, k)
	}
	return base
}

func (g *generator) describe(n *Node, kinds []deviceKind) {
	k := kinds[g.rng.IntN(len(kinds))]
	n.Name, n.Vendor, n.Model, n.SWVersion = g.name(k.noun), k.vendor, k.model, k.sw
	n.Battery = -1
	n.SupplyVoltage = 3300
	if k.battery {
		n.Battery = 20 + g.rng.IntN(81)
		n.SupplyVoltage = 2700 + g.rng.IntN(500)
	}
}

func (g *generator) makeBorderRouter(n *Node, i int, net Network) {
	k := borderRouterKinds[g.rng.IntN(len(borderRouterKinds))]
	br := &BorderRouter{Vendor: k.vendor, Model: k.model, ThreadVersion: k.tv}
	for j := range br.AgentID {
		br.AgentID[j] = byte(g.rng.IntN(256))
	}
	br.OMRPrefix[0] = 0xfd
	for j := 1; j < 6; j++ {
		br.OMRPrefix[j] = byte(g.rng.IntN(256))
	}
	br.OMRPrefix[7] = byte(i + 1)
	br.Instance = fmt.Sprintf("%s #%04X", k.instance, g.rng.IntN(0x10000))
	n.BorderRouter = br
	n.Name, n.Vendor, n.Model = g.name(k.noun), k.vendor, k.model
	n.SWVersion = "2025.09"
	n.Battery, n.SupplyVoltage = -1, 5000
}

// common fills what every node has: addresses, version strings.
func (g *generator) common(n *Node) {
	if n.ExtAddr == 0 {
		n.ExtAddr = g.extAddr()
	}
	if n.EUI64 == 0 {
		n.EUI64 = g.rng.Uint64()
	}
	if n.MLEID == [8]byte{} {
		for i := range n.MLEID {
			n.MLEID[i] = byte(g.rng.IntN(256))
		}
	}
	if n.ThreadVersion == 0 {
		n.ThreadVersion = 5
		if g.rng.Float64() < 0.3 {
			n.ThreadVersion = 4
		}
	}
	if n.StackVersion == "" {
		n.StackVersion = "OPENTHREAD/thread-reference-20250612; " + n.Vendor
	}
	if n.Name == "" {
		n.Name = g.name("device")
	}
}
