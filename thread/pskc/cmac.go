package pskc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
)

// cmac computes AES-CMAC (RFC 4493) of msg under a 16-byte key. Go's standard library and the
// modules this project may use carry no maintained CMAC, and RFC 4493 is small enough to keep here,
// tested against the RFC's own vectors.
func cmac(key, msg []byte) [16]byte {
	block, err := aes.NewCipher(key)
	if err != nil {
		// key is always 16 bytes here: callers pass a [16]byte slice.
		panic("pskc: " + err.Error())
	}
	return cmacBlock(block, msg)
}

// cmacBlock is cmac over an already keyed AES block, so PBKDF2's 16384 rounds set the key once.
func cmacBlock(block cipher.Block, msg []byte) [16]byte {
	var l, k1, k2 [16]byte
	block.Encrypt(l[:], l[:])
	k1 = dbl(l)
	k2 = dbl(k1)

	var x [16]byte
	n := len(msg)
	for n > 16 {
		subtle.XORBytes(x[:], x[:], msg[:16])
		block.Encrypt(x[:], x[:])
		msg, n = msg[16:], n-16
	}
	var last [16]byte
	if n == 16 {
		subtle.XORBytes(last[:], msg, k1[:])
	} else {
		copy(last[:], msg)
		last[n] = 0x80
		subtle.XORBytes(last[:], last[:], k2[:])
	}
	subtle.XORBytes(x[:], x[:], last[:])
	block.Encrypt(x[:], x[:])
	return x
}

// dbl is the doubling in GF(2^128) of RFC 4493 2.3 (subkey generation).
func dbl(in [16]byte) [16]byte {
	var out [16]byte
	carry := in[0] >> 7
	for i := 0; i < 15; i++ {
		out[i] = in[i]<<1 | in[i+1]>>7
	}
	out[15] = in[15] << 1
	out[15] ^= 0x87 & -carry
	return out
}

// cmacPRF128 is AES-CMAC-PRF-128 (RFC 4615): a key of any length is first reduced to 16 bytes
// with AES-CMAC under the all-zero key.
func cmacPRF128Key(key []byte) [16]byte {
	if len(key) == 16 {
		var k [16]byte
		copy(k[:], key)
		return k
	}
	var zero [16]byte
	return cmac(zero[:], key)
}
