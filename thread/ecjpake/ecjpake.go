package ecjpake

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"filippo.io/bigmod"
	"filippo.io/nistec"
)

// Role says which side of the exchange a Context plays; it picks the proof identities.
type Role int

// The two roles, named as mbedTLS names them in its proof hash.
const (
	Client Role = iota
	Server
)

func (r Role) id() string {
	if r == Server {
		return "server"
	}
	return "client"
}

func (r Role) peer() Role { return 1 - r }

// String names the role.
func (r Role) String() string { return r.id() }

// ErrProof is wrapped by every error about a Schnorr proof that does not verify.
var ErrProof = errors.New("zero-knowledge proof does not verify")

// TLS constants of the curve (RFC 4492 / RFC 8422).
const (
	curveTypeNamed = 3  // ECCurveType named_curve
	namedCurveP256 = 23 // NamedCurve secp256r1
	pointLen       = 65 // uncompressed P-256 point
	scalarLen      = 32
	maxRandomTries = 64 // rejection sampling of a scalar; failing 64 times means a broken reader
)

// orderN is the order of the P-256 base point.
var orderN = []byte{
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
}

// Context is one side of one EC-JPAKE exchange. It is not safe for concurrent use.
type Context struct {
	role Role
	rand io.Reader
	n    *bigmod.Modulus
	s    *bigmod.Nat // password mod n

	xm1, xm2 *bigmod.Nat       // my round-one private keys
	Xm1, Xm2 *nistec.P256Point // my round-one public keys
	Xp1, Xp2 *nistec.P256Point // the peer's round-one public keys (verified)
	Xp       *nistec.P256Point // the peer's round-two public key (verified)

	roundOne []byte // my round-one message, kept so a repeated ClientHello carries the same keys
}

