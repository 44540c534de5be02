// Package config is the configuration of `threadmap serve`: defaults, an
// optional JSON config file, THREADMAP_* environment variables and command
// line flags, applied in that order so that flags > env > file > defaults.
// docs/CONFIG.md is the user's page for it.
package config

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/threadmap/threadmap/thread/capped"
	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/topology"
)

// Config is everything `threadmap serve` can be told.
type Config struct {
	// Listen is the HTTP listen address (host:port).
	Listen string `json:"listen"`
	// DB is the snapshot store file.
	DB string `json:"db"`
	// Demo runs against the built-in simulated mesh.
	Demo bool `json:"demo"`
	// OTBR lists OTBR REST base URLs to scan.
	OTBR []string `json:"otbr"`
	// TMF lists mesh-local prefixes to crawl over TMF (UDP 61631) from a
	// host inside the mesh.
	TMF []string `json:"tmf"`
	// OTBRDialect forces the OTBR REST dialect of every OTBR source (legacy,
	// jsonapi or jsonapi-2026); "" detects it per border router.
	OTBRDialect string `json:"otbr_dialect"`
	// MatterServer is a Matter server WebSocket URL ("" for none).
	MatterServer string `json:"matter_server"`
	// Interval is the time between scheduled scans of one network.
	Interval Duration `json:"interval"`
	// MaxBackoff caps the wait before retrying a failing source.
	MaxBackoff Duration `json:"max_backoff"`
	// ScanTimeout bounds one scan of one network.
	ScanTimeout Duration `json:"scan_timeout"`
	// Token is the bearer token mutating endpoints need ("" for none).
	Token string `json:"token"`
	// MDNSIfaces names the interfaces mDNS discovery uses (empty: all multicast-capable ones).
	MDNSIfaces []string `json:"mdns_iface"`
	// NoDiscovery turns mDNS discovery off.
	NoDiscovery bool `json:"no_discovery"`
	// PublicRead lets anyone read the API beyond loopback (by default the
	// token guards reading there too).
	PublicRead bool `json:"public_read"`
	// InsecureShortToken accepts a token shorter than MinTokenLength.
	InsecureShortToken bool `json:"insecure_short_token"`
	// OTBRPort is the REST port probed on discovered border routers.
	OTBRPort int `json:"otbr_port"`
	// RetainCount keeps at most this many snapshots per network (0: all).
	RetainCount int `json:"retain_count"`
	// RetainAge drops snapshots older than this (0: never).
	RetainAge Duration `json:"retain_age"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `json:"log_level"`
	// LogFormat is text or json.
	LogFormat string `json:"log_format"`
	// DemoSeed and DemoNodes choose the simulated mesh of --demo.
	DemoSeed  int64 `json:"demo_seed"`
	DemoNodes int   `json:"demo_nodes"`
	// DemoMutate is how often the demo mesh changes a little (0: never).
	DemoMutate Duration `json:"demo_mutate"`
	// AllowedHosts are extra Host header names a loopback listener answers
	// (behind a reverse proxy that passes the public name on).
	AllowedHosts []string `json:"allowed_host"`
	// NetworkInterval overrides Interval per network key (config file or API).
	NetworkInterval map[string]Duration `json:"network_interval"`
	// BorderAgent holds Border Agent credentials by network key (the
	// lower-case ext PAN ID), config file only: with one, a discovered
	// border router of that network becomes a source (a commissioner
	// session through its Border Agent). A file that holds any must be
	// private (mode 0600). The API stores credentials of its own, which
	// take precedence.
	BorderAgent map[string]BorderAgentCredential `json:"border_agent"`
	// Origins says where a setting came from, by its config-file key
	// ("interval", "max_backoff", ...): OriginFile, OriginEnv or OriginFlag;
	// a key not in it has its default. Resolve fills it.
	Origins map[string]string `json:"-"`
}

// BorderAgentCredential is one network's Border Agent credential: the PSKc
// in hex (ot-ctl pskc), or the commissioning passphrase (the network name
// and ext PAN ID come from the border router's advert).
type BorderAgentCredential struct {
	PSKc       Secret `json:"pskc,omitempty"`
	Passphrase Secret `json:"passphrase,omitempty"`
}

// Secret is a credential string that never prints: every formatting verb
// and text marshaling give "(set)" (or "" when empty). Reveal gives the
// value to the one place that needs it.
type Secret string

// Reveal is the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String is "(set)", or "" when empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "(set)"
}

// GoString is String.
func (s Secret) GoString() string { return s.String() }

// Format writes String for every verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// MarshalText writes String, so encoders cannot leak it.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the value (a config file's string).
func (s *Secret) UnmarshalText(b []byte) error { *s = Secret(b); return nil }

// Where a setting's value came from (Config.Origins, GET /api/v1/settings).
const (
	OriginDefault = "default"
	OriginFile    = "file"
	OriginEnv     = "env"
	OriginFlag    = "flag"
	OriginAPI     = "api"
)

// Origin is where the setting with config-file key came from.
func (c Config) Origin(key string) string {
	if o := c.Origins[key]; o != "" {
		return o
	}
	return OriginDefault
}

// Explicit reports whether key was set by a flag or an environment
// variable: such a choice wins over settings changed through the API.
func (c Config) Explicit(key string) bool {
	o := c.Origin(key)
	return o == OriginFlag || o == OriginEnv
}

// FileKey is the config-file key of a flag name ("max-backoff" → "max_backoff").
func FileKey(flagName string) string { return strings.ReplaceAll(flagName, "-", "_") }

// Duration is a time.Duration that reads and writes Go duration strings ("30s").
type Duration time.Duration

// D is the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "30s" (or a number of seconds).
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var secs float64
		if err2 := json.Unmarshal(b, &secs); err2 != nil {
			return fmt.Errorf("duration: want a string like \"30s\", got %s", b)
		}
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	*d = Duration(v)
	return nil
}

// Default demo mesh.
const (
	DefaultDemoSeed  = 1
	DefaultDemoNodes = 24
)

// Defaults returns the configuration with nothing set.
func Defaults(getenv func(string) string) Config {
	return Config{
		Listen:      "127.0.0.1:8080",
		DB:          defaultDB(getenv),
		Interval:    Duration(time.Minute),
		MaxBackoff:  Duration(15 * time.Minute),
		ScanTimeout: Duration(2 * time.Minute),
		OTBRPort:    8081,
		LogLevel:    "info",
		LogFormat:   "text",
		DemoSeed:    DefaultDemoSeed,
		DemoNodes:   DefaultDemoNodes,
		DemoMutate:  Duration(45 * time.Second),
	}
}

// defaultDB is $XDG_DATA_HOME/threadmap/threadmap.db, else
// ~/.local/share/threadmap/threadmap.db, else ./threadmap.db.
func defaultDB(getenv func(string) string) string {
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "threadmap", "threadmap.db")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "share", "threadmap", "threadmap.db")
	}
	return "threadmap.db"
}

// Flags holds the flag values of one parse; Resolve applies those the user set.
type Flags struct {
	fs *flag.FlagSet
	// only, when not nil, names the settings this command has (flag names).
	only   map[string]bool
	config string
	c      Config
	otbr   stringList
	ifaces stringList
	hosts  stringList
	tmf    stringList
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

type durationFlag struct{ d *Duration }

func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.D().String()
}
func (f durationFlag) Set(v string) error {
	d, err := time.ParseDuration(v)
	if err != nil {
		return err
	}
	*f.d = Duration(d)
	return nil
}

// RegisterFlags defines serve's flags on fs. Given names (flag names), it
// defines only those settings' flags and --config: a command that shares
// some of serve's settings (scan: otbr-dialect) resolves them the same way,
// flags > env > file > defaults, and Resolve reads and checks only them.
func RegisterFlags(fs *flag.FlagSet, names ...string) *Flags {
	if len(names) == 0 {
		return registerFlags(fs)
	}
	all := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	f := registerFlags(all)
	f.fs = fs
	f.only = map[string]bool{}
	for _, n := range names {
		f.only[n] = true
	}
	all.VisitAll(func(fl *flag.Flag) {
		if f.only[fl.Name] || fl.Name == "config" {
			fs.Var(fl.Value, fl.Name, fl.Usage)
		}
	})
	return f
}

func registerFlags(fs *flag.FlagSet) *Flags {
	f := &Flags{fs: fs}
	d := Defaults(func(string) string { return "" })
	f.c = d
	fs.StringVar(&f.config, "config", "", "JSON config file (env THREADMAP_CONFIG)")
	fs.StringVar(&f.c.Listen, "listen", d.Listen, "HTTP listen address (env THREADMAP_LISTEN)")
	fs.StringVar(&f.c.DB, "db", "", "snapshot store file (env THREADMAP_DB; default $XDG_DATA_HOME/threadmap/threadmap.db)")
	fs.BoolVar(&f.c.Demo, "demo", false, "run against the built-in simulated mesh, on loopback (env THREADMAP_DEMO)")
	fs.Var(&f.otbr, "otbr", "OTBR REST base URL to scan, repeatable (env THREADMAP_OTBR, comma-separated)")
	fs.Var(&f.tmf, "tmf", "mesh-local prefix to crawl over TMF from a host inside the mesh, repeatable, e.g. fd11:22::/64 (env THREADMAP_TMF)")
	fs.StringVar(&f.c.OTBRDialect, "otbr-dialect", "", "force the OTBR REST dialect: legacy, jsonapi or jsonapi-2026 (env THREADMAP_OTBR_DIALECT; default: detect)")
	fs.StringVar(&f.c.MatterServer, "matter-server", "", "Matter server WebSocket URL, e.g. ws://host:5580/ws (env THREADMAP_MATTER_SERVER)")
	fs.Var(durationFlag{&f.c.Interval}, "interval", "time between scans of one network (env THREADMAP_INTERVAL)")
	fs.Var(durationFlag{&f.c.MaxBackoff}, "max-backoff", "longest wait before retrying a failing source (env THREADMAP_MAX_BACKOFF)")
	fs.Var(durationFlag{&f.c.ScanTimeout}, "scan-timeout", "give up one scan after this long (env THREADMAP_SCAN_TIMEOUT)")
	fs.StringVar(&f.c.Token, "token", "", "bearer token for mutating endpoints; required beyond loopback (env THREADMAP_TOKEN)")
	fs.Var(&f.ifaces, "mdns-iface", "interface for mDNS discovery, repeatable (env THREADMAP_MDNS_IFACE, comma-separated)")
	fs.Var(&f.hosts, "allowed-host", "extra Host name a loopback listener answers (reverse proxy), repeatable (env THREADMAP_ALLOWED_HOST, comma-separated)")
	fs.BoolVar(&f.c.NoDiscovery, "no-discovery", false, "turn mDNS discovery of border routers off (env THREADMAP_NO_DISCOVERY)")
	fs.BoolVar(&f.c.PublicRead, "public-read", false, "beyond loopback, let anyone read the API without the token (env THREADMAP_PUBLIC_READ)")
	fs.BoolVar(&f.c.InsecureShortToken, "insecure-short-token", false, "accept a token shorter than 16 characters (env THREADMAP_INSECURE_SHORT_TOKEN)")
	fs.IntVar(&f.c.OTBRPort, "otbr-port", d.OTBRPort, "REST port probed on discovered border routers (env THREADMAP_OTBR_PORT)")
	fs.IntVar(&f.c.RetainCount, "retain-count", 0, "keep at most N snapshots per network, 0 = all (env THREADMAP_RETAIN_COUNT)")
	fs.Var(durationFlag{&f.c.RetainAge}, "retain-age", "drop snapshots older than this, 0 = never (env THREADMAP_RETAIN_AGE)")
	fs.StringVar(&f.c.LogLevel, "log-level", d.LogLevel, "debug, info, warn or error (env THREADMAP_LOG_LEVEL)")
	fs.StringVar(&f.c.LogFormat, "log-format", d.LogFormat, "text or json (env THREADMAP_LOG_FORMAT)")
	fs.Int64Var(&f.c.DemoSeed, "demo-seed", d.DemoSeed, "random seed of the demo mesh (env THREADMAP_DEMO_SEED)")
	fs.IntVar(&f.c.DemoNodes, "demo-nodes", d.DemoNodes, "node count of the demo mesh (env THREADMAP_DEMO_NODES)")
	fs.Var(durationFlag{&f.c.DemoMutate}, "demo-change-every", "how often the demo mesh changes a little (a child changes parent, then a link's quality moves), 0 = never (env THREADMAP_DEMO_MUTATE)")
	fs.Var(durationFlag{&f.c.DemoMutate}, "demo-mutate", "the same as --demo-change-every")
	return f
}

// envPrefix is the prefix of every environment variable.
const envPrefix = "THREADMAP_"

// setting names one configuration key in its three spellings and how to set it.
type setting struct {
	flag string // flag name; env is THREADMAP_ + upper(flag with - → _)
	set  func(c *Config, v string) error
	copy func(dst, src *Config)
}

// scalar is a setting whose value parse reads; a value it rejects is
// reported as "want <want>, got <value>".
func scalar[T any](name string, p func(*Config) *T, parse func(string) (T, error), want string) setting {
	return setting{name, func(c *Config, v string) error {
		x, err := parse(v)
		if err != nil {
			return fmt.Errorf("want %s, got %q", want, v)
		}
		*p(c) = x
		return nil
	}, func(d, s *Config) { *p(d) = *p(s) }}
}

func settings() []setting {
	str := func(name string, p func(*Config) *string) setting {
		return scalar(name, p, func(v string) (string, error) { return v, nil }, "a string")
	}
	boolean := func(name string, p func(*Config) *bool) setting {
		return scalar(name, p, strconv.ParseBool, "true or false")
	}
	integer := func(name string, p func(*Config) *int) setting {
		return scalar(name, p, strconv.Atoi, "an integer")
	}
	dur := func(name string, p func(*Config) *Duration) setting {
		return scalar(name, p, func(v string) (Duration, error) {
			d, err := time.ParseDuration(v)
			return Duration(d), err
		}, "a duration like 30s")
	}
	list := func(name string, p func(*Config) *[]string) setting {
		return setting{name, func(c *Config, v string) error {
			var out []string
			for _, x := range strings.Split(v, ",") {
				if x = strings.TrimSpace(x); x != "" {
					out = append(out, x)
				}
			}
			*p(c) = out
			return nil
		}, func(d, s *Config) { *p(d) = append([]string(nil), *p(s)...) }}
	}
	return []setting{
		str("listen", func(c *Config) *string { return &c.Listen }),
		str("db", func(c *Config) *string { return &c.DB }),
		boolean("demo", func(c *Config) *bool { return &c.Demo }),
		list("otbr", func(c *Config) *[]string { return &c.OTBR }),
		list("tmf", func(c *Config) *[]string { return &c.TMF }),
		str("otbr-dialect", func(c *Config) *string { return &c.OTBRDialect }),
		str("matter-server", func(c *Config) *string { return &c.MatterServer }),
		dur("interval", func(c *Config) *Duration { return &c.Interval }),
		dur("max-backoff", func(c *Config) *Duration { return &c.MaxBackoff }),
		dur("scan-timeout", func(c *Config) *Duration { return &c.ScanTimeout }),
		str("token", func(c *Config) *string { return &c.Token }),
		list("mdns-iface", func(c *Config) *[]string { return &c.MDNSIfaces }),
		list("allowed-host", func(c *Config) *[]string { return &c.AllowedHosts }),
		boolean("no-discovery", func(c *Config) *bool { return &c.NoDiscovery }),
		boolean("public-read", func(c *Config) *bool { return &c.PublicRead }),
		boolean("insecure-short-token", func(c *Config) *bool { return &c.InsecureShortToken }),
		integer("otbr-port", func(c *Config) *int { return &c.OTBRPort }),
		integer("retain-count", func(c *Config) *int { return &c.RetainCount }),
		dur("retain-age", func(c *Config) *Duration { return &c.RetainAge }),
		str("log-level", func(c *Config) *string { return &c.LogLevel }),
		str("log-format", func(c *Config) *string { return &c.LogFormat }),
		scalar("demo-seed", func(c *Config) *int64 { return &c.DemoSeed }, func(v string) (int64, error) {
			return strconv.ParseInt(v, 10, 64)
		}, "an integer"),
		integer("demo-nodes", func(c *Config) *int { return &c.DemoNodes }),
		dur("demo-mutate", func(c *Config) *Duration { return &c.DemoMutate }),
	}
}

// EnvName is the environment variable of a flag name.
func EnvName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Resolve builds the configuration: defaults, then the config file (--config
// or THREADMAP_CONFIG), then THREADMAP_* variables, then the flags the user
// set. It checks the result.
func (f *Flags) Resolve(getenv func(string) string) (Config, error) {
	c := Defaults(getenv)
	path := getenv("THREADMAP_CONFIG")
	if f.config != "" {
		path = f.config
	}
	origins := map[string]string{}
	if path != "" {
		keys, err := loadFile(path, &c)
		if err != nil {
			return c, err
		}
		for _, k := range keys {
			origins[k] = OriginFile
		}
	}
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if set["demo-change-every"] {
		set["demo-mutate"] = true // one setting, two spellings
	}
	f.c.OTBR = f.otbr
	f.c.MDNSIfaces = f.ifaces
	f.c.AllowedHosts = f.hosts
	f.c.TMF = f.tmf
	for _, s := range settings() {
		if f.only != nil && !f.only[s.flag] {
			continue
		}
		if v := getenv(EnvName(s.flag)); v != "" {
			if err := s.set(&c, v); err != nil {
				return c, fmt.Errorf("%s: %w", EnvName(s.flag), err)
			}
			origins[FileKey(s.flag)] = OriginEnv
		}
		if set[s.flag] {
			s.copy(&c, &f.c)
			origins[FileKey(s.flag)] = OriginFlag
		}
	}
	c.Origins = origins
	if f.only != nil {
		for name := range f.only {
			if check := partialChecks[name]; check != nil {
				if err := check(c); err != nil {
					return c, err
				}
			}
		}
		return c, nil
	}
	if c.Demo && c.Interval == Defaults(getenv).Interval && !set["interval"] && getenv(EnvName("interval")) == "" {
		// A demo should look alive: scan more often unless told otherwise.
		c.Interval = Duration(DemoInterval)
	}
	return c, c.Check()
}

// DemoInterval is the scan interval of --demo when none is configured.
const DemoInterval = 15 * time.Second

// loadFile reads a JSON config file over c and returns the keys it set;
// unknown keys are errors.
func loadFile(path string, c *Config) ([]string, error) {
	b, err := capped.ReadFile(context.Background(), path, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(b[:min(int(se.Offset), len(b))], []byte("\n"))
			return nil, fmt.Errorf("config file %s: line %d: %w", path, line, err)
		}
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	out := make([]string, 0, len(keys))
	for k := range keys {
		out = append(out, strings.ToLower(k)) // encoding/json matches keys case-insensitively
	}
	if len(c.BorderAgent) > 0 {
		if err := privateFile(path); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// privateFile refuses a config file holding credentials that others can
// read.
func privateFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("config file %s holds Border Agent credentials but is readable by others (mode %04o): chmod 600 %s", path, st.Mode().Perm(), path)
	}
	return nil
}

// partialChecks check the settings another command may share, by flag name.
var partialChecks = map[string]func(Config) error{
	"otbr-dialect": Config.checkOTBRDialect,
}

func (c Config) checkOTBRDialect() error {
	if c.OTBRDialect == "" {
		return nil
	}
	if _, err := otbr.ParseDialect(c.OTBRDialect); err != nil {
		return fmt.Errorf("otbr-dialect: %w", err)
	}
	return nil
}

// Limits of the settings, from flags, environment, file and API alike.
const (
	// MinTokenLength is the shortest token accepted without
	// --insecure-short-token (16 characters: e.g. openssl rand -hex 16 gives 32).
	MinTokenLength = 16
	// MaxOTBRURLs, MaxTMFPrefixes and MaxNetworkIntervals bound the lists.
	MaxOTBRURLs         = 32
	MaxTMFPrefixes      = 16
	MaxNetworkIntervals = 256
	// MaxURLLength bounds one source URL; MaxNetworkKeyLength one network
	// key (an ext PAN ID is 16 hex digits, "name:" and a 16-byte name 21).
	MaxURLLength        = 1024
	MaxNetworkKeyLength = 64
)

// durationRange is the range a duration setting accepts (by its flag or
// file-key name); zero is also accepted where it means "off".
func durationRange(name string) (lo, hi time.Duration, zeroOff bool) {
	switch strings.ReplaceAll(name, "_", "-") {
	case "interval", "network-interval":
		return time.Second, 7 * 24 * time.Hour, false
	case "max-backoff":
		return time.Second, 24 * time.Hour, false
	case "scan-timeout":
		return time.Second, time.Hour, false
	case "retain-age":
		return time.Minute, 100 * 365 * 24 * time.Hour, true
	case "demo-mutate":
		return time.Second, 24 * time.Hour, true
	}
	return 0, 1<<63 - 1, true
}

// CheckDuration says whether d is in the range of the duration setting
// name ("interval", "scan-timeout", ...; API keys with _ work too).
func CheckDuration(name string, d time.Duration) error {
	lo, hi, zeroOff := durationRange(name)
	if d == 0 && zeroOff {
		return nil
	}
	if d < lo || d > hi {
		off := ""
		if zeroOff {
			off = ", or 0 for off"
		}
		return fmt.Errorf("%s %s: want %s to %s%s", name, d, shortDuration(lo), shortDuration(hi), off)
	}
	return nil
}

// shortDuration writes 168h0m0s as 168h and 1m0s as 1m.
func shortDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(s, "0m")
}

// CheckToken says whether token may guard the API: no spaces or control
// characters (it travels in a header), and at least MinTokenLength
// characters unless short is allowed.
func CheckToken(token string, short bool) error {
	if token == "" {
		return nil
	}
	for _, r := range token {
		if r <= ' ' || r == 0x7f {
			return errors.New("token: must not contain spaces or control characters")
		}
	}
	if n := len([]rune(token)); n < MinTokenLength && !short {
		return fmt.Errorf("token: %d characters; use at least %d (e.g. openssl rand -hex 16), or --insecure-short-token", n, MinTokenLength)
	}
	return nil
}

// CheckNetworkIntervals says whether the per-network intervals are within
// their limits: at most MaxNetworkIntervals, keys non-empty and short,
// durations in the interval's range.
func CheckNetworkIntervals(m map[string]Duration) error {
	if len(m) > MaxNetworkIntervals {
		return fmt.Errorf("network_interval: %d networks, at most %d", len(m), MaxNetworkIntervals)
	}
	for k, d := range m {
		if strings.TrimSpace(k) == "" {
			return errors.New("network_interval: empty network key")
		}
		if len(k) > MaxNetworkKeyLength {
			return fmt.Errorf("network_interval: a network key of %d characters, at most %d", len(k), MaxNetworkKeyLength)
		}
		if err := CheckDuration("network_interval", d.D()); err != nil {
			return fmt.Errorf("network_interval %q: %s", k, strings.TrimPrefix(err.Error(), "network_interval "))
		}
	}
	return nil
}

// Check reports the first setting that cannot work.
func (c Config) Check() error {
	if err := c.checkOTBRDialect(); err != nil {
		return err
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("listen %q: want host:port: %w", c.Listen, err)
	}
	if c.DB == "" {
		return errors.New("db: empty path")
	}
	for _, d := range []struct {
		name string
		d    Duration
	}{{"interval", c.Interval}, {"max-backoff", c.MaxBackoff}, {"scan-timeout", c.ScanTimeout}, {"retain-age", c.RetainAge}, {"demo-mutate", c.DemoMutate}} {
		if err := CheckDuration(d.name, d.d.D()); err != nil {
			return err
		}
	}
	if err := CheckToken(c.Token, c.InsecureShortToken); err != nil {
		return err
	}
	if c.OTBRPort <= 0 || c.OTBRPort > 65535 {
		return fmt.Errorf("otbr-port %d: out of range", c.OTBRPort)
	}
	if c.RetainCount < 0 || c.RetainAge < 0 {
		return errors.New("retain-count and retain-age must not be negative")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("log-format %q: want text or json", c.LogFormat)
	}
	if c.DemoNodes < 2 || c.DemoNodes > 500 {
		return fmt.Errorf("demo-nodes %d: want 2..500", c.DemoNodes)
	}
	if err := CheckNetworkIntervals(c.NetworkInterval); err != nil {
		return err
	}
	for k, cr := range c.BorderAgent {
		if (cr.PSKc == "") == (cr.Passphrase == "") {
			return fmt.Errorf("border_agent %s: give exactly one of pskc or passphrase", k)
		}
	}
	if len(c.OTBR) > MaxOTBRURLs {
		return fmt.Errorf("otbr: %d URLs, at most %d", len(c.OTBR), MaxOTBRURLs)
	}
	for _, u := range c.OTBR {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return fmt.Errorf("otbr %q: want an http:// or https:// URL", topology.RedactURL(u))
		}
		if len(u) > MaxURLLength {
			return fmt.Errorf("otbr: a URL of %d characters, at most %d", len(u), MaxURLLength)
		}
	}
	if len(c.MatterServer) > MaxURLLength {
		return fmt.Errorf("matter-server: a URL of %d characters, at most %d", len(c.MatterServer), MaxURLLength)
	}
	if len(c.TMF) > MaxTMFPrefixes {
		return fmt.Errorf("tmf: %d prefixes, at most %d", len(c.TMF), MaxTMFPrefixes)
	}
	if !c.Loopback() && c.Token == "" {
		return fmt.Errorf("listen %s is beyond loopback: set a token (--token or THREADMAP_TOKEN) so that mutating endpoints are protected", c.Listen)
	}
	return nil
}

// Loopback reports whether the listen address only accepts loopback
// connections: 127.0.0.0/8, ::1 or "localhost". An empty host or 0.0.0.0
// listens everywhere and is not loopback.
func (c Config) Loopback() bool { return IsLoopback(c.Listen) }

// IsLoopback reports whether host:port names a loopback listen address.
func IsLoopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return false
	}
	return a.Unmap().IsLoopback()
}

// Redacted is c with the token hidden and credentials in source URLs
// shown as "***" (topology.RedactURL), for logs (Border Agent credentials
// are Secrets and print as "(set)" anyway).
func (c Config) Redacted() Config {
	if c.Token != "" {
		c.Token = "(set)"
	}
	otbrs := make([]string, len(c.OTBR))
	for i, u := range c.OTBR {
		otbrs[i] = topology.RedactURL(u)
	}
	c.OTBR = otbrs
	c.MatterServer = topology.RedactURL(c.MatterServer)
	return c
}
