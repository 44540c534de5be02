package commissioner

import (
	"context"
	"encoding/hex"
	"net/netip"
	"testing"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/udp/coder"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/meshcop/tlv"
	"github.com/threadmap/threadmap/thread/tmf"
)

// fuzzProxy is a proxy whose session never talks: what it would send is
// dropped, what it receives goes through the real inbound path.
func fuzzProxy() *Proxy {
	s := &Session{cfg: Config{Logf: func(string, ...any) {}}, done: make(chan struct{}), closing: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.ep = newEndpoint("border agent", time.Second, 1, s.cfg.Logf)
	s.ep.send = func(netip.AddrPort, []byte) error { return nil }
	p := &Proxy{s: s, pending: map[uint16]chan tmf.Answer{}}
	p.ep = newEndpoint("proxy", time.Second, 1, s.cfg.Logf)
	p.ep.send = func(netip.AddrPort, []byte) error { return nil }
	p.ep.handle = p.handle
	s.proxy = p
	s.ep.handle = s.handle
	// A query waiting for Query ID 0x1234, so answers get delivered.
	p.pending[0x1234] = make(chan tmf.Answer, 1024)
	return p
}

// FuzzSessionReceive feeds arbitrary datagrams to the session's CoAP
// endpoint, as they would come out of the DTLS session: CoAP decoding,
// UDP_RX.ntf's MeshCoP TLVs, the CoAP inside it, DIAG_GET.ans's diagnostic
// TLVs. Nothing may panic; everything that reaches a query is decoded.
func FuzzSessionReceive(f *testing.F) {
	f.Add(udpRxAnswer(f, 7))
	seeds := []string{
		// An empty acknowledgement, a reset, a separate response.
		"60000001", "70000002", "5144000301ff0b021234",
		// A confirmable request for an unknown path.
		"4002000401b178",
	}
	for _, s := range seeds {
		b, err := hex.DecodeString(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := fuzzProxy()
		p.s.ep.receive(netip.AddrPort{}, b)
		// The same bytes as a datagram from a node, through the proxy.
		p.ep.receive(netip.MustParseAddrPort("[fd00::1]:61631"), b)
		select {
		case a := <-p.pending[0x1234]:
			if a.Msg == nil {
				t.Fatal("an answer without a message")
			}
		default:
		}
	})
}

// udpRxAnswer is a UDP_RX.ntf as OpenThread's Border Agent writes it,
// carrying a DIAG_GET.ans (confirmable POST d/da: Query ID 0x1234,
// Address16 0x0400) from fd00:5a11::ff:fe00:400, port 61631.
func udpRxAnswer(t testing.TB, outerMID uint16) []byte {
	ans := diag.AppendTLV(nil, diag.TLV{Type: diag.TypeQueryID, Value: []byte{0x12, 0x34}})
	ans = diag.AppendTLV(ans, diag.TLV{Type: diag.TypeAddress16, Value: []byte{0x04, 0x00}})
	inner, err := encode(message.Confirmable, codes.POST, 0xabcd, []byte{1, 2}, "d/da", ans)
	if err != nil {
		t.Fatal(err)
	}
	from := netip.MustParseAddr("fd00:5a11::ff:fe00:400")
	u := tlv.Message{UDPEncapsulation: &tlv.UDPEncapsulation{SourcePort: 61631, DestinationPort: 61631, Payload: inner}, IPv6Address: &from}
	payload := tlv.Append(nil, tlv.TLV{Type: tlv.TypeUDPEncapsulation, Extended: true, Value: u.Encode()[2:]})
	payload = tlv.Append(payload, tlv.TLV{Type: tlv.TypeIPv6Address, Value: from.AsSlice()})
	outer, err := encode(message.NonConfirmable, codes.POST, outerMID, []byte{9}, URIProxyRx, payload)
	if err != nil {
		t.Fatal(err)
	}
	return outer
}

// TestUDPRxAnswer: a DIAG_GET.ans arriving as UDP_RX.ntf reaches the query
// waiting for its Query ID, and its acknowledgement goes back to the node
// as UDP_TX.ntf (2.04, the post's message ID, to the node's address and
// port, from the TMF port); the same datagram again (a retransmission) is
// acknowledged alike and not delivered twice.
func TestUDPRxAnswer(t *testing.T) {
	p := fuzzProxy()
	p.cfg.SourcePort = 61631
	var sent [][]byte
	p.s.ep.send = func(_ netip.AddrPort, b []byte) error { sent = append(sent, b); return nil }
	p.ep.send = p.send
	// The node's retransmission comes in a UDP_RX.ntf of its own.
	p.s.ep.receive(netip.AddrPort{}, udpRxAnswer(t, 7))
	p.s.ep.receive(netip.AddrPort{}, udpRxAnswer(t, 8))
	select {
	case a := <-p.pending[0x1234]:
		if a.Msg.Address16 == nil || *a.Msg.Address16 != 0x0400 || a.From.String() != "[fd00:5a11::ff:fe00:400]:61631" {
			t.Fatalf("answer %+v from %s", a.Msg, a.From)
		}
	default:
		t.Fatal("the answer did not reach its query")
	}
	select {
	case <-p.pending[0x1234]:
		t.Fatal("a retransmission was delivered twice")
	default:
	}
	if len(sent) != 2 {
		t.Fatalf("%d UDP_TX.ntf sent, want 2 acknowledgements", len(sent))
	}
	for _, out := range sent {
		m := message.Message{Options: make(message.Options, 0, 8)}
		if _, err := coder.DefaultCoder.Decode(out, &m); err != nil {
			t.Fatal(err)
		}
		if path, _ := m.Options.Path(); path != "/"+URIProxyTx || m.Type != message.NonConfirmable {
			t.Fatalf("sent %v %s", m.Type, path)
		}
		tx, err := tlv.Decode(m.Payload)
		if err != nil {
			t.Fatal(err)
		}
		if tx.IPv6Address == nil || tx.IPv6Address.String() != "fd00:5a11::ff:fe00:400" || tx.UDPEncapsulation.DestinationPort != 61631 || tx.UDPEncapsulation.SourcePort != 61631 {
			t.Fatalf("UDP_TX.ntf %+v", tx)
		}
		ack := message.Message{Options: make(message.Options, 0, 8)}
		if _, err := coder.DefaultCoder.Decode(tx.UDPEncapsulation.Payload, &ack); err != nil {
			t.Fatal(err)
		}
		if ack.Type != message.Acknowledgement || ack.Code != codes.Changed || ack.MessageID != 0xabcd {
			t.Fatalf("acknowledgement %v", ack.String())
		}
	}
}
