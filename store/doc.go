// Package store keeps topology snapshots in one bbolt file, encoded as
// deterministic (core) CBOR, with history per network, retention and
// compaction.
//
// # File format (schema version 3)
//
// A bbolt file with four top-level buckets:
//
//	meta                       "version" → uint64 big-endian schema version
//	                           "settings" → runtime settings the API changed (an
//	                           opaque blob: GetSettings/PutSettings; backend/app writes JSON)
//	                           "credentials" → Border Agent credentials stored through the
//	                           API (an opaque blob: GetCredentials/PutCredentials)
//	ids                        id (uint64 big-endian) → time key (16 bytes) ‖ network key
//	                           (the bucket's sequence is the last id handed out)
//	net                        one nested bucket per network key (topology.Network.Key():
//	                           the lower-case ext PAN ID, else "name:<name>")
//	  <network key>/snap       time key → snapshot record
//	  <network key>/sum        time key → summary record
//	  <network key> "count"    number of snapshots of the network, uint64 big-endian
//	names                      ext address (8 bytes, big-endian) → the name a user gave
//	                           the device, UTF-8, 1–64 printable characters (SetName);
//	                           applied to every snapshot when served, never stored in one
//
// A time key is 16 bytes: taken_at as Unix nanoseconds, as uint64 with the
// sign bit flipped (so keys sort in time order for any year), big-endian,
// then the snapshot id big-endian. Listing a network over a time range is a
// cursor seek in its snap/sum bucket; newest first is a backwards walk.
//
// A record is
//
//	codec (1 byte) ‖ payload ‖ CRC-32C of codec‖payload (4 bytes, big-endian)
//
// with codec 1 = payload is CBOR (RFC 8949 core deterministic encoding,
// times as RFC 3339 strings with nanoseconds in UTC, struct fields named by
// their canonical-JSON names) and codec 2 = that CBOR compressed with
// DEFLATE (RFC 1951). Snapshot records hold a topology.Snapshot (written
// with codec 2), summary records a summaryRecord (codec 1, integer keys). A record whose checksum or CBOR does
// not verify is reported as an error for that record alone (ErrCorrupt);
// the rest of the file stays readable.
//
// # Damage
//
// bbolt trusts its pages: one damaged page id can make it read outside the
// file or recurse for ever. So Open first walks the page structure itself
// (internal/boltpage: every reachable page's id, type, element bounds and
// key order, and the freelist) and refuses a damaged file with a
// *DamagedError naming the page; every call into bbolt is also guarded (a
// panic or a fault on the mapped file becomes a *DamagedError for that
// call, and writes stop). Repair copies every snapshot record whose
// checksum holds from a damaged file to a new one, also from pages below a
// damaged branch page, without bringing back deleted snapshots.
//
// Snapshot ids are the decimal form of a uint64 handed out in increasing
// order ("1", "2", ...): short, URL-safe and never reused.
//
// Snapshots carry no secrets (network key, PSKc): topology.Snapshot has no
// field for them. The one secret the file may hold is the Border Agent
// credentials a user stored through the API (meta "credentials"), which
// is why the file is created with mode 0600; exports never include meta.
//
// # Migrations
//
// Open runs, in one read-write transaction, every migration from the file's
// version up to CurrentVersion (migrations[N] takes version N to N+1).
// Version 0 is a file without the meta bucket (new or pre-versioning);
// version 1 had no summary buckets; version 2 had no names bucket.
package store
