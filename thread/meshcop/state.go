package meshcop

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// State bitmap layout (the `sb` key, 4 bytes big-endian), from OpenThread
// src/core/meshcop/border_agent_txt_data.hpp and include/openthread/border_agent_txt_data.h.
const (
	sbConnModeShift  = 0 // 3 bits
	sbIfStatusShift  = 3 // 2 bits
	sbAvailShift     = 5 // 2 bits
	sbBBRActiveBit   = 1 << 7
	sbBBRPrimaryBit  = 1 << 8
	sbRoleShift      = 9 // 2 bits
	sbEPSKcBit       = 1 << 11
	sbMultiAILShift  = 12 // 2 bits (OpenThread PR #12157, 2025-11)
	sbKnownMask      = 0x3FFF
	sbMaskConnMode   = 7
	sbMaskTwoBits    = 3
	stateBitmapBytes = 4
)

// ConnMode is the state bitmap's connection mode (bits 0-2).
type ConnMode uint8

// Connection modes.
const (
	ConnModeDisabled ConnMode = 0 // DTLS connection not allowed
	ConnModePSKc     ConnMode = 1 // DTLS with PSKc
	ConnModePSKd     ConnMode = 2 // DTLS with PSKd
	ConnModeVendor   ConnMode = 3 // vendor-defined credential
	ConnModeX509     ConnMode = 4 // DTLS with X.509 certificate
)

func (m ConnMode) String() string {
	return enumName(uint8(m), "disabled", "pskc", "pskd", "vendor", "x509")
}

// IfStatus is the Thread interface status (bits 3-4).
type IfStatus uint8

// Thread interface statuses.
const (
	IfNotInitialized IfStatus = 0
	IfInitialized    IfStatus = 1 // initialised, not active
	IfActive         IfStatus = 2
)

func (s IfStatus) String() string {
	return enumName(uint8(s), "not-initialized", "initialized", "active")
}

// Availability is the border agent's availability (bits 5-6).
type Availability uint8

// Availabilities.
const (
	AvailabilityInfrequent Availability = 0
	AvailabilityHigh       Availability = 1
)

func (a Availability) String() string { return enumName(uint8(a), "infrequent", "high") }

// ThreadRole is the border router's Thread role (bits 9-10, Thread 1.4).
type ThreadRole uint8

// Thread roles in the state bitmap.
const (
	RoleDisabledOrDetached ThreadRole = 0
	RoleChild              ThreadRole = 1
	RoleRouter             ThreadRole = 2
	RoleLeader             ThreadRole = 3
)

func (r ThreadRole) String() string {
	return enumName(uint8(r), "disabled-or-detached", "child", "router", "leader")
}

// MultiAILState is the multi-AIL (adjacent infrastructure link) detection
// state (bits 12-13). OpenThread added the field in PR #12157 (2025-11);
// the bit position is the one after ePSKc, which the current OTBR advert in
// the fixtures confirms (sb 0x00001c31: bit 12 set = detection enabled,
// nothing detected).
type MultiAILState uint8

// Multi-AIL detection states.
const (
	MultiAILDisabled    MultiAILState = 0
	MultiAILNotDetected MultiAILState = 1
	MultiAILDetected    MultiAILState = 2
)

func (s MultiAILState) String() string {
	return enumName(uint8(s), "disabled", "not-detected", "detected")
}

func enumName(v uint8, names ...string) string {
	if int(v) < len(names) {
		return names[v]
	}
	return "reserved-" + strconv.Itoa(int(v))
}

// StateBitmap is the decoded `sb` key. UnknownBits keeps every bit above the
// named fields (14-31) exactly as received, so nothing is lost and Uint32
// gives the original value back.
type StateBitmap struct {
	ConnMode       ConnMode
	IfStatus       IfStatus
	Availability   Availability
	BBRActive      bool
	BBRPrimary     bool
	Role           ThreadRole
	EPSKcSupported bool
	MultiAIL       MultiAILState
	UnknownBits    uint32
}

