package history

import (
	"testing"
	"time"
)

// FuzzCursor: any string given as a cursor is refused with ErrBadCursor or
// read as a position that writes back to the same cursor; never a panic.
func FuzzCursor(f *testing.F) {
	f.Add(position{at: t0, id: "42", index: 3}.String())
	f.Add(position{at: time.Unix(0, -1), id: "1", index: 0}.String())
	f.Add("")
	f.Add("bm9wZQ")
	f.Add("MTIzLjQ1LjY")
	f.Fuzz(func(t *testing.T, c string) {
		p, err := parseCursor(c)
		if err != nil {
			return
		}
		back, err := parseCursor(p.String())
		if err != nil || back != p {
			t.Fatalf("cursor %q read as %+v writes back as %q (%+v, %v)", c, p, p.String(), back, err)
		}
	})
}
