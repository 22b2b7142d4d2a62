// SPDX-License-Identifier: GPL-2.0
/* Test helper, not part of kscope: drops the first `budget` TCP segments with payload to
 * drop_port arriving on the interface, so the sender has to retransmit. */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u16 drop_port = 0;
__u32 budget = 3;

#define ETH_P_IP 0x0800
#define IPPROTO_TCP 6

SEC("xdp")
int xdp_drop_some(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP || ip->ihl < 5)
		return XDP_PASS;
	struct tcphdr *tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 1) > end || tcp->dest != bpf_htons(drop_port))
		return XDP_PASS;
	__u32 payload = bpf_ntohs(ip->tot_len) - ip->ihl * 4 - tcp->doff * 4;
	if (payload == 0 || budget == 0)
		return XDP_PASS;
	__sync_fetch_and_add(&budget, -1);
	return XDP_DROP;
}
