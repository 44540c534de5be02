package meshcop

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// TXT keys of the MeshCoP service (Thread spec 8.4.1.1.2; OpenThread
// border_agent_txt_data.cpp), and vendor keys seen in real adverts.
const (
	KeyRecordVersion   = "rv"
	KeyAgentID         = "id"
	KeyThreadVersion   = "tv"
	KeyStateBitmap     = "sb"
	KeyNetworkName     = "nn"
	KeyExtPanID        = "xp"
	KeyExtAddr         = "xa"
	KeyActiveTimestamp = "at"
	KeyPartitionID     = "pt"
	KeyDomainName      = "dn"
	KeyBBRSeq          = "sq"
	KeyBBRPort         = "bb"
	KeyOMRPrefix       = "omr"
	KeyVendorName      = "vn"
	KeyModelName       = "mn"
	KeyVendorOUI       = "vo"
)

// vendorKeys are keys vendors add beside the standard ones: Google's
// hex-text copies vat (at), vcd (id), vvo (vo), vxp (xp), and Apple's dd.
// Any other key starting with 'v' is treated as vendor-specific too.
var vendorKeys = map[string]bool{"vat": true, "vcd": true, "vvo": true, "vxp": true, "dd": true}

func isVendorKey(k string) bool { return vendorKeys[k] || strings.HasPrefix(k, "v") }

// HexBytes is a byte string written as lower-case hex in JSON.
type HexBytes []byte

// MarshalText writes hex.
func (h HexBytes) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(h)), nil }

// UnmarshalText reads hex (an optional 0x prefix is allowed).
func (h *HexBytes) UnmarshalText(b []byte) error {
	s := strings.TrimPrefix(strings.TrimPrefix(string(b), "0x"), "0X")
	v, err := hex.DecodeString(s)
	if err != nil {
		return fmt.Errorf("hex bytes %q: %w", b, err)
	}
	*h = v
	return nil
}

// String is the lower-case hex.
func (h HexBytes) String() string { return hex.EncodeToString(h) }

// Timestamp is a MeshCoP timestamp (Thread spec 8.10.1.14): 48-bit seconds,
// 15-bit ticks (1/32768 s), 1 authoritative bit.
type Timestamp struct {
	Seconds       uint64 `json:"seconds"`
	Ticks         uint16 `json:"ticks"`
	Authoritative bool   `json:"authoritative"`
}

// DecodeTimestamp reads the 8-byte wire form.
func DecodeTimestamp(b []byte) (Timestamp, error) {
	if len(b) != 8 {
		return Timestamp{}, fmt.Errorf("timestamp: %d bytes, want 8", len(b))
	}
	v := binary.BigEndian.Uint64(b)
	return Timestamp{Seconds: v >> 16, Ticks: uint16(v>>1) & 0x7fff, Authoritative: v&1 != 0}, nil
}

// Bytes is the 8-byte wire form.
func (t Timestamp) Bytes() []byte {
	v := t.Seconds<<16 | uint64(t.Ticks&0x7fff)<<1
	if t.Authoritative {
		v |= 1
	}
	return binary.BigEndian.AppendUint64(nil, v)
}

// Value is one raw TXT entry for JSON: hex always, text when the value is
// printable UTF-8, bool for an attribute without '='.
type Value struct {
	Key   string `json:"key"`
	Hex   string `json:"hex"`
	Text  string `json:"text,omitempty"`
	NoVal bool   `json:"no_value,omitempty"`
}

func valueOf(e Entry) Value {
	return Value{Key: e.Key, Hex: hex.EncodeToString(e.Value), Text: textOrEmpty(e.Value), NoVal: !e.HasValue}
}

