// Package commissioner is a MeshCoP commissioner for mapping: the one CoAP
// path from a LAN host into a Thread mesh. OpenThread drops TMF a host
// sends through the border router ("untrusted origin"); a commissioner
// session with the Border Agent that `_meshcop._udp` advertises is
// trusted, and its UDP proxy carries TMF network diagnostics to every node.
//
// On the wire (docs/COMMISSIONER.md tells it in full):
//
//  1. Dial: DTLS 1.2 with TLS_ECJPAKE_WITH_AES_128_CCM_8 (thread/dtls),
//     EC-JPAKE keyed by the network's PSKc, or by a Thread 1.4 ephemeral
//     key on the port `_meshcop-e._udp` advertises while it is active.
//  2. Petition: COMM_PET.req (c/cp) with our Commissioner ID. The Border
//     Agent acknowledges at once and forwards it to the leader; the answer
//     comes as a separate response: State accept and a Commissioner Session
//     ID, or State reject and the active commissioner's ID. The leader
//     keeps one active commissioner.
//  3. Keep-alive: COMM_KA.req (c/ca, State accept + session ID) every 25 s,
//     half of the 50 s after which the leader and the Border Agent drop a
//     silent commissioner.
//  4. MGMT_ACTIVE_GET (c/ag) with a Get TLV for the public dataset TLVs:
//     mesh-local prefix, network name, ext PAN ID, PAN ID, channel.
//  5. The UDP proxy (Proxy, a tmf.Transport): every CoAP message to a node
//     travels as UDP_TX.ntf (c/ut) to mesh-local prefix + 0:ff:fe00:RLOC16
//     (or ff03::1/ff03::2), port 61631; the Border Agent sends it from the
//     commissioner ALOC (mesh-local prefix + 0:ff:fe00:fc3x) and returns
//     every datagram sent there as UDP_RX.ntf (c/ur). Responses, and the
//     DIAG_GET.ans posts of queries, are matched here; DIAG_GET.ans posts
//     are acknowledged back through the proxy.
//  6. Close: a keep-alive with State reject (resign: the leader frees the
//     role now rather than 50 s later), then close_notify.
//
// Retries and deadlines: requests to the Border Agent (petition,
// keep-alive, dataset, resign) are retransmitted per RFC 7252 — ACK timeout
// 2 s × [1, 1.5), doubling, at most 4 retransmissions. TMF through the
// proxy is one exchange per call, one transmission (ProxyConfig can allow
// bounded CoAP retransmissions of it), bounded by the caller's context or
// RequestTimeout: the TMF crawler is the one layer that asks a node again.
// A session that ends (close_notify, a fatal alert, the Border Agent's port
// gone, a rejected or unanswered keep-alive) fails every waiting request at
// once with a *SessionError saying why.
//
// Ephemeral keys (ePSKc), as OpenThread's Border Agent treats them: a
// session keyed by one is a Border Agent session like any other — it may
// petition, keep alive, read the active dataset and use the UDP proxy —
// but the key serves one session only (when that session ends the key is
// gone, and the next scan needs a new one), lasts 2 minutes by default (10
// at most) and stops after a few failed handshakes (OpenThread's
// kMaxConnectionAttempts).
//
// Credentials: a Credential never prints its key, the decoder drops the
// secret TLVs of datasets, and nothing here logs a key.
package commissioner
