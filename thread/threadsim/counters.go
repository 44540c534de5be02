package threadsim

import (
	"github.com/threadmap/threadmap/thread/diag"
	"github.com/threadmap/threadmap/thread/topology"
)

// Radio and MLE timing the counters are modelled on (OpenThread defaults).
const (
	// advertIntervalS: a settled router's MLE Advertisement (trickle, up
	// to 32 s).
	advertIntervalS = 32
	// keepAliveS: an rx-on child's Child Update exchange with its parent.
	keepAliveS = 240
	// reportS: a device's own application traffic (a sensor report, a
	// status update), one frame each way.
	reportS = 300
	// forwardS: traffic a router forwards for others, per router neighbor.
	forwardS = 90
)

// Counters is node n's MLE and MAC counters as a real OpenThread node of
// its role, age and neighbourhood would count them, under the model's
// names (topology.Counter*): otMleCounters (what the MLE Counters TLV 34
// carries), otMacCounters (Matter attributes 22–55) and the MAC Counters
// TLV 9, which OpenThread fills from otMacCounters (network_diagnostic.cpp).
// The relations hold as on a real node: the role times sum to the tracked
// time, each role was entered once (a router was a child first, the
// leader formed the partition), tx total = unicast + broadcast ≥ acked,
// acked = ack-requested − expired retries, rx total covers every frame
// received, data polls come from sleepy children at their poll period.
// Deterministic per node.
func (m *Mesh) Counters(n *Node) map[string]uint64 {
	r := seeded(n, 24)
	pct := func(i int, lo, hi uint32) uint64 { return uint64(lo + r[i]%(hi-lo+1)) } // a per-mille in [lo, hi]
	c := map[string]uint64{}
	for _, k := range []string{topology.CounterMLEDisabledRole, topology.CounterMLEChildRole, topology.CounterMLERouterRole,
		topology.CounterMLELeaderRole, topology.CounterMLEBetterPartitionAttachAttempt, topology.CounterMLEParentChanges,
		topology.CounterMLEChildTimeMs, topology.CounterMLERouterTimeMs, topology.CounterMLELeaderTimeMs} {
		c[k] = 0 // reported even when zero, as a real node does
	}

	// MLE: boot (disabled), attach (detached), then the roles in order.
	tracked := uint64(86_400_000 + r[0]%(2*86_400_000)) // 1–3 days since boot
	disabled := uint64(2_000 + r[1]%18_000)
	detached := uint64(900 + r[2]%7_000)
	c[topology.CounterMLEDetachedRole] = 1
	c[topology.CounterMLEAttachAttempts] = 1
	c[topology.CounterMLEPartitionIDChanges] = 1
	switch {
	case n == m.Leader:
		c[topology.CounterMLELeaderRole] = 1
		c[topology.CounterMLELeaderTimeMs] = tracked - disabled - detached
	case n.IsRouter():
		child := uint64(1_000 + r[3]%119_000) // router selection jitter, up to 120 s
		c[topology.CounterMLEChildRole] = 1
		c[topology.CounterMLERouterRole] = 1
		c[topology.CounterMLEChildTimeMs] = child
		c[topology.CounterMLERouterTimeMs] = tracked - disabled - detached - child
	default:
		// Most children kept their first parent; a few moved once or twice.
		changes := uint64(0)
		if k := r[3] % 10; k >= 7 {
			changes = uint64(k - 6)
			if changes > 2 {
				changes = 2
			}
		}
		c[topology.CounterMLEChildRole] = 1
		c[topology.CounterMLEParentChanges] = changes
		c[topology.CounterMLEAttachAttempts] += changes
		c[topology.CounterMLEChildTimeMs] = tracked - disabled - detached
	}
	c[topology.CounterMLEDisabledTimeMs] = disabled
	c[topology.CounterMLEDetachedTimeMs] = detached
	c[topology.CounterMLETrackedTimeMs] = tracked

	// MAC: frames per second of radio time by role.
	sec := (tracked - disabled) / 1000
	neighbors := uint64(0)
	if n.IsRouter() {
		for _, o := range m.Routers {
			if o != n && m.LinkQuality(n, o) > 0 {
				neighbors++
			}
		}
	} else if n.Parent != nil {
		for _, o := range m.Routers {
			if m.LinkQuality(n.Parent, o) > 0 || o == n.Parent {
				neighbors++ // routers near its parent are in its range too
			}
		}
		neighbors = min(neighbors, 3)
	}
	var txU, rxU, txB, rxB, txPoll, rxPoll, beacons, beaconReqs uint64
	switch {
	case n.IsRouter():
		var children uint64
		for _, ch := range n.Children {
			children++
			if ch.IsSleepy() {
				rxPoll += sec / uint64(max(1, ch.PollPeriod.Milliseconds()/1000))
			}
		}
		fwd := neighbors * sec / forwardS
		txU = children*sec/keepAliveS + sec/reportS + fwd
		rxU = rxPoll + children*sec/keepAliveS + children*sec/reportS + fwd
		txB = sec/advertIntervalS + uint64(r[4]%40)
		rxB = neighbors*sec/advertIntervalS + uint64(r[5]%60)
		beacons = uint64(r[6] % 12) // answers to joiners' beacon requests
		beaconReqs = uint64(1 + r[7]%3)
	case n.IsSleepy():
		txPoll = sec / uint64(max(1, n.PollPeriod.Milliseconds()/1000))
		txU = txPoll + sec/reportS
		rxU = sec/reportS + txPoll/50 // a frame pending at a few polls
		txB = uint64(2 + r[4]%3)      // parent requests while attaching
		rxB = 0
		beaconReqs = uint64(1 + r[7]%3)
	default: // rx-on children (MED, FTD child)
		txU = sec/keepAliveS + sec/reportS
		rxU = sec/keepAliveS + sec/reportS
		txB = uint64(2 + r[4]%3)
		rxB = max(1, neighbors) * sec / advertIntervalS
		beaconReqs = uint64(1 + r[7]%3)
	}
	txB += beacons + beaconReqs // beacons go to the broadcast address
	retry := txU * pct(8, 20, 80) / 1000
	expired := txU * pct(9, 1, 5) / 1000
	indirectExpired := uint64(0)
	if rxPoll > 0 {
		indirectExpired = uint64(r[10] % 6)
	}
	txTotal := txU + txB
	c[topology.CounterMACTxTotal] = txTotal
	c[topology.CounterMACTxUnicast] = txU
	c[topology.CounterMACTxBroadcast] = txB
	c[topology.CounterMACTxAckRequested] = txU
	c[topology.CounterMACTxAcked] = txU - expired - min(indirectExpired, txU-expired)
	c[topology.CounterMACTxNoAckRequested] = txB
	c[topology.CounterMACTxDataPoll] = txPoll
	c[topology.CounterMACTxBeacon] = beacons
	c[topology.CounterMACTxBeaconRequest] = beaconReqs
	c[topology.CounterMACTxOther] = 0
	c[topology.CounterMACTxData] = txTotal - txPoll - beacons - beaconReqs
	c[topology.CounterMACTxRetry] = retry
	c[topology.CounterMACTxDirectMaxRetryExpiry] = expired
	c[topology.CounterMACTxIndirectMaxRetryExpiry] = indirectExpired
	c[topology.CounterMACTxErrCca] = txTotal * pct(11, 0, 3) / 1000
	c[topology.CounterMACTxErrAbort] = uint64(r[12] % 3)
	c[topology.CounterMACTxErrBusyChannel] = txTotal * pct(13, 0, 1) / 1000

	overheard := (rxU + rxB) * pct(14, 150, 450) / 1000 // unicast frames for others, rx-on only
	if n.IsSleepy() {
		overheard = uint64(r[14] % 20)
	}
	dup := rxU * pct(15, 3, 15) / 1000
	fcs := (rxU + rxB + overheard) * pct(16, 1, 8) / 1000
	errSec := uint64(r[17] % 4)
	unknownNb := (rxU + rxB) * pct(18, 0, 2) / 1000
	noFrame := (rxU + rxB) * pct(19, 0, 2) / 1000
	rxBeacons := uint64(3 + r[20]%12) // scans while attaching
	rxB += rxBeacons + beacons        // and the beacon requests a router answered
	c[topology.CounterMACRxUnicast] = rxU
	c[topology.CounterMACRxBroadcast] = rxB
	c[topology.CounterMACRxDataPoll] = rxPoll
	c[topology.CounterMACRxBeacon] = rxBeacons
	c[topology.CounterMACRxBeaconRequest] = beacons // a router answers each request it hears
	c[topology.CounterMACRxOther] = 0
	c[topology.CounterMACRxData] = rxU + rxB - rxPoll - rxBeacons - beacons
	c[topology.CounterMACRxAddressFiltered] = 0
	c[topology.CounterMACRxDestAddrFiltered] = overheard
	c[topology.CounterMACRxDuplicated] = dup
	c[topology.CounterMACRxErrNoFrame] = noFrame
	c[topology.CounterMACRxErrUnknownNeighbor] = unknownNb
	c[topology.CounterMACRxErrInvalidSrcAddr] = 0
	c[topology.CounterMACRxErrSec] = errSec
	c[topology.CounterMACRxErrFcs] = fcs
	c[topology.CounterMACRxErrOther] = 0
	c[topology.CounterMACRxTotal] = rxU + rxB + overheard + dup + fcs + errSec + unknownNb + noFrame

	// The MAC Counters TLV (9), as OpenThread fills it from otMacCounters.
	c[topology.CounterMACIfInUnknownProtos] = c[topology.CounterMACRxOther]
	c[topology.CounterMACIfInErrors] = noFrame + unknownNb + errSec + fcs
	c[topology.CounterMACIfOutErrors] = c[topology.CounterMACTxErrCca]
	c[topology.CounterMACIfInUcastPkts] = rxU
	c[topology.CounterMACIfInBroadcastPkts] = rxB
	c[topology.CounterMACIfInDiscards] = overheard + dup
	c[topology.CounterMACIfOutUcastPkts] = txU
	c[topology.CounterMACIfOutBroadcastPkts] = txB
	c[topology.CounterMACIfOutDiscards] = c[topology.CounterMACTxErrBusyChannel]
	return c
}

