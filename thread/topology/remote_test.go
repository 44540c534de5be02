package topology

import "testing"

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://admin:hunter2@host:8081":     "http://***@host:8081",
		"http://admin@host:8081/x?a=b@c":     "http://***@host:8081/x?a=b@c",
		"ws://u:p@[fd00::1]:5580/ws":         "ws://***@[fd00::1]:5580/ws",
		"http://us%40er:p%2Fw@host":          "http://***@host",
		"http://a:b@c@host/":                 "http://***@host/",
		"http://host:8081/path@thing":        "http://host:8081/path@thing",
		"host:8081":                          "host:8081",
		"fd11:22::/64":                       "fd11:22::/64",
		"otbr:http://admin:pw@10.0.0.1:8081": "otbr:http://***@10.0.0.1:8081",
		"http://***@host":                    "http://***@host",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
	if !Redacted("http://***@host") || Redacted("http://a:b@host") || Redacted("http://host") {
		t.Error("Redacted")
	}
}

func TestShortText(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"Kitchen plug", 64, "Kitchen plug"},
		{"\x1b[31mPWNED\x1b[0m\nline two\x00", 64, "[31mPWNED [0m line two"},
		{"  a \t\n b  ", 64, "a b"},
		{"abcdef", 3, "abc…"},
		{"Küche Lampe", 5, "Küche…"},
	} {
		if got := ShortText(c.in, c.max); got != c.want {
			t.Errorf("ShortText(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}
