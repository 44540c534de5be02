package dtls

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Cipher suite, extensions and curve of the Thread profile.
const (
	suiteECJPAKEAES128CCM8 = 0xc0ff // TLS_ECJPAKE_WITH_AES_128_CCM_8
	suiteRenegotiationSCSV = 0x00ff // TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746)

	extSupportedGroups      = 10     // RFC 8422 (elliptic_curves)
	extECPointFormats       = 11     // RFC 8422
	extExtendedMasterSecret = 23     // RFC 7627: not negotiated, see doc.go
	extECJPAKEKKPP          = 256    // draft-cragie-tls-ecjpake, as mbedTLS numbers it
	extRenegotiationInfo    = 0xff01 // RFC 5746
	groupSecp256r1          = 23
	pointFormatUncompressed = 0
	compressionNull         = 0
	randomLen               = 32
	verifyDataLen           = 12
	maxCookieLen            = 255
	maxSessionIDLen         = 32
)

// extension is one hello extension.
type extension struct {
	typ  uint16
	data []byte
}

// clientHello is the DTLS 1.2 ClientHello (RFC 6347 4.2.1).
type clientHello struct {
	version      uint16
	random       [randomLen]byte
	sessionID    []byte
	cookie       []byte
	cipherSuites []uint16
	compression  []byte
	extensions   []extension
}

// serverHello is the ServerHello (RFC 5246 7.4.1.3).
type serverHello struct {
	version     uint16
	random      [randomLen]byte
	sessionID   []byte
	cipherSuite uint16
	compression byte
	extensions  []extension
}

// helloVerifyRequest is the DTLS HelloVerifyRequest (RFC 6347 4.2.1).
type helloVerifyRequest struct {
	version uint16
	cookie  []byte
}

// reader walks a message body, never past its end, and names what it was reading when it ran out.
type reader struct {
	msg string
	b   []byte
	off int
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("dtls: %s at byte %d: %s", r.msg, r.off, fmt.Sprintf(format, args...))
	}
}

