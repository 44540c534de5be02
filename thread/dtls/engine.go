package dtls

import (
	"context"
	"errors"
	"fmt"
	"time"
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
	retransmits int

	waiting string // what we wait for, for errors

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
	h.retransmit = time.Now().Add(h.rto)
	return h.c.sendFlight(flight)
}

func (h *hs) resend(why string) error {
	if h.flight == nil {
		return nil
	}
	h.c.cfg.logf("dtls: resending flight (%s) while waiting for %s", why, h.waiting)
	h.retransmit = time.Now().Add(h.rto)
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
			return handshakeMsg{}, fmt.Errorf("dtls: handshake stopped waiting for %s: %w", waiting, err)
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
				return handshakeMsg{}, fmt.Errorf("dtls: handshake stopped waiting for %s: %w", waiting, h.ctx.Err())
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
				return handshakeMsg{}, fmt.Errorf("dtls: no %s after %d retransmissions", waiting, h.retransmits)
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
		if repeated {
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
