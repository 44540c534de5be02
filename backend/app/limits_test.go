package app

import (
	"fmt"
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
