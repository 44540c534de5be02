package app

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// TestSettingsPatchLimits is issue 13's reproducers 5 (settings part) and
// 9 (API part): one PATCH took 2000 OTBR URLs or 20000 network_interval
// keys, a scan_timeout of 1ns and an interval of 2562047h. Each is now a
// 400 naming the field and the limit, and nothing changes.
func TestSettingsPatchLimits(t *testing.T) {
	r := startApp(t, settingsConfig(t, filepath.Join(t.TempDir(), "limits.db")))
	before := getSettings(t, r)
	var urls, keys []string
	for i := 0; i < 2000; i++ {
		urls = append(urls, fmt.Sprintf(`"http://192.0.2.%d:%d"`, i%250+1, 8000+i))
	}
	for i := 0; i < 20000; i++ {
		keys = append(keys, fmt.Sprintf(`"%016x":"1m"`, i))
	}
	cases := map[string]string{
		`{"otbr": [` + strings.Join(urls, ",") + `]}`:                            "otbr",
		`{"network_interval": {` + strings.Join(keys, ",") + `}}`:                "network_interval",
		`{"scan_timeout": "1ns"}`:                                                "scan_timeout",
		`{"interval": "2562047h"}`:                                               "interval",
		`{"max_backoff": "1ms"}`:                                                 "max_backoff",
		`{"tmf": [` + strings.Repeat(`"fd11:22::/64",`, 40) + `"fd11:23::/64"]}`: "tmf",
		`{"otbr": ["http://` + strings.Repeat("a", 2000) + `:8081"]}`:            "otbr",
	}
	for body, field := range cases {
		code, b := send(t, "PATCH", r.base+"settings", body, "Authorization", "Bearer "+testToken)
		if code != 400 || !strings.Contains(string(b), field) {
			t.Errorf("PATCH %.60s…: %d %.300s; want 400 naming %s", body, code, b, field)
		}
	}
	after := getSettings(t, r)
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("settings changed by refused PATCHes:\n%+v\n%+v", before, after)
	}
}

// TestMetricsForgetRemovedSources is issue 13's reproducer 5 (metrics
// part): /metrics kept the scan series of a removed source's pending
// network (pending:otbr:URL) for ever. Removing the source drops them.
func TestMetricsForgetRemovedSources(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() // nothing answers: the scan fails, pending
	ln.Close()
	c := settingsConfig(t, filepath.Join(t.TempDir(), "metrics.db"))
	c.OTBR = []string{dead}
	r := startApp(t, c)
	evs := openEvents(t, r)
	if code, b := send(t, "POST", r.base+"scan", "", "Authorization", "Bearer "+testToken); code != 202 {
		t.Fatalf("POST scan: %d %s", code, b)
	}
	waitScans(t, r, evs, "the failing scan", func(l scanList) bool {
		for _, s := range l.Scans {
			if s.State != "running" {
				return true
			}
		}
		return false
	})
	metrics := func() string {
		code, b := send(t, "GET", strings.TrimSuffix(r.base, "api/v1/")+"metrics", "")
		if code != 200 {
			t.Fatalf("metrics: %d", code)
		}
		return string(b)
	}
	series := `network="pending:otbr:` + dead + `"`
	if !strings.Contains(metrics(), series) {
		t.Fatalf("no series with %s before the removal", series)
	}
	if code, b := send(t, "PATCH", r.base+"settings", `{"otbr": []}`, "Authorization", "Bearer "+testToken); code != 200 {
		t.Fatalf("PATCH: %d %s", code, b)
	}
	if m := metrics(); strings.Contains(m, series) {
		i := strings.Index(m, series)
		t.Errorf("series of the removed source remain: …%s…", m[max(0, i-80):min(len(m), i+80)])
	}
}
