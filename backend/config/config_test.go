package config

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func resolve(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f.Resolve(func(k string) string { return env[k] })
}

func TestPrecedenceFlagsEnvFileDefaults(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "threadmap.json")
	os.WriteFile(file, []byte(`{"listen": "127.0.0.1:9000", "db": "/file.db", "interval": "2m", "otbr": ["http://file:8081"], "log_level": "debug"}`), 0o600)
	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(c Config) string
	}{
		{"defaults", nil, map[string]string{"HOME": "/home/u"}, func(c Config) string {
			if c.Listen != "127.0.0.1:8080" || c.DB != "/home/u/.local/share/threadmap/threadmap.db" || c.Interval.D() != time.Minute {
				return "wrong defaults"
			}
			return ""
		}},
		{"file over defaults", []string{"--config", file}, nil, func(c Config) string {
			if c.Listen != "127.0.0.1:9000" || c.DB != "/file.db" || c.Interval.D() != 2*time.Minute || !reflect.DeepEqual(c.OTBR, []string{"http://file:8081"}) || c.LogLevel != "debug" {
				return "file not applied"
			}
			return ""
		}},
		{"env over file", nil, map[string]string{"THREADMAP_CONFIG": file, "THREADMAP_LISTEN": "127.0.0.1:9100", "THREADMAP_OTBR": "http://a:8081, http://b:8081"}, func(c Config) string {
			if c.Listen != "127.0.0.1:9100" || c.DB != "/file.db" || !reflect.DeepEqual(c.OTBR, []string{"http://a:8081", "http://b:8081"}) {
				return "env not over file"
			}
			return ""
		}},
		{"flags over env", []string{"--config", file, "--listen", "127.0.0.1:9200", "--otbr", "http://f:1", "--otbr", "http://g:2", "--interval", "30s"},
			map[string]string{"THREADMAP_LISTEN": "127.0.0.1:9100", "THREADMAP_INTERVAL": "5m", "THREADMAP_DB": "/env.db"}, func(c Config) string {
				if c.Listen != "127.0.0.1:9200" || c.Interval.D() != 30*time.Second || c.DB != "/env.db" || !reflect.DeepEqual(c.OTBR, []string{"http://f:1", "http://g:2"}) {
					return "flags not over env"
				}
				for key, want := range map[string]string{"listen": OriginFlag, "interval": OriginFlag, "db": OriginEnv,
					"log_level": OriginFile, "max_backoff": OriginDefault, "otbr": OriginFlag} {
					if got := c.Origin(key); got != want {
						return "origin of " + key + " is " + got + ", want " + want
					}
				}
				if !c.Explicit("interval") || !c.Explicit("db") || c.Explicit("log_level") || c.Explicit("retain_count") {
					return "explicit"
				}
				return ""
			}},
		{"demo scans more often unless told", []string{"--demo"}, nil, func(c Config) string {
			if c.Interval.D() != DemoInterval || !c.Demo {
				return "demo interval"
			}
			return ""
		}},
		{"demo keeps an explicit interval", nil, map[string]string{"THREADMAP_DEMO": "true", "THREADMAP_INTERVAL": "1m"}, func(c Config) string {
			if c.Interval.D() != time.Minute || !c.Demo {
				return "explicit interval lost"
			}
			return ""
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := resolve(t, tc.args, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if msg := tc.check(c); msg != "" {
				t.Errorf("%s: %+v", msg, c.Redacted())
			}
		})
	}
}

func TestBadSettingsAreClearErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{\n\"listen\": \"127.0.0.1:1\",\n\"intervall\": \"1m\"\n}"), 0o600)
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte("{\n\"listen\": ,\n}"), 0o600)
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--listen", "0.0.0.0:8080"}, nil, "beyond loopback"},
		{[]string{"--listen", ":8080"}, nil, "beyond loopback"},
		{[]string{"--listen", "nohostport"}, nil, "host:port"},
		{nil, map[string]string{"THREADMAP_INTERVAL": "soon"}, "THREADMAP_INTERVAL"},
		{nil, map[string]string{"THREADMAP_DEMO": "perhaps"}, "THREADMAP_DEMO"},
		{[]string{"--otbr", "ftp://x"}, nil, "http://"},
		{[]string{"--config", bad}, nil, "intervall"},
		{[]string{"--config", broken}, nil, "line 2"},
		{[]string{"--config", filepath.Join(dir, "missing.json")}, nil, "config file"},
		{[]string{"--log-level", "loud"}, nil, "log-level"},
		{[]string{"--interval", "10ms"}, nil, "interval"},
	}
	for _, tc := range cases {
		_, err := resolve(t, tc.args, tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: error %v, want it to mention %q", tc.args, tc.env, err, tc.want)
		}
	}
	// Beyond loopback with a token is fine.
	if _, err := resolve(t, []string{"--listen", "0.0.0.0:8080"}, map[string]string{"THREADMAP_TOKEN": "0123456789abcdef"}); err != nil {
		t.Errorf("token set: %v", err)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "[::1]:8080": true, "localhost:1": true, "127.1.2.3:80": true,
		"0.0.0.0:8080": false, ":8080": false, "[::]:8080": false, "192.168.1.2:8080": false, "example.com:80": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v", addr, got)
		}
	}
}

// Every setting has its flag, its environment variable and a file key
// spelled the same way (flag name with - → _), and docs/CONFIG.md lists them.
func TestEverySettingHasThreeSpellingsAndIsDocumented(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	RegisterFlags(fs)
	keys := map[string]bool{}
	ty := reflect.TypeOf(Config{})
	for i := range ty.NumField() {
		keys[strings.Split(ty.Field(i).Tag.Get("json"), ",")[0]] = true
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "CONFIG.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings() {
		if fs.Lookup(s.flag) == nil {
			t.Errorf("setting %s has no flag", s.flag)
		}
		key := strings.ReplaceAll(s.flag, "-", "_")
		if !keys[key] {
			t.Errorf("setting %s has no config file key %q", s.flag, key)
		}
		for _, want := range []string{"`--" + s.flag, "`" + EnvName(s.flag) + "`", "`" + key + "`"} {
			if !strings.Contains(string(doc), want) {
				t.Errorf("docs/CONFIG.md does not mention %s", want)
			}
		}
	}
}
