package tmf_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/udp"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/threadsim"
)

// Malformed TLVs in a request to a simulated node, or in a DIAG_GET.ans
// posted to the client, get 4.00 Bad Request; nothing panics and both
// keep working.
func TestHostilePayloads(t *testing.T) {
	sim, cl := startSim(t, threadsim.Options{Seed: 9, Nodes: 5, Routers: 1}, threadsim.Radio{BitRate: -1}, threadsim.ServeOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	leader, err := sim.Addr(sim.Mesh().Leader.Rloc16)
	if err != nil {
		t.Fatal(err)
	}
	bad := [][]byte{
		{0x12},                   // half a TLV header
		{0x12, 0x05, 0x00},       // Type List running past the end
		{0x21, 0x01, 0x00, 0x12}, // Query ID of one byte
	}
	conn, err := udp.Dial(leader.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, path := range []string{"/d/dg", "/d/dq", "/d/dr"} {
		for _, b := range bad {
			resp, err := conn.Post(ctx, path, message.AppOctets, bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s %x: %v", path, b, err)
			}
			if resp.Code() != codes.BadRequest {
				t.Errorf("%s %x: %v, want 4.00", path, b, resp.Code())
			}
		}
	}
	// The client's d/da endpoint.
	cconn, err := udp.Dial(cl.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer cconn.Close()
	for _, b := range bad {
		resp, err := cconn.Post(ctx, "/d/da", message.AppOctets, bytes.NewReader(b))
		if err != nil {
			t.Fatalf("d/da %x: %v", b, err)
		}
		if resp.Code() != codes.BadRequest {
			t.Errorf("d/da %x: %v, want 4.00", b, resp.Code())
		}
	}
	// Both still work.
	m, err := cl.Get(ctx, sim.Mesh().Leader.Rloc16, []diag.Type{diag.TypeAddress16})
	if err != nil || m.Address16 == nil {
		t.Fatalf("after hostile payloads: %v, %v", m, err)
	}
}
