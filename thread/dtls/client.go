package dtls

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/threadmap/threadmap/thread/ecjpake"
)

// Client runs the handshake over a connected datagram socket (e.g. net.DialUDP) and returns the
// session; ctx bounds the handshake. On failure conn stays open and the caller closes it; on
// success the returned Conn owns conn and closes it in Close.
func Client(ctx context.Context, conn net.Conn, cfg *Config) (*Conn, error) {
	rc, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	if rc.Rand == nil {
		rc.Rand = rand.Reader
	}
	c := newConn(&netTransport{c: conn, buf: make([]byte, readBufferSize)}, rc, true)
	err = c.clientHandshake(ctx)
	c.tr.setReadDeadline(time.Time{})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Conn) clientHandshake(ctx context.Context) error {
	jp, err := ecjpake.New(ecjpake.Client, c.cfg.PSK, c.cfg.Rand)
	if err != nil {
		return fmt.Errorf("dtls: %w", err)
	}
	kkpp, err := jp.WriteRoundOne()
	if err != nil {
		return fmt.Errorf("dtls: %w", err)
	}
	ch := &clientHello{
		version:      versionDTLS12,
		cipherSuites: []uint16{suiteECJPAKEAES128CCM8, suiteRenegotiationSCSV},
		compression:  []byte{compressionNull},
		// The order mbedTLS's client writes them in.
		extensions: []extension{
			{extSupportedGroups, []byte{0, 2, 0, groupSecp256r1}},
			{extECPointFormats, []byte{1, pointFormatUncompressed}},
			{extECJPAKEKKPP, kkpp},
		},
	}
	if _, err := io.ReadFull(c.cfg.Rand, ch.random[:]); err != nil {
		return fmt.Errorf("dtls: client random: %w", err)
	}
	h := newHS(ctx, c)
	if err := h.send(outMsg{msg: h.msg(typeClientHello, ch.marshal())}); err != nil {
		return err
	}
	m, err := h.next("HelloVerifyRequest or ServerHello")
	if err != nil {
		return err
	}
	if m.typ == typeHelloVerifyRequest {
		hvr, err := parseHelloVerifyRequest(m.body)
		if err != nil {
			return h.fail(AlertDecodeError, err)
		}
		c.cfg.logf("dtls: HelloVerifyRequest with a %d-byte cookie", len(hvr.cookie))
		// RFC 6347 4.2.6: the first ClientHello and the HelloVerifyRequest stay out of the
		// transcript; the second ClientHello repeats the first with the cookie.
		ch.cookie = hvr.cookie
		h.transcript = nil
		if err := h.send(outMsg{msg: h.msg(typeClientHello, ch.marshal())}); err != nil {
			return err
		}
		if m, err = h.next("ServerHello"); err != nil {
			return err
		}
	}
	if err := h.expect(m, typeServerHello); err != nil {
		return err
	}
	sh, err := parseServerHello(m.body)
	if err != nil {
		return h.fail(AlertDecodeError, err)
	}
	if err := c.checkServerHello(h, sh, jp); err != nil {
		return err
	}
	h.transcript = append(h.transcript, m.transcriptBytes()...)

	if err := h.roundTwo(jp, typeServerKeyExchange); err != nil {
		return err
	}

	if m, err = h.next("ServerHelloDone"); err != nil {
		return err
	}
	if err := h.expect(m, typeServerHelloDone); err != nil {
		return err
	}
	if err := parseServerHelloDone(m.body); err != nil {
		return h.fail(AlertDecodeError, err)
	}
	h.transcript = append(h.transcript, m.transcriptBytes()...)

	cke, err := jp.WriteRoundTwo()
	if err != nil {
		return h.fail(AlertInternalError, err)
	}
	pms, err := jp.PremasterSecret()
	if err != nil {
		return h.fail(AlertIllegalParameter, err)
	}
	ms, err := h.installKeys(pms, ch.random, sh.random)
	if err != nil {
		return err
	}
	ckeMsg := h.msg(typeClientKeyExchange, cke)
	fin := h.msg(typeFinished, verifyData(ms, true, h.transcript))
	h.expectFinished = true
	// A server that cannot read our Finished may say nothing (mbedTLS without
	// MBEDTLS_SSL_ALL_ALERT_MESSAGES sends no alert).
	h.hint = " (no answer to our Finished: wrong PSKc or ephemeral key?)"
	if err := h.send(outMsg{msg: ckeMsg}, outMsg{ccs: true}, outMsg{msg: fin, epoch: 1}); err != nil {
		return err
	}
	if err := h.peerFinished(ms); err != nil {
		return err
	}
	c.cfg.logf("dtls: handshake with %v done", c.RemoteAddr())
	return nil
}

// checkServerHello checks the negotiated parameters and reads the server's round one.
func (c *Conn) checkServerHello(h *hs, sh *serverHello, jp *ecjpake.Context) error {
	if sh.version != versionDTLS12 {
		return h.fail(AlertProtocolVersion, fmt.Errorf("ServerHello version 0x%04x, want DTLS 1.2", sh.version))
	}
	if sh.cipherSuite != suiteECJPAKEAES128CCM8 {
		return h.fail(AlertHandshakeFailure, fmt.Errorf("server chose cipher suite 0x%04x, we offered only 0xc0ff", sh.cipherSuite))
	}
	if sh.compression != compressionNull {
		return h.fail(AlertIllegalParameter, fmt.Errorf("server chose compression %d", sh.compression))
	}
	var kkpp []byte
	for _, e := range sh.extensions {
		var err error
		switch e.typ {
		case extECJPAKEKKPP:
			kkpp = e.data
		case extECPointFormats:
			err = checkPointFormats(e.data)
		case extRenegotiationInfo:
			err = checkRenegotiationInfo(e.data)
		default:
			return h.fail(AlertUnsupportedExtension, fmt.Errorf("ServerHello carries extension %d, which we did not offer", e.typ))
		}
		if err != nil {
			return h.fail(AlertIllegalParameter, err)
		}
	}
	if kkpp == nil {
		return h.fail(AlertHandshakeFailure, fmt.Errorf("ServerHello: %w", errNoKKPP))
	}
	if err := jp.ReadRoundOne(kkpp); err != nil {
		return h.fail(AlertIllegalParameter, fmt.Errorf("ServerHello ecjpake_kkpp: %w", err))
	}
	return nil
}
