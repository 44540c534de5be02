// Package pskc derives and parses the Thread Pre-Shared Key for the Commissioner (PSKc), the
// EC-JPAKE password of a MeshCoP commissioner session to a Border Agent.
//
// PSKc = PBKDF2(PRF = AES-CMAC-PRF-128 (RFC 4615), password = the commissioning passphrase,
// salt = "Thread" || extended PAN ID (8 bytes) || network name (UTF-8, at most 16 bytes),
// 16384 iterations, 16 bytes of output) — Thread specification 8.4.1.2.1, and the salt layout of
// OpenThread's MeshCoP::GeneratePskc. The passphrase is 6 to 255 bytes of UTF-8.
//
// The specification's worked example (passphrase "12SECRETPASSWORD34", network name
// "Test Network", extended PAN ID 0001020304050607) gives c3f59368445a1b6106be420a706d4cc9;
// the tests check it together with OpenThread's own unit-test vectors.
package pskc
