/* dns probe: DNS messages a process sends to or receives from a DNS port (53 by default),
 * seen by cgroup_skb programs on the cgroup2 root. The kernel reads only the DNS header
 * (id, flags, rcode) to match answers with queries and keep the metrics; the message
 * itself is copied (up to KSCOPE_DNS_PAYLOAD_MAX bytes) and parsed in user space. */
#ifndef KSCOPE_ABI_DNS_H
#define KSCOPE_ABI_DNS_H

#include "kscope/abi/common.h"

#define KSCOPE_DNS_PAYLOAD_MAX 512 /* bytes of the message carried (classic UDP size) */
#define KSCOPE_DNS_PORTS 4         /* server ports watched */
#define KSCOPE_DNS_RCODES 16       /* the header's 4-bit RCODE */
#define KSCOPE_DNS_LATENCY_SLOTS 48

enum kscope_dns_kind {
	KSCOPE_DNS_QUERY = 1,    /* a query sent to a DNS port */
	KSCOPE_DNS_RESPONSE = 2, /* an answer received from a DNS port */
};

/* Counters kept in the kernel whatever the filters (for metrics), one slot each in the
 * per-CPU array `counters`; answers by rcode in `rcodes`, latency in `latency` (log2 ns). */
enum kscope_dns_counter {
	KSCOPE_DNS_QUERIES = 0,
	KSCOPE_DNS_RESPONSES = 1,
	KSCOPE_DNS_UNMATCHED = 2, /* answers with no query seen (kscope started in between) */
	KSCOPE_DNS_MALFORMED = 3, /* packets to/from a DNS port too short for a DNS header */
	KSCOPE_DNS_LATENCY_NS = 4, /* sum of the latencies in `latency` */
	KSCOPE_DNS_COUNTERS = 5,
};

/* hdr holds the process that owns the socket (recorded when it first sent to a DNS
 * port); hdr.pid == 0 for an answer on a socket that sent nothing since kscope started. */
struct kscope_dns_event {
	struct kscope_event_header hdr;
	__u64 latency_ns;   /* response: since the query with the same id on this socket; 0 if none */
	__u8 saddr[16];     /* local address; IPv4 in the first 4 bytes */
	__u8 daddr[16];     /* the DNS server's address */
	__u16 sport;        /* local port */
	__u16 dport;        /* the server's port */
	__u16 family;       /* AF_INET or AF_INET6 */
	__u8 kind;          /* enum kscope_dns_kind */
	__u8 transport;     /* IPPROTO_UDP or IPPROTO_TCP */
	__u16 message_len;  /* the DNS message's length on the wire */
	__u16 payload_len;  /* bytes of it in payload[] (at most KSCOPE_DNS_PAYLOAD_MAX) */
	__u32 _pad;
	__u8 payload[KSCOPE_DNS_PAYLOAD_MAX]; /* only payload_len bytes are sent */
};

#endif
