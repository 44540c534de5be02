package dtls

import (
	"bufio"
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/otlab"
)

// The live proof: OpenThread's own Border Agent (otbr-agent with mbedTLS 3.6) of ../shared/lab
// as the DTLS server, our Client in the lab's LAN namespace. thread/otlab starts the lab (once,
// under the machine-wide lock) and stops it when the test binary ends.

func TestMain(m *testing.M) { os.Exit(otlab.Main(m)) }

const (
	labNS        = otlab.LANNS
	labBAAddr    = otlab.BorderRouterAddr // the border router's infra0
	helperEnv    = "THREADMAP_DTLS_LAB_HELPER"
	ephemeralKey = "123456789"
	captureFile  = "testdata/border-agent-handshake.txt"
)

var updateCapture = flag.Bool("update", false, "rewrite "+captureFile+" from the live Border Agent")

// lab is the live lab (thread/otlab) as this test uses it: the border router's CLI.
type lab struct {
	t   *testing.T
	lab *otlab.Lab
}

// cli runs an ot-ctl command on the border router and returns its output without "Done".
func (l *lab) cli(cmd string) string {
	l.t.Helper()
	return strings.TrimSpace(l.lab.MustCLI(l.t, "br", cmd))
}

func (l *lab) port(cmd string) int {
	l.t.Helper()
	s := l.cli(cmd)
	p, err := strconv.Atoi(s)
	if err != nil || p <= 0 || p > 65535 {
		l.t.Fatalf("%q printed %q, not a port", cmd, s)
	}
	return p
}

// counter reads one line of `ba counters`.
func (l *lab) counter(name string) int {
	l.t.Helper()
	for _, line := range strings.Split(l.cli("ba counters"), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && k == name {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				l.t.Fatalf("ba counters: %q", line)
			}
			return n
		}
	}
	l.t.Fatalf("ba counters has no %s", name)
	return 0
}

// until polls the border router (an outside process with no event to wait on) every 100 ms for
// at most 10 s.
func (l *lab) until(what string, cond func() bool) {
	l.t.Helper()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			l.t.Fatalf("the border agent never showed %s", what)
		}
	}
}

// helperResult is what the client in the namespace reports.
type helperResult struct {
	ok      bool
	elapsed time.Duration
	err     string
	capture []string // "TX hex" / "RX hex" lines: the handshake's datagrams
}

// session runs our Client in namespace otlan against port with key. If the handshake succeeds,
// whileOpen runs before the client closes the session.
func (l *lab) session(port int, key []byte, timeout time.Duration, whileOpen func()) helperResult {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout+30*time.Second)
	defer cancel()
	cmd := l.lab.InLAN(ctx, os.Args[0], "-test.run", "^TestLabHelperClient$", "-test.v")
	cmd.Env = append(os.Environ(), helperEnv+"="+fmt.Sprintf("%s|%d|%s|%s", labBAAddr, port, hex.EncodeToString(key), timeout))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		l.t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		l.t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		l.t.Fatal(err)
	}
	var res helperResult
	sc := bufio.NewScanner(stdout)
	var transcript []string
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "TX ") || strings.HasPrefix(line, "RX ") {
			res.capture = append(res.capture, line)
			continue
		}
		transcript = append(transcript, line)
		rest, found := strings.CutPrefix(line, "HANDSHAKE ")
		if !found {
			continue
		}
		status, tail, _ := strings.Cut(rest, " ")
		el, errText, _ := strings.Cut(tail, " ")
		res.elapsed, _ = time.ParseDuration(el)
		res.ok = status == "ok"
		res.err = errText
		if res.ok && whileOpen != nil {
			whileOpen()
		}
		io.WriteString(stdin, "close\n")
	}
	stdin.Close()
	werr := cmd.Wait()
	if res.elapsed == 0 || (res.ok && werr != nil) {
		l.t.Fatalf("client in %s: %v\n%s\n%s", labNS, werr, strings.Join(transcript, "\n"), stderr.String())
	}
	return res
}

// TestLabHelperClient is the client side of TestLabBorderAgent, run inside namespace otlan; it
// does nothing on its own.
func TestLabHelperClient(t *testing.T) {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		t.Skip("helper of TestLabBorderAgent")
	}
	parts := strings.Split(spec, "|")
	key, _ := hex.DecodeString(parts[2])
	timeout, _ := time.ParseDuration(parts[3])
	raddr := &net.UDPAddr{IP: net.ParseIP(parts[0])}
	raddr.Port, _ = strconv.Atoi(parts[1])
	conn, err := net.DialUDP("udp6", nil, raddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	c, err := Client(ctx, &printingConn{Conn: conn}, &Config{PSK: key, Logf: t.Logf})
	el := time.Since(start).Round(time.Millisecond)
	if err != nil {
		fmt.Printf("HANDSHAKE error %v %v\n", el, err)
		return
	}
	fmt.Printf("HANDSHAKE ok %v local=%v\n", el, c.LocalAddr())
	bufio.NewReader(os.Stdin).ReadString('\n')
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	fmt.Println("CLOSED")
}

