package matterclient

import "testing"

func TestNormalizeURL(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":                "ws://192.0.2.7:5580/ws",
		"homeassistant.local:5581": "ws://homeassistant.local:5581/ws",
		"ws://core-matter-server":  "ws://core-matter-server:5580/ws",
		"ws://h:5580/ws":           "ws://h:5580/ws",
		"wss://h/matter":           "wss://h:5580/matter",
		"http://[fd00::1]":         "ws://[fd00::1]:5580/ws",
	} {
		got, err := NormalizeURL(in)
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ftp://h", "ws://", "ws://%zz"} {
		if _, err := NormalizeURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
