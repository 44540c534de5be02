package threadsim

import (
	"testing"

	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/topology"
)

// TestCountersPlausible: the demo's counters keep the relations a real
// OpenThread node's do (issue 14: they did not), for every node of a
// 250-node mesh, and the TLVs the simulator answers carry the same numbers.
func TestCountersPlausible(t *testing.T) {
	m, err := Generate(Options{Seed: 14, Nodes: 250, Routers: 32})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range m.Nodes() {
		c := m.Counters(n)
		get := func(k string) uint64 {
			v, ok := c[k]
			if !ok {
				t.Fatalf("%s: no counter %s", n.Rloc16, k)
			}
			return v
		}
		fail := func(format string, a ...any) {
			t.Helper()
			t.Errorf("%s (%s): "+format, append([]any{n.Rloc16, n.Mode}, a...)...)
		}
		// MLE: role times sum to the tracked time; each role entered once.
		times := get(topology.CounterMLEDisabledTimeMs) + get(topology.CounterMLEDetachedTimeMs) + get(topology.CounterMLEChildTimeMs) +
			get(topology.CounterMLERouterTimeMs) + get(topology.CounterMLELeaderTimeMs)
		if tracked := get(topology.CounterMLETrackedTimeMs); times != tracked || tracked < 3_600_000 {
			fail("role times %d, tracked %d", times, tracked)
		}
		leader, router := n == m.Leader, n.IsRouter()
		wantRoles := map[string]uint64{topology.CounterMLEDetachedRole: 1, topology.CounterMLEDisabledRole: 0,
			topology.CounterMLEChildRole: 1, topology.CounterMLERouterRole: 0, topology.CounterMLELeaderRole: 0}
		switch {
		case leader:
			wantRoles[topology.CounterMLEChildRole], wantRoles[topology.CounterMLELeaderRole] = 0, 1
		case router:
			wantRoles[topology.CounterMLERouterRole] = 1
		}
		for k, v := range wantRoles {
			if get(k) != v {
				fail("%s = %d, want %d", k, get(k), v)
			}
		}
		if pc := get(topology.CounterMLEParentChanges); pc > 2 || router && pc > 0 || get(topology.CounterMLEAttachAttempts) != 1+pc {
			fail("parent changes %d, attach attempts %d", pc, get(topology.CounterMLEAttachAttempts))
		}
		// MAC transmit: total = unicast + broadcast ≥ acked; acked = requested − expired.
		txU, txB := get(topology.CounterMACTxUnicast), get(topology.CounterMACTxBroadcast)
		if get(topology.CounterMACTxTotal) != txU+txB || get(topology.CounterMACTxAckRequested) != txU ||
			get(topology.CounterMACTxNoAckRequested) != txB {
			fail("tx total %d, unicast %d, broadcast %d", get(topology.CounterMACTxTotal), txU, txB)
		}
		acked := get(topology.CounterMACTxAcked)
		if acked > txU || acked+get(topology.CounterMACTxDirectMaxRetryExpiry)+get(topology.CounterMACTxIndirectMaxRetryExpiry) != txU {
			fail("acked %d of %d unicast", acked, txU)
		}
		if get(topology.CounterMACTxRetry) > txU/10 || get(topology.CounterMACTxErrCca) > get(topology.CounterMACTxTotal)/100 {
			fail("retries %d / cca errors %d of %d", get(topology.CounterMACTxRetry), get(topology.CounterMACTxErrCca), txU)
		}
		if get(topology.CounterMACTxData)+get(topology.CounterMACTxDataPoll)+get(topology.CounterMACTxBeacon)+
			get(topology.CounterMACTxBeaconRequest)+get(topology.CounterMACTxOther) != get(topology.CounterMACTxTotal) {
			fail("tx by kind does not add up to the total")
		}
		// Data polls: sent by sleepy children only, at their poll period;
		// received by routers with sleepy children.
		polls := get(topology.CounterMACTxDataPoll)
		if n.IsSleepy() != (polls > 0) {
			fail("tx data polls %d", polls)
		}
		if n.IsSleepy() {
			secs := (get(topology.CounterMLETrackedTimeMs) - get(topology.CounterMLEDisabledTimeMs)) / 1000
			if p := uint64(n.PollPeriod.Seconds()); polls != secs/p {
				fail("%d polls in %d s at a %d s poll period", polls, secs, p)
			}
			if get(topology.CounterMACRxBroadcast) > 20 {
				fail("a sleepy child received %d broadcasts", get(topology.CounterMACRxBroadcast))
			}
		}
		sleepyChildren := 0
		for _, ch := range n.Children {
			if ch.IsSleepy() {
				sleepyChildren++
			}
		}
		if (get(topology.CounterMACRxDataPoll) > 0) != (sleepyChildren > 0) {
			fail("rx data polls %d with %d sleepy children", get(topology.CounterMACRxDataPoll), sleepyChildren)
		}
		// Receive: the total covers every frame; errors are rare.
		rxU, rxB := get(topology.CounterMACRxUnicast), get(topology.CounterMACRxBroadcast)
		if get(topology.CounterMACRxTotal) < rxU+rxB || get(topology.CounterMACIfInErrors) > get(topology.CounterMACRxTotal)/50 {
			fail("rx total %d, unicast %d, broadcast %d, errors %d", get(topology.CounterMACRxTotal), rxU, rxB, get(topology.CounterMACIfInErrors))
		}
		if router && rxB < get(topology.CounterMLERouterTimeMs)/1000/64 {
			fail("a router heard %d broadcasts in %d s", rxB, get(topology.CounterMLERouterTimeMs)/1000)
		}
		// The MAC Counters TLV is OpenThread's sums of otMacCounters.
		if get(topology.CounterMACIfInUcastPkts) != rxU || get(topology.CounterMACIfOutUcastPkts) != txU ||
			get(topology.CounterMACIfInBroadcastPkts) != rxB || get(topology.CounterMACIfOutBroadcastPkts) != txB ||
			get(topology.CounterMACIfOutErrors) != get(topology.CounterMACTxErrCca) ||
			get(topology.CounterMACIfInDiscards) != get(topology.CounterMACRxAddressFiltered)+get(topology.CounterMACRxDestAddrFiltered)+get(topology.CounterMACRxDuplicated) {
			fail("MAC Counters TLV does not follow otMacCounters")
		}
		// What the TLVs answer is the same.
		ans := m.answer(n, []diag.Type{diag.TypeMacCounters, diag.TypeMleCounters})
		if ans.MacCounters.Map()[topology.CounterMACIfInUcastPkts] != rxU ||
			ans.MleCounters.Map()[topology.CounterMLETrackedTimeMs] != get(topology.CounterMLETrackedTimeMs) {
			fail("TLV answer differs from Counters")
		}
	}
}
