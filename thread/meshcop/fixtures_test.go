package meshcop

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/topology/topologytest"
)

// fixtures is the project's copy of the captured data (topologytest.Fixtures).
var fixtures = topologytest.Fixtures()

type fixtureValue struct {
	Hex  string `json:"hex"`
	UTF8 string `json:"utf8"`
}

type fixtureRecord struct {
	Label    string            `json:"label"`
	Instance string            `json:"instance_name"`
	Server   string            `json:"server"`
	Port     int               `json:"port"`
	TXT      orderedTXT        `json:"txt"`
	Raw      []string          `json:"raw_tcpdump_txt"`
	Extra    map[string]string `json:"-"`
}

// orderedTXT keeps the fixture's key order (the wire order).
type orderedTXT struct {
	Keys   []string
	Values map[string]fixtureValue
}

func (o *orderedTXT) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &o.Values); err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		o.Keys = append(o.Keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}

func (o orderedTXT) entries(t testing.TB) []Entry {
	var out []Entry
	for _, k := range o.Keys {
		v, err := hex.DecodeString(o.Values[k].Hex)
		if err != nil {
			t.Fatalf("fixture key %s: %v", k, err)
		}
		out = append(out, Entry{Key: k, Value: v, HasValue: true})
	}
	return out
}

func loadMeshcopFixtures(t testing.TB) map[string]fixtureRecord {
	out := map[string]fixtureRecord{}
	for _, f := range []string{"ha_core_thread_meshcop_txt.json", "github_issues_meshcop_txt.json"} {
		b, err := os.ReadFile(filepath.Join(fixtures, "meshcop_txt", f))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Records []fixtureRecord `json:"records"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range doc.Records {
			out[r.Label] = r
		}
	}
	if len(out) != 13 {
		t.Fatalf("want 13 fixture records, got %d", len(out))
	}
	return out
}

// otbrBrowse is one response of the fixture's meshcop_udp_browse.txt.
type otbrBrowse struct {
	Raw     []byte
	Decoded map[string]string // key -> value as the capture tool printed it
	Keys    []string
}

// loadOTBRBrowse reads a meshcop_udp_browse.txt capture: "raw: <hex>" lines
// and the TXT entries printed below "TXT" (key=value, 0x-prefixed hex for
// binary values).
func loadOTBRBrowse(t testing.TB, path string) []otbrBrowse {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []otbrBrowse
	inTXT := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "raw: "):
			raw, err := hex.DecodeString(strings.TrimPrefix(line, "raw: "))
			if err != nil {
				t.Fatalf("%s: raw: %v", path, err)
			}
			out = append(out, otbrBrowse{Raw: raw, Decoded: map[string]string{}})
			inTXT = false
		case strings.HasSuffix(line, " TXT"):
			inTXT = true
		case inTXT && strings.HasPrefix(line, "     "):
			k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
			if !ok {
				t.Fatalf("%s: bad TXT line %q", path, line)
			}
			b := &out[len(out)-1]
			b.Decoded[k] = v
			b.Keys = append(b.Keys, k)
		default:
			inTXT = false
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// printedValue turns the capture tool's printed value into bytes.
func printedValue(t testing.TB, v string) []byte {
	if strings.HasPrefix(v, "0x") {
		b, err := hex.DecodeString(v[2:])
		if err != nil {
			t.Fatalf("printed value %q: %v", v, err)
		}
		return b
	}
	return []byte(v)
}
