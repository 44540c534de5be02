// Package otbr reads the OpenThread Border Router REST API as ot-br-posix
// serves it (default port 8081) in all three of its dialects, and maps what
// it returns into threadmap's topology model:
//
//   - legacy (until 2025-09): GET /diagnostics — a ~2 s multicast collection
//     listing routers and rx-on FTD children with PascalCase keys, decimal
//     Rloc16 and upper-case ExtAddress — and GET /node, /node/*;
//   - the JSON:API (2025-09 on): POST /api/actions tasks
//     (updateDeviceCollectionTask first, then one getNetworkDiagnosticTask
//     per device, run serially by the border router), GET /api/devices,
//     /api/diagnostics (JSON:API or plain JSON; rloc16 as "0x5000");
//   - the JSON:API with the 2026-07 attribute renames (eui64 → eui,
//     version → threadVersion, hostName → hostname, deviceTypeFTD →
//     fullThreadDevice, connectionTime → linkAge, ...), API 0.4.0 on,
//     announced at /.well-known/thread/br-rest.
//
// Decoders accept every spelling of every dialect. Source (NewSource) is
// the live client implementing topology.Source; Probe tells whether an
// address speaks the API; Import reads saved answers. Network keys and
// PSKc in /node/dataset/active are read past and never kept: no type in
// this package has a field for them and no error quotes them.
//
// ot-br-posix src/rest (openapi.yaml, json.cpp, names.hpp) and the real
// captures in thread/topology/topologytest/testdata/openthread are the references.
package otbr
