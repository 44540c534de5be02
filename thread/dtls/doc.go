// Package dtls is the DTLS 1.2 (RFC 6347) a MeshCoP commissioner session needs, client and
// server: cipher suite TLS_ECJPAKE_WITH_AES_128_CCM_8 (0xC0FF) only, keyed by EC-JPAKE
// (thread/ecjpake) with the network's PSKc or a Border Agent's ephemeral key. It talks to
// OpenThread's Border Agent (mbedTLS 3.6) and serves our simulator's.
//
// # What goes on the wire
//
//   - ClientHello: version DTLS 1.2, 32 random bytes, empty session ID, the cookie (empty, then
//     the server's), cipher suites {0xC0FF, 0x00FF (renegotiation SCSV, as mbedTLS sends)}, null
//     compression, extensions in mbedTLS's order: supported_groups {secp256r1},
//     ec_point_formats {uncompressed}, ecjpake_kkpp (256) with the EC-JPAKE round one. The
//     ClientHello is never fragmented: mbedTLS servers refuse fragmented ClientHellos.
//   - Server flight: ServerHello (renegotiation_info if the client signalled it, ec_point_formats
//     if the client sent it, ecjpake_kkpp), ServerKeyExchange = ECParameters (secp256r1) ||
//     round two, ServerHelloDone; no certificates. Client flight: ClientKeyExchange = round two,
//     ChangeCipherSpec, Finished.
//   - Keys (RFC 5246 with SHA-256): master secret = PRF(premaster, "master secret", client random
//     || server random)[:48]; key block = PRF(master, "key expansion", server random || client
//     random)[:40] = client key 16, server key 16, client IV 4, server IV 4 (no MAC keys).
//     Finished = PRF(master, "client finished"/"server finished", SHA-256(transcript))[:12], the
//     transcript holding each handshake message as one whole fragment and leaving out the first
//     ClientHello and the HelloVerifyRequest.
//   - Records at epoch 1: AES-128-CCM with an 8-byte tag; nonce = 4-byte IV || 8-byte explicit
//     nonce; the explicit nonce, sent first in the record, is the record's epoch || sequence
//     number (as mbedTLS does); AAD = epoch || seq || type || version || plaintext length.
//   - Extended master secret (RFC 7627) is neither offered nor accepted: OpenThread builds mbedTLS
//     without MBEDTLS_SSL_EXTENDED_MASTER_SECRET (third_party/mbedtls/mbedtls-config.h) and
//     mbedTLS servers do not require it. No resumption, no renegotiation.
//
// # Timers, loss and numbering
//
// Flights are retransmitted after 1 s (Config.RetransmitTimeout), doubling to 60 s, at most 8
// times, all within the caller's context (RFC 6347 4.2.4); receiving an earlier flight of the
// peer's again also triggers a retransmission. Handshake messages arrive in any fragmentation
// and order and are reassembled by message_seq; several records per datagram are read and
// written (ours are packed up to MaxFragment plus headers). After a HelloVerifyRequest the
// server numbers its messages from the second ClientHello's message_seq, as mbedTLS does.
// Epoch-1 records pass a 64-record replay window; records that do not authenticate are dropped
// silently (RFC 6347 4.1.2.7) except the peer's Finished, which ends the handshake with a
// bad_record_mac alert — mbedTLS does the same, so a wrong PSKc shows on the client as
// "dtls: peer sent fatal alert bad_record_mac (wrong PSKc or ephemeral key?)" about one round
// trip after the client's Finished. OpenThread's own Border Agent retransmits after 8 s
// (mbedtls_ssl_conf_handshake_timeout(8000, 60000) in secure_transport.cpp).
//
// The Listener answers a ClientHello without a valid cookie with a HelloVerifyRequest and keeps
// no state (the cookie is HMAC-SHA-256 over the client's address, random and session ID under a
// per-listener key). A session whose client repeats its last flight after the handshake gets
// the server's last flight again, whether or not its owner is reading.
//
// # Sizes
//
// OpenThread builds mbedTLS with MBEDTLS_SSL_MAX_CONTENT_LEN 768 (900 with its CoAP secure API),
// so a Border Agent on OpenThread takes at most 768 bytes of plaintext per record: keep each
// application datagram (CoAP message) at or below that. DefaultMaxFragment is 768 for the same
// reason; our largest handshake message is about 420 bytes (the ClientHello).
//
// # Ephemeral key (ePSKc, Thread 1.4)
//
// OpenThread's Border Agent (src/core/meshcop/border_agent_ephemeral_key.cpp,
// EphemeralKeyManager::Start) uses the ephemeral key string itself as the EC-JPAKE password —
// its ASCII bytes without the trailing NUL, 6 to 32 characters (OT_BORDER_AGENT_MIN/MAX_
// EPHEMERAL_KEY_LENGTH), no PSKc-style derivation — on a DTLS transport of its own, bound to its
// own UDP port: the one `ba ephemeralkey port` prints and `_meshcop-e._udp` advertises, not
// `ba port` (in the lab: 49154 for the PSKc, 49155 for the ephemeral key). The key serves one
// session: when that session ends (our close_notify included) the Border Agent stops the key.
// With this package, pass Config{PSK: []byte(key)}.
package dtls