// macCountersTLV is the MAC Counters TLV value of counters c.
func macCountersTLV(c map[string]uint64) *diag.MacCounters {
	u := func(k string) uint32 { return uint32(min(c[k], 1<<32-1)) }
	return &diag.MacCounters{IfInUnknownProtos: u(topology.CounterMACIfInUnknownProtos), IfInErrors: u(topology.CounterMACIfInErrors),
		IfOutErrors: u(topology.CounterMACIfOutErrors), IfInUcastPkts: u(topology.CounterMACIfInUcastPkts),
		IfInBroadcastPkts: u(topology.CounterMACIfInBroadcastPkts), IfInDiscards: u(topology.CounterMACIfInDiscards),
		IfOutUcastPkts: u(topology.CounterMACIfOutUcastPkts), IfOutBroadcastPkts: u(topology.CounterMACIfOutBroadcastPkts),
		IfOutDiscards: u(topology.CounterMACIfOutDiscards)}
}

// mleCountersTLV is the MLE Counters TLV value of counters c.
func mleCountersTLV(c map[string]uint64) *diag.MleCounters {
	u := func(k string) uint16 { return uint16(min(c[k], 1<<16-1)) }
	return &diag.MleCounters{DisabledRole: u(topology.CounterMLEDisabledRole), DetachedRole: u(topology.CounterMLEDetachedRole),
		ChildRole: u(topology.CounterMLEChildRole), RouterRole: u(topology.CounterMLERouterRole),
		LeaderRole: u(topology.CounterMLELeaderRole), AttachAttempts: u(topology.CounterMLEAttachAttempts),
		PartitionIDChanges:            u(topology.CounterMLEPartitionIDChanges),
		BetterPartitionAttachAttempts: u(topology.CounterMLEBetterPartitionAttachAttempt),
		ParentChanges:                 u(topology.CounterMLEParentChanges),
		TrackedTime:                   c[topology.CounterMLETrackedTimeMs], DisabledTime: c[topology.CounterMLEDisabledTimeMs],
		DetachedTime: c[topology.CounterMLEDetachedTimeMs], ChildTime: c[topology.CounterMLEChildTimeMs],
		RouterTime: c[topology.CounterMLERouterTimeMs], LeaderTime: c[topology.CounterMLELeaderTimeMs]}
}
