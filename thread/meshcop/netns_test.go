package meshcop_test

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/meshcop"
	"github.com/threadmap/threadmap/thread/meshcop/meshcoptest"
)

// TestMeshcopNetnsHelper is the helper process of the netns tests: it does
// nothing in a normal run.
func TestMeshcopNetnsHelper(t *testing.T) {
	if meshcoptest.Role() == "" {
		return
	}
	if err := meshcoptest.Main(os.Stdin, os.Stdout); err != nil {
		t.Fatal(err)
	}
}

func mustHex(s string) meshcop.HexBytes {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func ptr[T any](v T) *T { return &v }

// sampleAdverts: an OpenThread and a Google border router on one network,
// an Apple one on another. Binary values include '\', '"', NUL and 0xff so
// the escaping is exercised on the wire.
func sampleAdverts(p *meshcoptest.NetnsPair) []meshcop.BorderRouterAdvert {
	omr := netip.MustParsePrefix("fd11:22:33:1::/64")
	st := func(v uint32) *meshcop.StateBitmap { s := meshcop.DecodeStateBitmap(v); return &s }
	addrs := []netip.Addr{p.AddrA, p.V4A}
	return []meshcop.BorderRouterAdvert{
		{Host: "otbr-sim", Port: 49154, Addresses: addrs, Record: meshcop.Record{
			RecordVersion: "1", AgentID: mustHex("005c22ff0102030405060708090a0b0c"), ThreadVersion: "1.4.0",
			State: st(0x1c31), NetworkName: "HomeNet", ExtPanID: mustHex("5c22000000000001"), ExtAddr: mustHex("8eb0043d8ac6f721"),
			ActiveTimestamp: &meshcop.Timestamp{Seconds: 1}, PartitionID: ptr(uint32(1862888045)), BBRSeq: ptr(uint8(0x79)),
			BBRPort: ptr(uint16(0xf0bf)), DomainName: "DefaultDomain", OMRPrefix: &omr, VendorName: "OpenThread", ModelName: "BorderRouter",
		}},
		{Instance: "Google-Nest-Hub-#ABED", Host: "2d99f293-cd8e-2770", Port: 49191, Addresses: addrs, Record: meshcop.Record{
			RecordVersion: "1", AgentID: mustHex("bc3740c3e963aa8735bebecd7cc503c7"), ThreadVersion: "1.3.0",
			State: st(0x1b1), NetworkName: "HomeNet", ExtPanID: mustHex("5c22000000000001"), ExtAddr: mustHex("f6a99b425a67abed"),
			ActiveTimestamp: &meshcop.Timestamp{Seconds: 0x62f2f824, Ticks: 0x2a71, Authoritative: true}, PartitionID: ptr(uint32(1862888045)),
			VendorName: "Google Inc.", ModelName: "Google Nest Hub", VendorOUI: mustHex("7cd95c"),
			Vendor: []meshcop.Value{{Key: "vat", Hex: hex.EncodeToString([]byte("000062f2f82454e3"))}, {Key: "vvo", Hex: hex.EncodeToString([]byte("7CD95C"))}},
		}},
		{Instance: "Apple Inc. HomePod #1", Host: "homepod", Port: 49155, Addresses: addrs, Record: meshcop.Record{
			RecordVersion: "1", ThreadVersion: "1.3.0", State: st(0xfb1), NetworkName: "Other",
			ExtPanID: mustHex("dead00beef00cafe"), ExtAddr: mustHex("0a0b0c0d0e0f1011"),
			ActiveTimestamp: &meshcop.Timestamp{Seconds: 7}, PartitionID: ptr(uint32(42)),
			VendorName: "Apple Inc.", ModelName: "HomePod",
			Vendor:  []meshcop.Value{{Key: "dd", Hex: "00ff5c22"}},
			Unknown: []meshcop.Value{{Key: "zz", Hex: "0d0a"}},
		}},
	}
}

type helperProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
}

