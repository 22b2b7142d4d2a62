// SPDX-License-Identifier: GPL-2.0
/* flood: XDP on the guarded interfaces (tc ingress where XDP cannot attach). Every packet
 * is classed (udp, tcp_syn, tcp, icmp, other) and counted globally, as passed or dropped;
 * IP packets are also counted per source in a per-CPU LRU hash. Sources user space found
 * over a limit are in `blocked` until their cooldown ends, and their packets are dropped
 * here. One VLAN tag is skipped; IPv6 extension headers are not walked. */
#include "lib/common.bpf.h"
#include <bpf/bpf_endian.h>
#include "kscope/abi/flood.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_flood_key);
KSCOPE_EXPORT_ABI(kscope_flood_counts);
KSCOPE_EXPORT_ABI(kscope_flood_addr);

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_ICMP 1
#define IPPROTO_ICMPV6 58
#define IP_OFFSET 0x1fff
#define TCX_NEXT -1
#define TC_ACT_SHOT 2

/* Slot 0: entries in `blocked` (user space keeps it current); no hash lookup per packet
 * while it is 0 (an array lookup is inlined by the verifier). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} blocked_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 16384); /* resized by user space before load */
	__type(key, struct kscope_flood_key);
	__type(value, struct kscope_flood_counts);
} sources SEC(".maps");

/* A plain hash (sized by user space): a block is never evicted behind the agent's back;
 * a full map refuses the next one, which the agent reports. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct kscope_flood_addr);
	__type(value, __u64);
} blocked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_FLOOD_CLASSES);
	__type(key, __u32);
	__type(value, __u64);
} packets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_FLOOD_CLASSES);
	__type(key, __u32);
	__type(value, __u64);
} dropped SEC(".maps");

struct vlan_hdr_ks {
	__be16 tci;
	__be16 proto;
};

/* The class of an L4 header at l4 (TCP flags need its fixed 20-byte header). */
static __always_inline __u32 classify(__u8 proto, void *l4, void *end, bool first_fragment)
{
	if (proto == IPPROTO_UDP)
		return KSCOPE_FLOOD_UDP;
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
		return KSCOPE_FLOOD_ICMP;
	if (proto != IPPROTO_TCP)
		return KSCOPE_FLOOD_OTHER;
	struct tcphdr *tcp = l4;
	if (!first_fragment || (void *)(tcp + 1) > end)
		return KSCOPE_FLOOD_TCP;
	return tcp->syn && !tcp->ack ? KSCOPE_FLOOD_TCP_SYN : KSCOPE_FLOOD_TCP;
}

/* true: drop the packet (its source is blocked). */
static __always_inline bool judge(void *data, void *end, __u32 ifindex)
{
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end) {
		percpu_inc(&packets, KSCOPE_FLOOD_OTHER);
		return false;
	}
	__u16 proto = eth->h_proto;
	void *l3 = eth + 1;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		struct vlan_hdr_ks *vlan = l3;
		if ((void *)(vlan + 1) > end) {
			percpu_inc(&packets, KSCOPE_FLOOD_OTHER);
			return false;
		}
		proto = vlan->proto;
		l3 = vlan + 1;
	}
	struct kscope_flood_key key = {.ifindex = ifindex};
	__u32 cls;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;
		if ((void *)(ip + 1) > end || ip->ihl < 5) {
			percpu_inc(&packets, KSCOPE_FLOOD_OTHER);
			return false;
		}
		key.addr[10] = 0xff;
		key.addr[11] = 0xff;
		__builtin_memcpy(&key.addr[12], &ip->saddr, 4);
		void *l4 = (void *)ip + ip->ihl * 4;
		/* One register for the bounds check and the read (else the verifier loses the range). */
		asm volatile("" : "+r"(l4));
		cls = classify(ip->protocol, l4, end, !(ip->frag_off & bpf_htons(IP_OFFSET)));
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;
		if ((void *)(ip6 + 1) > end) {
			percpu_inc(&packets, KSCOPE_FLOOD_OTHER);
			return false;
		}
		__builtin_memcpy(key.addr, &ip6->saddr, 16);
		/* Extension headers are not walked: a packet with one counts as "other". */
		cls = classify(ip6->nexthdr, ip6 + 1, end, true);
	} else {
		percpu_inc(&packets, KSCOPE_FLOOD_OTHER);
		return false;
	}
	__u32 zero_key = 0;
	__u32 *nblocked = bpf_map_lookup_elem(&blocked_count, &zero_key);
	if (nblocked && *nblocked) {
		__u64 *until = bpf_map_lookup_elem(&blocked, key.addr);
		if (until && bpf_ktime_get_ns() < *until) {
			percpu_inc(&dropped, cls);
			return true;
		}
	}
	percpu_inc(&packets, cls);
	struct kscope_flood_counts *c = bpf_map_lookup_elem(&sources, &key);
	if (!c) {
		struct kscope_flood_counts zero = {};
		bpf_map_update_elem(&sources, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&sources, &key);
		if (!c)
			return false;
	}
	c->packets++;
	if (cls == KSCOPE_FLOOD_UDP)
		c->udp++;
	else if (cls == KSCOPE_FLOOD_TCP_SYN)
		c->syn++;
	return false;
}

SEC("xdp")
int ks_flood_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	return judge(data, end, ctx->ingress_ifindex) ? XDP_DROP : XDP_PASS;
}

/* The tc fallback (a tcx link on ingress): the same judgement on the skb's linear data. */
SEC("tc")
int ks_flood_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	return judge(data, end, skb->ifindex) ? TC_ACT_SHOT : TCX_NEXT;
}
