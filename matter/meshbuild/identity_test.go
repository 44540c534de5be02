package meshbuild

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/matter/nodedump"
	"github.com/threadmap/threadmap/thread/topology"
)

func decodeDoc(t *testing.T, doc string) *nodedump.Node {
	t.Helper()
	d, err := nodedump.ParseDocument([]byte(doc), "inline")
	if err != nil {
		t.Fatal(err)
	}
	n, err := nodedump.Decode(d[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Conflicting identity sources are flagged and reported; the node stays.
func TestIdentityConflictsFlagged(t *testing.T) {
	// Attribute 63 disagrees with the interface's HardwareAddress
	// (3jP5Rq6mlcw= = de33f946aea695cc); attribute 64 (0x2c03) disagrees
	// with the RLOC address (…:fe00:2c04).
	child := decodeDoc(t, `{"node_id": 12, "available": true, "attributes": {
	  "0/51/0": [{"0": "MyHome", "4": "3jP5Rq6mlcw=", "6": ["/QANuACgAAAAAAD//gAsBA=="], "7": 4}],
	  "0/53/1": 2, "0/53/4": 12054125955590472924, "0/53/5": "QP0ADbgAoAAA", "0/53/9": 77,
	  "0/53/63": 1311768467463790320, "0/53/64": 11267,
	  "0/53/7": [{"0": 12864791528929066571, "2": 11264, "5": 3, "6": -50, "10": true, "11": true, "12": true, "13": false}],
	  "0/53/8": []}}`)
	id := Identify(child)
	if id.ExtAddr != 0x123456789abcdef0 || id.ExtFrom != "ExtAddress 0/53/63" || id.Rloc16 == nil || *id.Rloc16 != 0x2c03 {
		t.Errorf("identity %+v", id)
	}
	if len(id.Conflicts) != 2 {
		t.Errorf("conflicts %v, want HardwareAddress and RLOC address", id.Conflicts)
	}
	joined := strings.Join(id.Conflicts, "\n")
	if !strings.Contains(joined, "HardwareAddress 0/51/0 says de33f946aea695cc") || !strings.Contains(joined, "RLOC address fd00:db8:a0::ff:fe00:2c04 says 0x2c04") {
		t.Errorf("conflicts %v", id.Conflicts)
	}
	// Its parent, same partition, lists the child under 0x2c05.
	parent := decodeDoc(t, `{"node_id": 1, "available": true, "attributes": {
	  "0/51/0": [{"0": "MyHome", "4": "sojrvCdFfks=", "7": 4}],
	  "0/53/1": 5, "0/53/4": 12054125955590472924, "0/53/9": 77, "0/53/64": 11264,
	  "0/53/7": [{"0": 1311768467463790320, "2": 11269, "5": 3, "6": -40, "10": false, "11": false, "12": false, "13": true}],
	  "0/53/8": [{"0": 12864791528929066571, "1": 11264, "2": 11, "3": 63, "4": 0, "9": false}]}}`)
	res := Build([]Input{{Node: parent}, {Node: child}}, time.Unix(1000, 0))
	s := res.Largest()
	n := s.Node("123456789abcdef0")
	if n == nil {
		t.Fatal("conflicting node dropped")
	}
	if !n.HasFlag(FlagExtAddressConflict) || !n.HasFlag(FlagRloc16Conflict) {
		t.Errorf("flags %v", n.Flags)
	}
	if !strings.Contains(strings.Join(s.Scan.Sources[0].Notes, "\n"), "says RLOC16 0x2c03 (Rloc16 0/53/64), matter node 1 lists it as 0x2c05") {
		t.Errorf("notes %v", s.Scan.Sources[0].Notes)
	}
	// Fresher own view wins the RLOC16; the parent is b288ebbc27457e4b either way.
	if n.Rloc16 == nil || *n.Rloc16 != 0x2c03 || n.Parent == nil || *n.Parent != "b288ebbc27457e4b" {
		t.Errorf("node %+v", n)
	}
}

func TestRlocFromAddress(t *testing.T) {
	mlp := netip.MustParsePrefix("fd00:db8:a0::/64")
	for _, c := range []struct {
		addr string
		mlp  *netip.Prefix
		want topology.Rloc16
		ok   bool
	}{
		{"fd00:db8:a0::ff:fe00:7405", &mlp, 0x7405, true},
		{"fd00:db8:a0::ff:fe00:fc00", &mlp, 0, false}, // leader ALOC
		{"fd00:db8:a1::ff:fe00:7405", &mlp, 0, false}, // other prefix
		{"fd00:db8:a0:0:aa0d:ed50:ed66:f792", &mlp, 0, false},
		{"fd32:ec6b:536:7b86:0:ff:fe00:5800", nil, 0x5800, true},
		{"2001:db8::ff:fe00:5800", nil, 0, false},
	} {
		r, ok := RlocFromAddress(netip.MustParseAddr(c.addr), c.mlp)
		if ok != c.ok || r != c.want {
			t.Errorf("%s: %s %v", c.addr, r, ok)
		}
	}
}
