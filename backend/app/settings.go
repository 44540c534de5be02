package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/threadmap/threadmap/backend/config"
	"github.com/threadmap/threadmap/backend/events"
	"github.com/threadmap/threadmap/backend/scheduler"
	"github.com/threadmap/threadmap/backend/server"
	"github.com/threadmap/threadmap/backend/sources"
	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// settingsVersion tags the stored blob (store.PutSettings) so that a later
// layout can tell an old one apart.
const settingsVersion = 1

// storedSettings is the blob kept in the store: the fields changed through
// the API, each as the JSON value GET shows.
type storedSettings struct {
	Version int                        `json:"v"`
	Fields  map[string]json.RawMessage `json:"fields"`
}

// SettingsView is the JSON of GET/PATCH /api/v1/settings.
type SettingsView struct {
	Interval        config.Duration            `json:"interval"`
	NetworkInterval map[string]config.Duration `json:"network_interval"`
	MaxBackoff      config.Duration            `json:"max_backoff"`
	ScanTimeout     config.Duration            `json:"scan_timeout"`
	RetainCount     int                        `json:"retain_count"`
	RetainAge       config.Duration            `json:"retain_age"`
	OTBR            []string                   `json:"otbr"`
	MatterServer    string                     `json:"matter_server"`
	TMF             []string                   `json:"tmf"`
	// BorderAgentCredentials shows "set" (never a key) for every network
	// with a Border Agent credential. PATCH takes {"<network key>":
	// {"pskc": HEX} | {"passphrase": P} | null}, kept in the store file
	// (mode 0600); a discovered border router of such a network is mapped
	// through its Border Agent (sources_ba.go).
	BorderAgentCredentials map[string]string `json:"border_agent_credentials"`
	// Source says where each field came from (config.Origin* values).
	Source map[string]string `json:"source"`
	// APIShadowed lists fields changed through the API that a flag or
	// environment variable overrides.
	APIShadowed []string `json:"api_shadowed,omitempty"`
}

// EventName is settings.changed: the event's data is the settings in
// effect after a PATCH.
func (SettingsView) EventName() string { return events.SettingsChanged }

// runtimeSetting is one setting the API can change: set decodes and checks
// a JSON value into c (the error names no field; the caller adds it).
type runtimeSetting struct {
	key string
	set func(c *config.Config, raw json.RawMessage) error
}

