package topology

// Counter names: the keys of Node.Counters. Each counter has one name
// whichever source read it; the sources map their own spellings onto
// these (the table says from what). Names are "<layer>_<counter>" in
// snake_case, times in milliseconds end in "_ms".
//
// MLE counters (OpenThread otMleCounters). Sources: the MLE Counters TLV
// (34) of TMF diagnostics and ot-cli `networkdiagnostic get`, ot-cli
// `counters mle`, OTBR REST mleCounters, Matter 0x0035 attributes 14–21:
//
//	name                                  ot-cli counters mle               OTBR REST mleCounters            Matter
//	mle_disabled_role                     Role Disabled                     radioDisabledCount               —
//	mle_detached_role                     Role Detached                     detachedRoleCount                14
//	mle_child_role                        Role Child                        childRoleCount                   15
//	mle_router_role                       Role Router                       routerRoleCount                  16
//	mle_leader_role                       Role Leader                       leaderRoleCount                  17
//	mle_attach_attempts                   Attach Attempts                   attachAttemptsCount              18
//	mle_partition_id_changes              Partition Id Changes              partIdChangesCount               19
//	mle_better_partition_attach_attempts  Better Partition Attach Attempts  betterPartIdAttachAttemptsCount  20
//	mle_better_parent_attach_attempts     Better Parent Attach Attempts     —                                —
//	mle_parent_changes                    Parent Changes                    newParentCount                   21
//	mle_tracked_time_ms                   Time Tracked Milli                totalTrackingTime                —
//	mle_<role>_time_ms (5 roles)          Time <Role> Milli                 <role>Time                       —
//
// MAC counters as the Network Diagnostic MAC Counters TLV 9 carries them
// (RFC 2863 interface counters): mac_if_in_unknown_protos, mac_if_in_errors,
// mac_if_out_errors, mac_if_in_ucast_pkts, mac_if_in_broadcast_pkts,
// mac_if_in_discards, mac_if_out_ucast_pkts, mac_if_out_broadcast_pkts,
// mac_if_out_discards (TMF, ot-cli networkdiagnostic, OTBR REST macCounters).
//
// MAC counters as OpenThread's otMacCounters count them (Matter 0x0035
// attributes 22–55, "<Name>Count"): mac_tx_total … mac_rx_err_other below.
const (
	CounterMLEDisabledRole                 = "mle_disabled_role"
	CounterMLEDetachedRole                 = "mle_detached_role"
	CounterMLEChildRole                    = "mle_child_role"
	CounterMLERouterRole                   = "mle_router_role"
	CounterMLELeaderRole                   = "mle_leader_role"
	CounterMLEAttachAttempts               = "mle_attach_attempts"
	CounterMLEPartitionIDChanges           = "mle_partition_id_changes"
	CounterMLEBetterPartitionAttachAttempt = "mle_better_partition_attach_attempts"
	CounterMLEBetterParentAttachAttempts   = "mle_better_parent_attach_attempts"
	CounterMLEParentChanges                = "mle_parent_changes"
	CounterMLETrackedTimeMs                = "mle_tracked_time_ms"
	CounterMLEDisabledTimeMs               = "mle_disabled_time_ms"
	CounterMLEDetachedTimeMs               = "mle_detached_time_ms"
	CounterMLEChildTimeMs                  = "mle_child_time_ms"
	CounterMLERouterTimeMs                 = "mle_router_time_ms"
	CounterMLELeaderTimeMs                 = "mle_leader_time_ms"
)

// MAC counters of the MAC Counters TLV (9), in TLV order.
const (
	CounterMACIfInUnknownProtos  = "mac_if_in_unknown_protos"
	CounterMACIfInErrors         = "mac_if_in_errors"
	CounterMACIfOutErrors        = "mac_if_out_errors"
	CounterMACIfInUcastPkts      = "mac_if_in_ucast_pkts"
	CounterMACIfInBroadcastPkts  = "mac_if_in_broadcast_pkts"
	CounterMACIfInDiscards       = "mac_if_in_discards"
	CounterMACIfOutUcastPkts     = "mac_if_out_ucast_pkts"
	CounterMACIfOutBroadcastPkts = "mac_if_out_broadcast_pkts"
	CounterMACIfOutDiscards      = "mac_if_out_discards"
)

// MAC counters of OpenThread's otMacCounters (Matter attributes 22–55, in
// attribute order).
const (
	CounterMACTxTotal                  = "mac_tx_total"
	CounterMACTxUnicast                = "mac_tx_unicast"
	CounterMACTxBroadcast              = "mac_tx_broadcast"
	CounterMACTxAckRequested           = "mac_tx_ack_requested"
	CounterMACTxAcked                  = "mac_tx_acked"
	CounterMACTxNoAckRequested         = "mac_tx_no_ack_requested"
	CounterMACTxData                   = "mac_tx_data"
	CounterMACTxDataPoll               = "mac_tx_data_poll"
	CounterMACTxBeacon                 = "mac_tx_beacon"
	CounterMACTxBeaconRequest          = "mac_tx_beacon_request"
	CounterMACTxOther                  = "mac_tx_other"
	CounterMACTxRetry                  = "mac_tx_retry"
	CounterMACTxDirectMaxRetryExpiry   = "mac_tx_direct_max_retry_expiry"
	CounterMACTxIndirectMaxRetryExpiry = "mac_tx_indirect_max_retry_expiry"
	CounterMACTxErrCca                 = "mac_tx_err_cca"
	CounterMACTxErrAbort               = "mac_tx_err_abort"
	CounterMACTxErrBusyChannel         = "mac_tx_err_busy_channel"
	CounterMACRxTotal                  = "mac_rx_total"
	CounterMACRxUnicast                = "mac_rx_unicast"
	CounterMACRxBroadcast              = "mac_rx_broadcast"
	CounterMACRxData                   = "mac_rx_data"
	CounterMACRxDataPoll               = "mac_rx_data_poll"
	CounterMACRxBeacon                 = "mac_rx_beacon"
	CounterMACRxBeaconRequest          = "mac_rx_beacon_request"
	CounterMACRxOther                  = "mac_rx_other"
	CounterMACRxAddressFiltered        = "mac_rx_address_filtered"
	CounterMACRxDestAddrFiltered       = "mac_rx_dest_addr_filtered"
	CounterMACRxDuplicated             = "mac_rx_duplicated"
	CounterMACRxErrNoFrame             = "mac_rx_err_no_frame"
	CounterMACRxErrUnknownNeighbor     = "mac_rx_err_unknown_neighbor"
	CounterMACRxErrInvalidSrcAddr      = "mac_rx_err_invalid_src_addr"
	CounterMACRxErrSec                 = "mac_rx_err_sec"
	CounterMACRxErrFcs                 = "mac_rx_err_fcs"
	CounterMACRxErrOther               = "mac_rx_err_other"
)
