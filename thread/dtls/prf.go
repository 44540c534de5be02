package dtls

import (
	"crypto/hmac"
	"crypto/sha256"
)

// prf is the TLS 1.2 PRF with SHA-256 (RFC 5246 5): P_SHA256(secret, label || seed).
func prf(secret []byte, label string, seed []byte, n int) []byte {
	ls := append([]byte(label), seed...)
	out := make([]byte, 0, n+sha256.Size)
	mac := hmac.New(sha256.New, secret)
	mac.Write(ls)
	a := mac.Sum(nil) // A(1)
	for len(out) < n {
		mac.Reset()
		mac.Write(a)
		mac.Write(ls)
		out = mac.Sum(out)
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(a[:0])
	}
	return out[:n]
}

// Key material of TLS_ECJPAKE_WITH_AES_128_CCM_8: no MAC keys, 16-byte AES keys, 4-byte implicit
// IVs (RFC 6655 / RFC 5288 salt), so the key block is 40 bytes.
const (
	masterSecretLen = 48
	keyLen          = 16
	fixedIVLen      = 4
	keyBlockLen     = 2*keyLen + 2*fixedIVLen
)

// masterSecret derives the master secret (RFC 5246 8.1).
func masterSecret(pms []byte, clientRandom, serverRandom [randomLen]byte) []byte {
	return prf(pms, "master secret", append(clientRandom[:], serverRandom[:]...), masterSecretLen)
}

// keys holds the key block split into its parts (RFC 5246 6.3).
type keys struct {
	clientKey, serverKey []byte
	clientIV, serverIV   []byte
}

func deriveKeys(ms []byte, clientRandom, serverRandom [randomLen]byte) keys {
	kb := prf(ms, "key expansion", append(serverRandom[:], clientRandom[:]...), keyBlockLen)
	return keys{
		clientKey: kb[0:16], serverKey: kb[16:32],
		clientIV: kb[32:36], serverIV: kb[36:40],
	}
}

// verifyData computes Finished.verify_data (RFC 5246 7.4.9) over the handshake transcript.
func verifyData(ms []byte, client bool, transcript []byte) []byte {
	label := "server finished"
	if client {
		label = "client finished"
	}
	h := sha256.Sum256(transcript)
	return prf(ms, label, h[:], verifyDataLen)
}
