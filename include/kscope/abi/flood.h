/* flood probe: packets counted per source address at XDP (or tc ingress), per CPU and
 * LRU-bounded; user space sums the CPUs, judges rates and writes the sources to drop. */
#ifndef KSCOPE_ABI_FLOOD_H
#define KSCOPE_ABI_FLOOD_H

#include "kscope/abi/common.h"

/* Packet classes, the slots of the global counters. */
enum kscope_flood_class {
	KSCOPE_FLOOD_UDP = 0,
	KSCOPE_FLOOD_TCP_SYN = 1, /* SYN without ACK: a connection attempt */
	KSCOPE_FLOOD_TCP = 2,     /* other TCP */
	KSCOPE_FLOOD_ICMP = 3,    /* ICMP and ICMPv6 */
	KSCOPE_FLOOD_OTHER = 4,   /* other IP protocols, and non-IP frames */
	KSCOPE_FLOOD_CLASSES = 5,
};

/* A source as the counters key it: the interface it arrived on and its address (IPv4 as
 * ::ffff:a.b.c.d). */
struct kscope_flood_key {
	__u32 ifindex;
	__u8 addr[16];
};

/* Per CPU, since the source was first seen (or evicted and seen again). */
struct kscope_flood_counts {
	__u64 packets;
	__u64 udp;
	__u64 syn;
};

/* The blocked map's key: the address alone (dropped on every guarded interface). Its
 * value is the end of the cooldown, bpf_ktime_get_ns() time (CLOCK_MONOTONIC). */
struct kscope_flood_addr {
	__u8 addr[16];
};

#endif
