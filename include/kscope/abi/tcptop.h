/* tcptop probe: TCP payload bytes per (process, flow), counted in the kernel from
 * sock:sock_send_length / sock:sock_recv_length (the sending or receiving process). */
#ifndef KSCOPE_ABI_TCPTOP_H
#define KSCOPE_ABI_TCPTOP_H

#include "kscope/abi/common.h"

struct kscope_flow_key {
	__u8 saddr[16]; /* local; IPv4 in the first 4 bytes */
	__u8 daddr[16]; /* remote */
	__u32 pid;
	__u16 sport;
	__u16 dport;
	__u16 family;   /* AF_INET or AF_INET6 */
	__u16 _pad[3];
};

struct kscope_flow_bytes {
	char comm[KSCOPE_COMM_LEN];
	__u64 tx_bytes;
	__u64 rx_bytes;
};

#endif
