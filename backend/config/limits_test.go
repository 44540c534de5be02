package config

import (
	"strings"
	"testing"
)

// TestSaneLimits is issue 13's reproducer 9: a token of one character (or
// a blank one) was accepted, and so were a scan timeout of 1ns and an
// interval of 2562047h. Now the token needs 16 characters (unless
// --insecure-short-token) and every duration lies in a sensible range,
// each refusal naming the setting and the range.
func TestSaneLimits(t *testing.T) {
	long := "abcdefghijklmnop" // 16
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"--token", " "}, "token"},
		{[]string{"--token", "x"}, "at least 16"},
		{[]string{"--token", "abcdefghijklmno"}, "at least 16"},
		{[]string{"--token", " abcdefghijklmnopq"}, "token"},
		{[]string{"--token", "abcdefgh\x01ijklmnopq"}, "token"},
		{[]string{"--listen", "0.0.0.0:8080", "--token", "short"}, "at least 16"},
		{[]string{"--scan-timeout", "1ns"}, "scan-timeout 1ns"},
		{[]string{"--scan-timeout", "2h"}, "scan-timeout"},
		{[]string{"--interval", "2562047h"}, "interval 2562047h"},
		{[]string{"--max-backoff", "1ms"}, "max-backoff"},
		{[]string{"--max-backoff", "100000h"}, "max-backoff"},
		{[]string{"--retain-age", "1s"}, "retain-age"},
		{[]string{"--demo-mutate", "1ms"}, "demo-mutate"},
	}
	for _, tc := range bad {
		_, err := resolve(t, tc.args, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to mention %q", tc.args, err, tc.want)
		}
	}
	good := [][]string{
		{"--token", long},
		{"--token", "x", "--insecure-short-token"},
		{"--listen", "0.0.0.0:8080", "--token", long},
		{"--scan-timeout", "1s", "--interval", "168h", "--max-backoff", "24h", "--retain-age", "8760h", "--demo-mutate", "0"},
	}
	for _, args := range good {
		if _, err := resolve(t, args, nil); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	c := Defaults(func(string) string { return "" })
	for i := 0; i <= MaxNetworkIntervals; i++ {
		if c.NetworkInterval == nil {
			c.NetworkInterval = map[string]Duration{}
		}
		c.NetworkInterval[strings.Repeat("k", 3)+string(rune('a'+i%26))+strings.Repeat("x", i/26)] = Duration(60e9)
	}
	if err := c.Check(); err == nil || !strings.Contains(err.Error(), "network_interval") {
		t.Errorf("%d network intervals: %v", len(c.NetworkInterval), err)
	}
}