// New starts an exchange for role with the shared password; rand nil means crypto/rand.
func New(role Role, password []byte, rnd io.Reader) (*Context, error) {
	if role != Client && role != Server {
		return nil, fmt.Errorf("ecjpake: unknown role %d", role)
	}
	if len(password) == 0 {
		return nil, errors.New("ecjpake: empty password")
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	n, err := bigmod.NewModulus(orderN)
	if err != nil {
		return nil, err
	}
	c := &Context{role: role, rand: rnd, n: n}
	c.s = reduce(password, n)
	if c.s.IsZero() == 1 {
		return nil, errors.New("ecjpake: password is a multiple of the group order")
	}
	return c, nil
}

// reduce returns the big-endian integer b mod n, for b of any length (Horner's rule over 32-byte
// chunks: acc = acc·2^256 + chunk).
func reduce(b []byte, n *bigmod.Modulus) *bigmod.Nat {
	pad := (scalarLen - len(b)%scalarLen) % scalarLen
	buf := append(make([]byte, pad, pad+len(b)), b...)
	two256 := bigmod.NewNat().ExpandFor(n)
	// 2^256 mod n = 2^256 - n, since n < 2^256 < 2n.
	var tmp [scalarLen]byte
	for i := range tmp {
		tmp[i] = ^orderN[i]
	}
	one := []byte{1}
	tn, _ := bigmod.NewNat().SetBytes(tmp[:], n) // ^n = 2^256-1-n < n
	o, _ := bigmod.NewNat().SetBytes(one, n)
	two256.Add(tn, n).Add(o, n)
	acc := bigmod.NewNat().ExpandFor(n)
	for off := 0; off < len(buf); off += scalarLen {
		chunk, _ := bigmod.NewNat().SetOverflowingBytes(buf[off:off+scalarLen], n)
		acc.Mul(two256, n).Add(chunk, n)
	}
	return acc
}

// randomScalar draws a scalar uniformly from [1, n-1] by rejection sampling.
func (c *Context) randomScalar() (*bigmod.Nat, error) {
	var b [scalarLen]byte
	for range maxRandomTries {
		if _, err := io.ReadFull(c.rand, b[:]); err != nil {
			return nil, fmt.Errorf("ecjpake: random scalar: %w", err)
		}
		x, err := bigmod.NewNat().SetBytes(b[:], c.n)
		if err == nil && x.IsZero() == 0 {
			return x, nil
		}
	}
	return nil, errors.New("ecjpake: random source gives no scalar below the group order")
}

// setKeys loads fixed round-one private keys (tests reproduce mbedTLS's reference handshake).
func (c *Context) setKeys(x1, x2 []byte) error {
	var err error
	if c.xm1, err = bigmod.NewNat().SetBytes(x1, c.n); err != nil {
		return err
	}
	if c.xm2, err = bigmod.NewNat().SetBytes(x2, c.n); err != nil {
		return err
	}
	c.Xm1 = baseMult(c.xm1, c.n)
	c.Xm2 = baseMult(c.xm2, c.n)
	return nil
}

func baseMult(x *bigmod.Nat, n *bigmod.Modulus) *nistec.P256Point {
	p, err := nistec.NewP256Point().ScalarBaseMult(x.Bytes(n))
	if err != nil {
		panic("ecjpake: " + err.Error()) // unreachable: Bytes(n) is 32 bytes
	}
	return p
}

func mult(q *nistec.P256Point, x *bigmod.Nat, n *bigmod.Modulus) *nistec.P256Point {
	p, err := nistec.NewP256Point().ScalarMult(q, x.Bytes(n))
	if err != nil {
		panic("ecjpake: " + err.Error()) // unreachable: Bytes(n) is 32 bytes
	}
	return p
}

func add3(a, b, c *nistec.P256Point) *nistec.P256Point {
	p := nistec.NewP256Point().Add(a, b)
	return p.Add(p, c)
}

// WriteRoundOne returns this side's round-one message (ECJPAKEKeyKPPairList). The first call
// draws the two key pairs; later calls return the same bytes, as a DTLS client repeats its
// ClientHello after a HelloVerifyRequest.
func (c *Context) WriteRoundOne() ([]byte, error) {
	if c.roundOne != nil {
		return bytes.Clone(c.roundOne), nil
	}
	if c.xm1 == nil {
		var err error
		if c.xm1, err = c.randomScalar(); err != nil {
			return nil, err
		}
		if c.xm2, err = c.randomScalar(); err != nil {
			return nil, err
		}
		c.Xm1, c.Xm2 = baseMult(c.xm1, c.n), baseMult(c.xm2, c.n)
	}
	g := nistec.NewP256Point().SetGenerator()
	var out []byte
	for _, k := range []struct {
		x *bigmod.Nat
		X *nistec.P256Point
	}{{c.xm1, c.Xm1}, {c.xm2, c.Xm2}} {
		var err error
		out = appendPoint(out, k.X)
		if out, err = c.appendProof(out, g, k.x, k.X); err != nil {
			return nil, err
		}
	}
	c.roundOne = out
	return bytes.Clone(out), nil
}

// ReadRoundOne reads and verifies the peer's round-one message.
func (c *Context) ReadRoundOne(msg []byte) error {
	g := nistec.NewP256Point().SetGenerator()
	d := decoder{b: msg}
	x1, err := c.readKeyKP(&d, g, "round one key 1")
	if err != nil {
		return err
	}
	x2, err := c.readKeyKP(&d, g, "round one key 2")
	if err != nil {
		return err
	}
	if len(d.b) != d.off {
		return fmt.Errorf("ecjpake: round one: %d bytes left over at byte %d", len(d.b)-d.off, d.off)
	}
	c.Xp1, c.Xp2 = x1, x2
	return nil
}

// WriteRoundTwo returns this side's round-two message: for the server, the ServerKeyExchange
// body (ECParameters || ECJPAKEKeyKP); for the client, the ClientKeyExchange body.
func (c *Context) WriteRoundTwo() ([]byte, error) {
	if c.Xp1 == nil {
		return nil, errors.New("ecjpake: round two before the peer's round one")
	}
	if c.xm1 == nil {
		return nil, errors.New("ecjpake: round two before our round one")
	}
	// G = Xm1 + Xp1 + Xp2 (client: GA = X1+X3+X4; server: GB = X3+X1+X2); xm = xm2·s.
	g := add3(c.Xm1, c.Xp1, c.Xp2)
	if g.IsInfinity() == 1 {
		return nil, errors.New("ecjpake: round two: generator is the point at infinity")
	}
	xm := bigmod.NewNat().ExpandFor(c.n).Add(c.xm2, c.n).Mul(c.s, c.n)
	Xm := mult(g, xm, c.n)
	var out []byte
	if c.role == Server {
		out = append(out, curveTypeNamed, 0, namedCurveP256)
	}
	out = appendPoint(out, Xm)
	return c.appendProof(out, g, xm, Xm)
}

// ReadRoundTwo reads and verifies the peer's round-two message (the client reads the server's
// ServerKeyExchange body, the server the client's ClientKeyExchange body).
func (c *Context) ReadRoundTwo(msg []byte) error {
	if c.Xp1 == nil || c.xm1 == nil {
		return errors.New("ecjpake: round two before round one")
	}
	// G = Xm1 + Xm2 + Xp1 (client: GB = X1+X2+X3; server: GA = X3+X4+X1).
	g := add3(c.Xm1, c.Xm2, c.Xp1)
	d := decoder{b: msg}
	if c.role == Client {
		params, err := d.take(3, "ECParameters")
		if err != nil {
			return fmt.Errorf("ecjpake: round two: %w", err)
		}
		if params[0] != curveTypeNamed {
			return fmt.Errorf("ecjpake: round two: curve type %d, want named_curve (3)", params[0])
		}
		if id := binary.BigEndian.Uint16(params[1:]); id != namedCurveP256 {
			return fmt.Errorf("ecjpake: round two: named curve %d, want secp256r1 (23)", id)
		}
	}
	X, err := c.readKeyKP(&d, g, "round two key")
	if err != nil {
		return err
	}
	if len(d.b) != d.off {
		return fmt.Errorf("ecjpake: round two: %d bytes left over at byte %d", len(d.b)-d.off, d.off)
	}
	c.Xp = X
	return nil
}

// sharedPoint computes K = (Xp − Xp2·xm2·s)·xm2.
func (c *Context) sharedPoint() (*nistec.P256Point, error) {
	if c.Xp == nil {
		return nil, errors.New("ecjpake: shared secret before the peer's round two")
	}
	t := bigmod.NewNat().ExpandFor(c.n).Add(c.xm2, c.n).Mul(c.s, c.n)
	T := mult(c.Xp2, t, c.n)
	T.Negate(T)
	K := nistec.NewP256Point().Add(c.Xp, T)
	K = mult(K, c.xm2, c.n)
	if K.IsInfinity() == 1 {
		return nil, errors.New("ecjpake: shared point is the point at infinity")
	}
	return K, nil
}

// PremasterSecret returns the TLS premaster secret: SHA-256 of the shared point's X coordinate.
func (c *Context) PremasterSecret() ([]byte, error) {
	K, err := c.sharedPoint()
	if err != nil {
		return nil, err
	}
	x, err := K.BytesX()
	if err != nil {
		return nil, fmt.Errorf("ecjpake: %w", err)
	}
	sum := sha256.Sum256(x)
	return sum[:], nil
}

// appendProof appends an ECSchnorrZKP proving knowledge of x with X = x·G.
func (c *Context) appendProof(out []byte, g *nistec.P256Point, x *bigmod.Nat, X *nistec.P256Point) ([]byte, error) {
	v, err := c.randomScalar()
	if err != nil {
		return nil, err
	}
	V := mult(g, v, c.n)
	h := proofHash(g, V, X, c.role.id(), c.n)
	r := bigmod.NewNat().ExpandFor(c.n).Add(v, c.n).Sub(h.Mul(x, c.n), c.n) // r = v − x·h mod n
	rb := bytes.TrimLeft(r.Bytes(c.n), "\x00")
	if len(rb) == 0 {
		return nil, errors.New("ecjpake: proof with r = 0; draw again")
	}
	out = appendPoint(out, V)
	out = append(out, byte(len(rb)))
	return append(out, rb...), nil
}

// readKeyKP reads an ECJPAKEKeyKP and verifies its proof over generator g with the peer's id.
func (c *Context) readKeyKP(d *decoder, g *nistec.P256Point, what string) (*nistec.P256Point, error) {
	at := d.off
	X, err := d.point()
	if err != nil {
		return nil, fmt.Errorf("ecjpake: %s X at byte %d: %w", what, at, err)
	}
	if X.IsInfinity() == 1 {
		return nil, fmt.Errorf("ecjpake: %s X at byte %d: point at infinity", what, at)
	}
	vAt := d.off
	V, err := d.point()
	if err != nil {
		return nil, fmt.Errorf("ecjpake: %s proof V at byte %d: %w", what, vAt, err)
	}
	rAt := d.off
	rLen, err := d.take(1, "r length")
	if err != nil {
		return nil, fmt.Errorf("ecjpake: %s proof r at byte %d: %w", what, rAt, err)
	}
	if rLen[0] == 0 {
		return nil, fmt.Errorf("ecjpake: %s proof r at byte %d: empty", what, rAt)
	}
	rb, err := d.take(int(rLen[0]), "r")
	if err != nil {
		return nil, fmt.Errorf("ecjpake: %s proof r at byte %d: %w", what, rAt, err)
	}
	rb = bytes.TrimLeft(rb, "\x00")
	if len(rb) == 0 || len(rb) > scalarLen {
		return nil, fmt.Errorf("ecjpake: %s proof r at byte %d: not in [1, n-1]", what, rAt)
	}
	r, err := bigmod.NewNat().SetBytes(rb, c.n)
	if err != nil {
		return nil, fmt.Errorf("ecjpake: %s proof r at byte %d: not in [1, n-1]", what, rAt)
	}
	// Verify V == h·X + r·G.
	h := proofHash(g, V, X, c.role.peer().id(), c.n)
	want := nistec.NewP256Point().Add(mult(X, h, c.n), mult(g, r, c.n))
	if want.Equal(V) != 1 {
		return nil, fmt.Errorf("ecjpake: %s (%s's, at byte %d): %w", what, c.role.peer(), at, ErrProof)
	}
	return X, nil
}

// proofHash is the Schnorr challenge h = SHA-256(G || V || X || id) mod n, each point and the
// id prefixed with its 4-byte length.
func proofHash(g, V, X *nistec.P256Point, id string, n *bigmod.Modulus) *bigmod.Nat {
	hs := sha256.New()
	var l [4]byte
	for _, p := range []*nistec.P256Point{g, V, X} {
		b := p.Bytes()
		binary.BigEndian.PutUint32(l[:], uint32(len(b)))
		hs.Write(l[:])
		hs.Write(b)
	}
	binary.BigEndian.PutUint32(l[:], uint32(len(id)))
	hs.Write(l[:])
	hs.Write([]byte(id))
	h, err := bigmod.NewNat().SetOverflowingBytes(hs.Sum(nil), n)
	if err != nil {
		panic("ecjpake: " + err.Error()) // unreachable: 32 bytes never exceed n's bit length
	}
	return h
}

// appendPoint appends an ECPoint: a length byte and the uncompressed point.
func appendPoint(out []byte, p *nistec.P256Point) []byte {
	b := p.Bytes()
	out = append(out, byte(len(b)))
	return append(out, b...)
}

// decoder walks a message, never past its end.
type decoder struct {
	b   []byte
	off int
}

func (d *decoder) take(n int, what string) ([]byte, error) {
	if n < 0 || len(d.b)-d.off < n {
		return nil, fmt.Errorf("%s: truncated (%d bytes wanted, %d left)", what, n, len(d.b)-d.off)
	}
	v := d.b[d.off : d.off+n]
	d.off += n
	return v, nil
}

// point reads an ECPoint, which must be an uncompressed point on P-256.
func (d *decoder) point() (*nistec.P256Point, error) {
	l, err := d.take(1, "point length")
	if err != nil {
		return nil, err
	}
	if l[0] != pointLen {
		return nil, fmt.Errorf("point of %d bytes, want %d (uncompressed)", l[0], pointLen)
	}
	b, err := d.take(pointLen, "point")
	if err != nil {
		return nil, err
	}
	if b[0] != 4 {
		return nil, fmt.Errorf("point format 0x%02x, want 0x04 (uncompressed)", b[0])
	}
	p, err := nistec.NewP256Point().SetBytes(b)
	if err != nil {
		return nil, fmt.Errorf("point: %w", err)
	}
	return p, nil
}
