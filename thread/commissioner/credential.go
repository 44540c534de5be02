package commissioner

import (
	"errors"
	"fmt"

	"github.com/threadmap/threadmap/thread/pskc"
)

// Credential is the EC-JPAKE password of a session: the network's PSKc, or
// a Thread 1.4 ephemeral key (ePSKc, the "admin code" a border router's app
// shows). It never prints its key: every formatting verb gives its kind
// only, so a Credential in a log line or an error leaks nothing.
type Credential struct {
	kind CredentialKind
	key  []byte
}

// CredentialKind says which key a Credential holds.
type CredentialKind int

// Credential kinds.
const (
	KindNone CredentialKind = iota
	// KindPSKc keys a session with the 16-byte PSKc, on the Border Agent's
	// `_meshcop._udp` port.
	KindPSKc
	// KindEphemeralKey keys a session with an ephemeral key, on the port
	// `_meshcop-e._udp` advertises while the key is active.
	KindEphemeralKey
)

func (k CredentialKind) String() string {
	switch k {
	case KindPSKc:
		return "pskc"
	case KindEphemeralKey:
		return "ephemeral-key"
	}
	return "none"
}

// Ephemeral key length limits (OpenThread's EphemeralKeyManager: 6 to 32
// characters; Thread 1.4 admin codes are 9 digits).
const (
	MinEphemeralKey = 6
	MaxEphemeralKey = 32
)

// PSKc is a credential keyed by a PSKc.
func PSKc(k [pskc.Size]byte) Credential {
	return Credential{kind: KindPSKc, key: append([]byte{}, k[:]...)}
}

// ParsePSKc reads a PSKc in hex (32 digits, as `ot-ctl pskc` prints it).
// The error does not repeat the input: a mistyped PSKc is still a secret.
func ParsePSKc(s string) (Credential, error) {
	k, err := pskc.ParseHex(s)
	if err != nil {
		return Credential{}, errors.New("commissioner: a PSKc is 32 hexadecimal digits (ot-ctl pskc prints it)")
	}
	return PSKc(k), nil
}

// Passphrase derives the PSKc from the commissioning passphrase, the network
// name and the extended PAN ID (Thread 8.4.1.2.1).
func Passphrase(passphrase, networkName string, extPanID [8]byte) (Credential, error) {
	if networkName == "" {
		return Credential{}, errors.New("commissioner: a passphrase needs the network name")
	}
	k, err := pskc.Derive(passphrase, networkName, extPanID)
	if err != nil {
		return Credential{}, fmt.Errorf("commissioner: %w", err)
	}
	return PSKc(k), nil
}

// EphemeralKey is a credential keyed by an ephemeral key: its ASCII bytes are
// the EC-JPAKE password (OpenThread's EphemeralKeyManager::Start).
func EphemeralKey(key string) (Credential, error) {
	if len(key) < MinEphemeralKey || len(key) > MaxEphemeralKey {
		return Credential{}, fmt.Errorf("commissioner: an ephemeral key is %d to %d characters, not %d", MinEphemeralKey, MaxEphemeralKey, len(key))
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return Credential{}, fmt.Errorf("commissioner: an ephemeral key is printable ASCII without spaces (character %d is not)", i+1)
		}
	}
	return Credential{kind: KindEphemeralKey, key: []byte(key)}, nil
}

// Kind is the credential's kind.
func (c Credential) Kind() CredentialKind { return c.kind }

// IsZero reports a credential never set.
func (c Credential) IsZero() bool { return c.kind == KindNone }

// password is the EC-JPAKE password.
func (c Credential) password() []byte { return c.key }

// String is the kind only, e.g. "pskc (set)".
func (c Credential) String() string {
	if c.kind == KindNone {
		return "none"
	}
	return c.kind.String() + " (set)"
}

// GoString is String: %#v leaks nothing either.
func (c Credential) GoString() string { return c.String() }

// Format writes String for every verb.
func (c Credential) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// MarshalText writes the kind only (encoding/json and friends cannot leak it).
func (c Credential) MarshalText() ([]byte, error) { return []byte(c.String()), nil }
