package nodedump

import (
	"fmt"
	"net/netip"

	"github.com/threadmap/threadmap/thread/topology"
)

// BasicInformation is what threadmap shows of cluster 0x0028.
type BasicInformation struct {
	VendorName            string // attribute 1
	VendorID              uint16 // 2
	ProductName           string // 3
	ProductID             uint16 // 4
	NodeLabel             string // 5 (the user's name for the device)
	SoftwareVersionString string // 10
	SerialNumber          string // 15
	UniqueID              string // 18
}

func decodeBasic(attrs map[uint32]any, p *problems) BasicInformation {
	r := attrReader{ClusterBasicInformation, attrs, p}
	return BasicInformation{
		VendorName:            topology.ShortText(val(r.string(1)), maxText),
		VendorID:              uint16(val(r.uint(2, 16, false))),
		ProductName:           topology.ShortText(val(r.string(3)), maxText),
		ProductID:             uint16(val(r.uint(4, 16, false))),
		NodeLabel:             topology.ShortText(val(r.string(5)), maxText),
		SoftwareVersionString: topology.ShortText(val(r.string(10)), maxText),
		SerialNumber:          topology.ShortText(val(r.string(15)), maxText),
		UniqueID:              topology.ShortText(val(r.string(18)), maxText),
	}
}

// maxText bounds the Basic Information strings kept: the Matter data model
// allows 32 characters (64 for SoftwareVersionString); a device or server
// sending more does not get more into maps, notes and logs.
const maxText = 64

// InterfaceType is General Diagnostics InterfaceTypeEnum.
type InterfaceType int

// Interface types.
const (
	InterfaceUnspecified InterfaceType = 0
	InterfaceWiFi        InterfaceType = 1
	InterfaceEthernet    InterfaceType = 2
	InterfaceCellular    InterfaceType = 3
	InterfaceThread      InterfaceType = 4
)

// String names the interface type.
func (t InterfaceType) String() string {
	switch t {
	case InterfaceWiFi:
		return "Wi-Fi"
	case InterfaceEthernet:
		return "Ethernet"
	case InterfaceCellular:
		return "cellular"
	case InterfaceThread:
		return "Thread"
	}
	return "unspecified"
}

// NetworkInterface is one NetworkInterface struct of 0/51/0. For a Thread
// interface HardwareAddress is the node's IEEE 802.15.4 extended address.
type NetworkInterface struct {
	Name            string        // field 0 (sometimes the Thread network name)
	IsOperational   bool          // 1
	HardwareAddress []byte        // 4
	IPv4            []netip.Addr  // 5
	IPv6            []netip.Addr  // 6
	Type            InterfaceType // 7
}

func decodeInterfaces(attrs map[uint32]any, p *problems) []NetworkInterface {
	r := attrReader{ClusterGeneralDiagnostics, attrs, p}
	list, ok := r.list(0)
	if !ok {
		return nil
	}
	var out []NetworkInterface
	for i, item := range list {
		path := fmt.Sprintf("0/51/0[%d]", i)
		obj, isObj := item.(map[string]any)
		if !isObj {
			p.add(path, "%s is not a NetworkInterface struct", describe(item))
			continue
		}
		s := structReader{obj, path, p}
		ni := NetworkInterface{
			Name:            val(s.string(0, "name")),
			IsOperational:   val(s.bool(1, "isOperational")),
			HardwareAddress: s.bytes(4, "hardwareAddress"),
			Type:            InterfaceType(val(s.uint(7, 8, false, "type"))),
		}
		ni.IPv4 = addrList(s, 5, 4, "IPv4Addresses", "iPv4Addresses")
		ni.IPv6 = addrList(s, 6, 16, "IPv6Addresses", "iPv6Addresses")
		out = append(out, ni)
	}
	return out
}

func addrList(s structReader, num, size int, names ...string) []netip.Addr {
	v, ok := s.get(num, names...)
	if !ok {
		return nil
	}
	path := fmt.Sprintf("%s field %d", s.path, num)
	list, isList := v.([]any)
	if !isList {
		s.p.add(path, "%s is not a list", describe(v))
		return nil
	}
	var out []netip.Addr
	for i, item := range list {
		b, err := toBytes(item)
		if err != nil {
			s.p.add(fmt.Sprintf("%s[%d]", path, i), "%v", err)
			continue
		}
		if len(b) != size {
			s.p.add(fmt.Sprintf("%s[%d]", path, i), "%d bytes, want %d", len(b), size)
			continue
		}
		a, _ := netip.AddrFromSlice(b)
		out = append(out, a)
	}
	return out
}
