package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/meshcop"
	"github.com/threadmap/threadmap/thread/meshcop/meshcoptest"
)

// TestDiscoverEphemeralKey: a border router with an active ephemeral key
// advertises `_meshcop-e._udp` (the key's port, no TXT) on its host, under
// the name OpenThread core gives it — not always otbr-agent's instance
// name (the lab's are "#00B1" and "#B837"); discover lists that port with
// the border router, as JSON and in the table.
func TestDiscoverEphemeralKey(t *testing.T) {
	p := meshcoptest.NewNetnsPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	ads := meshcoptest.SampleAdverts(p)
	ads = append(ads, meshcop.BorderRouterAdvert{Type: meshcop.EphemeralServiceType, Instance: "OpenThread BorderRouter #00B1",
		Host: ads[0].Host, Port: 49999, Addresses: ads[0].Addresses})
	meshcoptest.StartAdvertiser(t, ctx, p, "TestMeshcopCLINetnsHelper", ads)

	out, code := runCLIInNetns(t, ctx, p.B, "discover", "--timeout", "2s", "--json", "--mdns-iface", p.IfB)
	if code != 0 {
		t.Fatalf("discover exit %d:\n%s", code, out)
	}
	var got struct {
		BRs []struct {
			Instance         string `json:"instance"`
			Port             int    `json:"port"`
			EphemeralKeyPort int    `json:"ephemeral_key_port"`
		} `json:"border_routers"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got.BRs) != 3 {
		t.Fatalf("the ephemeral-key service became a border router of its own:\n%s", out)
	}
	for _, b := range got.BRs {
		want := 0
		if b.Instance == meshcoptest.SampleInstances[0] {
			want = 49999
		}
		if b.EphemeralKeyPort != want {
			t.Errorf("%s: ephemeral key port %d, want %d", b.Instance, b.EphemeralKeyPort, want)
		}
	}
	out, code = runCLIInNetns(t, ctx, p.B, "discover", "--timeout", "2s", "--mdns-iface", p.IfB)
	if code != 0 || !strings.Contains(out, "ephemeral key active (_meshcop-e._udp): --border-agent otbr-sim.local.:49999 --ephemeral-key KEY") {
		t.Errorf("table (exit %d):\n%s", code, out)
	}
}
