package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/threadmap/threadmap/backend/config"
	"github.com/threadmap/threadmap/backend/scheduler"
	"github.com/threadmap/threadmap/backend/server"
	"github.com/threadmap/threadmap/backend/sources"
	"github.com/threadmap/threadmap/thread/commissioner"
	"github.com/threadmap/threadmap/thread/meshcop"
)

// baCredentialsKey is the settings field of Border Agent credentials: PATCH
// takes {"<network key>": {"pskc": HEX} | {"passphrase": P} | null}; GET
// shows {"<network key>": "set"} and never a key.
const baCredentialsKey = "border_agent_credentials"

// baSources turns discovered border routers into Border Agent sources: a
// network with a credential (stored through the API in the store file, or
// in the config file) and a discovered border agent gets one source,
// "border-agent:<network key>", a commissioner session through that agent
// per scan. Credentials never leave this type except into the commissioner
// session: not into logs, events, the API (which shows "set"), snapshots or
// metrics.
type baSources struct {
	a *App

	mu sync.Mutex
	// api holds the credentials stored through the API; file those of the
	// config file. api wins.
	api  map[string]config.BorderAgentCredential
	file map[string]config.BorderAgentCredential
	// agents are the border agents discovery knows, by network, then id.
	agents map[string]map[string]meshcop.Service
	// active is the agent id each network's source uses now.
	active map[string]string
}

func baTargetID(network string) string { return "border-agent:" + network }

// loadBASources reads the stored credentials.
func (a *App) loadBASources(c config.Config) (*baSources, error) {
	b := &baSources{a: a, api: map[string]config.BorderAgentCredential{}, file: c.BorderAgent,
		agents: map[string]map[string]meshcop.Service{}, active: map[string]string{}}
	blob, err := a.store.GetCredentials()
	if err != nil {
		return nil, err
	}
	if len(blob) > 0 {
		if err := json.Unmarshal(blob, &b.api); err != nil {
			a.log.Warn("stored Border Agent credentials unreadable; ignoring them")
			b.api = map[string]config.BorderAgentCredential{}
		}
	}
	return b, nil
}

// credential is the network's effective credential.
func (b *baSources) credential(network string) (config.BorderAgentCredential, bool) {
	if c, ok := b.api[network]; ok {
		return c, true
	}
	c, ok := b.file[network]
	return c, ok
}

// view is what the settings API shows: "set" per network with a credential.
func (b *baSources) view() map[string]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]string{}
	for k := range b.file {
		out[k] = "set"
	}
	for k := range b.api {
		out[k] = "set"
	}
	return out
}

// patch applies a settings PATCH of border_agent_credentials: checks every
// entry (errors name the network, never the key), stores the result in the
// store file (made private), then adds or drops sources.
func (b *baSources) patch(raw json.RawMessage) error {
	fail := func(format string, args ...any) error {
		return &server.FieldError{Field: baCredentialsKey, Message: fmt.Sprintf(format, args...)}
	}
	var p map[string]json.RawMessage
	if err := json.Unmarshal(raw, &p); err != nil || p == nil {
		return fail("want an object of network key → {\"pskc\": HEX} or {\"passphrase\": P} or null")
	}
	b.mu.Lock()
	next := make(map[string]config.BorderAgentCredential, len(b.api))
	for k, v := range b.api {
		next[k] = v
	}
	b.mu.Unlock()
	changed := make([]string, 0, len(p))
	for k, v := range p {
		network := strings.ToLower(strings.TrimSpace(k))
		if network == "" {
			return fail("empty network key")
		}
		changed = append(changed, network)
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			delete(next, network)
			continue
		}
		var c struct {
			PSKc       *string `json:"pskc"`
			Passphrase *string `json:"passphrase"`
		}
		if err := strictJSON(v, &c); err != nil || (c.PSKc == nil) == (c.Passphrase == nil) {
			return fail("network %s: want {\"pskc\": HEX} or {\"passphrase\": P}", network)
		}
		var cr config.BorderAgentCredential
		if c.PSKc != nil {
			if _, err := commissioner.ParsePSKc(*c.PSKc); err != nil {
				return fail("network %s: a PSKc is 32 hexadecimal digits", network)
			}
			cr.PSKc = config.Secret(strings.ToLower(strings.TrimSpace(*c.PSKc)))
		} else {
			if n := len(*c.Passphrase); n < 6 || n > 255 {
				return fail("network %s: a passphrase is 6 to 255 bytes", network)
			}
			cr.Passphrase = config.Secret(*c.Passphrase)
		}
		next[network] = cr
	}
	blob, err := json.Marshal(revealed(next))
	if err != nil {
		return err
	}
	if len(next) == 0 {
		blob = nil
	}
	if err := b.a.store.PutCredentials(blob); err != nil {
		return err
	}
	if len(next) > 0 {
		b.private()
	}
	b.mu.Lock()
	b.api = next
	b.mu.Unlock()
	sort.Strings(changed)
	for _, n := range changed {
		b.refresh(n)
	}
	b.a.log.Info("Border Agent credentials changed", "networks", changed)
	return nil
}

