package cli

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/meshcop"
	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

var txtFixtures = topologytest.Fixtures()

// The current OTBR advert's TXT as the capture tool printed it.
const otbrPrinted = `id=0xea122ae3de355640339cb8b28e75911b
rv=1
sb=0x00001c31
tv=1.4.0
xa=0x8eb0043d8ac6f721
xp=0x5a11000000000001
nn=OTLAB-small
pt=0x6f096a6d
at=0x0000000000010000
omr=0x40fd959c6ecffc0001
vn=OTLab
mn=SimBR
`

func decodeRecordOut(t *testing.T, out string) meshcop.Record {
	t.Helper()
	var r meshcop.Record
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not a record: %v\n%s", err, out)
	}
	return r
}

func TestDecodeTXTInputShapes(t *testing.T) {
	wire := "0472763d31" + "07" + hex.EncodeToString([]byte("sb=")) + "00001c31" + "0e" + hex.EncodeToString([]byte("nn=OTLAB-small"))
	cases := []struct {
		name, stdin string
		args        []string
		wantSB      uint32
		wantNN      string
		wantXP      string
	}{
		{"fixture shape", `{"rv": {"hex": "31", "utf8": "1"}, "sb": {"hex": "00001c31"}, "nn": {"utf8": "OTLAB-small"}, "xp": {"hex": "5a11000000000001"}}`,
			[]string{"decode", "txt", "-"}, 0x1c31, "OTLAB-small", "5a11000000000001"},
		{"fixture record", `{"label": "x", "txt": {"sb": {"hex": "000007b1"}, "nn": {"hex": "4e4553542d50414e2d45314146"}}}`,
			[]string{"decode", "txt", "-"}, 0x7b1, "NEST-PAN-E1AF", ""},
		{"plain map", `{"rv": "1", "sb": "0x00001c31", "xp": "5a11000000000001", "nn": "OTLAB-small"}`,
			[]string{"decode", "txt", "-"}, 0x1c31, "OTLAB-small", "5a11000000000001"},
		{"json list with presentation escapes", `["rv=1", "sb=\\000\\000\\028\\049", "nn=OTLAB-small", "xp=Z\\017\\000\\000\\000\\000\\000\\001"]`,
			[]string{"decode", "txt", "-"}, 0x1c31, "OTLAB-small", "5a11000000000001"},
		{"avahi-browse text", `txt = ["rv=1" "sb=\000\000\028\049" "nn=OTLAB-small" "xp=Z\017\000\000\000\000\000\001"]`,
			[]string{"decode", "txt", "-"}, 0x1c31, "OTLAB-small", "5a11000000000001"},
		{"key=value lines", otbrPrinted, []string{"decode", "txt", "-"}, 0x1c31, "OTLAB-small", "5a11000000000001"},
		{"rdata hex argument", "", []string{"decode", "txt", wire}, 0x1c31, "OTLAB-small", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := runCLIEnv(t, c.stdin, nil, c.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			r := decodeRecordOut(t, out)
			if r.State == nil || r.State.Uint32() != c.wantSB || r.NetworkName != c.wantNN || r.ExtPanID.String() != c.wantXP {
				t.Fatalf("got sb %v nn %q xp %q:\n%s", r.State, r.NetworkName, r.ExtPanID, out)
			}
		})
	}
}