// Record is a decoded MeshCoP TXT record. Every entry is also kept raw in
// TXT, in wire order; keys this package does not know are in Vendor
// (vendor-specific keys) or Unknown.
type Record struct {
	RecordVersion string       `json:"record_version,omitempty"` // rv
	AgentID       HexBytes     `json:"agent_id,omitempty"`       // id, 16 bytes
	ThreadVersion string       `json:"thread_version,omitempty"` // tv, e.g. "1.4.0"
	State         *StateBitmap `json:"state,omitempty"`          // sb
	NetworkName   string       `json:"network_name,omitempty"`   // nn
	ExtPanID      HexBytes     `json:"ext_pan_id,omitempty"`     // xp, 8 bytes
	ExtAddr       HexBytes     `json:"ext_addr,omitempty"`       // xa, 8 bytes
	// ActiveTimestamp (at) of the active operational dataset.
	ActiveTimestamp *Timestamp `json:"active_timestamp,omitempty"`
	// PartitionID (pt) read big-endian, as the spec and current OpenThread
	// write it. Older OTBR wrote the host's (little-endian) byte order, so
	// PartitionIDSwapped gives the other reading; a consumer holding the
	// leader data from another source can tell which one matches.
	PartitionID        *uint32       `json:"partition_id,omitempty"`
	PartitionIDSwapped *uint32       `json:"partition_id_byte_swapped,omitempty"`
	DomainName         string        `json:"domain_name,omitempty"` // dn
	BBRSeq             *uint8        `json:"bbr_seq,omitempty"`     // sq
	BBRPort            *uint16       `json:"bbr_port,omitempty"`    // bb
	OMRPrefix          *netip.Prefix `json:"omr_prefix,omitempty"`  // omr: length byte + prefix
	VendorName         string        `json:"vendor_name,omitempty"` // vn
	ModelName          string        `json:"model_name,omitempty"`  // mn
	VendorOUI          HexBytes      `json:"vendor_oui,omitempty"`  // vo
	// Vendor holds vendor-specific keys (vat, vcd, vvo, vxp, dd, v*) raw.
	Vendor []Value `json:"vendor,omitempty"`
	// Unknown holds every other key raw.
	Unknown []Value `json:"unknown,omitempty"`
	// TXT is every entry in wire order.
	TXT []Value `json:"txt"`
	// Missing names required keys the record lacks (rv, tv, sb, nn, xp, xa;
	// at and pt too when the state bitmap says the interface is active).
	Missing []string `json:"missing,omitempty"`
	// Problems describes each malformed value (also returned as the error
	// of Decode); the raw bytes stay in TXT.
	Problems []string `json:"problems,omitempty"`
}

// DecodeError lists every malformed value of a TXT record.
type DecodeError struct{ Problems []string }

func (e *DecodeError) Error() string {
	return "meshcop txt: " + strings.Join(e.Problems, "; ")
}

