package ecjpake

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

// The reference handshake of mbedTLS's EC-JPAKE self-test (library/ecjpake.c, mbedTLS 3.6:
// ecjpake_test_password, _x1.._x4, _cli_one, _srv_one, _srv_two, _cli_two, _shared_key, _pms).
// The client's private keys are x1, x2, the server's x3, x4.
var (
	vecPassword  = []byte("threadjpaketest")
	vecX1        = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f21"
	vecX2        = "6162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f81"
	vecX3        = "6162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f81"
	vecX4        = "c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe1"
	vecCliOne    = "4104accf0106ef858fa2d919331346805a78b58bbad0b844e5c7892879146187dd2666ada781bb7f111372251a8910621f634df128ac48e381fd6ef9060731f694a441041dd0bd5d4566c9bed9ce7de701b5e82e08e84b730466018ab903c79eb982172236c0c1728ae4bf73610d34de44246ef3d9c05a2236fb66a6583d7449308babce2072fe16662992e9235c25002f11b15087b82738e03c945bf7a2995dda1e98345841047ea6e3a4487037a9e0dbd79262b2cc273e779930fc18409ac5361c5fe669d702e147790aeb4ce7fd6575ab0f6c7fd1c335939aa863ba37ec91b7e32bb013bb2b4104a49558d32ed1ebfc1816af4ff09b55fcb4ca47b2a02d1e7caf1179ea3fe1395b22b861964016fabaf72c975695d93d4df0e5197fe9f040634ed59764937787be20bc4deebbf9b8d60a335f046ca3aa941e45864c7cadef9cf75b3d8b010e443ef0"
	vecSrvOne    = "41047ea6e3a4487037a9e0dbd79262b2cc273e779930fc18409ac5361c5fe669d702e147790aeb4ce7fd6575ab0f6c7fd1c335939aa863ba37ec91b7e32bb013bb2b410409f85b3d20ebd7885ce464c08d056d6428fe4dd9287aa365f131f4360ff386d846898bc4b41583c2a5197f65d78742746c12a5ec0a4ffe2f270a750a1d8fb51620934d74eb43e54df424fd96306c0117bf131afabf90a9d33d1198d905193735144104190a07700ffa4be6ae1d79ee0f06aeb544cd5addaabedf70f8623321332c54f355f0fbfec783ed359e5d0bf7377a0fc4ea7ace473c9c112b41ccd41ac56a56124104360a1cea33fce641156458e0a4eac219e96831e6aebc88b3f3752f93a0281d1bf1fb106051db9694a8d6e862a5ef1324a3d9e27894f1ee4f7c59199965a8dd4a2091847d2d22df3ee55faa2a3fb33fd2d1e055a07a7c61ecfb8d80ec00c2c9eb12"
	vecSrvTwo    = "03001741040fb22b1d5d1123e0ef9feb9d8a2e590a1f4d7ced2c2b06586e8f2a16d4eb2fda4328a20b07d8fd667654ca18c54e32a333a0845451e926ee8804fd7af0aaa7a641045516ea3e54a0d5d8b2ce786b38d383370029a5dbe4459c9dd601b408a24ae6465c8ac905b9eb03b5d3691c139ef83f1cd4200f6c9cd4ec392218a59ed243d3c820ff724a9a70b88cb86f20b434c6865aa1cd7906dd7c9bce3525f508276f26836c"
	vecCliTwo    = "410469d54ee85e90ce3f1246742de507e939e81d1dc1c5cb988b58c310c9fdd9524d93720b45541c83ee8841191da7ced86e3312d43623c1d63e74989aba4affd1ee4104077e8c31e20e6bedb760c13593e69f15be85c27d68cd09ccb8c4183608917c5c3d409fac39fefee82f7292d36f0d23e055913f45a52b85dd8a2052e9e129bb4d200f011f19483535a6e89a580c9b0003baf21462ece91a82cc38dbdcae60d9c54c"
	vecSharedKey = "0401abe9f2c73a9914cb1f80fb9ddb7e0012a89c2f392779f964401475eac13128438fe11241d6c1e55f7b808894c9c027a33441f5cba1fe6cc7e61217c3de27b4"
	vecPMS       = "f3d47f599844db92a569bbe7981e39d931fd743bf22e98f9b438f719d3c4f351"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// loaded returns a context of role with the reference private keys of that side.
func loaded(t testing.TB, role Role) *Context {
	t.Helper()
	c, err := New(role, vecPassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	x1, x2 := vecX1, vecX2
	if role == Server {
		x1, x2 = vecX3, vecX4
	}
	if err := c.setKeys(unhex(t, x1), unhex(t, x2)); err != nil {
		t.Fatal(err)
	}
	return c
}

func checkPMS(t *testing.T, c *Context) {
	t.Helper()
	pms, err := c.PremasterSecret()
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, vecPMS); !bytes.Equal(pms, want) {
		t.Fatalf("%s premaster secret = %x, want %x", c.role, pms, want)
	}
	K, err := c.sharedPoint()
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, vecSharedKey); !bytes.Equal(K.Bytes(), want) {
		t.Fatalf("%s shared point = %x, want %x", c.role, K.Bytes(), want)
	}
}

