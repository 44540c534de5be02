package dtls

import (
	"encoding/binary"
	"fmt"
)

// ContentType is a record's content type (RFC 5246 6.2.1).
type contentType uint8

const (
	typeChangeCipherSpec contentType = 20
	typeAlert            contentType = 21
	typeHandshake        contentType = 22
	typeApplicationData  contentType = 23
)

func (t contentType) String() string {
	switch t {
	case typeChangeCipherSpec:
		return "change_cipher_spec"
	case typeAlert:
		return "alert"
	case typeHandshake:
		return "handshake"
	case typeApplicationData:
		return "application_data"
	}
	return fmt.Sprintf("content type %d", uint8(t))
}

// Protocol versions on the wire (RFC 6347 4.1: DTLS 1.2 = {254, 253}, DTLS 1.0 = {254, 255}).
const (
	versionDTLS12 = 0xfefd
	versionDTLS10 = 0xfeff
)

const (
	recordHeaderLen = 13           // type, version, epoch, sequence_number(48), length
	maxSeq          = 1<<48 - 1    // sequence numbers are 48 bits
	maxCiphertext   = 1<<14 + 2048 // RFC 5246 6.2.3: TLSCiphertext.length limit
	maxPlaintext    = 1 << 14      // RFC 5246 6.2.1
)

// record is one DTLS record (RFC 6347 4.1). payload aliases the datagram it was read from.
type record struct {
	typ     contentType
	version uint16
	epoch   uint16
	seq     uint64
	payload []byte
}

// parseRecords splits a datagram into its records. A datagram may carry several records; a
// malformed one ends the parse with an error naming its offset, and the records before it are
// returned.
func parseRecords(d []byte) ([]record, error) {
	var out []record
	for off := 0; off < len(d); {
		if len(d)-off < recordHeaderLen {
			return out, fmt.Errorf("dtls: record at byte %d: %d bytes, shorter than a record header", off, len(d)-off)
		}
		h := d[off:]
		r := record{
			typ:     contentType(h[0]),
			version: binary.BigEndian.Uint16(h[1:]),
			epoch:   binary.BigEndian.Uint16(h[3:]),
			seq:     uint64(binary.BigEndian.Uint16(h[5:]))<<32 | uint64(binary.BigEndian.Uint32(h[7:])),
		}
		n := int(binary.BigEndian.Uint16(h[11:]))
		switch {
		case r.typ < typeChangeCipherSpec || r.typ > typeApplicationData:
			return out, fmt.Errorf("dtls: record at byte %d: unknown %v", off, r.typ)
		case r.version != versionDTLS12 && r.version != versionDTLS10:
			return out, fmt.Errorf("dtls: record at byte %d: version 0x%04x is not DTLS 1.2", off, r.version)
		case n > maxCiphertext:
			return out, fmt.Errorf("dtls: record at byte %d: length %d exceeds %d", off, n, maxCiphertext)
		case len(h)-recordHeaderLen < n:
			return out, fmt.Errorf("dtls: record at byte %d: length %d overruns the %d bytes left", off, n, len(h)-recordHeaderLen)
		}
		r.payload = h[recordHeaderLen : recordHeaderLen+n]
		out = append(out, r)
		off += recordHeaderLen + n
	}
	return out, nil
}

// appendRecordHeader appends the 13-byte record header for a payload of n bytes.
func appendRecordHeader(b []byte, typ contentType, epoch uint16, seq uint64, n int) []byte {
	b = append(b, byte(typ), versionDTLS12>>8, versionDTLS12&0xff)
	b = binary.BigEndian.AppendUint16(b, epoch)
	b = binary.BigEndian.AppendUint16(b, uint16(seq>>32))
	b = binary.BigEndian.AppendUint32(b, uint32(seq))
	return binary.BigEndian.AppendUint16(b, uint16(n))
}
