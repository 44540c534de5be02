package app

import (
	"net/netip"
	"net/url"
	"testing"
)

func TestRestURLsParseAndPreferRoutableAddresses(t *testing.T) {
	addrs := []netip.Addr{netip.MustParseAddr("fe80::1%eth0"), netip.MustParseAddr("fd00::5"), netip.MustParseAddr("::ffff:192.0.2.7")}
	var got []string
	for _, a := range probeOrder(addrs) {
		u := restURL(a, 8081)
		if _, err := url.Parse(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
		got = append(got, u)
	}
	want := []string{"http://192.0.2.7:8081", "http://[fd00::5]:8081", "http://[fe80::1%25eth0]:8081"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("url %d: %s, want %s", i, got[i], want[i])
		}
	}
}
