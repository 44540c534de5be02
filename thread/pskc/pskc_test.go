package pskc

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 4493 section 4: AES-CMAC examples 1-4 and the subkeys.
func TestCMACRFC4493(t *testing.T) {
	key := unhex(t, "2b7e1516 28aed2a6 abf71588 09cf4f3c")
	msg := unhex(t, "6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51"+
		"30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710")
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "bb1d6929 e9593728 7fa37d12 9b756746"},
		{16, "070a16b4 6b4d4144 f79bdd9d d04a287c"},
		{40, "dfa66747 de9ae630 30ca3261 1497c827"},
		{64, "51f0bebf 7e3b9d92 fc497417 79363cfe"},
	} {
		got := cmac(key, msg[:tc.n])
		if want := unhex(t, tc.want); !bytes.Equal(got[:], want) {
			t.Errorf("CMAC of %d bytes = %x, want %x", tc.n, got, want)
		}
	}
	var l [16]byte
	copy(l[:], unhex(t, "7df76b0c 1ab899b3 3e42f047 b91b546f")) // AES-128(K, 0)
	if k1 := dbl(l); !bytes.Equal(k1[:], unhex(t, "fbeed618 35713366 7c85e08f 7236a8de")) {
		t.Errorf("K1 = %x", k1)
	} else if k2 := dbl(k1); !bytes.Equal(k2[:], unhex(t, "f7ddac30 6ae266cc f90bc11e e46d513b")) {
		t.Errorf("K2 = %x", k2)
	}
}

// RFC 4615 section 4: AES-CMAC-PRF-128 with keys of 18, 16 and 10 bytes.
func TestCMACPRF128RFC4615(t *testing.T) {
	msg := unhex(t, "000102030405060708090a0b0c0d0e0f10111213")
	for _, tc := range []struct{ key, want string }{
		{"000102030405060708090a0b0c0d0e0fedcb", "84a348a4a45d235babfffc0d2b4da09a"},
		{"000102030405060708090a0b0c0d0e0f", "980ae87b5f4c9c5214f5b6a8455e4c2d"},
		{"00010203040506070809", "290d9e112edb09ee141fcf64c0b72f3d"},
	} {
		k := cmacPRF128Key(unhex(t, tc.key))
		got := cmac(k[:], msg)
		if want := unhex(t, tc.want); !bytes.Equal(got[:], want) {
			t.Errorf("PRF with %d-byte key = %x, want %x", len(tc.key)/2, got, want)
		}
	}
}

// TestDerive checks the Thread specification's example (8.4.1.2.1, as OpenThread's
// tests/unit/test_pskc.cpp TestExampleInSpec and ot-commissioner's PskcTestVectorFromThread12Spec
// carry it), OpenThread's minimum and maximum passphrase vectors (TestMinimumPassphrase,
// TestMaximumPassphrase), and the lab network's PSKc as `otlab cli br pskc` printed it.
//
// The lab's PSKc is not the one of its own network name and ext PAN ID: otlab runs
// `dataset pskc -p J01NME` on a node whose dataset is still being built, and OpenThread's CLI
// then derives from the node's current (default) network name "OpenThread" and ext PAN ID
// dead00beef00cafe. The Border Agent uses whatever PSKc the dataset carries, so that value is
// what a commissioner must present.
func TestDerive(t *testing.T) {
	maxPass := strings.Repeat("1234567812345678", 15) + "123456781234567"
	for _, tc := range []struct {
		name, pass, network, xpan, want string
	}{
		{"spec example", "12SECRETPASSWORD34", "Test Network", "0001020304050607", "c3f59368445a1b6106be420a706d4cc9"},
		{"OpenThread minimum passphrase", "123456", "OpenThread", "0102030405060708", "44988e22cf652eeeccd1e4c01d0154f8"},
		{"OpenThread maximum passphrase", maxPass, "OpenThread", "0102030405060708", "9e81bd35a253762f80ee04ff2fa285e9"},
		{"lab dataset as otlab builds it", "J01NME", "OpenThread", "dead00beef00cafe", "104810e2315100afd6bc9215a6bfac53"},
		{"lab network's own name and ext PAN ID", "J01NME", "OTLAB-small", "5a11dead5a11dead", "5ab5d54db3e273e3c57e4da7f4fa2acf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var xp [8]byte
			copy(xp[:], unhex(t, tc.xpan))
			got, err := Derive(tc.pass, tc.network, xp)
			if err != nil {
				t.Fatal(err)
			}
			if want := unhex(t, tc.want); !bytes.Equal(got[:], want) {
				t.Fatalf("Derive = %x, want %x", got, want)
			}
		})
	}
	if len(maxPass) != MaxPassphraseLen {
		t.Fatalf("maximum passphrase is %d bytes", len(maxPass))
	}
}

