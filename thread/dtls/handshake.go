package dtls

import (
	"encoding/binary"
	"fmt"
)

// handshakeType is a handshake message type (RFC 5246 7.4, RFC 6347 4.2.1).
type handshakeType uint8

const (
	typeHelloRequest       handshakeType = 0
	typeClientHello        handshakeType = 1
	typeServerHello        handshakeType = 2
	typeHelloVerifyRequest handshakeType = 3
	typeServerKeyExchange  handshakeType = 12
	typeServerHelloDone    handshakeType = 14
	typeClientKeyExchange  handshakeType = 16
	typeFinished           handshakeType = 20
)

func (t handshakeType) String() string {
	switch t {
	case typeHelloRequest:
		return "HelloRequest"
	case typeClientHello:
		return "ClientHello"
	case typeServerHello:
		return "ServerHello"
	case typeHelloVerifyRequest:
		return "HelloVerifyRequest"
	case typeServerKeyExchange:
		return "ServerKeyExchange"
	case typeServerHelloDone:
		return "ServerHelloDone"
	case typeClientKeyExchange:
		return "ClientKeyExchange"
	case typeFinished:
		return "Finished"
	}
	return fmt.Sprintf("handshake type %d", uint8(t))
}

const (
	handshakeHeaderLen = 12      // msg_type, length(24), message_seq(16), fragment_offset(24), fragment_length(24)
	maxHandshakeLen    = 1 << 16 // larger than any message of this profile; bounds reassembly memory
)

// fragment is one handshake fragment (RFC 6347 4.2.2). body aliases the record it came from.
type fragment struct {
	typ    handshakeType
	length int // the whole message's length
	seq    uint16
	offset int
	body   []byte
}

// parseFragments reads the handshake fragments of one record's plaintext.
func parseFragments(p []byte) ([]fragment, error) {
	var out []fragment
	for off := 0; off < len(p); {
		if len(p)-off < handshakeHeaderLen {
			return out, fmt.Errorf("dtls: handshake fragment at byte %d: %d bytes, shorter than its header", off, len(p)-off)
		}
		h := p[off:]
		f := fragment{
			typ:    handshakeType(h[0]),
			length: int(uint24(h[1:])),
			seq:    binary.BigEndian.Uint16(h[4:]),
			offset: int(uint24(h[6:])),
		}
		n := int(uint24(h[9:]))
		switch {
		case f.length > maxHandshakeLen:
			return out, fmt.Errorf("dtls: %v fragment at byte %d: message length %d exceeds %d", f.typ, off, f.length, maxHandshakeLen)
		case f.offset+n > f.length:
			return out, fmt.Errorf("dtls: %v fragment at byte %d: bytes %d..%d beyond the message's %d", f.typ, off, f.offset, f.offset+n, f.length)
		case len(h)-handshakeHeaderLen < n:
			return out, fmt.Errorf("dtls: %v fragment at byte %d: length %d overruns the %d bytes left", f.typ, off, n, len(h)-handshakeHeaderLen)
		case n == 0 && f.length != 0:
			return out, fmt.Errorf("dtls: %v fragment at byte %d: empty fragment of a %d-byte message", f.typ, off, f.length)
		}
		f.body = h[handshakeHeaderLen : handshakeHeaderLen+n]
		out = append(out, f)
		off += handshakeHeaderLen + n
	}
	return out, nil
}

func uint24(b []byte) uint32 { return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) }

func appendUint24(b []byte, v int) []byte { return append(b, byte(v>>16), byte(v>>8), byte(v)) }

// appendHandshakeHeader appends a handshake header for a fragment of a message of total length.
func appendHandshakeHeader(b []byte, typ handshakeType, length int, seq uint16, offset, n int) []byte {
	b = append(b, byte(typ))
	b = appendUint24(b, length)
	b = binary.BigEndian.AppendUint16(b, seq)
	b = appendUint24(b, offset)
	return appendUint24(b, n)
}

// handshakeMsg is a whole handshake message.
type handshakeMsg struct {
	typ  handshakeType
	seq  uint16
	body []byte
}

// transcriptBytes is the message as it enters the Finished hash: one fragment covering all of it
// (RFC 6347 4.2.6).
func (m handshakeMsg) transcriptBytes() []byte {
	b := appendHandshakeHeader(make([]byte, 0, handshakeHeaderLen+len(m.body)), m.typ, len(m.body), m.seq, 0, len(m.body))
	return append(b, m.body...)
}

// reassembler collects fragments of the peer's handshake messages and hands them out whole and
// in message_seq order. It buffers messages up to maxAhead beyond the next expected one.
type reassembler struct {
	next    uint16
	pending map[uint16]*partial
}

const maxAhead = 8

type partial struct {
	typ    handshakeType
	body   []byte
	have   []bool // one per byte; messages are small
	filled int
}

// add feeds one fragment. It reports old=true for a fragment of a message already delivered
// (the peer is retransmitting), and an error for a fragment inconsistent with earlier ones.
func (r *reassembler) add(f fragment) (old bool, err error) {
	if f.seq < r.next {
		return true, nil
	}
	if f.seq-r.next >= maxAhead {
		return false, nil // too far ahead: drop, the peer will retransmit
	}
	if r.pending == nil {
		r.pending = make(map[uint16]*partial)
	}
	p := r.pending[f.seq]
	if p == nil {
		p = &partial{typ: f.typ, body: make([]byte, f.length), have: make([]bool, f.length)}
		r.pending[f.seq] = p
	}
	if p.typ != f.typ || len(p.body) != f.length {
		return false, fmt.Errorf("dtls: handshake message %d: fragment says %v of %d bytes, earlier ones %v of %d", f.seq, f.typ, f.length, p.typ, len(p.body))
	}
	for i, c := range f.body {
		j := f.offset + i
		if !p.have[j] {
			p.have[j] = true
			p.body[j] = c
			p.filled++
		}
	}
	return false, nil
}

// pop returns the next message in order once all its bytes are in.
func (r *reassembler) pop() (handshakeMsg, bool) {
	p := r.pending[r.next]
	if p == nil || p.filled != len(p.body) {
		return handshakeMsg{}, false
	}
	delete(r.pending, r.next)
	m := handshakeMsg{typ: p.typ, seq: r.next, body: p.body}
	r.next++
	return m, true
}
