package tlv

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

type datasetFixture struct {
	Label string `json:"label"`
	Hex   string `json:"hex"`
	TLVs  []struct {
		Type     int    `json:"type"`
		Len      int    `json:"len"`
		ValueHex string `json:"value_hex"`
	} `json:"tlvs"`
	Decoded map[string]json.RawMessage `json:"decoded"`
}

// datasets reads the captured operational datasets (python-otbr-api's and
// Home Assistant's test vectors, an Apple border router's).
func datasets(t testing.TB) []datasetFixture {
	t.Helper()
	b, err := os.ReadFile(topologytest.Fixtures("datasets", "thread_dataset_tlvs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Datasets []datasetFixture `json:"datasets"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Datasets) < 5 {
		t.Fatalf("only %d datasets in the fixture", len(f.Datasets))
	}
	return f.Datasets
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSplitDatasets frames every captured dataset as the fixture lists its
// TLVs and joins them back byte for byte.
func TestSplitDatasets(t *testing.T) {
	for _, d := range datasets(t) {
		raw := unhex(t, d.Hex)
		tlvs, err := Split(raw)
		if err != nil {
			t.Fatalf("%s: %v", d.Label, err)
		}
		if len(tlvs) != len(d.TLVs) {
			t.Fatalf("%s: %d TLVs, fixture lists %d", d.Label, len(tlvs), len(d.TLVs))
		}
		var joined []byte
		for i, tl := range tlvs {
			w := d.TLVs[i]
			if int(tl.Type) != w.Type || hex.EncodeToString(tl.Value) != w.ValueHex {
				t.Errorf("%s TLV %d: %v %x, want %d %s", d.Label, i, tl.Type, tl.Value, w.Type, w.ValueHex)
			}
			joined = Append(joined, tl)
		}
		if !bytes.Equal(joined, raw) {
			t.Errorf("%s: joined %x", d.Label, joined)
		}
	}
}

// TestDecodeDatasets decodes the real datasets into the fields the
// commissioner reads and compares them with the fixture's decode; secrets
// are dropped and re-encoding gives the bytes back without them.
func TestDecodeDatasets(t *testing.T) {
	for _, d := range datasets(t) {
		raw := unhex(t, d.Hex)
		m, err := Decode(raw)
		if strings.HasPrefix(d.Label, "python-otbr-api_new_meshcop_types") {
			// Synthetic: its UDP Encapsulation TLV is 2 bytes, too short
			// for the two ports.
			var e *Error
			if !errors.As(err, &e) || e.Type != TypeUDPEncapsulation || !strings.Contains(err.Error(), "UDPEncapsulation(48) at byte 15: value is 2 bytes, want at least 4") {
				t.Errorf("%s: error %v", d.Label, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", d.Label, err)
		}
		var want struct {
			Channel         *struct{ Page, Channel int }
			PanID           *int
			ExtPanID        *string
			NetworkName     *string
			MeshLocalPrefix *string
			ActiveTimestamp *struct{ Seconds uint64 }
		}
		for k, v := range d.Decoded {
			var err error
			switch k {
			case "Channel":
				err = json.Unmarshal(v, &want.Channel)
			case "PanId":
				err = json.Unmarshal(v, &want.PanID)
			case "ExtendedPanId":
				err = json.Unmarshal(v, &want.ExtPanID)
			case "NetworkName":
				err = json.Unmarshal(v, &want.NetworkName)
			case "MeshLocalPrefix":
				err = json.Unmarshal(v, &want.MeshLocalPrefix)
			case "ActiveTimestamp":
				err = json.Unmarshal(v, &want.ActiveTimestamp)
			}
			if err != nil {
				t.Fatalf("%s %s: %v", d.Label, k, err)
			}
		}
		if (want.Channel == nil) != (m.Channel == nil) || want.Channel != nil && (int(m.Channel.Channel) != want.Channel.Channel || int(m.Channel.Page) != want.Channel.Page) {
			t.Errorf("%s: channel %+v, want %+v", d.Label, m.Channel, want.Channel)
		}
		if want.NetworkName != nil && (m.NetworkName == nil || *m.NetworkName != *want.NetworkName) {
			t.Errorf("%s: network name %v, want %q", d.Label, m.NetworkName, *want.NetworkName)
		}
		if want.ExtPanID != nil && (m.ExtPanID == nil || hex.EncodeToString(m.ExtPanID[:]) != *want.ExtPanID) {
			t.Errorf("%s: ext PAN ID %x, want %s", d.Label, m.ExtPanID, *want.ExtPanID)
		}
		if want.MeshLocalPrefix != nil {
			if m.MeshLocalPrefix == nil || !strings.HasPrefix(*want.MeshLocalPrefix, prefixString(*m.MeshLocalPrefix)) {
				t.Errorf("%s: mesh-local prefix %x, want %s", d.Label, m.MeshLocalPrefix, *want.MeshLocalPrefix)
			}
		}
		if want.ActiveTimestamp != nil && (m.ActiveTimestamp == nil || m.ActiveTimestamp.Seconds != want.ActiveTimestamp.Seconds) {
			t.Errorf("%s: active timestamp %+v, want %+v", d.Label, m.ActiveTimestamp, want.ActiveTimestamp)
		}
		if want.PanID != nil && (m.PanID == nil || int(*m.PanID) != *want.PanID) {
			t.Errorf("%s: PAN ID %v, want %d", d.Label, m.PanID, *want.PanID)
		}
		// Secrets: present by name, values gone, nowhere in the encoding.
		var noSecrets []byte
		for _, tl := range mustSplit(t, raw) {
			if tl.Type.Secret() {
				if !contains(m.Secrets, tl.Type) {
					t.Errorf("%s: secret %v not noted", d.Label, tl.Type)
				}
				if bytes.Contains(m.Encode(), tl.Value) {
					t.Errorf("%s: %v value survives in the encoding", d.Label, tl.Type)
				}
				continue
			}
			noSecrets = Append(noSecrets, tl)
		}
		if got := m.Encode(); !bytes.Equal(got, noSecrets) {
			t.Errorf("%s: encode\n got %x\nwant %x", d.Label, got, noSecrets)
		}
	}
}

func prefixString(p [8]byte) string {
	var a [16]byte
	copy(a[:], p[:])
	s := netip.AddrFrom16(a).String()
	return strings.TrimSuffix(s, "::")
}

func mustSplit(t testing.TB, b []byte) []TLV {
	t.Helper()
	tl, err := Split(b)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

func contains(ts []Type, t Type) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// TestCommissionerMessages builds the commissioner's messages and checks
// their bytes against the layouts OpenThread writes and reads
// (border_agent.cpp, commissioner.cpp, meshcop_leader.cpp).
func TestCommissionerMessages(t *testing.T) {
	id := "threadmap"
	sid := uint16(0x1234)
	acc := StateAccept
	rej := StateReject
	cases := []struct {
		name string
		m    Message
		hex  string
	}{
		{"COMM_PET.req", Message{CommissionerID: &id}, "0a09" + hex.EncodeToString([]byte(id))},
		{"COMM_KA.req", Message{CommissionerSessionID: &sid, State: &acc}, "0b0212341001" + "01"},
		{"resign", Message{CommissionerSessionID: &sid, State: &rej}, "0b021234" + "1001ff"},
		{"MGMT_ACTIVE_GET.req", Message{Get: []Type{TypeChannel, TypePanID, TypeExtPanID, TypeNetworkName, TypeMeshLocalPrefix, TypeActiveTimestamp}},
			"0d0600010203070e"},
	}
	for _, c := range cases {
		if got := hex.EncodeToString(c.m.Encode()); got != c.hex {
			t.Errorf("%s: %s, want %s", c.name, got, c.hex)
		}
		m, err := Decode(unhex(t, c.hex))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if hex.EncodeToString(m.Encode()) != c.hex {
			t.Errorf("%s: re-encoded %x", c.name, m.Encode())
		}
	}
}

// TestUDPRxLayout decodes a UDP_RX.ntf payload as OpenThread's Border Agent
// writes it (HandleUdpReceive): an extended UDP Encapsulation TLV (source
// port, destination port, datagram) then the sender's IPv6 Address TLV;
// and the UDP_TX.ntf the commissioner writes (ot-commissioner's order: IPv6
// Address first). Both come back byte for byte.
func TestUDPRxLayout(t *testing.T) {
	datagram := unhex(t, "4202beef0102")
	rx := "30ff000a" + "f0bf" + "f0bf" + hex.EncodeToString(datagram) +
		"3110" + "fd005a1100000000000000fffe000400"
	m, err := Decode(unhex(t, rx))
	if err != nil {
		t.Fatal(err)
	}
	u := m.UDPEncapsulation
	if u == nil || u.SourcePort != 61631 || u.DestinationPort != 61631 || !bytes.Equal(u.Payload, datagram) {
		t.Fatalf("udp encapsulation %+v", u)
	}
	if m.IPv6Address == nil || m.IPv6Address.String() != "fd00:5a11::ff:fe00:400" {
		t.Fatalf("address %v", m.IPv6Address)
	}
	if got := hex.EncodeToString(m.Encode()); got != rx {
		t.Errorf("re-encoded %s", got)
	}
	a := netip.MustParseAddr("fd00:5a11::ff:fe00:fc00")
	tx := Message{IPv6Address: &a, UDPEncapsulation: &UDPEncapsulation{SourcePort: 61631, DestinationPort: 61631, Payload: datagram}}
	if got := hex.EncodeToString(tx.Encode()); got != "300af0bff0bf4202beef0102"+"3110fd005a1100000000000000fffe00fc00" {
		t.Errorf("UDP_TX.ntf %s", got)
	}
	// A datagram of 251 bytes or more needs the extended form.
	big := Message{UDPEncapsulation: &UDPEncapsulation{SourcePort: 1, DestinationPort: 2, Payload: make([]byte, 251)}}
	if b := big.Encode(); b[1] != 0xff || b[2] != 0x00 || b[3] != 255 {
		t.Errorf("extended header %x", b[:4])
	}
}

// TestPetitionRejection decodes a leader's rejection naming the active
// commissioner.
func TestPetitionRejection(t *testing.T) {
	m, err := Decode(unhex(t, "1001ff"+"0a0f"+hex.EncodeToString([]byte("ot-commissioner"))))
	if err != nil {
		t.Fatal(err)
	}
	if m.State == nil || *m.State != StateReject || m.State.String() != "reject" {
		t.Fatalf("state %v", m.State)
	}
	if m.CommissionerID == nil || *m.CommissionerID != "ot-commissioner" {
		t.Fatalf("commissioner id %v", m.CommissionerID)
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct{ hex, want string }{
		{"0b01", "CommissionerSessionID(11) at byte 0: length 1 runs past the end (0 bytes left)"},
		{"0b0112", "CommissionerSessionID(11) at byte 0: value is 1 bytes, want 2"},
		{"1001011001ff", "State(16) at byte 3: duplicate TLV (first at byte 0)"},
		{"0a", "CommissionerID(10) at byte 0: truncated header: 1 of 2 bytes"},
		{"30ff00", "UDPEncapsulation(48) at byte 0: truncated extended length: 3 of 4 header bytes"},
		{"30ff0005f0bf", "UDPEncapsulation(48) at byte 0: length 5 runs past the end (2 bytes left)"},
		{"0311" + strings.Repeat("41", 17), "NetworkName(3) at byte 0: string is 17 bytes, at most 16 allowed"},
		{"0a02c328", `CommissionerID(10) at byte 0: string "\xc3(" is not UTF-8`},
		{"0800", "SteeringData(8) at byte 0: value is 0 bytes, want 1 to 16"},
		{"310400000000", "IPv6Address(49) at byte 0: value is 4 bytes, want 16"},
		{"0e0400000000", "ActiveTimestamp(14) at byte 0: timestamp: 4 bytes, want 8"},
	}
	for _, c := range cases {
		_, err := Decode(unhex(t, c.hex))
		var e *Error
		if !errors.As(err, &e) || err.Error() != "meshcop tlv: "+c.want {
			t.Errorf("%s: %v, want %s", c.hex, err, c.want)
		}
	}
}

// TestUnknownKept keeps TLVs it does not decode raw, in order, and repeats
// of them are allowed.
func TestUnknownKept(t *testing.T) {
	raw := unhex(t, "bd03abcdef"+"0c0402a0f7f8"+"bd0101"+"0b020001")
	m, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Unknown) != 3 || m.Unknown[0].Type != 189 || m.Unknown[1].Type != TypeSecurityPolicy || m.Unknown[2].Offset != 11 {
		t.Fatalf("unknown %+v", m.Unknown)
	}
	if !bytes.Equal(m.Encode(), raw) {
		t.Errorf("encode %x", m.Encode())
	}
	if Type(189).String() != "Unknown(189)" || TypeUDPEncapsulation.String() != "UDPEncapsulation(48)" {
		t.Error("type names")
	}
}
