package dtls

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"time"

	"github.com/threadmap/threadmap/thread/ecjpake"
)

// hs is the state of one handshake in progress: the peer's messages being reassembled, our
// current flight and its retransmission timer, and the transcript for Finished.
type hs struct {
	c   *Conn
	ctx context.Context

	sendSeq    uint16
	reasm      reassembler
	transcript []byte

	flight      []outMsg
	rto         time.Duration
	retransmit  time.Time // when the current flight is next resent
	sentAt      time.Time // when it was last sent
	retransmits int

	waiting string // what we wait for, for errors
	hint    string // the likely cause if it never comes

	// Finished handling: the peer's ChangeCipherSpec must come before its Finished, and a
	// Finished that does not authenticate means the keys differ (mbedTLS answers bad_record_mac).
	expectFinished bool
	ccsSeen        bool
	held           *handshakeMsg
}

func newHS(ctx context.Context, c *Conn) *hs {
	return &hs{c: c, ctx: ctx, rto: c.cfg.rto}
}

// msg makes our next handshake message and adds it to the transcript.
func (h *hs) msg(typ handshakeType, body []byte) handshakeMsg {
	m := handshakeMsg{typ: typ, seq: h.sendSeq, body: body}
	h.sendSeq++
	h.transcript = append(h.transcript, m.transcriptBytes()...)
	return m
}

// send starts a new flight and its retransmission timer.
func (h *hs) send(flight ...outMsg) error {
	h.flight = flight
	h.rto = h.c.cfg.rto
	h.retransmits = 0
	h.sentAt = time.Now()
	h.retransmit = h.sentAt.Add(h.rto)
	return h.c.sendFlight(flight)
}

func (h *hs) resend(why string) error {
	if h.flight == nil {
		return nil
	}
	h.c.cfg.logf("dtls: resending flight (%s) while waiting for %s", why, h.waiting)
	h.sentAt = time.Now()
	h.retransmit = h.sentAt.Add(h.rto)
	return h.c.sendFlight(h.flight)
}

// fail sends a fatal alert about the peer's messages and returns the error that names it.
func (h *hs) fail(desc AlertDescription, err error) error {
	h.c.sendAlert(levelFatal, desc)
	return &AlertError{Description: desc, Handshake: true, Detail: err.Error()}
}

// next returns the peer's next handshake message, in order and whole, resending our flight when
// its timer runs out or when the peer repeats an earlier flight.
func (h *hs) next(waiting string) (handshakeMsg, error) {
	h.waiting = waiting
	c := h.c
	for {
		if h.held != nil && h.ccsSeen {
			m := *h.held
			h.held = nil
			return m, nil
		}
		if m, ok := h.reasm.pop(); ok {
			if m.typ == typeFinished && !h.ccsSeen {
				h.held = &m
				continue
			}
			return m, nil
		}
		if err := h.ctx.Err(); err != nil {
			return handshakeMsg{}, fmt.Errorf("dtls: handshake stopped waiting for %s%s: %w", waiting, h.hint, err)
		}
		if len(c.queue) == 0 {
			deadline := h.retransmit
			if d, ok := h.ctx.Deadline(); ok && d.Before(deadline) {
				deadline = d
			}
			c.tr.setReadDeadline(deadline)
		}
		rec, err := c.nextRecordLocked(h.ctx)
		if err != nil {
			if h.ctx.Err() != nil {
				return handshakeMsg{}, fmt.Errorf("dtls: handshake stopped waiting for %s%s: %w", waiting, h.hint, h.ctx.Err())
			}
			if !isTimeout(err) {
				return handshakeMsg{}, fmt.Errorf("dtls: handshake, waiting for %s: %w", waiting, err)
			}
			if time.Now().Before(h.retransmit) {
				continue
			}
			if h.flight == nil {
				return handshakeMsg{}, fmt.Errorf("dtls: no %s", waiting)
			}
			if h.retransmits >= maxRetransmissions {
				return handshakeMsg{}, fmt.Errorf("dtls: no %s after %d retransmissions%s", waiting, h.retransmits, h.hint)
			}
			h.retransmits++
			h.rto = min(2*h.rto, maxRetransmitTime)
			if err := h.resend("timeout"); err != nil {
				return handshakeMsg{}, err
			}
			continue
		}
		if err := h.record(rec); err != nil {
			return handshakeMsg{}, err
		}
	}
}

