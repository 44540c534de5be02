package tlv

import (
	"errors"
	"fmt"

	"github.com/threadmap/threadmap/thread/diag"
)

// Type is a MeshCoP TLV type.
type Type uint8

// MeshCoP TLV types (Thread 1.4 8.10; OpenThread's OT_MESHCOP_TLV_*).
const (
	TypeChannel                 Type = 0
	TypePanID                   Type = 1
	TypeExtPanID                Type = 2
	TypeNetworkName             Type = 3
	TypePSKc                    Type = 4 // secret: dropped by Decode
	TypeNetworkKey              Type = 5 // secret: dropped by Decode
	TypeNetworkKeySequence      Type = 6
	TypeMeshLocalPrefix         Type = 7
	TypeSteeringData            Type = 8
	TypeBorderAgentLocator      Type = 9
	TypeCommissionerID          Type = 10
	TypeCommissionerSessionID   Type = 11
	TypeSecurityPolicy          Type = 12
	TypeGet                     Type = 13
	TypeActiveTimestamp         Type = 14
	TypeCommissionerUDPPort     Type = 15
	TypeState                   Type = 16
	TypeJoinerDTLSEncapsulation Type = 17
	TypeJoinerUDPPort           Type = 18
	TypeJoinerIID               Type = 19
	TypeJoinerRouterLocator     Type = 20
	TypeJoinerRouterKEK         Type = 21 // secret: dropped by Decode
	TypeProvisioningURL         Type = 32
	TypeVendorName              Type = 33
	TypeVendorModel             Type = 34
	TypeVendorSWVersion         Type = 35
	TypeVendorData              Type = 36
	TypeVendorStackVersion      Type = 37
	TypeUDPEncapsulation        Type = 48
	TypeIPv6Address             Type = 49
	TypePendingTimestamp        Type = 51
	TypeDelayTimer              Type = 52
	TypeChannelMask             Type = 53
	TypeCount                   Type = 54
	TypePeriod                  Type = 55
	TypeScanDuration            Type = 56
	TypeEnergyList              Type = 57
	TypeThreadDomainName        Type = 59
	TypeWakeupChannel           Type = 74
	TypeDiscoveryRequest        Type = 128
	TypeDiscoveryResponse       Type = 129
	TypeJoinerAdvertisement     Type = 241
)

var typeNames = map[Type]string{
	TypeChannel:                 "Channel",
	TypePanID:                   "PanID",
	TypeExtPanID:                "ExtPanID",
	TypeNetworkName:             "NetworkName",
	TypePSKc:                    "PSKc",
	TypeNetworkKey:              "NetworkKey",
	TypeNetworkKeySequence:      "NetworkKeySequence",
	TypeMeshLocalPrefix:         "MeshLocalPrefix",
	TypeSteeringData:            "SteeringData",
	TypeBorderAgentLocator:      "BorderAgentLocator",
	TypeCommissionerID:          "CommissionerID",
	TypeCommissionerSessionID:   "CommissionerSessionID",
	TypeSecurityPolicy:          "SecurityPolicy",
	TypeGet:                     "Get",
	TypeActiveTimestamp:         "ActiveTimestamp",
	TypeCommissionerUDPPort:     "CommissionerUDPPort",
	TypeState:                   "State",
	TypeJoinerDTLSEncapsulation: "JoinerDTLSEncapsulation",
	TypeJoinerUDPPort:           "JoinerUDPPort",
	TypeJoinerIID:               "JoinerIID",
	TypeJoinerRouterLocator:     "JoinerRouterLocator",
	TypeJoinerRouterKEK:         "JoinerRouterKEK",
	TypeProvisioningURL:         "ProvisioningURL",
	TypeVendorName:              "VendorName",
	TypeVendorModel:             "VendorModel",
	TypeVendorSWVersion:         "VendorSWVersion",
	TypeVendorData:              "VendorData",
	TypeVendorStackVersion:      "VendorStackVersion",
	TypeUDPEncapsulation:        "UDPEncapsulation",
	TypeIPv6Address:             "IPv6Address",
	TypePendingTimestamp:        "PendingTimestamp",
	TypeDelayTimer:              "DelayTimer",
	TypeChannelMask:             "ChannelMask",
	TypeCount:                   "Count",
	TypePeriod:                  "Period",
	TypeScanDuration:            "ScanDuration",
	TypeEnergyList:              "EnergyList",
	TypeThreadDomainName:        "ThreadDomainName",
	TypeWakeupChannel:           "WakeupChannel",
	TypeDiscoveryRequest:        "DiscoveryRequest",
	TypeDiscoveryResponse:       "DiscoveryResponse",
	TypeJoinerAdvertisement:     "JoinerAdvertisement",
}

// Name is the type's name from the specification, or "Unknown".
func (t Type) Name() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return "Unknown"
}

// String is "Name(number)".
func (t Type) String() string { return fmt.Sprintf("%s(%d)", t.Name(), uint8(t)) }

// Secret reports whether the type carries a key (PSKc, Network Key, Joiner
// Router KEK): Decode keeps only its presence.
func (t Type) Secret() bool {
	return t == TypePSKc || t == TypeNetworkKey || t == TypeJoinerRouterKEK
}

// TLV is one framed TLV.
type TLV struct {
	Type  Type
	Value []byte
	// Extended says the length was written in the 3-byte form (0xff + 2
	// bytes) on the wire; Append uses it for short values too, so a split
	// payload joins back byte for byte.
	Extended bool
	// Offset is the byte offset of the TLV's header in the payload Split
	// read it from.
	Offset int
}

// Error is a decoding error naming the TLV and where it starts.
type Error struct {
	Type   Type
	Offset int
	Msg    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("meshcop tlv: %s at byte %d: %s", e.Type, e.Offset, e.Msg)
}

func errorf(t Type, off int, format string, a ...any) *Error {
	return &Error{Type: t, Offset: off, Msg: fmt.Sprintf(format, a...)}
}

// Split cuts a payload into TLVs. Values alias b. MeshCoP TLVs are framed
// as every Thread TLV is; thread/diag's splitter does it for both.
func Split(b []byte) ([]TLV, error) {
	dt, err := diag.ParseTLVs(b)
	out := make([]TLV, len(dt))
	for i, t := range dt {
		out[i] = TLV{Type: Type(t.Type), Value: t.Value, Extended: t.Extended, Offset: t.Offset}
	}
	var de *diag.Error
	if errors.As(err, &de) {
		return out, &Error{Type: Type(de.Type), Offset: de.Offset, Msg: de.Msg}
	}
	return out, err
}

// Append writes t to dst: the 2-byte header for values up to 254 bytes
// (unless t.Extended), else the extended 4-byte header. Values beyond 65535
// bytes cannot be framed and are cut there.
func Append(dst []byte, t TLV) []byte {
	return diag.AppendTLV(dst, diag.TLV{Type: diag.Type(t.Type), Value: t.Value, Extended: t.Extended})
}