func startHelper(t *testing.T, ctx context.Context, ns, role, iface string) *helperProc {
	t.Helper()
	cmd, err := meshcoptest.SelfCommand(ctx, ns, "TestMeshcopNetnsHelper",
		meshcoptest.EnvRole+"="+role, meshcoptest.EnvIface+"="+iface, meshcoptest.EnvInterval+"=1s")
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helperProc{cmd: cmd, stdin: stdin, lines: make(chan string, 64)}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			h.lines <- sc.Text()
		}
		close(h.lines)
	}()
	t.Cleanup(func() { h.stop(t) })
	return h
}

// stop closes stdin (the helper withdraws and exits) and waits, killing the
// process (by its PID, which we started) if it does not exit in time.
func (h *helperProc) stop(t *testing.T) {
	_ = h.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- h.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = h.cmd.Process.Kill()
		<-done
		t.Errorf("helper %d did not stop; killed", h.cmd.Process.Pid)
	}
}

// next returns the next line starting with '{', failing after timeout.
func (h *helperProc) next(t *testing.T, timeout time.Duration) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-h.lines:
			if !ok {
				t.Fatal("helper exited")
			}
			if strings.HasPrefix(l, "{") || l == meshcoptest.Ready {
				return l
			}
		case <-deadline:
			t.Fatalf("no line from helper within %v", timeout)
		}
	}
}

func advertise(t *testing.T, ctx context.Context, p *meshcoptest.NetnsPair, ads []meshcop.BorderRouterAdvert) *helperProc {
	h := startHelper(t, ctx, p.A, "advertise", p.IfA)
	b, _ := json.Marshal(ads)
	if _, err := h.stdin.Write(append(b, '\n')); err != nil {
		t.Fatal(err)
	}
	if l := h.next(t, 10*time.Second); l != meshcoptest.Ready {
		t.Fatalf("advertiser said %q", l)
	}
	return h
}

