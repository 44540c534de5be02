package meshcoptest

import (
	"encoding/hex"
	"net/netip"

	"github.com/threadmap/threadmap/thread/meshcop"
)

// SampleInstances are the instance names of SampleAdverts, in order.
var SampleInstances = []string{"OpenThread BorderRouter #F721", "Google-Nest-Hub-#ABED", "Apple Inc. HomePod #1"}

func mustHex(s string) meshcop.HexBytes {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func ptr[T any](v T) *T { return &v }

// SampleAdverts: an OpenThread and a Google border router on one network,
// an Apple one on another. Binary values include '\', '"', NUL and 0xff so
// the escaping is exercised on the wire.
func SampleAdverts(p *NetnsPair) []meshcop.BorderRouterAdvert {
	omr := netip.MustParsePrefix("fd11:22:33:1::/64")
	st := func(v uint32) *meshcop.StateBitmap { s := meshcop.DecodeStateBitmap(v); return &s }
	addrs := []netip.Addr{p.AddrA}
	return []meshcop.BorderRouterAdvert{
		{Host: "otbr-sim", Port: 49154, Addresses: addrs, Record: meshcop.Record{
			RecordVersion: "1", AgentID: mustHex("005c22ff0102030405060708090a0b0c"), ThreadVersion: "1.4.0",
			State: st(0x1c31), NetworkName: "HomeNet", ExtPanID: mustHex("5c22000000000001"), ExtAddr: mustHex("8eb0043d8ac6f721"),
			ActiveTimestamp: &meshcop.Timestamp{Seconds: 1}, PartitionID: ptr(uint32(1862888045)), BBRSeq: ptr(uint8(0x79)),
			BBRPort: ptr(uint16(0xf0bf)), DomainName: "DefaultDomain", OMRPrefix: &omr, VendorName: "OpenThread", ModelName: "BorderRouter",
		}},
		{Instance: "Google-Nest-Hub-#ABED", Host: "2d99f293-cd8e-2770", Port: 49191, Addresses: addrs, Record: meshcop.Record{
			RecordVersion: "1", AgentID: mustHex("bc3740c3e963aa8735bebecd7cc503c7"), ThreadVersion: "1.3.0",
			State: st(0x1b1), NetworkName: "HomeNet", ExtPanID: mustHex("5c22000000000001"), ExtAddr: mustHex("f6a99b425a67abed"),
			ActiveTimestamp: &meshcop.Timestamp{Seconds: 0x62f2f824, Ticks: 0x2a71, Authoritative: true}, PartitionID: ptr(uint32(1862888045)),
			VendorName: "Google Inc.", ModelName: "Google Nest Hub", VendorOUI: mustHex("7cd95c"),
			Vendor: []meshcop.Value{{Key: "vat", Hex: hex.EncodeToString([]byte("000062f2f82454e3"))}, {Key: "vvo", Hex: hex.EncodeToString([]byte("7CD95C"))}},
		}},
		{Instance: "Apple Inc. HomePod #1", Host: "homepod", Port: 49155, Addresses: addrs, Record: meshcop.Record{
			RecordVersion: "1", ThreadVersion: "1.3.0", State: st(0xfb1), NetworkName: "Other",
			ExtPanID: mustHex("dead00beef00cafe"), ExtAddr: mustHex("0a0b0c0d0e0f1011"),
			ActiveTimestamp: &meshcop.Timestamp{Seconds: 7}, PartitionID: ptr(uint32(42)),
			VendorName: "Apple Inc.", ModelName: "HomePod",
			Vendor:  []meshcop.Value{{Key: "dd", Hex: "00ff5c22"}},
			Unknown: []meshcop.Value{{Key: "zz", Hex: "0d0a"}},
		}},
	}
}