func TestDeriveRejects(t *testing.T) {
	var xp [8]byte
	for _, tc := range []struct{ pass, network, want string }{
		{"12345", "n", "passphrase is 5 bytes"},
		{strings.Repeat("a", 256), "n", "passphrase is 256 bytes"},
		{"123456", "seventeen-bytes!!", "network name is 17 bytes"},
		{"12345\xff", "n", "not valid UTF-8"},
	} {
		if _, err := Derive(tc.pass, tc.network, xp); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Derive(%q, %q) error = %v, want one containing %q", tc.pass, tc.network, err, tc.want)
		}
	}
}

func TestParseHex(t *testing.T) {
	want := unhex(t, "104810e2315100afd6bc9215a6bfac53")
	for _, s := range []string{"104810e2315100afd6bc9215a6bfac53", " 0x104810E2315100AFD6BC9215A6BFAC53\n",
		"10:48:10:e2:31:51:00:af:d6:bc:92:15:a6:bf:ac:53"} {
		got, err := ParseHex(s)
		if err != nil || !bytes.Equal(got[:], want) {
			t.Errorf("ParseHex(%q) = %x, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "104810e2315100afd6bc9215a6bfac", "104810e2315100afd6bc9215a6bfacZZ"} {
		if _, err := ParseHex(s); err == nil {
			t.Errorf("ParseHex(%q) accepted", s)
		}
	}
}

func TestFromActiveDataset(t *testing.T) {
	// The lab's active dataset as the border router's `dataset active -x` printed it.
	ds := unhex(t, "4a0300001135060004001fffe00c0402a0f7f8030b4f544c41422d736d616c6c000300000f01025a11"+
		"02085a11dead5a11dead051000112233445566778899aabbccddeeff0708fd005a1100000000"+
		"0410104810e2315100afd6bc9215a6bfac530e080000000000010000")
	got, ok, err := FromActiveDataset(ds)
	if err != nil || !ok || !bytes.Equal(got[:], unhex(t, "104810e2315100afd6bc9215a6bfac53")) {
		t.Fatalf("FromActiveDataset = %x, %v, %v", got, ok, err)
	}
	if _, ok, err := FromActiveDataset(unhex(t, "000300000f")); ok || err != nil {
		t.Errorf("dataset without PSKc: ok=%v err=%v", ok, err)
	}
	for _, bad := range []string{"04", "0410aabb", "0402aabb", "00ff00"} {
		if _, _, err := FromActiveDataset(unhex(t, bad)); err == nil {
			t.Errorf("FromActiveDataset(%s) accepted", bad)
		}
	}
}

func FuzzFromActiveDataset(f *testing.F) {
	f.Add(unhex(f, "0410104810e2315100afd6bc9215a6bfac53"))
	f.Add(unhex(f, "000300000f0402aabb"))
	f.Add(unhex(f, "07ff0003aabbcc0410104810e2315100afd6bc9215a6bfac53"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, ok, err := FromActiveDataset(b)
		if ok && err != nil {
			t.Fatalf("ok with error %v", err)
		}
		if ok && !bytes.Contains(b, p[:]) {
			t.Fatalf("PSKc %x not in the input", p)
		}
	})
}

func FuzzParseHex(f *testing.F) {
	f.Add("104810e2315100afd6bc9215a6bfac53")
	f.Add("0x10:48")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseHex(s)
		if err == nil {
			q, err := ParseHex(hex.EncodeToString(p[:]))
			if err != nil || q != p {
				t.Fatalf("round trip of %x: %x %v", p, q, err)
			}
		}
	})
}

func BenchmarkDerive(b *testing.B) {
	var xp [8]byte
	for b.Loop() {
		if _, err := Derive("12SECRETPASSWORD34", "Test Network", xp); err != nil {
			b.Fatal(err)
		}
	}
}