// revealed is the credentials as stored (the store file's JSON keeps the
// values; config.Secret marshals as "(set)").
func revealed(m map[string]config.BorderAgentCredential) map[string]map[string]string {
	out := make(map[string]map[string]string, len(m))
	for k, c := range m {
		e := map[string]string{}
		if c.PSKc != "" {
			e["pskc"] = c.PSKc.Reveal()
		}
		if c.Passphrase != "" {
			e["passphrase"] = c.Passphrase.Reveal()
		}
		out[k] = e
	}
	return out
}

// private makes the store file readable by its owner only, now that it
// holds a credential (bbolt creates it 0600; an older file may be looser).
func (b *baSources) private() {
	path := b.a.store.Path()
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm()&0o077 == 0 {
		return
	}
	if err := os.Chmod(path, 0o600); err != nil {
		b.a.log.Warn("store file holds credentials but cannot be made private", "path", path, "error", err)
	}
}

// seen is a border router discovery reports (appeared or updated).
func (b *baSources) seen(svc meshcop.Service, network string) {
	if svc.Port == 0 || len(svc.Addresses) == 0 {
		return
	}
	b.mu.Lock()
	if b.agents[network] == nil {
		b.agents[network] = map[string]meshcop.Service{}
	}
	b.agents[network][svc.ID()] = svc
	b.mu.Unlock()
	b.refresh(network)
}

// gone is a border router discovery lost.
func (b *baSources) gone(svc meshcop.Service, network string) {
	b.mu.Lock()
	delete(b.agents[network], svc.ID())
	b.mu.Unlock()
	b.refresh(network)
}

// refresh makes the network's source follow its credential and agents:
// none without both; otherwise through the agent in use, or another when
// that one is gone or changed address.
func (b *baSources) refresh(network string) {
	b.mu.Lock()
	cred, hasCred := b.credential(network)
	agents := b.agents[network]
	cur := b.active[network]
	var pick meshcop.Service
	picked := false
	if svc, ok := agents[cur]; ok {
		pick, picked = svc, true
	} else {
		ids := make([]string, 0, len(agents))
		for id := range agents {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		if len(ids) > 0 {
			pick, picked = agents[ids[0]], true
		}
	}
	id := baTargetID(network)
	if !hasCred || !picked {
		if cur != "" {
			delete(b.active, network)
			b.mu.Unlock()
			b.a.sched.Remove(id)
			b.a.log.Info("Border Agent source removed", "network", network)
			return
		}
		b.mu.Unlock()
		return
	}
	b.active[network] = pick.ID()
	b.mu.Unlock()
	src, addr, err := baSourceFor(pick, cred)
	if err != nil {
		b.a.log.Warn("Border Agent source not made", "network", network, "error", err)
		return
	}
	b.a.sched.Add(scheduler.Target{ID: id, Network: network, Source: src})
	b.a.log.Info("Border Agent source", "network", network, "border_agent", addr, "instance", pick.Instance)
}

// baSourceFor is the commissioner source through svc's Border Agent.
func baSourceFor(svc meshcop.Service, cred config.BorderAgentCredential) (*commissioner.Source, string, error) {
	var c commissioner.Credential
	var err error
	if cred.PSKc != "" {
		c, err = commissioner.ParsePSKc(cred.PSKc.Reveal())
	} else {
		if svc.Record == nil || len(svc.Record.ExtPanID) != 8 || svc.Record.NetworkName == "" {
			return nil, "", fmt.Errorf("the advert of %q lacks the network name or ext PAN ID a passphrase needs", svc.Instance)
		}
		c, err = commissioner.Passphrase(cred.Passphrase.Reveal(), svc.Record.NetworkName, [8]byte(svc.Record.ExtPanID))
	}
	if err != nil {
		return nil, "", err
	}
	addr := probeOrder(svc.Addresses)[0].Unmap() // a link-local one keeps its zone
	hostport := net.JoinHostPort(addr.String(), strconv.Itoa(svc.Port))
	src, err := sources.BorderAgent(hostport, c, "", sources.Crawl{})
	return src, hostport, err
}
