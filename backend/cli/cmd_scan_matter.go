package cli

import (
	"github.com/threadmap/threadmap/matter/matterclient"
	"github.com/threadmap/threadmap/thread/topology"
)

// matterSource is the Matter server at wsURL ("host", "host:port" or
// ws://host:5580/ws) as a one-shot source: Collect connects, reads every
// node (get_nodes) and returns the Thread network with the most Matter
// nodes; the report notes name Wi-Fi/Ethernet devices and other networks.
func matterSource(env *Env, wsURL string) (topology.Source, error) {
	src, err := matterclient.NewSource(wsURL, matterclient.Options{})
	if err != nil {
		return nil, usagef("scan: --matter-server: %v", err)
	}
	return src, nil
}
