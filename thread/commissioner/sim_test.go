package commissioner_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/commissioner"
	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/threadsim/simtest"
	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// simBA starts a simulated mesh (TMF servers on loopback) and its Border
// Agent (a DTLS EC-JPAKE server from thread/dtls).
func simBA(t testing.TB, mo threadsim.Options, so threadsim.ServeOptions, bo threadsim.BorderAgentOptions) (*threadsim.Sim, *threadsim.BorderAgent) {
	t.Helper()
	sim, ba, _ := simtest.BorderAgent(t, mo, so, bo)
	return sim, ba
}

func pskcOf(t testing.TB, sim *threadsim.Sim) commissioner.Credential {
	t.Helper()
	k, err := sim.Mesh().PSKc(threadsim.DefaultPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	return commissioner.PSKc(k)
}

func logf(t testing.TB) func(string, ...any) {
	return func(f string, a ...any) { t.Logf(f, a...) }
}

// crawl maps the mesh through the session's proxy with the unchanged
// crawler.
func crawl(t testing.TB, ctx context.Context, s *commissioner.Session, cfg tmf.Config) *topology.Snapshot {
	t.Helper()
	p, err := s.Proxy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Transport = p
	c, err := tmf.NewCrawler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := c.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestCrawlThroughBorderAgent maps a simulated mesh through the Border
// Agent: DTLS handshake keyed by the PSKc, petition, MGMT_ACTIVE_GET for the
// network's identity, the crawler over the UDP proxy — and gets the mesh's
// true topology. Closing resigns.
func TestCrawlThroughBorderAgent(t *testing.T) {
	sim, ba := simBA(t, threadsim.Options{Seed: 7, Nodes: 40}, threadsim.ServeOptions{}, threadsim.BorderAgentOptions{})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	s, err := commissioner.Connect(ctx, ba.Addr().String(), pskcOf(t, sim), commissioner.Config{Logf: logf(t)})
	if err != nil {
		t.Fatal(err)
	}
	if s.SessionID() == 0 || ba.ActiveCommissioner() != commissioner.DefaultCommissionerID {
		t.Fatalf("session %d, active %q", s.SessionID(), ba.ActiveCommissioner())
	}
	ds, err := s.ActiveDataset(ctx)
	if err != nil {
		t.Fatal(err)
	}
	truth := sim.Mesh().Truth()
	n := sim.Mesh().Network
	if ds.NetworkName == nil || *ds.NetworkName != n.Name || ds.MeshLocalPrefix == nil || *ds.MeshLocalPrefix != n.MeshLocalPrefix ||
		ds.Channel == nil || int(ds.Channel.Channel) != n.Channel || ds.PanID == nil || *ds.PanID != n.PanID || ds.ExtPanID == nil {
		t.Fatalf("active dataset %+v", ds)
	}
	if len(ds.Secrets) != 0 {
		t.Errorf("asked for the public TLVs, got secrets %v", ds.Secrets)
	}
	snap := crawl(t, ctx, s, tmf.Config{})
	if diff := truth.Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("crawl through the border agent differs from the mesh: %v", diff)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(s.Err(), commissioner.ErrClosed) {
		t.Errorf("err after close: %v", s.Err())
	}
	st := ba.Stats()
	if st.Resigned != 1 || ba.ActiveCommissioner() != "" || st.ProxyTx == 0 || st.ProxyRx == 0 {
		t.Errorf("border agent stats %+v, active %q", st, ba.ActiveCommissioner())
	}
}

// TestCrawl250 maps a 250-node mesh (32 routers, many hops, sleepy
// children) through the Border Agent's proxy: every node, role, parent and
// router link of the simulator's truth.
func TestCrawl250(t *testing.T) {
	if testing.Short() {
		t.Skip("250 nodes")
	}
	sim, ba := simBA(t, threadsim.Options{Seed: 250, Nodes: 250}, threadsim.ServeOptions{}, threadsim.BorderAgentOptions{})
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	s, err := commissioner.Connect(ctx, ba.Addr().String(), pskcOf(t, sim), commissioner.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	snap := crawl(t, ctx, s, tmf.Config{Detail: tmf.DetailTopology})
	truth := sim.Mesh().Truth()
	if len(truth.Nodes) != 250 {
		t.Fatalf("truth has %d nodes", len(truth.Nodes))
	}
	if diff := truth.Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("250-node crawl differs: %v", diff)
	}
}

// TestLossyMesh crawls through the proxy while the simulated radio loses
// a fifth of the messages reaching nodes (requests and the acknowledgements
// of their DIAG_GET.ans posts): the proxy's CoAP retransmissions (turned on
// here) and duplicate detection, and the crawler's own retries, still give
// the truth.
func TestLossyMesh(t *testing.T) {
	sim, ba := simBA(t, threadsim.Options{Seed: 11, Nodes: 30},
		threadsim.ServeOptions{Radio: &threadsim.Radio{Loss: 0.2, Seed: 3}, AckTimeout: 100 * time.Millisecond},
		threadsim.BorderAgentOptions{})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	s, err := commissioner.Connect(ctx, ba.Addr().String(), pskcOf(t, sim),
		commissioner.Config{Proxy: commissioner.ProxyConfig{AckTimeout: 100 * time.Millisecond, MaxRetransmit: 3}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	snap := crawl(t, ctx, s, tmf.Config{Timeout: 3 * time.Second, Retries: 6, Backoff: 20 * time.Millisecond})
	if diff := sim.Mesh().Truth().Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("lossy crawl differs: %v", diff)
	}
}

// TestGroupQuery sends DIAG_GET.qry to ff03::2 through the proxy: every
// full Thread device but the agent's own answers with a DIAG_GET.ans that
// comes back as UDP_RX.ntf.
func TestGroupQuery(t *testing.T) {
	sim, ba := simBA(t, threadsim.Options{Seed: 5, Nodes: 24}, threadsim.ServeOptions{}, threadsim.BorderAgentOptions{})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	s, err := commissioner.Connect(ctx, ba.Addr().String(), pskcOf(t, sim), commissioner.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.Proxy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Every full Thread device but the border router the agent runs on
	// (OpenThread's does not answer a multicast it sends for the
	// commissioner; the lab shows it).
	want := map[topology.Rloc16]bool{}
	for _, n := range sim.Mesh().Nodes() {
		if n.Mode.FullThreadDevice && n != sim.Mesh().BorderRouters()[0] {
			want[n.Rloc16] = true
		}
	}
	got := map[topology.Rloc16]netip.AddrPort{}
	var mu sync.Mutex
	all := make(chan struct{})
	qctx, qcancel := context.WithTimeout(ctx, 30*time.Second)
	defer qcancel()
	err = p.QueryGroup(qctx, tmf.AllRouters, []diag.Type{diag.TypeExtMacAddress, diag.TypeAddress16}, func(from netip.AddrPort, m *diag.Message) {
		mu.Lock()
		defer mu.Unlock()
		if m.Address16 != nil {
			got[*m.Address16] = from
		}
		if len(got) == len(want) {
			select {
			case <-all:
			default:
				close(all)
				qcancel()
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for r := range want {
		from, ok := got[r]
		if !ok {
			t.Errorf("%s did not answer the group query", r)
			continue
		}
		if wantAddr := sim.Mesh().RlocAddr(r); from.Addr() != wantAddr || from.Port() != tmf.Port {
			t.Errorf("%s answered from %s, want [%s]:%d", r, from, wantAddr, tmf.Port)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d answers, want %d", len(got), len(want))
	}
}

// TestWrongPSKc: a wrong key fails the handshake, with a message that says
// so, well within the deadline.
func TestWrongPSKc(t *testing.T) {
	_, ba := simBA(t, threadsim.Options{Seed: 3, Nodes: 8}, threadsim.ServeOptions{}, threadsim.BorderAgentOptions{})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	wrong, err := commissioner.ParsePSKc("00112233445566778899aabbccddeeff")
	if err != nil {
		t.Fatal(err)
	}
	_, err = commissioner.Connect(ctx, ba.Addr().String(), wrong, commissioner.Config{})
	var he *commissioner.HandshakeError
	if !errors.As(err, &he) || !strings.Contains(err.Error(), "wrong PSKc or ephemeral key?") {
		t.Fatalf("error %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("the handshake failed only at the deadline: %v", err)
	}
	if strings.Contains(err.Error(), "00112233") {
		t.Errorf("the error repeats the key: %v", err)
	}
}

// TestSecondCommissioner: while one commissioner is active, a petition
// with another ID is rejected naming the active one; with the active one's
// own ID it replaces it (as OpenThread's leader does); after a resign the
// role is free at once.
func TestSecondCommissioner(t *testing.T) {
	sim, ba := simBA(t, threadsim.Options{Seed: 3, Nodes: 8}, threadsim.ServeOptions{}, threadsim.BorderAgentOptions{})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cred := pskcOf(t, sim)
	first, err := commissioner.Connect(ctx, ba.Addr().String(), cred, commissioner.Config{CommissionerID: "installer laptop"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = commissioner.Connect(ctx, ba.Addr().String(), cred, commissioner.Config{CommissionerID: "threadmap"})
	var pe *commissioner.PetitionRejectedError
	if !errors.As(err, &pe) || pe.Active != "installer laptop" ||
		!strings.Contains(err.Error(), `petition rejected: another commissioner ("installer laptop") is active`) {
		t.Fatalf("second petition: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	third, err := commissioner.Connect(ctx, ba.Addr().String(), cred, commissioner.Config{CommissionerID: "threadmap"})
	if err != nil {
		t.Fatalf("after the first resigned: %v", err)
	}
	same, err := commissioner.Connect(ctx, ba.Addr().String(), cred, commissioner.Config{CommissionerID: "threadmap"})
	if err != nil {
		t.Fatalf("a petition with the active commissioner's own ID: %v", err)
	}
	defer same.Close()
	// The replaced session's keep-alive is refused now.
	if err := third.KeepAliveNow(ctx); err == nil || !strings.Contains(err.Error(), "reject") {
		t.Errorf("keep-alive of the replaced session: %v", err)
	}
	third.Close()
}

// TestKeepAlive: with keep-alives every 25 ms the session outlives twice
// the Border Agent's 400 ms timeout; without them the Border Agent drops it
// and the session ends with a clear reason.
func TestKeepAlive(t *testing.T) {
	kas := make(chan struct{}, 100)
	sim, ba := simBA(t, threadsim.Options{Seed: 3, Nodes: 8}, threadsim.ServeOptions{},
		threadsim.BorderAgentOptions{KeepAliveTimeout: 400 * time.Millisecond, Observe: func(ev string) {
			if ev == "keep-alive" {
				select {
				case kas <- struct{}{}:
				default:
				}
			}
		}})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	s, err := commissioner.Connect(ctx, ba.Addr().String(), pskcOf(t, sim), commissioner.Config{KeepAlive: 25 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 32; i++ {
		select {
		case <-kas:
		case <-s.Done():
			t.Fatalf("session ended after %d keep-alives: %v", i, s.Err())
		case <-ctx.Done():
			t.Fatal("keep-alives stopped")
		}
	}
	if st := ba.Stats(); st.Expired != 0 {
		t.Fatalf("a session expired despite keep-alives: %+v", st)
	}
	s.Close()

	silent, err := commissioner.Connect(ctx, ba.Addr().String(), pskcOf(t, sim), commissioner.Config{KeepAlive: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	select {
	case <-silent.Done():
	case <-ctx.Done():
		t.Fatal("the border agent kept a silent session")
	}
	var se *commissioner.SessionError
	if !errors.As(silent.Err(), &se) || !strings.Contains(se.Error(), "closed the session") {
		t.Fatalf("ended with %v", silent.Err())
	}
	// Requests on an ended session fail at once with the reason.
	if _, err := silent.ActiveDataset(ctx); !errors.As(err, &se) {
		t.Errorf("request after the end: %v", err)
	}
}

// TestEphemeralKey: a session keyed by a Thread 1.4 ephemeral key on its
// own port may petition, read the dataset and use the proxy like a PSKc
// session; the key serves that one session only.
func TestEphemeralKey(t *testing.T) {
	closed := make(chan struct{}, 8)
	sim, ba := simBA(t, threadsim.Options{Seed: 9, Nodes: 20}, threadsim.ServeOptions{}, threadsim.BorderAgentOptions{
		Observe: func(ev string) {
			if ev == "closed" {
				closed <- struct{}{}
			}
		}})
	addr, err := ba.StartEphemeralKey("123456789", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if addr == ba.Addr() {
		t.Fatal("the ephemeral key shares the PSKc port")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cred, err := commissioner.EphemeralKey("123456789")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := commissioner.Connect(ctx, ba.Addr().String(), cred, commissioner.Config{}); err == nil {
		t.Fatal("the ephemeral key opened a session on the PSKc port")
	}
	s, err := commissioner.Connect(ctx, addr.String(), cred, commissioner.Config{})
	if err != nil {
		t.Fatal(err)
	}
	snap := crawl(t, ctx, s, tmf.Config{})
	if diff := sim.Mesh().Truth().Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("crawl with the ephemeral key differs: %v", diff)
	}
	s.Close()
	select {
	case <-closed:
	case <-ctx.Done():
		t.Fatal("the border agent never saw the session end")
	}
	if _, ok := ba.EphemeralKeyAddr(); ok {
		t.Error("the ephemeral key outlived its session")
	}
	short, cancel2 := context.WithTimeout(ctx, 3*time.Second)
	defer cancel2()
	if _, err := commissioner.Connect(short, addr.String(), cred, commissioner.Config{}); err == nil {
		t.Error("a used ephemeral key opened a second session")
	}
}

// TestBorderAgentGone: the Border Agent stops mid-crawl; the session ends,
// the source's Collect returns the reason at once and no snapshot, and
// later requests fail with the same reason.
func TestBorderAgentGone(t *testing.T) {
	sim, ba := simBA(t, threadsim.Options{Seed: 13, Nodes: 40},
		threadsim.ServeOptions{Radio: &threadsim.Radio{HopLatency: 20 * time.Millisecond}}, threadsim.BorderAgentOptions{})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	once := sync.Once{}
	src, err := commissioner.NewSource(commissioner.SourceConfig{Addr: ba.Addr().String(), Credential: pskcOf(t, sim),
		Crawl: tmf.Config{Progress: func(pr tmf.Progress) {
			if pr.Answered >= 2 {
				once.Do(func() { go ba.Close() })
			}
		}}})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := src.Collect(ctx)
	var se *commissioner.SessionError
	if snap != nil || !errors.As(err, &se) || !strings.Contains(err.Error(), "session ended during the crawl") {
		t.Fatalf("collect: %v, %v", snap, err)
	}
	if ctx.Err() != nil {
		t.Fatal("the crawl ran to the deadline")
	}
	t.Logf("collect: %v", err)
}

// TestSource is the source's whole Collect: the network's identity from the
// active dataset, the map from the crawl, the report naming the path.
func TestSource(t *testing.T) {
	sim, ba := simBA(t, threadsim.Options{Seed: 17, Nodes: 30}, threadsim.ServeOptions{}, threadsim.BorderAgentOptions{})
	src, err := commissioner.NewSource(commissioner.SourceConfig{Addr: ba.Addr().String(), Credential: pskcOf(t, sim)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	snap, err := src.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	truth := sim.Mesh().Truth()
	if diff := truth.Shape().Diff(snap.Shape()); len(diff) > 0 {
		t.Fatalf("source differs: %v", diff)
	}
	w := truth.Network
	g := snap.Network
	if g.Name != w.Name || g.ExtPanID != w.ExtPanID || g.PanID != w.PanID || g.Channel != w.Channel || g.MeshLocalPrefix != w.MeshLocalPrefix {
		t.Errorf("network %+v, want %+v", g, w)
	}
	r := snap.Scan.Sources[0]
	if r.Name != "border-agent" || r.Target != ba.Addr().String() || r.Answered == 0 || len(r.Notes) == 0 || !strings.Contains(r.Notes[0], "DTLS handshake (pskc)") {
		t.Errorf("report %+v", r)
	}
	for _, n := range snap.Nodes {
		if len(n.Sources) == 0 || n.Sources[0] != "border-agent" {
			t.Errorf("node %s sources %v", n.ID, n.Sources)
			break
		}
	}
	if ba.ActiveCommissioner() != "" {
		t.Error("the source did not resign")
	}
}

// TestCredentialsNeverPrint: every formatting of a credential, and every
// error, leaves the key out.
func TestCredentialsNeverPrint(t *testing.T) {
	c, err := commissioner.ParsePSKc("c3f59368445a1b6106be420a706d4cc9")
	if err != nil {
		t.Fatal(err)
	}
	e, err := commissioner.EphemeralKey("987654321")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s %q %x", c, c, c, c, c, c), fmt.Sprintf("%v %#v %x", e, e, e)} {
		if strings.Contains(s, "c3f5") || strings.Contains(s, "987654321") || strings.Contains(s, "63336635") {
			t.Errorf("leaks: %s", s)
		}
	}
	if _, err := commissioner.ParsePSKc("c3f59368445a1b6106be420a706d4cc"); err == nil || strings.Contains(err.Error(), "c3f5") {
		t.Errorf("bad PSKc error %v", err)
	}
	if _, err := commissioner.EphemeralKey("12345"); err == nil {
		t.Error("a 5-character ephemeral key")
	}
	p, err := commissioner.Passphrase("12SECRETPASSWORD34", "Test Network", [8]byte{0, 1, 2, 3, 4, 5, 6, 7})
	if err != nil || !reflect.DeepEqual(p, c) {
		t.Fatalf("the specification's passphrase vector: %v %v", p, err)
	}
}
