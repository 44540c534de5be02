// Package meshcop finds Thread border routers: it decodes and encodes the
// TXT record of the MeshCoP `_meshcop._udp` DNS-SD service (Thread spec
// 8.4.1.1.2 as OpenThread's border_agent_txt_data builds it), browses the
// service continuously with mDNS on chosen interfaces, groups the border
// routers it sees into Thread networks by extended PAN ID, and advertises
// simulated border routers.
//
// The DNS library under grandcat/zeroconf (miekg/dns) hands TXT strings over
// in presentation form (`\DDD`, `\"`, `\\`) and reads them back the same way
// when packing; Unescape and Escape turn that form into exact bytes and back.
package meshcop
