// Package otbr reads the OpenThread Border Router REST API as ot-br-posix
// serves it (default port 8081) in all three of its dialects, and maps what
// it returns into threadmap's topology model:
//
//   - legacy (until 2025-09): GET /diagnostics — a ~2 s multicast collection
//     listing routers and rx-on FTD children with PascalCase keys, decimal
//     Rloc16 and upper-case ExtAddress — and GET /node, /node/*;
//   - the JSON:API (2025-09 on): POST /api/actions tasks
//     (updateDeviceCollectionTask first, then one getNetworkDiagnosticTask
//     per device, run one at a time by the border router), GET /api/devices,
//     /api/diagnostics (JSON:API or plain JSON; rloc16 as "0x5000");
//   - the JSON:API with the 2026-07 attribute renames (eui64 → eui,
//     version → threadVersion, hostName → hostname, deviceTypeFTD →
//     fullThreadDevice, connectionTime → linkAge, ...), API 0.4.0 on,
//     announced at /.well-known/thread/br-rest.
//
// Every dialect's diagnostics decode into the one Network Diagnostic model,
// diag.Message (Answer), and become nodes and links through
// (*diag.Message).AddTo, as TMF answers do; Build adds what only the REST
// API says (the device list's host names and OMR addresses, the border
// router's own /node and dataset).
//
// # The JSON:API scan plan
//
// What the real otbr-agent (ot-br-posix b64e1b85, 2026-08) does, measured
// on the lab (../shared/lab) and mirrored by otbrsim:
//
//   - a task's destination resolves only through the device list: before
//     the first updateDeviceCollectionTask even a task for the border router
//     itself stays pending until its timeout; rloc and mleid destinations
//     run but never name a result;
//   - the discovery round takes 2.8–3.4 s on a fresh agent, 0.05–0.6 s
//     after that; a router that does not answer while its ID is allocated
//     holds it to the task's timeout (10.2 s of 10); the device list only
//     grows: devices that left stay in it;
//   - a router's task takes 0.1–0.2 s, the border router's own 0.05 s, with
//     or without the Child / Child IPv6 / Router Neighbor queries in the same
//     task; a device that does not answer gets its task "completed" without
//     a result at its timeout; sleepy children (timeout 240 s) never
//     answered within 20 s;
//   - the agent keeps at most 200 diagnostics items and 200 devices.
//
// So a scan (plan) runs one discovery round (deviceCount 1; waited for
// CollectionPatience when the list already holds an earlier round's
// devices), then asks the routers one at a time, breadth-first from the
// border router along the Router Neighbor lists, each for its own TLVs,
// Route64, child table and the three queries — the children's ext
// addresses, modes and link margins come from their parents — and reads
// each answer at once. Children are asked only as Options.Children says.
// Routers of the device list that no Route64 or neighbor list names are
// not asked (they left); deadlines fit the device (RouterTimeout,
// ChildTimeout, SleepyTimeout). When the scan's budget (ctx) runs out,
// what was read is kept, the task in flight is deleted so the next scan is
// not held by it, and the report is partial with every device's status.
//
// On the lab's 9-device mesh a scan takes 1.0–1.3 s (4.7 s right after the
// agent starts), the web GUI's own task plan 0.5–1.4 s, the plan before
// this one 63–64 s (77–93 s after a child left).
//
// Source (NewSource) is the live client implementing topology.Source;
// Probe tells whether an address speaks the API; Import reads saved
// answers. Network keys and PSKc in /node/dataset/active are read past and
// never kept: no type in this package has a field for them and no error
// quotes them.
//
// ot-br-posix src/rest (openapi.yaml, json.cpp, names.hpp) and the real
// captures in thread/topology/topologytest/testdata/openthread are the references.
package otbr
