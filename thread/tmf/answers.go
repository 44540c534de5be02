package tmf

import (
	"context"
	"encoding/binary"
	"net/netip"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/topology"
)

// RequestPayload is the payload of DIAG_GET.req and DIAG_RST (a Type List
// TLV naming types) or, with qid, of DIAG_GET.qry (Query ID TLV first).
// Every Transport writes its requests with it.
func RequestPayload(types []diag.Type, qid *uint16) []byte {
	v := make([]byte, len(types))
	for i, t := range types {
		v[i] = byte(t)
	}
	var b []byte
	if qid != nil {
		b = diag.AppendTLV(b, diag.TLV{Type: diag.TypeQueryID, Value: binary.BigEndian.AppendUint16(nil, *qid)})
	}
	return diag.AppendTLV(b, diag.TLV{Type: diag.TypeTypeList, Value: v})
}

// Answers gathers the DIAG_GET.ans messages of one query: a node may split
// its answer over several, numbered by the Answer TLV (index; bit 15 = the
// last). A zero Answers is ready to use.
type Answers struct {
	got  map[uint16]*diag.Message
	last int // index of the last message, -1 (or unset) while unknown
	seen bool
}

// Add records one message (a repeat of an index replaces it) and reports
// whether every message from index 0 to the last has arrived.
func (a *Answers) Add(m *diag.Message) bool {
	if a.got == nil {
		a.got, a.last = map[uint16]*diag.Message{}, -1
	}
	idx, isLast := uint16(0), true
	if m.Answer != nil {
		idx, isLast = m.Answer.Index, m.Answer.Last
	}
	a.got[idx] = StripQuery(m)
	if isLast {
		a.last, a.seen = int(idx), true
	}
	return a.seen && len(a.got) == a.last+1
}

// Messages are the messages in index order.
func (a *Answers) Messages() []*diag.Message {
	out := make([]*diag.Message, 0, len(a.got))
	for i := 0; i <= a.last; i++ {
		if m, ok := a.got[uint16(i)]; ok {
			out = append(out, m)
		}
	}
	return out
}

// Incomplete is the error of a query that ended (err) before Add reported
// it complete.
func (a *Answers) Incomplete(to topology.Rloc16, err error) *IncompleteError {
	return &IncompleteError{To: to, Got: len(a.got), LastSeen: a.seen, Err: err}
}

// Answer is one DIAG_GET.ans message and who sent it.
type Answer struct {
	From netip.AddrPort
	Msg  *diag.Message
}

// WaitAnswers gathers the answer of the query to node to from ch until it
// is complete (in index order, Query ID and Answer TLVs stripped) or ctx
// ends (an *IncompleteError). Every Transport's Query ends with it.
func WaitAnswers(ctx context.Context, ch <-chan Answer, to topology.Rloc16) ([]*diag.Message, error) {
	var ans Answers
	for {
		select {
		case a := <-ch:
			if ans.Add(a.Msg) {
				return ans.Messages(), nil
			}
		case <-ctx.Done():
			return nil, ans.Incomplete(to, ctx.Err())
		}
	}
}

// StripQuery re-decodes m without its Query ID and Answer TLVs, so the
// message describes only the node.
func StripQuery(m *diag.Message) *diag.Message {
	cp := *m
	cp.Answer, cp.QueryID = nil, nil
	b := cp.Encode()
	if out, err := diag.Decode(b); err == nil {
		return out
	}
	return &cp
}