// The public keys in the reference messages are x·G of the reference private keys, in the
// ECPoint encoding this package writes.
func TestReferencePublicKeys(t *testing.T) {
	for _, tc := range []struct {
		role Role
		msg  string
	}{{Client, vecCliOne}, {Server, vecSrvOne}} {
		c := loaded(t, tc.role)
		msg := unhex(t, tc.msg)
		if got := appendPoint(nil, c.Xm1); !bytes.HasPrefix(msg, got) {
			t.Errorf("%s X1 = %x, not the message's first point", tc.role, got)
		}
		// Skip X1, V1 (66 bytes each) and r1 to reach X2.
		off := 2 * (1 + pointLen)
		off += 1 + int(msg[off])
		if got := appendPoint(nil, c.Xm2); !bytes.HasPrefix(msg[off:], got) {
			t.Errorf("%s X2 = %x, not the message's key 2", tc.role, got)
		}
	}
}

// mbedTLS's "reference handshake": each side reads the other's reference messages and derives
// the reference premaster secret and shared point.
func TestReferenceHandshake(t *testing.T) {
	cli := loaded(t, Client)
	if err := cli.ReadRoundOne(unhex(t, vecSrvOne)); err != nil {
		t.Fatal("client reads srv_one: ", err)
	}
	if err := cli.ReadRoundTwo(unhex(t, vecSrvTwo)); err != nil {
		t.Fatal("client reads srv_two: ", err)
	}
	checkPMS(t, cli)

	srv := loaded(t, Server)
	if err := srv.ReadRoundOne(unhex(t, vecCliOne)); err != nil {
		t.Fatal("server reads cli_one: ", err)
	}
	if err := srv.ReadRoundTwo(unhex(t, vecCliTwo)); err != nil {
		t.Fatal("server reads cli_two: ", err)
	}
	checkPMS(t, srv)
}

// Our client's messages (with fresh proofs) are accepted by a server holding the reference
// server keys, which then derives the reference secret; and the same the other way round.
func TestOurMessagesAgainstReference(t *testing.T) {
	t.Run("our client", func(t *testing.T) {
		cli := loaded(t, Client)
		one, err := cli.WriteRoundOne()
		if err != nil {
			t.Fatal(err)
		}
		if err := cli.ReadRoundOne(unhex(t, vecSrvOne)); err != nil {
			t.Fatal(err)
		}
		two, err := cli.WriteRoundTwo()
		if err != nil {
			t.Fatal(err)
		}
		srv := loaded(t, Server)
		if err := srv.ReadRoundOne(one); err != nil {
			t.Fatal("reference server reads our round one: ", err)
		}
		if err := srv.ReadRoundTwo(two); err != nil {
			t.Fatal("reference server reads our round two: ", err)
		}
		checkPMS(t, srv)
	})
	t.Run("our server", func(t *testing.T) {
		srv := loaded(t, Server)
		one, err := srv.WriteRoundOne()
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.ReadRoundOne(unhex(t, vecCliOne)); err != nil {
			t.Fatal(err)
		}
		two, err := srv.WriteRoundTwo()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(two, []byte{3, 0, 23}) {
			t.Fatalf("server round two starts %x, want ECParameters 030017", two[:3])
		}
		cli := loaded(t, Client)
		if err := cli.ReadRoundOne(one); err != nil {
			t.Fatal("reference client reads our round one: ", err)
		}
		if err := cli.ReadRoundTwo(two); err != nil {
			t.Fatal("reference client reads our round two: ", err)
		}
		checkPMS(t, cli)
	})
}