// The printed capture text decodes to the same record as the raw DNS bytes
// (which the meshcop package checks against the ground truth).
func TestDecodeTXTCaptureText(t *testing.T) {
	out, errs, code := runCLIEnv(t, otbrPrinted, nil, "decode", "txt", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	r := decodeRecordOut(t, out)
	want := map[string]string{
		"agent_id": r.AgentID.String(), "xa": r.ExtAddr.String(), "role": r.State.Role.String(), "multi_ail": r.State.MultiAIL.String(),
		"omr": r.OMRPrefix.String(), "vn": r.VendorName,
	}
	for k, v := range map[string]string{"agent_id": "ea122ae3de355640339cb8b28e75911b", "xa": "8eb0043d8ac6f721", "role": "router",
		"multi_ail": "not-detected", "omr": "fd95:9c6e:cffc:1::/64", "vn": "OTLab"} {
		if want[k] != v {
			t.Errorf("%s = %q, want %q", k, want[k], v)
		}
	}
	if *r.PartitionID != 1862888045 || r.ActiveTimestamp.Seconds != 1 || len(r.TXT) != 12 || len(r.Missing) != 0 {
		t.Errorf("record %+v", r)
	}
}

func TestDecodeTXTFixtureFiles(t *testing.T) {
	// Real HA OTBR adverts from GitHub issues: both decode cleanly.
	out, errs, code := runCLI(t, "decode", "txt", filepath.Join(txtFixtures, "meshcop_txt", "github_issues_meshcop_txt.json"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Records []struct {
			Label  string         `json:"label"`
			Record meshcop.Record `json:"record"`
			Error  string         `json:"error"`
		} `json:"records"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Records) != 2 || doc.Records[0].Record.State.Role != meshcop.RoleLeader || doc.Records[1].Record.State.Role != meshcop.RoleRouter ||
		doc.Records[0].Record.OMRPrefix.String() != "fd33:d83:c7e3:1::/64" || doc.Records[1].Record.ExtPanID.String() != "087c4e34b73b9499" {
		t.Fatalf("records %+v", doc.Records)
	}

	// HA's test records include a broken one: every record is printed, the
	// run fails naming the record and the key.
	out, errs, code = runCLI(t, "decode", "txt", filepath.Join(txtFixtures, "meshcop_txt", "ha_core_thread_meshcop_txt.json"))
	if code != 1 || !strings.Contains(errs, `record ROUTER_DISCOVERY_HASS_BAD_DATA: meshcop txt: key "vn": invalid UTF-8`) {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	doc.Records = nil
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Records) != 11 {
		t.Fatalf("%d records printed, want 11", len(doc.Records))
	}
	for _, r := range doc.Records {
		if (r.Error != "") != (r.Label == "ROUTER_DISCOVERY_HASS_BAD_DATA") {
			t.Errorf("%s: error %q", r.Label, r.Error)
		}
		if r.Label == "ROUTER_DISCOVERY_HASS_MISSING_MANDATORY_DATA_XP" && (len(r.Record.Missing) != 1 || r.Record.Missing[0] != "xp") {
			t.Errorf("%s: missing %v", r.Label, r.Record.Missing)
		}
		if r.Label == "ROUTER_DISCOVERY_GOOGLE_1" && len(r.Record.Vendor) != 4 {
			t.Errorf("%s: vendor keys %v", r.Label, r.Record.Vendor)
		}
	}
}

func TestDecodeTXTBadInput(t *testing.T) {
	cases := []struct {
		name, stdin string
		args        []string
		code        int
		want        string
	}{
		{"no argument", "", []string{"decode", "txt"}, 2, "usage: threadmap decode txt"},
		{"not a file, not hex", "", []string{"decode", "txt", "no-such-file"}, 2, `"no-such-file" is neither a file nor hex`},
		{"bad hex in 0x value", `{"xp": "0xzz"}`, []string{"decode", "txt", "-"}, 1, `key "xp": 0x value`},
		{"number value", `{"sq": 5}`, []string{"decode", "txt", "-"}, 1, `key "sq": want a string`},
		{"short xa", `{"xa": {"hex": "0102"}}`, []string{"decode", "txt", "-"}, 1, `key "xa": 2 bytes (0102), want 8`},
		{"truncated rdata", "", []string{"decode", "txt", "0572763d"}, 1, "claims 5 bytes"},
		{"unterminated quote", `txt = ["rv=1`, []string{"decode", "txt", "-"}, 1, "unterminated quoted string"},
		{"bad escape", `["rv=\\999"]`, []string{"decode", "txt", "-"}, 1, `above 255`},
		{"empty", ``, []string{"decode", "txt", "-"}, 1, "no entries"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, errs, code := runCLIEnv(t, c.stdin, nil, c.args...)
			if code != c.code || !strings.Contains(errs, c.want) {
				t.Fatalf("exit %d stderr %q; want %d and %q", code, errs, c.code, c.want)
			}
		})
	}
}

// FuzzDecodeTXTInput: whatever a user feeds `decode txt`, it never panics.
func FuzzDecodeTXTInput(f *testing.F) {
	for _, p := range []string{"meshcop_txt/github_issues_meshcop_txt.json", "meshcop_txt/ha_core_thread_meshcop_txt.json"} {
		b, err := os.ReadFile(filepath.Join(txtFixtures, p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(otbrPrinted))
	f.Add([]byte(`txt = ["rv=1" "sb=\000\000\028\049"]`))
	f.Add([]byte(`["rv=1", "flag"]`))
	f.Add([]byte(`"0472763d31"`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeTXTInput(b)
	})
}
