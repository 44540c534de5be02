package pskc

import (
	"crypto/aes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Size is the length of a PSKc in bytes.
const Size = 16

// Limits from the Thread specification as OpenThread enforces them.
const (
	MinPassphraseLen  = 6   // bytes
	MaxPassphraseLen  = 255 // bytes
	MaxNetworkNameLen = 16  // bytes
	iterations        = 16384
)

// TLVPSKc is the MeshCoP TLV type of the PSKc in an operational dataset.
const TLVPSKc = 4

// Derive computes the PSKc of a network from its commissioning passphrase, network name and
// extended PAN ID.
func Derive(passphrase string, networkName string, extPanID [8]byte) ([16]byte, error) {
	var out [16]byte
	if !utf8.ValidString(passphrase) {
		return out, errors.New("pskc: passphrase is not valid UTF-8")
	}
	if n := len(passphrase); n < MinPassphraseLen || n > MaxPassphraseLen {
		return out, fmt.Errorf("pskc: passphrase is %d bytes, want %d to %d", n, MinPassphraseLen, MaxPassphraseLen)
	}
	if n := len(networkName); n > MaxNetworkNameLen {
		return out, fmt.Errorf("pskc: network name is %d bytes, want at most %d", n, MaxNetworkNameLen)
	}
	salt := make([]byte, 0, 6+8+MaxNetworkNameLen)
	salt = append(salt, "Thread"...)
	salt = append(salt, extPanID[:]...)
	salt = append(salt, networkName...)
	return pbkdf2CMAC([]byte(passphrase), salt, iterations), nil
}

// pbkdf2CMAC is PBKDF2 (RFC 8018 5.2) with AES-CMAC-PRF-128 as the PRF and one 16-byte block of
// output, which is all a PSKc needs.
func pbkdf2CMAC(password, salt []byte, iter int) [16]byte {
	key := cmacPRF128Key(password)
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic("pskc: " + err.Error()) // unreachable: the key is 16 bytes
	}
	msg := make([]byte, len(salt)+4)
	copy(msg, salt)
	binary.BigEndian.PutUint32(msg[len(salt):], 1) // block index INT(1)
	u := cmacBlock(block, msg)
	t := u
	for i := 1; i < iter; i++ {
		u = cmacBlock(block, u[:])
		for j := range t {
			t[j] ^= u[j]
		}
	}
	return t
}

// ParseHex reads a PSKc written as 32 hexadecimal digits, as `ot-ctl pskc` prints it; an optional
// 0x prefix, surrounding space and inner colons or spaces are accepted.
func ParseHex(s string) ([16]byte, error) {
	var out [16]byte
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(strings.TrimPrefix(t, "0x"), "0X")
	t = strings.NewReplacer(":", "", " ", "", "-", "").Replace(t)
	if len(t) != 2*Size {
		return out, fmt.Errorf("pskc: %q has %d hex digits, want %d", s, len(t), 2*Size)
	}
	if _, err := hex.Decode(out[:], []byte(t)); err != nil {
		return out, fmt.Errorf("pskc: %q: %w", s, err)
	}
	return out, nil
}

// FromActiveDataset finds the PSKc TLV (type 4) in an operational dataset given as MeshCoP TLVs
// (e.g. `dataset active -x`). It reports false when the dataset has no PSKc TLV, and an error
// when the TLVs are malformed or the PSKc TLV is not 16 bytes long.
func FromActiveDataset(tlvs []byte) ([16]byte, bool, error) {
	var out [16]byte
	for off := 0; off < len(tlvs); {
		if len(tlvs)-off < 2 {
			return out, false, fmt.Errorf("pskc: dataset TLV at byte %d: truncated header", off)
		}
		typ, n, hdr := tlvs[off], int(tlvs[off+1]), 2
		if n == 0xff { // extended TLV: 2-byte length
			if len(tlvs)-off < 4 {
				return out, false, fmt.Errorf("pskc: dataset TLV %d at byte %d: truncated extended length", typ, off)
			}
			n, hdr = int(binary.BigEndian.Uint16(tlvs[off+2:])), 4
		}
		if len(tlvs)-off-hdr < n {
			return out, false, fmt.Errorf("pskc: dataset TLV %d at byte %d: length %d overruns the %d bytes left", typ, off, n, len(tlvs)-off-hdr)
		}
		if typ == TLVPSKc {
			if n != Size {
				return out, false, fmt.Errorf("pskc: PSKc TLV at byte %d is %d bytes, want %d", off, n, Size)
			}
			copy(out[:], tlvs[off+hdr:])
			return out, true, nil
		}
		off += hdr + n
	}
	return out, false, nil
}
