package dtls

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/pion/dtls/v3/pkg/crypto/ccm"
)

// AES-128-CCM with an 8-byte tag (RFC 6655), as TLS_ECJPAKE_WITH_AES_128_CCM_8 uses it in DTLS:
// nonce = implicit IV (4) || explicit nonce (8); the explicit nonce sent in the record is the
// record's epoch and sequence number; AAD = epoch || seq (8) || type || version || length (RFC 5246
// 6.2.3.3 with DTLS's 8-byte seq_num).
const (
	explicitNonceLen = 8
	tagLen           = 8
	aeadOverhead     = explicitNonceLen + tagLen
)

type recordCipher struct {
	aead ccm.CCM
	iv   []byte
}

func newRecordCipher(key, iv []byte) (*recordCipher, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	a, err := ccm.NewCCM(block, tagLen, fixedIVLen+explicitNonceLen)
	if err != nil {
		return nil, err
	}
	return &recordCipher{aead: a, iv: append([]byte(nil), iv...)}, nil
}

var _ cipher.AEAD = ccm.CCM(nil)

func seqNum(epoch uint16, seq uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(epoch)<<48|seq)
	return b[:]
}

func additionalData(epoch uint16, seq uint64, typ contentType, n int) []byte {
	ad := append(seqNum(epoch, seq), byte(typ), versionDTLS12>>8, versionDTLS12&0xff)
	return binary.BigEndian.AppendUint16(ad, uint16(n))
}

// seal returns the record fragment: explicit nonce || ciphertext || tag.
func (c *recordCipher) seal(epoch uint16, seq uint64, typ contentType, plaintext []byte) []byte {
	explicit := seqNum(epoch, seq)
	nonce := append(append(make([]byte, 0, 12), c.iv...), explicit...)
	out := append(make([]byte, 0, len(explicit)+len(plaintext)+tagLen), explicit...)
	return c.aead.Seal(out, nonce, plaintext, additionalData(epoch, seq, typ, len(plaintext)))
}

var errBadRecordMAC = errors.New("dtls: record does not authenticate")

// open authenticates and decrypts a record's fragment.
func (c *recordCipher) open(r record) ([]byte, error) {
	if len(r.payload) < aeadOverhead {
		return nil, fmt.Errorf("dtls: encrypted %v record of %d bytes, shorter than nonce and tag", r.typ, len(r.payload))
	}
	nonce := append(append(make([]byte, 0, 12), c.iv...), r.payload[:explicitNonceLen]...)
	n := len(r.payload) - aeadOverhead
	p, err := c.aead.Open(nil, nonce, r.payload[explicitNonceLen:], additionalData(r.epoch, r.seq, r.typ, n))
	if err != nil {
		return nil, errBadRecordMAC
	}
	return p, nil
}