// TestBrowseAcrossNetns advertises three simulated border routers in one
// namespace, browses from the other across the veth pair, checks every
// decoded TXT field and the grouping into networks, then stops one
// advertiser and sees that border router disappear.
func TestBrowseAcrossNetns(t *testing.T) {
	p := meshcoptest.NewNetnsPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	ads := sampleAdverts(p)
	adv1 := advertise(t, ctx, p, []meshcop.BorderRouterAdvert{ads[0], ads[2]})
	adv2 := advertise(t, ctx, p, []meshcop.BorderRouterAdvert{ads[1]})
	_ = adv1

	br := startHelper(t, ctx, p.B, "browse", p.IfB)
	wantInstance := []string{"OpenThread BorderRouter #F721", "Google-Nest-Hub-#ABED", "Apple Inc. HomePod #1"}
	seen := map[string]meshcop.Event{}
	start := time.Now()
	for len(seen) < 3 {
		var ev meshcop.Event
		if err := json.Unmarshal([]byte(br.next(t, 20*time.Second)), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Kind != meshcop.EventAppeared {
			t.Fatalf("unexpected event %s for %q (%s)", ev.Kind, ev.Service.Instance, ev.Err)
		}
		seen[ev.Service.Instance] = ev
	}
	t.Logf("3 border routers appeared after %v", time.Since(start).Round(time.Millisecond))

	for i, ad := range ads {
		ev, ok := seen[wantInstance[i]]
		if !ok {
			t.Fatalf("%q not seen; got %v", wantInstance[i], seen)
		}
		s := ev.Service
		if ev.Service.DecodeError != "" {
			t.Errorf("%s: decode error %s", s.Instance, s.DecodeError)
		}
		if s.Port != ad.Port || s.Host != ad.Host+".local." {
			t.Errorf("%s: host %s port %d, want %s %d", s.Instance, s.Host, s.Port, ad.Host, ad.Port)
		}
		if !reflect.DeepEqual(s.Addresses, []netip.Addr{p.V4A, p.AddrA}) {
			t.Errorf("%s: addresses %v", s.Instance, s.Addresses)
		}
		// The TXT bytes are exactly what was advertised, in order.
		sent, err := ad.Record.Entries()
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Record.TXT) != len(sent) {
			t.Fatalf("%s: %d TXT entries, sent %d", s.Instance, len(s.Record.TXT), len(sent))
		}
		for j, e := range sent {
			if got := s.Record.TXT[j]; got.Key != e.Key || got.Hex != hex.EncodeToString(e.Value) {
				t.Errorf("%s: TXT[%d] %s=%s, sent %s=%x", s.Instance, j, got.Key, got.Hex, e.Key, e.Value)
			}
		}
		// Every decoded field equals the decode of what was sent.
		want, err := meshcop.Decode(sent)
		if err != nil {
			t.Fatal(err)
		}
		gj, _ := json.Marshal(s.Record)
		wj, _ := json.Marshal(want)
		if string(gj) != string(wj) {
			t.Errorf("%s: decoded\n%s\nwant\n%s", s.Instance, gj, wj)
		}
		if ev.Network != strings.ToLower(ad.Record.ExtPanID.String()) {
			t.Errorf("%s: network %q", s.Instance, ev.Network)
		}
	}
	if st := seen[wantInstance[0]].Service.Record.State; st.Role != meshcop.RoleRouter || st.MultiAIL != meshcop.MultiAILNotDetected || !st.EPSKcSupported {
		t.Errorf("OTBR state %+v", st)
	}

	networks := func() []meshcop.Network {
		t.Helper()
		if _, err := br.stdin.Write([]byte("networks\n")); err != nil {
			t.Fatal(err)
		}
		for {
			l := br.next(t, 10*time.Second)
			var v struct {
				Networks []meshcop.Network `json:"networks"`
				Kind     string            `json:"kind"`
			}
			if err := json.Unmarshal([]byte(l), &v); err != nil {
				t.Fatal(err)
			}
			if v.Kind != "" {
				t.Fatalf("unexpected event while asking for networks: %s", l)
			}
			return v.Networks
		}
	}
	brNames := func(n meshcop.Network) []string {
		var out []string
		for _, s := range n.BorderRouters {
			out = append(out, s.Instance)
		}
		return out
	}
	nets := networks()
	if len(nets) != 2 || nets[0].Key != "5c22000000000001" || nets[0].Name != "HomeNet" ||
		!reflect.DeepEqual(brNames(nets[0]), []string{"Google-Nest-Hub-#ABED", "OpenThread BorderRouter #F721"}) ||
		nets[1].Key != "dead00beef00cafe" || !reflect.DeepEqual(brNames(nets[1]), []string{"Apple Inc. HomePod #1"}) {
		t.Fatalf("networks %+v", nets)
	}

	// The Google border router goes away: it must disappear, the others stay.
	adv2.stop(t)
	stopped := time.Now()
	var ev meshcop.Event
	if err := json.Unmarshal([]byte(br.next(t, 15*time.Second)), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Kind != meshcop.EventDisappeared || ev.Service.Instance != "Google-Nest-Hub-#ABED" || ev.Network != "5c22000000000001" {
		t.Fatalf("after stopping the Google advert: %+v", ev)
	}
	t.Logf("disappeared %v after its advertiser stopped", time.Since(stopped).Round(time.Millisecond))
	nets = networks()
	if len(nets) != 2 || !reflect.DeepEqual(brNames(nets[0]), []string{"OpenThread BorderRouter #F721"}) {
		t.Fatalf("networks after disappearance %+v", nets)
	}
	// Three more rounds: the remaining border routers keep answering and stay.
	select {
	case l := <-br.lines:
		if strings.HasPrefix(l, "{") {
			t.Fatalf("unexpected event while the others keep answering: %s", l)
		}
	case <-time.After(3500 * time.Millisecond):
	}
}
