/* tcp probe: connection lifecycle from sock:inet_sock_set_state. Events are attributed to
 * the process that owns the socket (recorded at connect() or accept()), not to whatever
 * task the state change happened to run on. */
#ifndef KSCOPE_ABI_TCP_H
#define KSCOPE_ABI_TCP_H

#include "kscope/abi/common.h"

enum kscope_tcp_kind {
	KSCOPE_TCP_CONNECT = 1, /* active open: established, or failed (error != 0) */
	KSCOPE_TCP_ACCEPT = 2,  /* passive open, reported when accept() hands it over */
	KSCOPE_TCP_CLOSE = 3,   /* an established connection reached CLOSE */
	KSCOPE_TCP_RETRANSMIT = 4,
	KSCOPE_TCP_RESET_SENT = 5,
	KSCOPE_TCP_RESET_RECEIVED = 6,
};

enum kscope_tcp_closer {
	KSCOPE_TCP_CLOSER_UNKNOWN = 0,
	KSCOPE_TCP_CLOSER_LOCAL = 1,  /* we sent the first FIN */
	KSCOPE_TCP_CLOSER_REMOTE = 2, /* the peer sent the first FIN */
};

/* Counters kept in the kernel whatever the filters and tools (for metrics), one slot
 * each in the per-CPU array `counters`; connect latency in `connect_latency` (log2 ns). */
enum kscope_tcp_counter {
	KSCOPE_TCP_OPENED = 0,        /* active opens that reached ESTABLISHED */
	KSCOPE_TCP_ACCEPTED = 1,      /* passive opens that reached ESTABLISHED */
	KSCOPE_TCP_FAILED = 2,        /* active opens that failed */
	KSCOPE_TCP_CLOSED = 3,        /* established connections that reached CLOSE */
	KSCOPE_TCP_RETRANSMITS = 4,
	KSCOPE_TCP_RESETS_SENT = 5,
	KSCOPE_TCP_RESETS_RECEIVED = 6,
	KSCOPE_TCP_CONNECT_LATENCY_NS = 7, /* sum of the connect latencies in connect_latency */
	KSCOPE_TCP_COUNTERS = 8,
};
#define KSCOPE_TCP_LATENCY_SLOTS 48

/* hdr holds the owning process; hdr.pid == 0 when no process ever owned the socket
 * (a connection accepted by the kernel that no one accept()ed). */
struct kscope_tcp_event {
	struct kscope_event_header hdr;
	__u64 latency_ns;     /* connect: SYN sent -> established (or failure);
	                       * accept: SYN-ACK sent -> final ACK (handshake RTT) */
	__u64 duration_ns;    /* close: established -> closed */
	__u64 bytes_sent;     /* close: bytes the peer acknowledged */
	__u64 bytes_received; /* close */
	__u8 saddr[16];       /* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u16 family;         /* AF_INET or AF_INET6 */
	__u8 kind;            /* enum kscope_tcp_kind */
	__u8 closed_by;       /* enum kscope_tcp_closer */
	__s32 error;          /* connect: 0, or -errno (ECONNREFUSED, ETIMEDOUT, ...) */
	__u32 state;          /* retransmit/reset: TCP state of the socket (TCP_ESTABLISHED...) */
};

#endif
