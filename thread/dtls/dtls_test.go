package dtls

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

var testPSK = []byte{0x10, 0x48, 0x10, 0xe2, 0x31, 0x51, 0x00, 0xaf, 0xd6, 0xbc, 0x92, 0x15, 0xa6, 0xbf, 0xac, 0x53}

// The TLS 1.2 PRF vector for P_SHA256 published on the IETF TLS list (msg03416).
func TestPRF(t *testing.T) {
	secret, _ := hex.DecodeString("9bbe436ba940f017b17652849a71db35")
	seed, _ := hex.DecodeString("a0ba9f936cda311827a6f796ffd5198c")
	want, _ := hex.DecodeString("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a" +
		"6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab" +
		"4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701" + "87347b66")
	if got := prf(secret, "test label", seed, len(want)); !bytes.Equal(got, want) {
		t.Fatalf("prf = %x\nwant %x", got, want)
	}
}

// RFC 3610 packet vector #1 through the CCM module this package uses (13-byte nonce, 8-byte tag),
// then our record layout: a sealed record opens, and any flipped byte or other header fails.
func TestRecordProtection(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 16)
	c, err := newRecordCipher(key, []byte{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("coap over dtls")
	frag := c.seal(1, 5, typeApplicationData, msg)
	if !bytes.Equal(frag[:8], []byte{0, 1, 0, 0, 0, 0, 0, 5}) {
		t.Fatalf("explicit nonce %x, want epoch||seq", frag[:8])
	}
	if len(frag) != len(msg)+aeadOverhead {
		t.Fatalf("fragment of %d bytes", len(frag))
	}
	r := record{typ: typeApplicationData, version: versionDTLS12, epoch: 1, seq: 5, payload: frag}
	if p, err := c.open(r); err != nil || !bytes.Equal(p, msg) {
		t.Fatalf("open = %q, %v", p, err)
	}
	for i := range frag {
		bad := bytes.Clone(frag)
		bad[i] ^= 1
		if _, err := c.open(record{typ: r.typ, epoch: 1, seq: 5, payload: bad}); err == nil {
			t.Fatalf("byte %d flipped: opened", i)
		}
	}
	for _, other := range []record{{typ: typeAlert, epoch: 1, seq: 5}, {typ: r.typ, epoch: 1, seq: 6}} {
		other.payload = frag
		if _, err := c.open(other); err == nil {
			t.Fatalf("record %v/%d opened under another header", other.typ, other.seq)
		}
	}
}

func TestReplayWindow(t *testing.T) {
	var w replayWindow
	for _, s := range []uint64{5, 3, 70, 69, 10} {
		if w.seen(s) {
			t.Fatalf("%d seen before accepted", s)
		}
		w.accept(s)
	}
	for _, s := range []uint64{5, 3, 70, 69, 10, 6} { // 5, 3, 6: older than the window below 70
		if !w.seen(s) {
			t.Errorf("%d not reported as replay", s)
		}
	}
	if w.seen(71) || w.seen(68) {
		t.Error("fresh numbers reported as replays")
	}
}

func TestFragmentsAndReassembly(t *testing.T) {
	body := bytes.Repeat([]byte("abcdefgh"), 40)
	m := handshakeMsg{typ: typeServerHello, seq: 3, body: body}
	var r reassembler
	r.next = 3
	// Fragments of 50 bytes, delivered back to front and twice.
	var frags [][]byte
	for off := 0; off < len(body); off += 50 {
		n := min(50, len(body)-off)
		f := appendHandshakeHeader(nil, m.typ, len(body), m.seq, off, n)
		frags = append(frags, append(f, body[off:off+n]...))
	}
	for i := len(frags) - 1; i >= 0; i-- {
		for range 2 {
			fs, err := parseFragments(frags[i])
			if err != nil || len(fs) != 1 {
				t.Fatal(fs, err)
			}
			if _, err := r.add(fs[0]); err != nil {
				t.Fatal(err)
			}
			if _, ok := r.pop(); ok && i > 0 {
				t.Fatalf("message complete after fragment %d", i)
			}
		}
	}
	// Completed by the last add above; pop it now (pop inside the loop ran after i==0 too).
	if r.next != 4 {
		got, ok := r.pop()
		if !ok || !bytes.Equal(got.body, body) {
			t.Fatalf("reassembled %v %q", ok, got.body)
		}
	}
	if old, _ := r.add(fragment{typ: m.typ, length: 1, seq: 3, body: []byte{1}}); !old {
		t.Error("a fragment of a delivered message is not reported as old")
	}
	if _, err := r.add(fragment{typ: typeFinished, length: 12, seq: 4, offset: 0, body: make([]byte, 12)}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.add(fragment{typ: typeFinished, length: 13, seq: 4, offset: 0, body: make([]byte, 1)}); err == nil {
		t.Error("fragments disagreeing on the length accepted")
	}
}

// pair runs a listener on loopback and returns a connected client socket to it.
func pair(t *testing.T, scfg *Config) (*Listener, *net.UDPConn) {
	t.Helper()
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	l := Listen(pc, scfg)
	t.Cleanup(func() { l.Close() })
	cc, err := net.DialUDP("udp", nil, pc.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return l, cc
}

func testLogf(t *testing.T, who string) func(string, ...any) {
	var mu sync.Mutex
	done := false
	t.Cleanup(func() { mu.Lock(); done = true; mu.Unlock() })
	return func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			t.Logf(who+": "+f, a...)
		}
	}
}

type result struct {
	c   *Conn
	err error
}

// handshake runs Client and Accept concurrently.
func handshake(ctx context.Context, t *testing.T, l *Listener, cc net.Conn, ccfg *Config) (client, server result) {
	t.Helper()
	sc := make(chan result, 1)
	go func() {
		c, err := l.Accept(ctx)
		sc <- result{c, err}
	}()
	c, err := Client(ctx, cc, ccfg)
	client = result{c, err}
	if err != nil {
		return client, result{}
	}
	select {
	case server = <-sc:
	case <-ctx.Done():
		server = result{nil, ctx.Err()}
	}
	return client, server
}

// exchange checks application data both ways and the close_notify at the end.
func exchange(t *testing.T, cli, srv *Conn, sizes ...int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	cli.SetReadDeadline(deadline)
	srv.SetReadDeadline(deadline)
	buf := make([]byte, 2048)
	for i, n := range sizes {
		msg := bytes.Repeat([]byte{byte(i)}, n)
		if _, err := cli.Write(msg); err != nil {
			t.Fatal(err)
		}
		got, err := srv.Read(buf)
		if err != nil || !bytes.Equal(buf[:got], msg) {
			t.Fatalf("server read %d bytes, %v; want %d", got, err, n)
		}
		if _, err := srv.Write(msg[:n/2]); err != nil {
			t.Fatal(err)
		}
		got, err = cli.Read(buf)
		if err != nil || !bytes.Equal(buf[:got], msg[:n/2]) {
			t.Fatalf("client read %d bytes, %v; want %d", got, err, n/2)
		}
	}
	if err := cli.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Read(buf); !errors.Is(err, io.EOF) {
		t.Fatalf("server read after the client's close: %v, want io.EOF", err)
	}
	srv.Close()
}

func TestLoopback(t *testing.T) {
	for _, tc := range []struct {
		name string
		frag int
	}{{"default fragments", 0}, {"16-byte fragments", 16}, {"100-byte fragments", 100}} {
		t.Run(tc.name, func(t *testing.T) {
			l, cc := pair(t, &Config{PSK: testPSK, MaxFragment: tc.frag, Logf: testLogf(t, "server")})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cli, srv := handshake(ctx, t, l, cc, &Config{PSK: testPSK, MaxFragment: tc.frag, Logf: testLogf(t, "client")})
			if cli.err != nil || srv.err != nil {
				t.Fatalf("client: %v; server: %v", cli.err, srv.err)
			}
			if srv.c.RemoteAddr().String() != cc.LocalAddr().String() {
				t.Errorf("server sees %v, client is %v", srv.c.RemoteAddr(), cc.LocalAddr())
			}
			exchange(t, cli.c, srv.c, 0, 1, 700, 1500)
		})
	}
}

// An ephemeral key is ASCII text of any length; it works as a password like a PSKc.
func TestEphemeralKeyPassword(t *testing.T) {
	key := []byte("123456789")
	l, cc := pair(t, &Config{PSK: key})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cli, srv := handshake(ctx, t, l, cc, &Config{PSK: key})
	if cli.err != nil || srv.err != nil {
		t.Fatalf("client: %v; server: %v", cli.err, srv.err)
	}
	exchange(t, cli.c, srv.c, 10)
}

// With different passwords both sides fail, each with an error that names the alert, and within
// the handshake's context.
func TestWrongPSK(t *testing.T) {
	wrong := bytes.Clone(testPSK)
	wrong[0] ^= 1
	failed := make(chan string, 1)
	l, cc := pair(t, &Config{PSK: testPSK, Logf: func(f string, a ...any) {
		if line := fmt.Sprintf(f, a...); strings.HasPrefix(line, "dtls: handshake with") {
			select {
			case failed <- line:
			default:
			}
		}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	cli, srv := handshake(ctx, t, l, cc, &Config{PSK: wrong})
	var ae *AlertError
	if !errors.As(cli.err, &ae) || !ae.Remote || ae.Description != AlertBadRecordMAC {
		t.Fatalf("client error %v, want the server's bad_record_mac alert", cli.err)
	}
	if !strings.Contains(cli.err.Error(), "peer sent fatal alert bad_record_mac (wrong PSKc or ephemeral key?)") {
		t.Errorf("client error text: %v", cli.err)
	}
	t.Logf("client after %v: %v", time.Since(start).Round(time.Millisecond), cli.err)
	if srv.c != nil {
		t.Fatal("the server accepted a session with a wrong key")
	}
	select {
	case line := <-failed:
		t.Logf("server: %s", line)
		if !strings.Contains(line, "we sent fatal alert bad_record_mac (wrong PSKc or ephemeral key?)") {
			t.Errorf("server error text: %s", line)
		}
	case <-ctx.Done():
		t.Fatal("the server did not report its failure")
	}
	select {
	case c := <-l.accept:
		t.Fatalf("a session from %v was queued", c.RemoteAddr())
	default:
	}
}

// relay forwards datagrams between a client and a server socket, dropping, duplicating and
// reordering the first datagrams of each direction (the handshake) by a fixed seed.
type relay struct {
	pc     *net.UDPConn
	server *net.UDPAddr
	rng    *rand.Rand
	mu     sync.Mutex
	client *net.UDPAddr
	stats  map[string]int
	held   map[bool][]byte
	count  map[bool]int
}

const lossyDatagrams = 40 // handshake datagrams per direction; later ones and all others pass untouched

func (r *relay) run() {
	buf := make([]byte, 65536)
	for {
		n, from, err := r.pc.ReadFromUDP(buf)
		if err != nil {
			return
		}
		d := append([]byte(nil), buf[:n]...)
		r.mu.Lock()
		toServer := from.String() != r.server.String()
		if toServer {
			r.client = from
		}
		dst := r.server
		if !toServer {
			dst = r.client
		}
		r.count[toServer]++
		var out [][]byte
		hs := len(d) > 0 && (d[0] == byte(typeHandshake) || d[0] == byte(typeChangeCipherSpec))
		if !hs || r.count[toServer] > lossyDatagrams {
			out = [][]byte{d}
			if h := r.held[toServer]; h != nil {
				out = append(out, h)
				r.held[toServer] = nil
			}
		} else {
			switch x := r.rng.IntN(10); {
			case x < 3:
				r.stats["dropped"]++
			case x < 5:
				r.stats["duplicated"]++
				out = [][]byte{d, d}
			case x < 7 && r.held[toServer] == nil:
				r.stats["held back"]++
				r.held[toServer] = d
			default:
				out = [][]byte{d}
			}
			if h := r.held[toServer]; h != nil && len(out) > 0 {
				out = append(out, h) // the held datagram overtaken by this one
				r.held[toServer] = nil
			}
		}
		r.mu.Unlock()
		for _, o := range out {
			r.pc.WriteToUDP(o, dst)
		}
	}
}

func TestLossyRelay(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			spc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			cfg := &Config{PSK: testPSK, MaxFragment: 64, RetransmitTimeout: 20 * time.Millisecond}
			l := Listen(spc, cfg)
			defer l.Close()
			rpc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			defer rpc.Close()
			r := &relay{pc: rpc, server: spc.LocalAddr().(*net.UDPAddr), rng: rand.New(rand.NewPCG(seed, 99)),
				stats: map[string]int{}, held: map[bool][]byte{}, count: map[bool]int{}}
			go r.run()
			cc, err := net.DialUDP("udp", nil, rpc.LocalAddr().(*net.UDPAddr))
			if err != nil {
				t.Fatal(err)
			}
			defer cc.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cli, srv := handshake(ctx, t, l, cc, cfg)
			r.mu.Lock()
			t.Logf("relay: %v, datagrams to server %d, to client %d", r.stats, r.count[true], r.count[false])
			r.mu.Unlock()
			if cli.err != nil || srv.err != nil {
				t.Fatalf("client: %v; server: %v", cli.err, srv.err)
			}
			// The client may have finished while the server's last flight is still being
			// repeated; data still flows because the server's Read answers repeats.
			exchange(t, cli.c, srv.c, 5, 50)
		})
	}
}

// A handshake against a peer that never answers ends when ctx ends, naming what it waited for.
func TestClientContext(t *testing.T) {
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	cc, err := net.DialUDP("udp", nil, pc.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		buf := make([]byte, 2048)
		pc.ReadFrom(buf) // the first ClientHello arrived: give up
		cancel()
	}()
	_, err = Client(ctx, cc, &Config{PSK: testPSK})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "HelloVerifyRequest or ServerHello") {
		t.Fatalf("Client: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := Client(context.Background(), nil, &Config{}); err == nil {
		t.Error("empty PSK accepted")
	}
	if _, err := Client(context.Background(), nil, &Config{PSK: testPSK, MaxFragment: 3}); err == nil {
		t.Error("MaxFragment 3 accepted")
	}
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	l := Listen(pc, &Config{})
	defer l.Close()
	if _, err := l.Accept(context.Background()); err == nil || !strings.Contains(err.Error(), "PSK") {
		t.Errorf("Accept on a listener without PSK: %v", err)
	}
}

// A deadline set while Read waits ends it with an error wrapping os.ErrDeadlineExceeded, on both
// sides; closing the listener ends Accept and its sessions' Reads.
func TestDeadlinesAndClose(t *testing.T) {
	l, cc := pair(t, &Config{PSK: testPSK})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cli, srv := handshake(ctx, t, l, cc, &Config{PSK: testPSK})
	if cli.err != nil || srv.err != nil {
		t.Fatalf("client: %v; server: %v", cli.err, srv.err)
	}
	for name, c := range map[string]*Conn{"client": cli.c, "server": srv.c} {
		errc := make(chan error, 1)
		go func() {
			_, err := c.Read(make([]byte, 100))
			errc <- err
		}()
		c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		select {
		case err := <-errc:
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("%s Read: %v, want a deadline error", name, err)
			}
		case <-ctx.Done():
			t.Fatalf("%s Read did not return at its deadline", name)
		}
	}
	srv.c.SetReadDeadline(time.Time{})
	errc := make(chan error, 1)
	go func() {
		_, err := srv.c.Read(make([]byte, 100))
		errc <- err
	}()
	l.Close()
	if _, err := l.Accept(ctx); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v", err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("server Read after the listener closed: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("server Read did not end with the listener")
	}
	cli.c.Close()
	if _, err := cli.c.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
}

// BenchmarkHandshakeLoopback: one full handshake (cookie exchange included) between our client
// and listener over loopback UDP.
func BenchmarkHandshakeLoopback(b *testing.B) {
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	l := Listen(pc, &Config{PSK: testPSK})
	defer l.Close()
	ctx := context.Background()
	for b.Loop() {
		cc, err := net.DialUDP("udp", nil, pc.LocalAddr().(*net.UDPAddr))
		if err != nil {
			b.Fatal(err)
		}
		c, err := Client(ctx, cc, &Config{PSK: testPSK})
		if err != nil {
			b.Fatal(err)
		}
		s, err := l.Accept(ctx)
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
		s.Close()
	}
}
