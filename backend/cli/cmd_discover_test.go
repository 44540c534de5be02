package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/meshcop"
	"github.com/threadmap/threadmap/thread/meshcop/meshcoptest"
)

// envCLIArgs carries the arguments of a `threadmap` run inside a namespace.
const envCLIArgs = "THREADMAP_CLI_HELPER_ARGS"

// exitMarker ends a CLI helper's output: "--exit=N--".
const exitMarker = "--exit="

// TestMeshcopCLINetnsHelper is the helper process of the discover netns
// test: it advertises (meshcoptest roles) or runs the CLI; in a normal run it
// does nothing.
func TestMeshcopCLINetnsHelper(t *testing.T) {
	switch meshcoptest.Role() {
	case "":
		return
	case "cli":
		var args []string
		if err := json.Unmarshal([]byte(os.Getenv(envCLIArgs)), &args); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: os.Getenv}
		code := Run(context.Background(), env, args)
		fmt.Printf("%s\n%s%d--\n", out.Bytes(), exitMarker, code)
		fmt.Fprint(os.Stderr, errb.String())
	default:
		if err := meshcoptest.Main(os.Stdin, os.Stdout); err != nil {
			t.Fatal(err)
		}
	}
}

// runCLIInNetns runs `threadmap args...` inside namespace ns and returns its
// stdout and exit status.
func runCLIInNetns(t *testing.T, ctx context.Context, ns string, args ...string) (string, int) {
	t.Helper()
	a, _ := json.Marshal(args)
	p := meshcoptest.StartHelper(t, ctx, ns, "TestMeshcopCLINetnsHelper", meshcoptest.EnvRole+"=cli", envCLIArgs+"="+string(a))
	var out strings.Builder
	deadline := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-p.Lines:
			if !ok {
				t.Fatalf("cli helper exited without an exit marker; output:\n%s", out.String())
			}
			if strings.HasPrefix(l, exitMarker) {
				var code int
				fmt.Sscanf(strings.TrimPrefix(l, exitMarker), "%d--", &code)
				return out.String(), code
			}
			out.WriteString(l + "\n")
		case <-deadline:
			t.Fatalf("cli helper did not finish; output so far:\n%s", out.String())
		}
	}
}

// TestDiscoverAcrossNetns: `threadmap discover` inside one namespace lists
// the simulated border routers advertised in the other, by network, with
// decoded TXT fields, as JSON and as a table.
func TestDiscoverAcrossNetns(t *testing.T) {
	p := meshcoptest.NewNetnsPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	ads := meshcoptest.SampleAdverts(p)
	meshcoptest.StartAdvertiser(t, ctx, p, "TestMeshcopCLINetnsHelper", ads)

	out, code := runCLIInNetns(t, ctx, p.B, "discover", "--timeout", "2s", "--json", "--mdns-iface", p.IfB)
	if code != 0 {
		t.Fatalf("discover exit %d:\n%s", code, out)
	}
	var got struct {
		Networks []meshcop.Network `json:"networks"`
		BRs      []struct {
			ID, Instance, Host, Network string
			ExtPanID                    string            `json:"ext_pan_id"`
			ExtAddr                     string            `json:"ext_addr"`
			ThreadVersion               string            `json:"thread_version"`
			Vendor                      string            `json:"vendor"`
			Port                        int               `json:"port"`
			Addresses                   []string          `json:"addresses"`
			State                       map[string]string `json:"state"`
			TXT                         map[string]string `json:"txt"`
			Sources                     []string          `json:"sources"`
		} `json:"border_routers"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("discover --json output: %v\n%s", err, out)
	}
	if len(got.Networks) != 2 || got.Networks[0].Key != "5c22000000000001" || len(got.Networks[0].BorderRouters) != 2 ||
		got.Networks[0].Name != "HomeNet" || got.Networks[1].Key != "dead00beef00cafe" || len(got.Networks[1].BorderRouters) != 1 {
		t.Fatalf("networks:\n%s", out)
	}
	if len(got.BRs) != 3 {
		t.Fatalf("%d border routers:\n%s", len(got.BRs), out)
	}
	byInstance := map[string]int{}
	for i, b := range got.BRs {
		byInstance[b.Instance] = i
	}
	for i, inst := range meshcoptest.SampleInstances {
		j, ok := byInstance[inst]
		if !ok {
			t.Fatalf("%q not listed:\n%s", inst, out)
		}
		b, ad := got.BRs[j], ads[i]
		wantID := ad.Record.AgentID.String()
		if wantID == "" {
			wantID = inst
		}
		if b.ID != wantID || b.ExtPanID != ad.Record.ExtPanID.String() || b.ExtAddr != ad.Record.ExtAddr.String() ||
			b.Network != ad.Record.ExtPanID.String() || b.ThreadVersion != ad.Record.ThreadVersion || b.Port != ad.Port ||
			b.Host != ad.Host+".local." || len(b.Addresses) != 1 || len(b.Sources) != 1 || b.Sources[0] != "mdns" {
			t.Errorf("%s: %+v", inst, b)
		}
		if b.State["state_bitmap"] != fmt.Sprintf("0x%08x", ad.Record.State.Uint32()) || b.State["thread_role"] != ad.Record.State.Role.String() {
			t.Errorf("%s: state %v", inst, b.State)
		}
		entries, _ := ad.Record.Entries()
		if len(b.TXT) != len(entries) {
			t.Errorf("%s: txt %v", inst, b.TXT)
		}
		for _, e := range entries {
			if b.TXT[e.Key] != fmt.Sprintf("%x", e.Value) {
				t.Errorf("%s: txt %s = %s, sent %x", inst, e.Key, b.TXT[e.Key], e.Value)
			}
		}
	}

	out, code = runCLIInNetns(t, ctx, p.B, "discover", "--timeout", "2s", "--mdns-iface", p.IfB)
	if code != 0 {
		t.Fatalf("discover exit %d:\n%s", code, out)
	}
	t.Logf("discover table:\n%s", out)
	for _, want := range []string{`network "HomeNet"  ext PAN ID 5c22000000000001  (2 border router(s))`,
		`network "Other"  ext PAN ID dead00beef00cafe  (1 border router(s))`,
		"OpenThread BorderRouter #F721", "Google-Nest-Hub-#ABED", "Apple Inc. HomePod #1",
		"OpenThread / BorderRouter", "router", "leader", "8eb0043d8ac6f721", "otbr-sim.local.:49154"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestDiscoverUsage(t *testing.T) {
	// Both fail before any socket is opened: no mDNS leaves this machine.
	_, errs, code := runCLI(t, "discover", "--timeout", "1s")
	if code != 2 || !strings.Contains(errs, "name the interface(s) to browse with --mdns-iface") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	_, errs, code = runCLI(t, "discover", "--mdns-iface", "tm-no-such-if0")
	if code != 1 || !strings.Contains(errs, `interface "tm-no-such-if0"`) {
		t.Fatalf("exit %d: %s", code, errs)
	}
	_, _, code = runCLI(t, "discover", "--timeout", "-1s", "--mdns-iface", "lo")
	if code != 2 {
		t.Fatalf("negative timeout: exit %d", code)
	}
}
