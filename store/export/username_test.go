package export

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/threadmap/threadmap/thread/topology"
)

// A name a user gave a device travels in every format: the JSON and CBOR
// node field user_name, a GraphML and DOT attribute (and the label), the
// last column of nodes.csv; redaction removes it.
func TestUserNameInEveryFormat(t *testing.T) {
	base := snapshots(t)["generated-250"]
	n := base.Nodes[7]
	s := topology.WithUserNames(base, map[string]string{n.ExtAddr: `Büro <plug> & "co"`})
	for _, f := range []Format{JSON, CBOR} {
		b, err := Bytes(s, f, Options{})
		if err != nil {
			t.Fatal(err)
		}
		back, err := Import(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if got := back.Node(n.ID); got == nil || got.UserName != `Büro <plug> & "co"` {
			t.Errorf("%s: user_name did not round-trip: %+v", f, got)
		}
		if f == JSON && !bytes.Contains(b, []byte(`"user_name": "Büro <plug> & \"co\""`)) {
			t.Errorf("json lacks the user_name field")
		}
	}
	g, _ := Bytes(s, GraphML, Options{})
	if !bytes.Contains(g, []byte(`<data key="n_user_name">Büro &lt;plug&gt; &amp; &#34;co&#34;</data>`)) ||
		!bytes.Contains(g, []byte(`<data key="n_label">Büro &lt;plug&gt;`)) {
		t.Errorf("graphml lacks user_name and label")
	}
	d, _ := Bytes(s, DOT, Options{})
	if !bytes.Contains(d, []byte(`user_name="Büro <plug> & \"co\""`)) || !bytes.Contains(d, []byte(`label="Büro <plug>`)) {
		t.Errorf("dot lacks user_name and label")
	}
	z, _ := Bytes(s, CSV, Options{})
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := zr.File[0].Open()
	rows, err := csv.NewReader(rc).ReadAll()
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	last := len(rows[0]) - 1
	if rows[0][last] != "user_name" || rows[8][0] != n.ID || rows[8][last] != `Büro <plug> & "co"` {
		t.Errorf("nodes.csv: header %v, row %v", rows[0], rows[8])
	}
	r, _ := Bytes(s, JSON, Options{Redact: true})
	if bytes.Contains(r, []byte("user_name")) || strings.Contains(string(r), "Büro") {
		t.Errorf("redacted export keeps the user name")
	}
}