// runtimeSettings lists the settings the API can change, in GET's order.
func runtimeSettings() []runtimeSetting {
	dur := func(key string, p func(*config.Config) *config.Duration) runtimeSetting {
		return runtimeSetting{key, func(c *config.Config, raw json.RawMessage) error {
			var d config.Duration
			if err := strictJSON(raw, &d); err != nil {
				return err
			}
			if err := config.CheckDuration(key, d.D()); err != nil {
				return errors.New(strings.TrimPrefix(err.Error(), key+" "))
			}
			*p(c) = d
			return nil
		}}
	}
	return []runtimeSetting{
		dur("interval", func(c *config.Config) *config.Duration { return &c.Interval }),
		{"network_interval", func(c *config.Config, raw json.RawMessage) error {
			var m map[string]config.Duration
			if err := strictJSON(raw, &m); err != nil {
				return err
			}
			if err := config.CheckNetworkIntervals(m); err != nil {
				return errors.New(strings.TrimPrefix(err.Error(), "network_interval"))
			}
			c.NetworkInterval = m
			return nil
		}},
		dur("max_backoff", func(c *config.Config) *config.Duration { return &c.MaxBackoff }),
		dur("scan_timeout", func(c *config.Config) *config.Duration { return &c.ScanTimeout }),
		{"retain_count", func(c *config.Config, raw json.RawMessage) error {
			var n int
			if err := strictJSON(raw, &n); err != nil {
				return fmt.Errorf("want a non-negative integer: %w", err)
			}
			if n < 0 {
				return fmt.Errorf("%d: must not be negative", n)
			}
			c.RetainCount = n
			return nil
		}},
		dur("retain_age", func(c *config.Config) *config.Duration { return &c.RetainAge }),
		{"otbr", func(c *config.Config, raw json.RawMessage) error {
			list, err := stringList(raw)
			if err != nil {
				return err
			}
			if len(list) > config.MaxOTBRURLs {
				return fmt.Errorf("%d URLs, at most %d", len(list), config.MaxOTBRURLs)
			}
			for i, u := range list {
				if len(u) > config.MaxURLLength {
					return fmt.Errorf("a URL of %d characters, at most %d", len(u), config.MaxURLLength)
				}
				u = strings.TrimRight(u, "/")
				pu, err := url.Parse(u)
				if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
					return fmt.Errorf("%q: want an http:// or https:// URL with a host", topology.RedactURL(list[i]))
				}
				if _, err := sources.OTBR(u, c.OTBRDialect, sources.Crawl{}); err != nil {
					return fmt.Errorf("%q: %w", topology.RedactURL(list[i]), err)
				}
				list[i] = u
			}
			c.OTBR = dedupe(list)
			return nil
		}},
		{"matter_server", func(c *config.Config, raw json.RawMessage) error {
			var u string
			if err := strictJSON(raw, &u); err != nil {
				return err
			}
			if len(u) > config.MaxURLLength {
				return fmt.Errorf("a URL of %d characters, at most %d", len(u), config.MaxURLLength)
			}
			if u != "" {
				pu, err := url.Parse(u)
				if err != nil || (pu.Scheme != "ws" && pu.Scheme != "wss") || pu.Host == "" {
					return fmt.Errorf("%q: want a ws:// or wss:// URL with a host, or \"\" for none", topology.RedactURL(u))
				}
				if _, err := sources.Matter(u); err != nil {
					return fmt.Errorf("%q: %w", topology.RedactURL(u), err)
				}
			}
			c.MatterServer = u
			return nil
		}},
		{"tmf", func(c *config.Config, raw json.RawMessage) error {
			list, err := stringList(raw)
			if err != nil {
				return err
			}
			if len(list) > config.MaxTMFPrefixes {
				return fmt.Errorf("%d prefixes, at most %d", len(list), config.MaxTMFPrefixes)
			}
			for _, p := range list {
				if _, err := tmf.ParsePrefix(p); err != nil {
					return fmt.Errorf("%q: %w", p, err)
				}
			}
			c.TMF = dedupe(list)
			return nil
		}},
	}
}

// strictJSON decodes one JSON value into v, refusing trailing data.
func strictJSON(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the value")
	}
	return nil
}

func stringList(raw json.RawMessage) ([]string, error) {
	var list []string
	if err := strictJSON(raw, &list); err != nil {
		return nil, fmt.Errorf("want an array of strings: %w", err)
	}
	for _, s := range list {
		if strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("empty entry")
		}
	}
	return list, nil
}

