// Package ecjpake implements EC-JPAKE on P-256 as mbedTLS implements it for the TLS/DTLS key
// exchange of cipher suite TLS_ECJPAKE_WITH_AES_128_CCM_8 (0xC0FF), which Thread uses for MeshCoP
// commissioner and joiner sessions: RFC 8236's Schnorr proofs with SHA-256 and the message
// layouts of draft-cragie-tls-ecjpake (Thread specification 7.4.2 / 8.4).
//
//   - Round one (ClientHello / ServerHello extension ecjpake_kkpp, type 256):
//     ECJPAKEKeyKPPairList = ECJPAKEKeyKP[2], ECJPAKEKeyKP = ECPoint X || ECSchnorrZKP,
//     ECSchnorrZKP = ECPoint V || opaque r<1..255>, ECPoint = opaque point<1..255> (uncompressed).
//   - Round two: the server's ServerKeyExchange is ECParameters (named_curve 3, secp256r1 23)
//     || ECJPAKEKeyKP; the client's ClientKeyExchange is ECJPAKEKeyKP alone.
//   - The proof hash is SHA-256 over len32(G) G || len32(V) V || len32(X) X || len32(id) id,
//     reduced mod n, where id is "client" or "server" (the prover's role) and every length is a
//     4-byte big-endian count.
//   - The password s is the big-endian integer of the password bytes (a PSKc's 16 bytes, or an
//     ephemeral key's ASCII characters).
//   - The premaster secret is SHA-256 of the 32-byte X coordinate of the shared point
//     K = (Xp − Xp2·x2·s)·x2.
//
// Every proof a peer sends is verified; a proof that does not verify yields an error wrapping
// ErrProof. Curve arithmetic is filippo.io/nistec (Go's own P-256) and scalar arithmetic
// filippo.io/bigmod; this package only composes them.
package ecjpake
