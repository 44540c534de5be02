// Package tlv is the MeshCoP TLV codec (Thread 1.4 specification 8.10;
// the type numbers of OpenThread's src/core/meshcop/meshcop_tlvs.hpp and
// include/openthread/dataset.h): the payloads of the commissioner's CoAP
// messages to a Border Agent (petition c/cp, keep-alive c/ca, MGMT_ACTIVE_GET
// c/ag, UDP_TX.ntf c/ut, UDP_RX.ntf c/ur) and of operational datasets.
//
// Two layers, decode and encode side by side:
//
//   - Framing. Split(b) ([]TLV, error) cuts a payload into TLVs; Append(dst,
//     TLV) writes one. A TLV is a 1-byte type and a 1-byte length; length
//     255 means an extended TLV whose real length follows in 2 bytes
//     (big-endian) — OpenThread writes UDP Encapsulation that way always.
//     The framing is every Thread TLV's: thread/diag's does it, errors
//     renamed to MeshCoP's types.
//   - Messages. Decode(b) (*Message, error) gives one typed field per TLV the
//     commissioner uses (nil = absent): Channel (0), PAN ID (1), Extended PAN
//     ID (2), Network Name (3), Mesh-Local Prefix (7), Steering Data (8),
//     Border Agent Locator (9), Commissioner ID (10), Commissioner Session ID
//     (11), Get (13), Active Timestamp (14), State (16), UDP Encapsulation
//     (48, with its source and destination ports), IPv6 Address (49),
//     Pending Timestamp (51), Delay Timer (52). Every other TLV stays raw in
//     Message.Unknown. (*Message).Encode writes a decoded message back byte
//     for byte (original order and length forms); a built one in ascending
//     type order.
//
// Secrets never leave the decoder: the values of PSKc (4), Network Key (5)
// and Joiner Router KEK (21) are dropped, and only their presence is kept
// (Message.Secrets), so a decoded dataset can be printed, logged or stored
// without leaking a credential. A Border Agent answers MGMT_ACTIVE_GET with
// them when asked for everything; the commissioner asks with a Get TLV for
// the public TLVs only.
//
// Decoders never panic and never read past the buffer: a truncated TLV, a
// value of the wrong size or a second copy of a TLV is an *Error naming the
// TLV and the byte offset of its header ("meshcop tlv:
// CommissionerSessionID(11) at byte 3: value is 1 bytes, want 2").
package tlv
