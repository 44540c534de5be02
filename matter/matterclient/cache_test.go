package matterclient_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/threadmap/threadmap/matter/matterclient"
	"github.com/threadmap/threadmap/matter/mattersim/mattersimtest"
)

// TestNodeCacheBounded is issue 13's reproducer 3: a Matter server sending
// node_added for ever-new node ids grew Run's cache without bound. Now
// the cache keeps at most MaxNodes nodes and MaxCacheBytes of attributes,
// and Collect says how many nodes it did not keep.
func TestNodeCacheBounded(t *testing.T) {
	url, sent := mattersimtest.ServeHostile(t, mattersimtest.Hostile{Rounds: 1, Nodes: 3000, NodeBytes: 20000})
	changed := make(chan struct{}, 1)
	const maxNodes, maxBytes = 200, 2 << 20
	src, err := matterclient.NewSource(url, matterclient.Options{MaxNodes: maxNodes, MaxCacheBytes: maxBytes,
		OnChange: func() {
			select {
			case changed <- struct{}{}:
			default:
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx) }()
	defer func() { cancel(); <-done }()
	// The server ends with node_removed of its first node: once that is
	// applied, every node_added before it was.
	deadline := time.After(60 * time.Second)
	first := uint64(1001)
	for {
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("the flood was not read within 60 s (%d sent, %d cached)", sent.Load(), len(src.Nodes()))
		}
		nodes := src.Nodes()
		if sent.Load() == 3000 && (len(nodes) == 0 || nodes[0].NodeID != first) && src.Synced() {
			break
		}
	}
	nodes := src.Nodes()
	bytes := 0
	for _, nd := range nodes {
		for k, v := range nd.Attributes {
			bytes += len(k) + len(v)
		}
	}
	if len(nodes) > maxNodes || bytes > maxBytes {
		t.Fatalf("cache holds %d nodes, %d bytes of attributes after 3000 ever-new nodes; limits %d nodes, %d bytes", len(nodes), bytes, maxNodes, maxBytes)
	}
	if len(nodes) < 50 {
		t.Fatalf("cache holds only %d nodes: the limit should keep what fits", len(nodes))
	}
	_, err = src.Collect(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not kept") {
		t.Errorf("Collect does not say nodes were not kept: %v", err)
	}
}
