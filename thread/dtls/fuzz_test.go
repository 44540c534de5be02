package dtls

import (
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/ecjpake"
)

// seedFlight returns the records of a real handshake between our client and listener, as sent
// on the wire (collected by a relay), for fuzz seeds.
func seedFlights(f *testing.F) (toServer, toClient [][]byte) {
	f.Helper()
	spc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		f.Fatal(err)
	}
	l := Listen(spc, &Config{PSK: testPSK, MaxFragment: 200})
	defer l.Close()
	rpc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		f.Fatal(err)
	}
	defer rpc.Close()
	type dg struct {
		toServer bool
		b        []byte
	}
	seen := make(chan dg, 64)
	go func() {
		var client *net.UDPAddr
		buf := make([]byte, 65536)
		for {
			n, from, err := rpc.ReadFromUDP(buf)
			if err != nil {
				close(seen)
				return
			}
			d := append([]byte(nil), buf[:n]...)
			ts := from.String() != spc.LocalAddr().String()
			dst := spc.LocalAddr().(*net.UDPAddr)
			if ts {
				client = from
			} else {
				dst = client
			}
			select {
			case seen <- dg{ts, d}:
			default:
			}
			rpc.WriteToUDP(d, dst)
		}
	}()
	cc, err := net.DialUDP("udp", nil, rpc.LocalAddr().(*net.UDPAddr))
	if err != nil {
		f.Fatal(err)
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Client(ctx, cc, &Config{PSK: testPSK})
	if err != nil {
		f.Fatal(err)
	}
	c.Write([]byte("hello"))
	c.Close()
	rpc.Close()
	for d := range seen {
		if d.toServer {
			toServer = append(toServer, d.b)
		} else {
			toClient = append(toClient, d.b)
		}
	}
	return toServer, toClient
}

// FuzzRecords: the record splitter never panics, and what it returns lies inside the datagram.
func FuzzRecords(f *testing.F) {
	ts, tc := seedFlights(f)
	for _, d := range append(ts, tc...) {
		f.Add(d)
	}
	tx, rx := readCapture(f) // the real Border Agent's datagrams too
	for _, d := range append(tx, rx...) {
		f.Add(d)
	}
	f.Add([]byte{22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0})
	f.Fuzz(func(t *testing.T, d []byte) {
		recs, _ := parseRecords(d)
		total := 0
		for _, r := range recs {
			total += recordHeaderLen + len(r.payload)
			b := appendRecordHeader(nil, r.typ, r.epoch, r.seq, len(r.payload))
			if r.version == versionDTLS12 && !bytes.Contains(d, append(b, r.payload...)) {
				t.Fatalf("record %v/%d/%d does not re-encode to its bytes", r.typ, r.epoch, r.seq)
			}
		}
		if total > len(d) {
			t.Fatalf("records cover %d of %d bytes", total, len(d))
		}
	})
}

// FuzzFragments: the handshake header parser and the reassembler never panic, and a message they
// complete has the length its fragments declared.
func FuzzFragments(f *testing.F) {
	ts, tc := seedFlights(f)
	for _, d := range append(ts, tc...) {
		recs, _ := parseRecords(d)
		for _, r := range recs {
			if r.typ == typeHandshake && r.epoch == 0 {
				f.Add(r.payload)
			}
		}
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		frags, _ := parseFragments(p)
		var r reassembler
		want := map[uint16]int{}
		for _, fr := range frags {
			if _, err := r.add(fr); err == nil {
				if _, ok := want[fr.seq]; !ok {
					want[fr.seq] = fr.length
				}
			}
		}
		for {
			m, ok := r.pop()
			if !ok {
				break
			}
			if len(m.body) != want[m.seq] {
				t.Fatalf("message %d of %d bytes, declared %d", m.seq, len(m.body), want[m.seq])
			}
		}
	})
}

// messageSeeds returns the bodies of the handshake messages of type typ in a handshake between
// our client and listener.
func messageSeeds(f *testing.F, typ handshakeType) [][]byte {
	ts, tc := seedFlights(f)
	var out [][]byte
	for _, flights := range [][][]byte{ts, tc} {
		msgs, _ := plainMessages(f, flights)
		for _, m := range msgs[typ] {
			out = append(out, m.body)
		}
	}
	if len(out) == 0 {
		f.Fatalf("no %v in the seed handshake", typ)
	}
	return out
}

// capturedMessages returns the bodies of the Border Agent's handshake messages of type typ in
// the captured handshake.
func capturedMessages(f *testing.F, typ handshakeType) [][]byte {
	_, rx := readCapture(f)
	msgs, _ := plainMessages(f, rx)
	var out [][]byte
	for _, m := range msgs[typ] {
		out = append(out, m.body)
	}
	return out
}

// FuzzClientHello: decode, and a decoded ClientHello re-encodes to the same bytes.
func FuzzClientHello(f *testing.F) {
	for _, b := range messageSeeds(f, typeClientHello) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseClientHello(b)
		if err != nil {
			return
		}
		if got := m.marshal(); !bytes.Equal(got, b) {
			t.Fatalf("re-encoded %x\nfrom %x", got, b)
		}
	})
}

