package dtls

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/ecjpake"
)

// readCapture returns the datagrams of testdata/border-agent-handshake.txt: what our client sent
// (tx) and what OpenThread's Border Agent answered (rx), in order.
func readCapture(t testing.TB) (tx, rx [][]byte) {
	t.Helper()
	f, err := os.Open(captureFile)
	if err != nil {
		t.Fatalf("%v (TestLabBorderAgent -update writes it)", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		dir, h, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(dir, "#") {
			continue
		}
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("%s: %v", captureFile, err)
		}
		switch dir {
		case "TX":
			tx = append(tx, b)
		case "RX":
			rx = append(rx, b)
		}
	}
	if len(tx) == 0 || len(rx) == 0 {
		t.Fatalf("%s holds %d sent and %d received datagrams", captureFile, len(tx), len(rx))
	}
	return tx, rx
}

// plainMessages reassembles the epoch-0 handshake messages in a list of datagrams (one side's)
// and returns the other records as they came.
func plainMessages(t testing.TB, dgrams [][]byte) (map[handshakeType][]handshakeMsg, []record) {
	t.Helper()
	msgs := map[handshakeType][]handshakeMsg{}
	var r reassembler
	var other []record
	for _, d := range dgrams {
		recs, err := parseRecords(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			if rec.epoch != 0 || rec.typ != typeHandshake {
				other = append(other, rec)
				continue
			}
			frags, err := parseFragments(rec.payload)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range frags {
				if f.seq < r.next {
					continue // a repeat
				}
				if _, err := r.add(f); err != nil {
					t.Fatal(err)
				}
			}
			for m, ok := r.pop(); ok; m, ok = r.pop() {
				msgs[m.typ] = append(msgs[m.typ], m)
			}
		}
	}
	return msgs, other
}

// TestCapturedBorderAgentHandshake reads a real handshake with OpenThread's Border Agent with
// this package's decoders: mbedTLS's server flight decodes, its EC-JPAKE proofs verify with
// thread/ecjpake, and its protected Finished record carries epoch || sequence number as the
// explicit nonce, as this package writes it.
func TestCapturedBorderAgentHandshake(t *testing.T) {
	tx, rx := readCapture(t)
	got, protected := plainMessages(t, rx)
	sent, _ := plainMessages(t, tx)

	hvr := got[typeHelloVerifyRequest]
	if len(hvr) != 1 {
		t.Fatalf("%d HelloVerifyRequests", len(hvr))
	}
	v, err := parseHelloVerifyRequest(hvr[0].body)
	if err != nil || len(v.cookie) == 0 {
		t.Fatalf("HelloVerifyRequest %+v, %v", v, err)
	}
	hellos := sent[typeClientHello]
	if len(hellos) != 2 {
		t.Fatalf("%d ClientHellos sent", len(hellos))
	}
	ch2, err := parseClientHello(hellos[1].body)
	if err != nil || !bytes.Equal(ch2.cookie, v.cookie) || hellos[1].seq != 1 {
		t.Fatalf("second ClientHello (seq %d) cookie %x, want %x: %v", hellos[1].seq, ch2.cookie, v.cookie, err)
	}

	if len(got[typeServerHello]) != 1 || len(got[typeServerKeyExchange]) != 1 || len(got[typeServerHelloDone]) != 1 {
		t.Fatalf("server flight: %d ServerHello, %d ServerKeyExchange, %d ServerHelloDone",
			len(got[typeServerHello]), len(got[typeServerKeyExchange]), len(got[typeServerHelloDone]))
	}
	if seq := got[typeServerHello][0].seq; seq != 1 {
		t.Errorf("ServerHello message_seq %d, want 1 (the second ClientHello's)", seq)
	}
	sh, err := parseServerHello(got[typeServerHello][0].body)
	if err != nil {
		t.Fatal(err)
	}
	if sh.version != versionDTLS12 || sh.cipherSuite != suiteECJPAKEAES128CCM8 || sh.compression != 0 {
		t.Fatalf("ServerHello version %04x suite %04x compression %d", sh.version, sh.cipherSuite, sh.compression)
	}
	var types []uint16
	for _, e := range sh.extensions {
		types = append(types, e.typ)
	}
	t.Logf("ServerHello: session ID of %d bytes, extensions %v", len(sh.sessionID), types)
	kkpp, ok := findExtension(sh.extensions, extECJPAKEKKPP)
	if !ok {
		t.Fatal("no ecjpake_kkpp in the ServerHello")
	}
	if _, ok := findExtension(sh.extensions, extExtendedMasterSecret); ok {
		t.Error("the Border Agent negotiated extended_master_secret, which we never offer")
	}
	jp, err := ecjpake.New(ecjpake.Client, testPSK, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := jp.ReadRoundOne(kkpp); err != nil {
		t.Fatalf("mbedTLS's round one does not verify: %v", err)
	}
	ske := got[typeServerKeyExchange][0].body
	if !bytes.HasPrefix(ske, []byte{3, 0, groupSecp256r1, 65, 4}) {
		t.Fatalf("ServerKeyExchange starts %x, want ECParameters secp256r1 and an uncompressed point", ske[:5])
	}
	if err := parseServerHelloDone(got[typeServerHelloDone][0].body); err != nil {
		t.Fatal(err)
	}

	// The server's last flight: ChangeCipherSpec, then Finished at epoch 1.
	var ccs, fin *record
	for i := range protected {
		r := &protected[i]
		switch {
		case r.typ == typeChangeCipherSpec && r.epoch == 0:
			ccs = r
		case r.typ == typeHandshake && r.epoch == 1:
			fin = r
		}
	}
	if ccs == nil || !bytes.Equal(ccs.payload, []byte{1}) {
		t.Fatalf("ChangeCipherSpec %+v", ccs)
	}
	if fin == nil {
		t.Fatal("no protected Finished")
	}
	if len(fin.payload) != explicitNonceLen+handshakeHeaderLen+verifyDataLen+tagLen {
		t.Errorf("protected Finished of %d bytes", len(fin.payload))
	}
	if want := binary.BigEndian.AppendUint64(nil, uint64(fin.epoch)<<48|fin.seq); !bytes.Equal(fin.payload[:explicitNonceLen], want) {
		t.Errorf("explicit nonce %x, want epoch||seq %x", fin.payload[:explicitNonceLen], want)
	}
}
