package cli

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/threadmap/threadmap/thread/threadsim"
	"github.com/threadmap/threadmap/thread/topology"
)

// sim [--nodes N | --scenario FILE] [--listen HOST:PORT] [--seed S]
// [--hop-latency D] [--loss P]: run the simulated mesh until interrupted.
// Every node answers TMF diagnostics (CoAP over UDP) on its own port:
// node i (routers then children, by RLOC16) on PORT+i, or on ports the
// kernel picks when PORT is 0. A simulated Border Agent (keyed by the PSKc
// of threadsim.DefaultPassphrase) serves on HOST and a free port.
func runSim(ctx context.Context, env *Env, a []string) error {
	fs := newFlagSet(env, "sim")
	nodes := fs.Int("nodes", 0, "generate a mesh of N nodes (default 40)")
	scenario := fs.String("scenario", "", "load the mesh from a scenario file (JSON)")
	listen := fs.String("listen", "127.0.0.1:0", "HOST:PORT; node i listens on PORT+i (0: any free ports)")
	seed := fs.Int64("seed", 1, "random seed of a generated mesh")
	hop := fs.Duration("hop-latency", -1, "latency per radio hop (default: the scenario's, else 5ms)")
	loss := fs.Float64("loss", -1, "probability a message to a node is lost (default: the scenario's, else 0)")
	if _, err := parseFlags(fs, a, 0); err != nil {
		return err
	}
	if *nodes != 0 && *scenario != "" {
		return usagef("give --nodes or --scenario, not both")
	}
	if *nodes == 0 && *scenario == "" {
		*nodes = 40
	}
	host, portStr, err := net.SplitHostPort(*listen)
	if err != nil {
		return usagef("--listen %q: want HOST:PORT", *listen)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return usagef("--listen %q: bad port", *listen)
	}
	m, err := loadMesh(*nodes, *scenario, *seed)
	if err != nil {
		return err
	}
	if *hop >= 0 {
		m.Radio.HopLatency = *hop
	}
	if *loss >= 0 {
		if *loss >= 1 {
			return usagef("--loss %v: want 0 ≤ loss < 1", *loss)
		}
		m.Radio.Loss = *loss
	}
	if port != 0 && port+len(m.Nodes()) > 65536 {
		return usagef("--listen port %d: %d nodes do not fit below 65536", port, len(m.Nodes()))
	}
	sim, err := m.Start(ctx, threadsim.ServeOptions{Host: host, BasePort: port})
	if err != nil {
		return err
	}
	defer sim.Close()
	ba, err := sim.StartBorderAgent(ctx, threadsim.BorderAgentOptions{Listen: net.JoinHostPort(host, "0")})
	if err != nil {
		return err
	}
	defer ba.Close()
	w := env.Stdout
	truth := m.Truth()
	fmt.Fprintf(w, "simulated Thread mesh %q: %d routers, %d children; ext PAN ID %s, PAN ID %s, channel %d, mesh-local %s\n",
		m.Network.Name, len(m.Routers), len(m.Children), truth.Network.ExtPanID, truth.Network.PanID,
		m.Network.Channel, truth.Network.MeshLocalPrefix)
	fmt.Fprintf(w, "radio: %v per hop, loss %.0f%%, shared 250 kbit/s channel\n", m.Radio.HopLatency, m.Radio.Loss*100)
	leader, _ := sim.Addr(topology.LeaderAloc16)
	fmt.Fprintf(w, "TMF (CoAP/UDP): POST d/dg (DIAG_GET.req), d/dq (DIAG_GET.qry, answers posted to d/da), d/dr; leader ALOC 0xfc00 at %s\n", leader)
	pskc, err := m.PSKc(threadsim.DefaultPassphrase)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Border Agent (MeshCoP commissioner, DTLS EC-JPAKE) at %s, PSKc %x (passphrase %s): threadmap scan --border-agent %s --pskc %x\n",
		ba.Addr(), pskc, threadsim.DefaultPassphrase, ba.Addr(), pskc)
	fmt.Fprintf(w, "%-8s %-18s %-18s %-22s %s\n", "RLOC16", "EXT ADDRESS", "ROLE", "UDP ADDRESS", "NAME")
	for _, n := range truth.Nodes {
		addr, _ := sim.Addr(*n.Rloc16)
		name := n.Name
		if n.BorderRouter {
			name += " [border router]"
		}
		fmt.Fprintf(w, "%-8s %-18s %-18s %-22s %s\n", n.Rloc16, n.ExtAddr, n.Role, addr, name)
	}
	fmt.Fprintln(w, "running; interrupt (Ctrl-C) to stop")
	<-ctx.Done()
	// Give in-flight answers a moment, then stop.
	time.Sleep(50 * time.Millisecond)
	return nil
}
