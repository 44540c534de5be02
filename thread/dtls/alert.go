package dtls

import (
	"fmt"
	"io"
)

// Alert levels and descriptions (RFC 5246 7.2).
const (
	levelWarning = 1
	levelFatal   = 2
)

// AlertDescription is the description byte of a TLS alert.
type AlertDescription uint8

// The alert descriptions this package sends or names.
const (
	AlertCloseNotify          AlertDescription = 0
	AlertUnexpectedMessage    AlertDescription = 10
	AlertBadRecordMAC         AlertDescription = 20
	AlertRecordOverflow       AlertDescription = 22
	AlertHandshakeFailure     AlertDescription = 40
	AlertIllegalParameter     AlertDescription = 47
	AlertDecodeError          AlertDescription = 50
	AlertDecryptError         AlertDescription = 51
	AlertProtocolVersion      AlertDescription = 70
	AlertInsufficientSecurity AlertDescription = 71
	AlertInternalError        AlertDescription = 80
	AlertNoRenegotiation      AlertDescription = 100
	AlertUnsupportedExtension AlertDescription = 110
)

var alertNames = map[AlertDescription]string{
	0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed",
	22: "record_overflow", 30: "decompression_failure", 40: "handshake_failure", 42: "bad_certificate",
	43: "unsupported_certificate", 44: "certificate_revoked", 45: "certificate_expired",
	46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied",
	50: "decode_error", 51: "decrypt_error", 60: "export_restriction", 70: "protocol_version",
	71: "insufficient_security", 80: "internal_error", 90: "user_canceled", 100: "no_renegotiation",
	110: "unsupported_extension",
}

// String is the alert's name from RFC 5246.
func (d AlertDescription) String() string {
	if s, ok := alertNames[d]; ok {
		return s
	}
	return fmt.Sprintf("alert %d", uint8(d))
}

// AlertError is a fatal alert, sent by the peer (Remote) or by us because of the peer.
type AlertError struct {
	Description AlertDescription
	Remote      bool   // the peer sent it
	Handshake   bool   // it ended a handshake
	Detail      string // what we saw, for alerts we sent
}

// Error names the alert and, where a wrong key is the usual cause, says so.
func (e *AlertError) Error() string {
	who := "we sent"
	if e.Remote {
		who = "peer sent"
	}
	s := fmt.Sprintf("dtls: %s fatal alert %v", who, e.Description)
	if e.Handshake {
		switch e.Description {
		case AlertBadRecordMAC, AlertDecryptError, AlertHandshakeFailure:
			s += " (wrong PSKc or ephemeral key?)"
		}
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// closeNotifyError is what Read returns after the peer's close_notify: it wraps io.EOF.
type closeNotifyError struct{}

func (closeNotifyError) Error() string { return "dtls: peer sent close_notify" }
func (closeNotifyError) Unwrap() error { return io.EOF }

// parseAlert reads an alert record's plaintext.
func parseAlert(p []byte) (level uint8, desc AlertDescription, err error) {
	if len(p) != 2 {
		return 0, 0, fmt.Errorf("dtls: alert of %d bytes, want 2", len(p))
	}
	if p[0] != levelWarning && p[0] != levelFatal {
		return 0, 0, fmt.Errorf("dtls: alert level %d", p[0])
	}
	return p[0], AlertDescription(p[1]), nil
}