// printingConn prints every datagram as a TX or RX line, for the capture in testdata.
type printingConn struct{ net.Conn }

func (p *printingConn) Read(b []byte) (int, error) {
	n, err := p.Conn.Read(b)
	if err == nil {
		fmt.Printf("RX %x\n", b[:n])
	}
	return n, err
}

func (p *printingConn) Write(b []byte) (int, error) {
	fmt.Printf("TX %x\n", b)
	return p.Conn.Write(b)
}

// TestLabBorderAgent completes DTLS handshakes with the lab's real Border Agent: with the PSKc,
// with a wrong PSKc (which must fail clearly and quickly), and with a Thread 1.4 ephemeral key.
func TestLabBorderAgent(t *testing.T) {
	l := &lab{t: t, lab: otlab.Need(t)}

	pskcHex := l.cli("pskc")
	pskc, err := hex.DecodeString(pskcHex)
	if err != nil || len(pskc) != 16 {
		t.Fatalf("pskc printed %q", pskcHex)
	}
	port := l.port("ba port")
	t.Logf("Border Agent at [%s]:%d, PSKc %s", labBAAddr, port, pskcHex)

	t.Run("PSKc", func(t *testing.T) {
		before := l.counter("pskcSecureSessionSuccess")
		var open string
		res := l.session(port, pskc, 20*time.Second, func() {
			open = l.cli("ba sessions")
		})
		if !res.ok {
			t.Fatalf("handshake with the PSKc failed after %v: %s", res.elapsed, res.err)
		}
		t.Logf("handshake with the PSKc in %v; ba sessions while open:\n%s", res.elapsed, open)
		if *updateCapture {
			text := "# A handshake of thread/dtls's Client with OpenThread's Border Agent (otbr-agent, mbedTLS 3.6.5)\n" +
				"# of ../shared/lab, PSKc " + pskcHex + ", written by TestLabBorderAgent -update.\n" +
				strings.Join(res.capture, "\n") + "\n"
			if err := os.WriteFile(captureFile, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got := l.counter("pskcSecureSessionSuccess"); got != before+1 {
			t.Errorf("pskcSecureSessionSuccess %d -> %d", before, got)
		}
		if open == "" {
			t.Error("ba sessions listed no session while ours was open")
		}
		l.until("our session gone after close_notify", func() bool { return l.cli("ba sessions") == "" })
	})

	t.Run("wrong PSKc", func(t *testing.T) {
		wrong := append([]byte(nil), pskc...)
		wrong[15] ^= 0xff
		before := l.counter("pskcSecureSessionFailure")
		res := l.session(port, wrong, 20*time.Second, nil)
		if res.ok {
			t.Fatal("handshake with a wrong PSKc succeeded")
		}
		t.Logf("wrong PSKc failed after %v: %s", res.elapsed, res.err)
		if !strings.Contains(res.err, "bad_record_mac (wrong PSKc or ephemeral key?)") {
			t.Errorf("error does not name the alert and the likely cause: %s", res.err)
		}
		if res.elapsed > 10*time.Second {
			t.Errorf("failing took %v", res.elapsed)
		}
		l.until("the failure counted", func() bool { return l.counter("pskcSecureSessionFailure") == before+1 })
	})

	t.Run("ephemeral key", func(t *testing.T) {
		l.cli("ba ephemeralkey start " + ephemeralKey + " 60000")
		eport := l.port("ba ephemeralkey port")
		t.Logf("ephemeral key listens on port %d (ba port %d)", eport, port)
		if st := l.cli("ba ephemeralkey"); st != "Started" {
			t.Fatalf("ba ephemeralkey: %q", st)
		}
		res := l.session(eport, []byte(ephemeralKey), 20*time.Second, func() {
			if st := l.cli("ba ephemeralkey"); st != "Connected" {
				t.Errorf("ba ephemeralkey while our session is open: %q, want Connected", st)
			}
		})
		if !res.ok {
			t.Fatalf("handshake with the ephemeral key failed after %v: %s", res.elapsed, res.err)
		}
		t.Logf("handshake with the ephemeral key in %v", res.elapsed)
		if got := l.counter("epskcSecureSessionSuccess"); got != 1 {
			t.Errorf("epskcSecureSessionSuccess = %d", got)
		}
		// The key is good for one session: our close_notify ends it (PeerDisconnect).
		l.until("the ephemeral key stopped by our close", func() bool { return l.cli("ba ephemeralkey") == "Stopped" })
		if got := l.counter("epskcDisconnectDeactivation"); got != 1 {
			t.Errorf("epskcDisconnectDeactivation = %d, want 1 (our close_notify)", got)
		}
	})
}
