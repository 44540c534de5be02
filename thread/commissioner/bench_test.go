package commissioner_test

import (
	"context"
	"testing"
	"time"

	"github.com/threadmap/threadmap/thread/commissioner"
	"github.com/threadmap/threadmap/thread/otbr"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim"
	"github.com/threadmap/threadmap/thread/otbr/otbrsim/otbrsimtest"
	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/tmf"
	"github.com/threadmap/threadmap/thread/topology"
)

// BenchmarkTransports maps one simulated 250-node / 32-router mesh (20 ms
// per hop, the shared 250 kbit/s channel) three ways in the same run:
//
//   - border-agent: the border-agent source — DTLS EC-JPAKE handshake,
//     petition, MGMT_ACTIVE_GET, the crawler over the Border Agent's UDP
//     proxy, resign;
//   - udp: the same crawler over plain UDP TMF (a host inside the mesh:
//     the path a LAN host does not have);
//   - otbr-rest: the OTBR REST source (JSON:API, one task per device, one
//     after another) against otbrsim serving the same mesh's truth with its
//     default timings (30 ms per rx-on device, 150 ms per sleepy one).
//
// It reports each duration, the ratios and each result's distance from the
// truth. The proxy path adds the loopback DTLS hop and a CoAP layer per
// message; over the radio model both TMF paths are bounded by the same
// airtime, so border-agent/udp stays near 1. otbrsim answers from the
// truth without the radio model, so its time is the REST plan's cost
// alone. A 40-node mesh runs beside the 250-node one.
func BenchmarkTransports(b *testing.B) {
	b.Run("250nodes-32routers", func(b *testing.B) { benchTransports(b, threadsim.Options{Seed: 2026, Nodes: 250, Routers: 32}) })
	b.Run("40nodes-5routers", func(b *testing.B) { benchTransports(b, threadsim.Options{Seed: 2026, Nodes: 40, Routers: 5}) })
}

func benchTransports(b *testing.B, opts threadsim.Options) {
	const hop = 20 * time.Millisecond
	sim, ba := simBA(b, opts, threadsim.ServeOptions{Radio: &threadsim.Radio{HopLatency: hop}}, threadsim.BorderAgentOptions{})
	m := sim.Mesh()
	baSrc, err := commissioner.NewSource(commissioner.SourceConfig{Addr: ba.Addr().String(), Credential: pskcOf(b, sim)})
	if err != nil {
		b.Fatal(err)
	}
	cl, err := tmf.NewClient(tmf.ClientConfig{Resolver: sim})
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	udpSrc, err := tmf.NewCrawler(tmf.Config{Transport: cl})
	if err != nil {
		b.Fatal(err)
	}
	truth := m.Truth()
	_, url := otbrsimtest.Start(b, truth, otbr.DialectJSONAPI2026, otbrsim.Options{})
	restSrc, err := otbr.NewSource(url, otbr.Options{})
	if err != nil {
		b.Fatal(err)
	}
	want := truth.Shape()
	run := func(src topology.Source) (time.Duration, int) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		t0 := time.Now()
		snap, err := src.Collect(ctx)
		if err != nil {
			b.Fatalf("%s: %v", src.Name(), err)
		}
		return time.Since(t0), len(want.Diff(snap.Shape()))
	}
	var dBA, dUDP, dREST time.Duration
	var nBA, nUDP, nREST int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, n := run(baSrc)
		dBA, nBA = dBA+d, nBA+n
		d, n = run(udpSrc)
		dUDP, nUDP = dUDP+d, nUDP+n
		d, n = run(restSrc)
		dREST, nREST = dREST+d, nREST+n
	}
	f := float64(b.N)
	b.ReportMetric(dBA.Seconds()/f, "border-agent-s")
	b.ReportMetric(dUDP.Seconds()/f, "udp-s")
	b.ReportMetric(dREST.Seconds()/f, "otbr-rest-s")
	b.ReportMetric(dBA.Seconds()/dUDP.Seconds(), "border-agent/udp")
	b.ReportMetric(dREST.Seconds()/dBA.Seconds(), "otbr-rest/border-agent")
	b.ReportMetric(float64(nBA)/f, "border-agent-diffs")
	b.ReportMetric(float64(nUDP)/f, "udp-diffs")
	b.ReportMetric(float64(nREST)/f, "otbr-rest-diffs")
}

// BenchmarkSession is a session's fixed cost on loopback: the DTLS
// EC-JPAKE handshake, the petition, MGMT_ACTIVE_GET and the resign, with
// the handshake alone reported beside it.
func BenchmarkSession(b *testing.B) {
	sim, ba := simBA(b, threadsim.Options{Seed: 1, Nodes: 4}, threadsim.ServeOptions{}, threadsim.BorderAgentOptions{})
	cred := pskcOf(b, sim)
	var hs time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := commissioner.Connect(context.Background(), ba.Addr().String(), cred, commissioner.Config{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.ActiveDataset(context.Background()); err != nil {
			b.Fatal(err)
		}
		hs += s.Handshake
		s.Close()
	}
	b.ReportMetric(hs.Seconds()*1000/float64(b.N), "handshake-ms")
}