// Decode decodes TXT entries into a Record. It never fails outright: a
// malformed value is described in Record.Problems and the returned error
// (a *DecodeError), its bytes stay in Record.TXT, and the other keys are
// decoded.
func Decode(entries []Entry) (*Record, error) {
	r := &Record{TXT: []Value{}}
	seen := map[string]bool{}
	problem := func(key, format string, a ...any) {
		r.Problems = append(r.Problems, fmt.Sprintf("key %q: ", key)+fmt.Sprintf(format, a...))
	}
	for _, e := range entries {
		r.TXT = append(r.TXT, valueOf(e))
		if seen[e.Key] {
			// RFC 6763 6.4: only the first occurrence of a key counts.
			problem(e.Key, "duplicate key ignored (value %x)", e.Value)
			continue
		}
		seen[e.Key] = true
		if !e.HasValue && isStandardKey(e.Key) {
			problem(e.Key, "no value")
			continue
		}
		v := e.Value
		fixed := func(n int) bool {
			if len(v) != n {
				problem(e.Key, "%d bytes (%x), want %d", len(v), v, n)
				return false
			}
			return true
		}
		text := func() (string, bool) {
			if !utf8.Valid(v) {
				problem(e.Key, "invalid UTF-8 (%x)", v)
				return "", false
			}
			return string(v), true
		}
		switch e.Key {
		case KeyRecordVersion:
			r.RecordVersion, _ = text()
		case KeyAgentID:
			if len(v) == 0 {
				problem(e.Key, "empty")
				break
			}
			r.AgentID = HexBytes(v)
			if len(v) != 16 {
				problem(e.Key, "%d bytes (%x), want 16", len(v), v)
			}
		case KeyThreadVersion:
			r.ThreadVersion, _ = text()
		case KeyStateBitmap:
			if fixed(stateBitmapBytes) {
				s := DecodeStateBitmap(binary.BigEndian.Uint32(v))
				r.State = &s
			}
		case KeyNetworkName:
			if s, ok := text(); ok {
				r.NetworkName = s
				if len(v) > 16 {
					problem(e.Key, "%d bytes, a Thread network name has at most 16", len(v))
				}
			}
		case KeyExtPanID:
			if fixed(8) {
				r.ExtPanID = HexBytes(v)
			}
		case KeyExtAddr:
			if fixed(8) {
				r.ExtAddr = HexBytes(v)
			}
		case KeyActiveTimestamp:
			if fixed(8) {
				t, _ := DecodeTimestamp(v)
				r.ActiveTimestamp = &t
			}
		case KeyPartitionID:
			if fixed(4) {
				be := binary.BigEndian.Uint32(v)
				sw := bits.ReverseBytes32(be)
				r.PartitionID, r.PartitionIDSwapped = &be, &sw
			}
		case KeyDomainName:
			r.DomainName, _ = text()
		case KeyBBRSeq:
			if fixed(1) {
				s := v[0]
				r.BBRSeq = &s
			}
		case KeyBBRPort:
			if fixed(2) {
				p := binary.BigEndian.Uint16(v)
				r.BBRPort = &p
			}
		case KeyOMRPrefix:
			p, err := decodeOMR(v)
			if err != nil {
				problem(e.Key, "%v", err)
				break
			}
			r.OMRPrefix = &p
		case KeyVendorName:
			r.VendorName, _ = text()
		case KeyModelName:
			r.ModelName, _ = text()
		case KeyVendorOUI:
			if len(v) == 0 {
				problem(e.Key, "empty")
				break
			}
			r.VendorOUI = HexBytes(v)
		default:
			if isVendorKey(e.Key) {
				r.Vendor = append(r.Vendor, valueOf(e))
			} else {
				r.Unknown = append(r.Unknown, valueOf(e))
			}
		}
	}
	required := []string{KeyRecordVersion, KeyThreadVersion, KeyStateBitmap, KeyNetworkName, KeyExtPanID, KeyExtAddr}
	if r.State != nil && r.State.IfStatus == IfActive {
		required = append(required, KeyActiveTimestamp, KeyPartitionID)
	}
	for _, k := range required {
		if !seen[k] {
			r.Missing = append(r.Missing, k)
		}
	}
	if len(r.Problems) > 0 {
		return r, &DecodeError{Problems: r.Problems}
	}
	return r, nil
}

func isStandardKey(k string) bool {
	switch k {
	case KeyRecordVersion, KeyAgentID, KeyThreadVersion, KeyStateBitmap, KeyNetworkName, KeyExtPanID,
		KeyExtAddr, KeyActiveTimestamp, KeyPartitionID, KeyDomainName, KeyBBRSeq, KeyBBRPort,
		KeyOMRPrefix, KeyVendorName, KeyModelName, KeyVendorOUI:
		return true
	}
	return false
}

// decodeOMR reads the omr value: prefix length (bits), then the prefix
// bytes (at least ceil(length/8); OpenThread writes 8).
func decodeOMR(v []byte) (netip.Prefix, error) {
	if len(v) == 0 {
		return netip.Prefix{}, errors.New("empty")
	}
	l := int(v[0])
	if l > 128 {
		return netip.Prefix{}, fmt.Errorf("prefix length %d above 128", l)
	}
	need := (l + 7) / 8
	if len(v)-1 < need {
		return netip.Prefix{}, fmt.Errorf("prefix length %d needs %d bytes, %d given (%x)", l, need, len(v)-1, v)
	}
	if len(v)-1 > 16 {
		return netip.Prefix{}, fmt.Errorf("%d prefix bytes, at most 16 (%x)", len(v)-1, v)
	}
	var a [16]byte
	copy(a[:], v[1:])
	return netip.PrefixFrom(netip.AddrFrom16(a), l).Masked(), nil
}