// record handles one record received during the handshake.
func (h *hs) record(rec record) error {
	c := h.c
	pt := rec.payload
	switch rec.epoch {
	case 0:
	case 1:
		if c.rc == nil || c.replay.seen(rec.seq) {
			return nil // not ours to read yet, or a replay: the peer will retransmit
		}
		p, err := c.rc.open(rec)
		if err != nil {
			if h.expectFinished && rec.typ == typeHandshake {
				// As mbedTLS does: a Finished we cannot read means the keys differ.
				return h.fail(AlertBadRecordMAC, fmt.Errorf("the peer's Finished does not authenticate: %w", err))
			}
			c.cfg.logf("dtls: dropping a %v record that does not authenticate", rec.typ)
			return nil
		}
		c.replay.accept(rec.seq)
		pt = p
	default:
		return nil
	}
	switch rec.typ {
	case typeAlert:
		level, desc, err := parseAlert(pt)
		if err != nil {
			c.cfg.logf("%v", err)
			return nil
		}
		if level == levelFatal || desc == AlertCloseNotify {
			return &AlertError{Description: desc, Remote: true, Handshake: true, Detail: "while waiting for " + h.waiting}
		}
		c.cfg.logf("dtls: peer sent warning %v during the handshake", desc)
	case typeChangeCipherSpec:
		if rec.epoch == 0 && h.expectFinished && len(pt) == 1 && pt[0] == 1 {
			h.ccsSeen = true
		}
	case typeHandshake:
		frags, err := parseFragments(pt)
		if err != nil {
			c.cfg.logf("%v", err)
		}
		repeated := false
		for _, f := range frags {
			if (f.typ == typeFinished) != (rec.epoch == 1) {
				continue // Finished only protected, everything else only in the clear
			}
			old, err := h.reasm.add(f)
			if err != nil {
				return h.fail(AlertIllegalParameter, err)
			}
			repeated = repeated || old
		}
		// Answer a repeated flight once, not once per datagram of it: two peers answering every
		// datagram of each other's repeats would multiply them.
		if repeated && time.Since(h.sentAt) >= h.c.cfg.rto/2 {
			return h.resend("peer repeated its flight")
		}
	}
	return nil
}

// expect checks a message's type.
func (h *hs) expect(m handshakeMsg, typ handshakeType) error {
	if m.typ != typ {
		return h.fail(AlertUnexpectedMessage, fmt.Errorf("got %v, want %v", m.typ, typ))
	}
	return nil
}

var errNoKKPP = errors.New("no ecjpake_kkpp extension")

// roundTwo reads the peer's EC-JPAKE round two from the next message, of type typ
// (ServerKeyExchange or ClientKeyExchange), and adds the message to the transcript.
func (h *hs) roundTwo(jp *ecjpake.Context, typ handshakeType) error {
	m, err := h.next(typ.String())
	if err != nil {
		return err
	}
	if err := h.expect(m, typ); err != nil {
		return err
	}
	if err := jp.ReadRoundTwo(m.body); err != nil {
		return h.fail(AlertIllegalParameter, fmt.Errorf("%v: %w", typ, err))
	}
	h.transcript = append(h.transcript, m.transcriptBytes()...)
	return nil
}

// installKeys derives the master secret and the record keys of both directions from the
// premaster secret and installs them for our role; it returns the master secret.
func (h *hs) installKeys(pms []byte, clientRandom, serverRandom [randomLen]byte) ([]byte, error) {
	ms := masterSecret(pms, clientRandom, serverRandom)
	k := deriveKeys(ms, clientRandom, serverRandom)
	wk, wiv, rk, riv := k.clientKey, k.clientIV, k.serverKey, k.serverIV
	if !h.c.isClient {
		wk, wiv, rk, riv = rk, riv, wk, wiv
	}
	var err error
	if h.c.wc, err = newRecordCipher(wk, wiv); err != nil {
		return nil, err
	}
	if h.c.rc, err = newRecordCipher(rk, riv); err != nil {
		return nil, err
	}
	return ms, nil
}

// peerFinished waits for the peer's Finished, checks it against the transcript and adds it.
func (h *hs) peerFinished(ms []byte) error {
	peer := "server"
	if !h.c.isClient {
		peer = "client"
	}
	m, err := h.next("the " + peer + "'s Finished")
	if err != nil {
		return err
	}
	if err := h.expect(m, typeFinished); err != nil {
		return err
	}
	got, err := parseFinished(m.body)
	if err != nil {
		return h.fail(AlertDecodeError, err)
	}
	if want := verifyData(ms, !h.c.isClient, h.transcript); !hmac.Equal(got, want) {
		return h.fail(AlertDecryptError, fmt.Errorf("the %s's Finished does not match the handshake", peer))
	}
	h.transcript = append(h.transcript, m.transcriptBytes()...)
	return nil
}