func dedupe(list []string) []string {
	out := []string{}
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// settingsManager owns the runtime settings: the configuration the process
// started with (base), the fields changed through the API, and the
// effective result (flags > env > API > file > defaults).
type settingsManager struct {
	a    *App
	mu   sync.Mutex // serializes Patch; guards the fields below
	base config.Config
	api  map[string]json.RawMessage
	eff  config.Config
}

// loadSettings reads the API-changed settings from the store and returns
// the manager with the effective configuration. A stored field that no
// longer checks is logged and dropped, never fatal.
func (a *App) loadSettings(base config.Config) (*settingsManager, error) {
	m := &settingsManager{a: a, base: base, api: map[string]json.RawMessage{}}
	blob, err := a.store.GetSettings()
	if err != nil {
		return nil, err
	}
	if len(blob) > 0 {
		var st storedSettings
		if err := json.Unmarshal(blob, &st); err != nil || st.Version != settingsVersion {
			a.log.Warn("stored settings unreadable; ignoring them", "error", err, "version", st.Version)
		} else {
			known := map[string]runtimeSetting{}
			for _, s := range runtimeSettings() {
				known[s.key] = s
			}
			for k, raw := range st.Fields {
				s, ok := known[k]
				scratch := base
				if !ok {
					a.log.Warn("stored setting unknown; ignoring it", "setting", k)
					continue
				}
				if err := s.set(&scratch, raw); err != nil {
					a.log.Warn("stored setting no longer valid; ignoring it", "setting", k, "error", err)
					continue
				}
				m.api[k] = raw
			}
		}
	}
	m.eff = m.effective(m.api)
	return m, nil
}

// effective is base with the API fields that no flag or env variable set.
func (m *settingsManager) effective(api map[string]json.RawMessage) config.Config {
	c := m.base
	c.NetworkInterval = copyIntervals(m.base.NetworkInterval)
	for _, s := range runtimeSettings() {
		raw, ok := api[s.key]
		if !ok || m.base.Explicit(s.key) {
			continue
		}
		_ = s.set(&c, raw) // checked when stored
	}
	return c
}

func copyIntervals(in map[string]config.Duration) map[string]config.Duration {
	out := make(map[string]config.Duration, len(in))
	for k, d := range in {
		out[k] = d
	}
	return out
}

// current is the effective configuration.
func (m *settingsManager) current() config.Config {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.eff
}

// Get is the effective settings (server.Settings).
func (m *settingsManager) Get() (any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.viewLocked(), nil
}

func (m *settingsManager) viewLocked() SettingsView {
	c := m.eff
	v := SettingsView{Interval: c.Interval, NetworkInterval: copyIntervals(c.NetworkInterval), MaxBackoff: c.MaxBackoff,
		ScanTimeout: c.ScanTimeout, RetainCount: c.RetainCount, RetainAge: c.RetainAge,
		OTBR: []string{}, MatterServer: topology.RedactURL(c.MatterServer), TMF: append([]string{}, c.TMF...),
		BorderAgentCredentials: m.a.ba.view(), Source: map[string]string{}}
	for _, u := range c.OTBR {
		v.OTBR = append(v.OTBR, topology.RedactURL(u)) // credentials stay in the configuration
	}
	for _, s := range runtimeSettings() {
		_, byAPI := m.api[s.key]
		switch {
		case m.base.Explicit(s.key):
			v.Source[s.key] = m.base.Origin(s.key)
			if byAPI {
				v.APIShadowed = append(v.APIShadowed, s.key)
			}
		case byAPI:
			v.Source[s.key] = config.OriginAPI
		default:
			v.Source[s.key] = m.base.Origin(s.key)
		}
	}
	return v
}

// Patch applies a JSON merge patch (server.Settings): checks every field,
// stores the result in one transaction, then applies it (scheduler timing
// at once, sources added or removed, retention from the next snapshot) and
// publishes settings.changed.
func (m *settingsManager) Patch(body []byte) (any, error) {
	var patch map[string]json.RawMessage
	if err := json.Unmarshal(body, &patch); err != nil || patch == nil {
		msg := "want a JSON object of settings"
		if err != nil {
			msg += ": " + err.Error()
		}
		return nil, &server.FieldError{Field: "body", Message: msg}
	}
	known := map[string]runtimeSetting{}
	for _, s := range runtimeSettings() {
		known[s.key] = s
	}
	if raw, ok := patch[baCredentialsKey]; ok {
		if err := m.a.ba.patch(raw); err != nil {
			return nil, err
		}
		delete(patch, baCredentialsKey)
	}
	keys := make([]string, 0, len(patch))
	for k := range patch {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m.mu.Lock()
	defer m.mu.Unlock()
	api := make(map[string]json.RawMessage, len(m.api))
	for k, v := range m.api {
		api[k] = v
	}
	for _, k := range keys {
		raw := patch[k]
		s, ok := known[k]
		if !ok {
			msg := "unknown setting"
			if k == "source" || k == "api_shadowed" {
				msg = "read-only"
			}
			return nil, &server.FieldError{Field: k, Message: msg}
		}
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			delete(api, k)
			continue
		}
		if k == "otbr" || k == "matter_server" {
			restored, err := m.restoreCredentials(raw)
			if err != nil {
				return nil, &server.FieldError{Field: k, Message: err.Error()}
			}
			raw = restored
		}
		if k == "network_interval" {
			merged, err := mergeIntervals(m.eff.NetworkInterval, raw)
			if err != nil {
				return nil, &server.FieldError{Field: k, Message: err.Error()}
			}
			raw = merged
		}
		scratch := m.base
		if err := s.set(&scratch, raw); err != nil {
			return nil, &server.FieldError{Field: k, Message: err.Error()}
		}
		canon, err := json.Marshal(fieldValue(scratch, k))
		if err != nil {
			return nil, fmt.Errorf("settings %s: %w", k, err)
		}
		api[k] = canon
	}
	eff := m.effective(api)
	blob, err := json.Marshal(storedSettings{Version: settingsVersion, Fields: api})
	if err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	if len(api) == 0 {
		blob = nil
	}
	if err := m.a.store.PutSettings(blob); err != nil {
		return nil, err
	}
	old := m.eff
	m.api, m.eff = api, eff
	m.a.applySettings(old, eff)
	v := m.viewLocked()
	m.a.bus.Publish(v)
	return v, nil
}

// restoreCredentials puts the credentials back into URLs a client sends
// as GET showed them ("http://***@host"): each such URL must be the
// redacted form of one configured now (m.mu held). raw is a string or a
// list of strings.
func (m *settingsManager) restoreCredentials(raw json.RawMessage) (json.RawMessage, error) {
	known := append(append([]string{}, m.eff.OTBR...), m.eff.MatterServer)
	restore := func(u string) (string, error) {
		if !topology.Redacted(strings.TrimRight(u, "/")) {
			return u, nil
		}
		for _, k := range known {
			if k != "" && topology.RedactURL(strings.TrimRight(k, "/")) == strings.TrimRight(u, "/") {
				return k, nil
			}
		}
		return "", fmt.Errorf("%q: its credentials were hidden and it is not configured now; send the URL with them", u)
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		u, err := restore(one)
		if err != nil {
			return nil, err
		}
		return json.Marshal(u)
	}
	var list []string
	if json.Unmarshal(raw, &list) != nil {
		return raw, nil // the setting's own check names the problem
	}
	for i, u := range list {
		var err error
		if list[i], err = restore(u); err != nil {
			return nil, err
		}
	}
	return json.Marshal(list)
}

// mergeIntervals applies a merge patch object to the current per-network
// intervals: a value sets a network's interval, null removes it.
func mergeIntervals(cur map[string]config.Duration, raw json.RawMessage) (json.RawMessage, error) {
	var patch map[string]json.RawMessage
	if err := strictJSON(raw, &patch); err != nil || patch == nil {
		return nil, fmt.Errorf("want an object of network key → duration or null")
	}
	out := map[string]json.RawMessage{}
	for k, d := range cur {
		b, _ := json.Marshal(d)
		out[k] = b
	}
	for k, v := range patch {
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return json.Marshal(out)
}

// fieldValue is the value of setting key in c, as GET shows it.
func fieldValue(c config.Config, key string) any {
	switch key {
	case "interval":
		return c.Interval
	case "network_interval":
		return c.NetworkInterval
	case "max_backoff":
		return c.MaxBackoff
	case "scan_timeout":
		return c.ScanTimeout
	case "retain_count":
		return c.RetainCount
	case "retain_age":
		return c.RetainAge
	case "otbr":
		return c.OTBR
	case "matter_server":
		return c.MatterServer
	case "tmf":
		return c.TMF
	}
	return nil
}

// timing is the scheduler timing of c.
func timing(c config.Config) scheduler.Timing {
	t := scheduler.Timing{Interval: c.Interval.D(), MaxBackoff: c.MaxBackoff.D(), ScanTimeout: c.ScanTimeout.D(),
		NetworkIntervals: map[string]time.Duration{}}
	for k, d := range c.NetworkInterval {
		t.NetworkIntervals[k] = d.D()
	}
	return t
}

// applySettings makes a running app follow a settings change from old to
// eff: scheduler timing at once, sources added and removed.
func (a *App) applySettings(old, eff config.Config) {
	a.sched.SetTiming(timing(eff))
	for _, u := range old.OTBR {
		if !slices.Contains(eff.OTBR, u) {
			a.removeSource(otbrTargetID(u))
		}
	}
	for _, u := range eff.OTBR {
		if !slices.Contains(old.OTBR, u) {
			if err := a.addOTBR(u); err != nil {
				a.log.Error("add otbr source", "url", topology.RedactURL(u), "error", err)
			}
		}
	}
	for _, p := range old.TMF {
		if !slices.Contains(eff.TMF, p) {
			a.removeSource(tmfTargetID(p))
		}
	}
	for _, p := range eff.TMF {
		if !slices.Contains(old.TMF, p) {
			if err := a.addTMF(p); err != nil {
				a.log.Error("add tmf source", "prefix", p, "error", err)
			}
		}
	}
	if old.MatterServer != eff.MatterServer {
		a.removeMatter()
		if eff.MatterServer != "" {
			if err := a.addMatter(eff.MatterServer); err != nil {
				a.log.Error("add matter source", "url", topology.RedactURL(eff.MatterServer), "error", err)
			}
		}
	}
}