// DecodeTXT decodes TXT strings in miekg/dns presentation form (what
// zeroconf's ServiceEntry.Text holds).
func DecodeTXT(txt []string) (*Record, error) {
	entries, err := EntriesFromPresentation(txt)
	if err != nil {
		r, _ := Decode(entries)
		r.Problems = append(r.Problems, err.Error())
		return r, &DecodeError{Problems: r.Problems}
	}
	return Decode(entries)
}

// Entries encodes the record as TXT entries in the order OpenThread writes
// them (id rv sb tv xa xp nn pt at sq bb dn omr vn mn vo), then the vendor
// and unknown keys in the order they were decoded. Fixed-size fields of the wrong length are an error.
func (r *Record) Entries() ([]Entry, error) {
	var out []Entry
	add := func(k string, v []byte) { out = append(out, Entry{Key: k, Value: v, HasValue: true}) }
	check := func(k string, v []byte, n int) error {
		if len(v) != n {
			return fmt.Errorf("encode txt key %q: %d bytes, want %d", k, len(v), n)
		}
		return nil
	}
	if len(r.AgentID) > 0 {
		add(KeyAgentID, r.AgentID)
	}
	if r.RecordVersion != "" {
		add(KeyRecordVersion, []byte(r.RecordVersion))
	}
	if r.State != nil {
		add(KeyStateBitmap, binary.BigEndian.AppendUint32(nil, r.State.Uint32()))
	}
	if r.ThreadVersion != "" {
		add(KeyThreadVersion, []byte(r.ThreadVersion))
	}
	if len(r.ExtAddr) > 0 {
		if err := check(KeyExtAddr, r.ExtAddr, 8); err != nil {
			return nil, err
		}
		add(KeyExtAddr, r.ExtAddr)
	}
	if len(r.ExtPanID) > 0 {
		if err := check(KeyExtPanID, r.ExtPanID, 8); err != nil {
			return nil, err
		}
		add(KeyExtPanID, r.ExtPanID)
	}
	if r.NetworkName != "" {
		add(KeyNetworkName, []byte(r.NetworkName))
	}
	if r.PartitionID != nil {
		add(KeyPartitionID, binary.BigEndian.AppendUint32(nil, *r.PartitionID))
	}
	if r.ActiveTimestamp != nil {
		add(KeyActiveTimestamp, r.ActiveTimestamp.Bytes())
	}
	if r.BBRSeq != nil {
		add(KeyBBRSeq, []byte{*r.BBRSeq})
	}
	if r.BBRPort != nil {
		add(KeyBBRPort, binary.BigEndian.AppendUint16(nil, *r.BBRPort))
	}
	if r.DomainName != "" {
		add(KeyDomainName, []byte(r.DomainName))
	}
	if r.OMRPrefix != nil {
		p := *r.OMRPrefix
		if !p.Addr().Is6() {
			return nil, fmt.Errorf("encode txt key %q: %v is not an IPv6 prefix", KeyOMRPrefix, p)
		}
		a := p.Masked().Addr().As16()
		n := (p.Bits() + 7) / 8
		if n < 8 {
			n = 8 // OpenThread always writes the 8-byte network prefix
		}
		add(KeyOMRPrefix, append([]byte{byte(p.Bits())}, a[:n]...))
	}
	if r.VendorName != "" {
		add(KeyVendorName, []byte(r.VendorName))
	}
	if r.ModelName != "" {
		add(KeyModelName, []byte(r.ModelName))
	}
	if len(r.VendorOUI) > 0 {
		add(KeyVendorOUI, r.VendorOUI)
	}
	extra := append(append([]Value(nil), r.Vendor...), r.Unknown...)
	for _, v := range extra {
		b, err := hex.DecodeString(v.Hex)
		if err != nil {
			return nil, fmt.Errorf("encode txt key %q: hex %q: %w", v.Key, v.Hex, err)
		}
		if v.NoVal {
			out = append(out, Entry{Key: v.Key})
			continue
		}
		add(v.Key, b)
	}
	return out, nil
}