// FuzzServerHello: decode, and a decoded ServerHello re-encodes to the same bytes.
func FuzzServerHello(f *testing.F) {
	for _, b := range messageSeeds(f, typeServerHello) {
		f.Add(b)
	}
	for _, b := range capturedMessages(f, typeServerHello) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseServerHello(b)
		if err != nil {
			return
		}
		if got := m.marshal(); !bytes.Equal(got, b) {
			t.Fatalf("re-encoded %x\nfrom %x", got, b)
		}
	})
}

// FuzzHelloVerifyRequest: decode, and re-encode to the same bytes.
func FuzzHelloVerifyRequest(f *testing.F) {
	for _, b := range messageSeeds(f, typeHelloVerifyRequest) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseHelloVerifyRequest(b)
		if err != nil {
			return
		}
		if got := m.marshal(); !bytes.Equal(got, b) {
			t.Fatalf("re-encoded %x\nfrom %x", got, b)
		}
	})
}

// FuzzServerKeyExchange: the client reads any ServerKeyExchange without panicking; the decoder is
// ecjpake's round two with ECParameters, after a real ServerHello's round one.
func FuzzServerKeyExchange(f *testing.F) {
	for _, b := range messageSeeds(f, typeServerKeyExchange) {
		f.Add(b)
	}
	for _, b := range capturedMessages(f, typeServerKeyExchange) {
		f.Add(b)
	}
	sh := messageSeeds(f, typeServerHello)[0]
	m, err := parseServerHello(sh)
	if err != nil {
		f.Fatal(err)
	}
	kkpp, _ := findExtension(m.extensions, extECJPAKEKKPP)
	f.Fuzz(func(t *testing.T, b []byte) {
		jp, err := ecjpake.New(ecjpake.Client, testPSK, nil)
		if err != nil {
			t.Fatal(err)
		}
		jp.WriteRoundOne()
		if err := jp.ReadRoundOne(kkpp); err != nil {
			t.Fatal(err)
		}
		_ = jp.ReadRoundTwo(b)
	})
}

// FuzzClientKeyExchange: the server reads any ClientKeyExchange without panicking.
func FuzzClientKeyExchange(f *testing.F) {
	for _, b := range messageSeeds(f, typeClientKeyExchange) {
		f.Add(b)
	}
	ch := messageSeeds(f, typeClientHello)
	m, err := parseClientHello(ch[len(ch)-1])
	if err != nil {
		f.Fatal(err)
	}
	kkpp, _ := findExtension(m.extensions, extECJPAKEKKPP)
	f.Fuzz(func(t *testing.T, b []byte) {
		jp, err := ecjpake.New(ecjpake.Server, testPSK, nil)
		if err != nil {
			t.Fatal(err)
		}
		jp.WriteRoundOne()
		if err := jp.ReadRoundOne(kkpp); err != nil {
			t.Fatal(err)
		}
		_ = jp.ReadRoundTwo(b)
	})
}

// FuzzFinished, FuzzServerHelloDone and FuzzAlert: the small fixed-size decoders.
func FuzzFinished(f *testing.F) {
	f.Add(make([]byte, 12))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := parseFinished(b)
		if (err == nil) != (len(b) == verifyDataLen) || (err == nil && !bytes.Equal(v, b)) {
			t.Fatalf("parseFinished(%x) = %x, %v", b, v, err)
		}
		if err := parseServerHelloDone(b); (err == nil) != (len(b) == 0) {
			t.Fatalf("parseServerHelloDone(%x) = %v", b, err)
		}
	})
}

func FuzzAlert(f *testing.F) {
	f.Add([]byte{2, 20})
	f.Add([]byte{1, 0})
	f.Add([]byte{3, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		level, desc, err := parseAlert(b)
		if err == nil && (len(b) != 2 || level != b[0] || byte(desc) != b[1] || desc.String() == "") {
			t.Fatalf("parseAlert(%x) = %d %v", b, level, desc)
		}
		_ = (&AlertError{Description: desc, Handshake: true}).Error()
	})
}

// FuzzHelloExtensions: the extension checks of both sides never panic.
func FuzzHelloExtensions(f *testing.F) {
	f.Add([]byte{0, 2, 0, 23})
	f.Add([]byte{1, 0})
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = checkSupportedGroups(b)
		_ = checkPointFormats(b)
		_ = checkRenegotiationInfo(b)
	})
}

// FuzzListenerDatagram: the listener's first look at a datagram (ClientHello and cookie
// routing) never panics, whatever arrives.
func FuzzListenerDatagram(f *testing.F) {
	ts, _ := seedFlights(f)
	for _, d := range ts {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, d []byte) {
		ch, msg, _ := firstClientHello(d)
		if ch != nil && msg.typ != typeClientHello {
			t.Fatalf("ClientHello returned with message type %v", msg.typ)
		}
		_ = onlyHandshake(d)
	})
}