func (r *reader) bytes(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b)-r.off < n {
		r.fail("%s: truncated (%d bytes wanted, %d left)", what, n, len(r.b)-r.off)
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

func (r *reader) u8(what string) int {
	b := r.bytes(1, what)
	if b == nil {
		return 0
	}
	return int(b[0])
}

func (r *reader) u16(what string) int {
	b := r.bytes(2, what)
	if b == nil {
		return 0
	}
	return int(binary.BigEndian.Uint16(b))
}

func (r *reader) vec8(what string) []byte  { return r.bytes(r.u8(what+" length"), what) }
func (r *reader) vec16(what string) []byte { return r.bytes(r.u16(what+" length"), what) }

func (r *reader) done() error {
	if r.err == nil && r.off != len(r.b) {
		r.fail("%d bytes left over", len(r.b)-r.off)
	}
	return r.err
}

// extensions reads an optional extensions block that runs to the end of the message.
func (r *reader) extensions() []extension {
	if r.err != nil || r.off == len(r.b) {
		return nil
	}
	block := r.vec16("extensions")
	if r.err != nil {
		return nil
	}
	out := []extension{} // present, maybe empty
	er := reader{msg: r.msg + " extensions", b: block}
	for er.err == nil && er.off < len(block) {
		typ := uint16(er.u16("extension type"))
		data := er.vec16(fmt.Sprintf("extension %d", typ))
		if er.err == nil {
			for _, e := range out {
				if e.typ == typ {
					er.fail("extension %d repeated", typ)
				}
			}
			out = append(out, extension{typ, data})
		}
	}
	if er.err != nil {
		r.err = er.err
		return nil
	}
	return out
}

func appendVec8(b, v []byte) []byte { return append(append(b, byte(len(v))), v...) }
func appendVec16(b, v []byte) []byte {
	return append(binary.BigEndian.AppendUint16(b, uint16(len(v))), v...)
}

// appendExtensions writes the extensions block; nil means no block at all, an empty non-nil
// slice an empty block.
func appendExtensions(b []byte, exts []extension) []byte {
	if exts == nil {
		return b
	}
	var block []byte
	for _, e := range exts {
		block = binary.BigEndian.AppendUint16(block, e.typ)
		block = appendVec16(block, e.data)
	}
	return appendVec16(b, block)
}

func findExtension(exts []extension, typ uint16) ([]byte, bool) {
	for _, e := range exts {
		if e.typ == typ {
			return e.data, true
		}
	}
	return nil, false
}

func (m *clientHello) marshal() []byte {
	b := binary.BigEndian.AppendUint16(nil, m.version)
	b = append(b, m.random[:]...)
	b = appendVec8(b, m.sessionID)
	b = appendVec8(b, m.cookie)
	var cs []byte
	for _, s := range m.cipherSuites {
		cs = binary.BigEndian.AppendUint16(cs, s)
	}
	b = appendVec16(b, cs)
	b = appendVec8(b, m.compression)
	return appendExtensions(b, m.extensions)
}

func parseClientHello(body []byte) (*clientHello, error) {
	r := reader{msg: "ClientHello", b: body}
	m := &clientHello{version: uint16(r.u16("client_version"))}
	copy(m.random[:], r.bytes(randomLen, "random"))
	m.sessionID = r.vec8("session_id")
	if len(m.sessionID) > maxSessionIDLen {
		r.fail("session_id of %d bytes", len(m.sessionID))
	}
	m.cookie = r.vec8("cookie")
	cs := r.vec16("cipher_suites")
	if r.err == nil && (len(cs) < 2 || len(cs)%2 != 0) {
		r.fail("cipher_suites of %d bytes", len(cs))
	}
	for i := 0; i+1 < len(cs); i += 2 {
		m.cipherSuites = append(m.cipherSuites, binary.BigEndian.Uint16(cs[i:]))
	}
	m.compression = r.vec8("compression_methods")
	if r.err == nil && len(m.compression) == 0 {
		r.fail("no compression_methods")
	}
	m.extensions = r.extensions()
	return m, r.done()
}

func (m *serverHello) marshal() []byte {
	b := binary.BigEndian.AppendUint16(nil, m.version)
	b = append(b, m.random[:]...)
	b = appendVec8(b, m.sessionID)
	b = binary.BigEndian.AppendUint16(b, m.cipherSuite)
	b = append(b, m.compression)
	return appendExtensions(b, m.extensions)
}

func parseServerHello(body []byte) (*serverHello, error) {
	r := reader{msg: "ServerHello", b: body}
	m := &serverHello{version: uint16(r.u16("server_version"))}
	copy(m.random[:], r.bytes(randomLen, "random"))
	m.sessionID = r.vec8("session_id")
	if len(m.sessionID) > maxSessionIDLen {
		r.fail("session_id of %d bytes", len(m.sessionID))
	}
	m.cipherSuite = uint16(r.u16("cipher_suite"))
	m.compression = byte(r.u8("compression_method"))
	m.extensions = r.extensions()
	return m, r.done()
}

func (m *helloVerifyRequest) marshal() []byte {
	return appendVec8(binary.BigEndian.AppendUint16(nil, m.version), m.cookie)
}

func parseHelloVerifyRequest(body []byte) (*helloVerifyRequest, error) {
	r := reader{msg: "HelloVerifyRequest", b: body}
	m := &helloVerifyRequest{version: uint16(r.u16("server_version"))}
	m.cookie = r.vec8("cookie")
	return m, r.done()
}

// parseFinished checks a Finished body's length; its contents are compared by the caller.
func parseFinished(body []byte) ([]byte, error) {
	if len(body) != verifyDataLen {
		return nil, fmt.Errorf("dtls: Finished: verify_data of %d bytes, want %d", len(body), verifyDataLen)
	}
	return body, nil
}

// parseServerHelloDone checks that ServerHelloDone is empty.
func parseServerHelloDone(body []byte) error {
	if len(body) != 0 {
		return fmt.Errorf("dtls: ServerHelloDone: %d bytes, want none", len(body))
	}
	return nil
}

// checkSupportedGroups reports whether a supported_groups extension lists secp256r1.
func checkSupportedGroups(data []byte) error {
	r := reader{msg: "supported_groups extension", b: data}
	list := r.vec16("named_curve_list")
	if err := r.done(); err != nil {
		return err
	}
	if len(list)%2 != 0 {
		return fmt.Errorf("dtls: supported_groups extension: odd length %d", len(list))
	}
	for i := 0; i < len(list); i += 2 {
		if binary.BigEndian.Uint16(list[i:]) == groupSecp256r1 {
			return nil
		}
	}
	return fmt.Errorf("dtls: supported_groups extension does not offer secp256r1")
}

// checkPointFormats reports whether an ec_point_formats extension lists uncompressed points.
func checkPointFormats(data []byte) error {
	r := reader{msg: "ec_point_formats extension", b: data}
	list := r.vec8("ec_point_format_list")
	if err := r.done(); err != nil {
		return err
	}
	if bytes.IndexByte(list, pointFormatUncompressed) < 0 {
		return fmt.Errorf("dtls: ec_point_formats extension does not offer uncompressed points")
	}
	return nil
}

// checkRenegotiationInfo accepts the empty renegotiation_info of an initial handshake.
func checkRenegotiationInfo(data []byte) error {
	if !bytes.Equal(data, []byte{0}) {
		return fmt.Errorf("dtls: renegotiation_info extension %x, want the empty one (00) of an initial handshake", data)
	}
	return nil
}