// DecodeStateBitmap splits a state bitmap into its fields.
func DecodeStateBitmap(v uint32) StateBitmap {
	return StateBitmap{
		ConnMode:       ConnMode(v >> sbConnModeShift & sbMaskConnMode),
		IfStatus:       IfStatus(v >> sbIfStatusShift & sbMaskTwoBits),
		Availability:   Availability(v >> sbAvailShift & sbMaskTwoBits),
		BBRActive:      v&sbBBRActiveBit != 0,
		BBRPrimary:     v&sbBBRPrimaryBit != 0,
		Role:           ThreadRole(v >> sbRoleShift & sbMaskTwoBits),
		EPSKcSupported: v&sbEPSKcBit != 0,
		MultiAIL:       MultiAILState(v >> sbMultiAILShift & sbMaskTwoBits),
		UnknownBits:    v &^ sbKnownMask,
	}
}

// Uint32 encodes the bitmap. Field values too wide for their bits are masked.
func (s StateBitmap) Uint32() uint32 {
	v := uint32(s.ConnMode)&sbMaskConnMode<<sbConnModeShift |
		uint32(s.IfStatus)&sbMaskTwoBits<<sbIfStatusShift |
		uint32(s.Availability)&sbMaskTwoBits<<sbAvailShift |
		uint32(s.Role)&sbMaskTwoBits<<sbRoleShift |
		uint32(s.MultiAIL)&sbMaskTwoBits<<sbMultiAILShift |
		s.UnknownBits&^sbKnownMask
	if s.BBRActive {
		v |= sbBBRActiveBit
	}
	if s.BBRPrimary {
		v |= sbBBRPrimaryBit
	}
	if s.EPSKcSupported {
		v |= sbEPSKcBit
	}
	return v
}

// Fields is the bitmap as named string fields, the shape of
// topology.BorderRouter.State.
func (s StateBitmap) Fields() map[string]string {
	return map[string]string{
		"state_bitmap":            fmt.Sprintf("0x%08x", s.Uint32()),
		"connection_mode":         s.ConnMode.String(),
		"thread_interface_status": s.IfStatus.String(),
		"availability":            s.Availability.String(),
		"bbr_active":              strconv.FormatBool(s.BBRActive),
		"bbr_primary":             strconv.FormatBool(s.BBRPrimary),
		"thread_role":             s.Role.String(),
		"epskc_supported":         strconv.FormatBool(s.EPSKcSupported),
		"multi_ail_state":         s.MultiAIL.String(),
		"unknown_bits":            fmt.Sprintf("0x%08x", s.UnknownBits),
	}
}

type stateBitmapJSON struct {
	Raw                   string `json:"raw"`
	ConnectionMode        string `json:"connection_mode"`
	ThreadInterfaceStatus string `json:"thread_interface_status"`
	Availability          string `json:"availability"`
	BBRActive             bool   `json:"bbr_active"`
	BBRPrimary            bool   `json:"bbr_primary"`
	ThreadRole            string `json:"thread_role"`
	EPSKcSupported        bool   `json:"epskc_supported"`
	MultiAILState         string `json:"multi_ail_state"`
	UnknownBits           string `json:"unknown_bits"`
}

// MarshalJSON writes every field by name, plus the raw value.
func (s StateBitmap) MarshalJSON() ([]byte, error) {
	return json.Marshal(stateBitmapJSON{
		Raw:                   fmt.Sprintf("0x%08x", s.Uint32()),
		ConnectionMode:        s.ConnMode.String(),
		ThreadInterfaceStatus: s.IfStatus.String(),
		Availability:          s.Availability.String(),
		BBRActive:             s.BBRActive,
		BBRPrimary:            s.BBRPrimary,
		ThreadRole:            s.Role.String(),
		EPSKcSupported:        s.EPSKcSupported,
		MultiAILState:         s.MultiAIL.String(),
		UnknownBits:           fmt.Sprintf("0x%08x", s.UnknownBits),
	})
}

// UnmarshalJSON reads the "raw" value MarshalJSON wrote (the named fields
// follow from it).
func (s *StateBitmap) UnmarshalJSON(b []byte) error {
	var j stateBitmapJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("state bitmap json: %w", err)
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(j.Raw, "0x"), 16, 32)
	if err != nil {
		return fmt.Errorf("state bitmap json: raw %q: %w", j.Raw, err)
	}
	*s = DecodeStateBitmap(uint32(v))
	return nil
}