// Two fresh parties agree exactly when their passwords agree.
func TestRandomHandshake(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cpw, spw string
		same     bool
	}{{"same password", "threadjpaketest", "threadjpaketest", true}, {"other password", "threadjpaketest", "threadjpaketesu", false}} {
		t.Run(tc.name, func(t *testing.T) {
			cli, err := New(Client, []byte(tc.cpw), nil)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := New(Server, []byte(tc.spw), nil)
			if err != nil {
				t.Fatal(err)
			}
			c1, _ := cli.WriteRoundOne()
			s1, _ := srv.WriteRoundOne()
			if again, _ := cli.WriteRoundOne(); !bytes.Equal(again, c1) {
				t.Fatal("a second WriteRoundOne gave other bytes")
			}
			must(t, srv.ReadRoundOne(c1))
			must(t, cli.ReadRoundOne(s1))
			s2, err := srv.WriteRoundTwo()
			must(t, err)
			must(t, cli.ReadRoundTwo(s2))
			c2, err := cli.WriteRoundTwo()
			must(t, err)
			must(t, srv.ReadRoundTwo(c2))
			pc, err := cli.PremasterSecret()
			must(t, err)
			ps, err := srv.PremasterSecret()
			must(t, err)
			if bytes.Equal(pc, ps) != tc.same {
				t.Fatalf("client %x server %x, want equal=%v", pc, ps, tc.same)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Every byte of every reference message matters: flipping any one makes reading fail, and
// flipping a byte of a proof's r fails with ErrProof.
func TestEveryProofIsVerified(t *testing.T) {
	read := map[string]func(msg []byte) error{
		"srv_one": func(m []byte) error { return loaded(t, Client).ReadRoundOne(m) },
		"cli_one": func(m []byte) error { return loaded(t, Server).ReadRoundOne(m) },
		"srv_two": func(m []byte) error {
			c := loaded(t, Client)
			must(t, c.ReadRoundOne(unhex(t, vecSrvOne)))
			return c.ReadRoundTwo(m)
		},
		"cli_two": func(m []byte) error {
			c := loaded(t, Server)
			must(t, c.ReadRoundOne(unhex(t, vecCliOne)))
			return c.ReadRoundTwo(m)
		},
	}
	msgs := map[string]string{"srv_one": vecSrvOne, "cli_one": vecCliOne, "srv_two": vecSrvTwo, "cli_two": vecCliTwo}
	for name, h := range msgs {
		msg := unhex(t, h)
		if err := read[name](msg); err != nil {
			t.Fatalf("%s unmodified: %v", name, err)
		}
		for i := range msg {
			m := bytes.Clone(msg)
			m[i] ^= 0x01
			if err := read[name](m); err == nil {
				t.Fatalf("%s with byte %d flipped was accepted", name, i)
			}
		}
		// The last byte is the last proof's r.
		m := bytes.Clone(msg)
		m[len(m)-1] ^= 0x80
		if err := read[name](m); !errors.Is(err, ErrProof) {
			t.Errorf("%s with r flipped: %v, want ErrProof", name, err)
		} else {
			t.Logf("%s with r flipped: %v", name, err)
		}
	}
}

// The proof identity is the prover's role: a client's message read as if it came from a client
// (by a client) fails.
func TestIdentityBound(t *testing.T) {
	if err := loaded(t, Client).ReadRoundOne(unhex(t, vecCliOne)); !errors.Is(err, ErrProof) {
		t.Fatalf("client reading a client's round one: %v, want ErrProof", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	c := loaded(t, Client)
	for _, tc := range []struct{ name, msg string }{
		{"empty", ""},
		{"short point", "4104"},
		{"compressed", "2102" + vecX1},
		{"trailing", vecSrvOne + "00"},
	} {
		if err := c.ReadRoundOne(unhex(t, tc.msg)); err == nil {
			t.Errorf("%s accepted", tc.name)
		}
	}
	must(t, c.ReadRoundOne(unhex(t, vecSrvOne)))
	bad := unhex(t, vecSrvTwo)
	bad[2] = 24 // secp384r1
	if err := c.ReadRoundTwo(bad); err == nil {
		t.Error("round two on another curve accepted")
	}
	if _, err := New(Client, nil, nil); err == nil {
		t.Error("empty password accepted")
	}
}

func fuzzSeeds(f *testing.F, msgs ...string) {
	for _, m := range msgs {
		f.Add(unhex(f, m))
	}
	f.Add([]byte{})
	f.Add([]byte{0x41, 0x04})
}

func FuzzReadRoundOne(f *testing.F) {
	fuzzSeeds(f, vecSrvOne, vecCliOne)
	f.Fuzz(func(t *testing.T, msg []byte) {
		c := loaded(t, Client)
		_ = c.ReadRoundOne(msg)
	})
}

func FuzzReadRoundTwoClient(f *testing.F) {
	fuzzSeeds(f, vecSrvTwo)
	f.Fuzz(func(t *testing.T, msg []byte) {
		c := loaded(t, Client)
		if err := c.ReadRoundOne(unhex(t, vecSrvOne)); err != nil {
			t.Fatal(err)
		}
		if c.ReadRoundTwo(msg) == nil {
			if _, err := c.PremasterSecret(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func FuzzReadRoundTwoServer(f *testing.F) {
	fuzzSeeds(f, vecCliTwo)
	f.Fuzz(func(t *testing.T, msg []byte) {
		c := loaded(t, Server)
		if err := c.ReadRoundOne(unhex(t, vecCliOne)); err != nil {
			t.Fatal(err)
		}
		_ = c.ReadRoundTwo(msg)
	})
}

func BenchmarkHandshake(b *testing.B) {
	for b.Loop() {
		cli, _ := New(Client, vecPassword, nil)
		srv, _ := New(Server, vecPassword, nil)
		c1, _ := cli.WriteRoundOne()
		s1, _ := srv.WriteRoundOne()
		_ = srv.ReadRoundOne(c1)
		_ = cli.ReadRoundOne(s1)
		s2, _ := srv.WriteRoundTwo()
		_ = cli.ReadRoundTwo(s2)
		c2, _ := cli.WriteRoundTwo()
		if err := srv.ReadRoundTwo(c2); err != nil {
			b.Fatal(err)
		}
	}
}
