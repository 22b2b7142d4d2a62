// SPDX-License-Identifier: GPL-2.0
/* drops: skb:kfree_skb (tp_btf). Every drop is counted by reason in the kernel (for --summary
 * and metrics); events carry the protocol and, for IP, addresses and ports read from
 * the packet's headers. Frees with reason "consumed" or "not dropped" are not drops. */
#include "lib/common.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "kscope/abi/drops.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_drop_event);

/* false with --summary: count only, no events. */
const volatile bool emit_events = true;

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_DROP_REASONS);
	__type(key, __u32);
	__type(value, __u64);
} reasons SEC(".maps");

static __always_inline void read_ports(struct kscope_drop_event *ev, unsigned char *l4)
{
	if (ev->l4_protocol != IPPROTO_TCP && ev->l4_protocol != IPPROTO_UDP)
		return;
	__be16 ports[2];
	if (bpf_probe_read_kernel(ports, sizeof(ports), l4) == 0) {
		ev->sport = __builtin_bswap16(ports[0]);
		ev->dport = __builtin_bswap16(ports[1]);
	}
}

static __always_inline void read_headers(struct kscope_drop_event *ev, struct sk_buff *skb)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	if (!head || nh == (__u16)~0U)
		return;
	unsigned char *l3 = head + nh;
	if (ev->protocol == ETH_P_IP) {
		struct iphdr ip;
		if (bpf_probe_read_kernel(&ip, sizeof(ip), l3) || ip.version != 4)
			return;
		ev->l4_protocol = ip.protocol;
		__builtin_memcpy(ev->saddr, &ip.saddr, 4);
		__builtin_memcpy(ev->daddr, &ip.daddr, 4);
		ev->has_addrs = 1;
		read_ports(ev, l3 + ip.ihl * 4);
	} else if (ev->protocol == ETH_P_IPV6) {
		struct ipv6hdr ip6;
		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), l3) || ip6.version != 6)
			return;
		ev->l4_protocol = ip6.nexthdr; /* extension headers are not followed */
		__builtin_memcpy(ev->saddr, &ip6.saddr, 16);
		__builtin_memcpy(ev->daddr, &ip6.daddr, 16);
		ev->has_addrs = 1;
		read_ports(ev, l3 + sizeof(ip6));
	}
}

/* tp_btf, not tp: a classic tracepoint program is skipped whenever any other one is
 * running on the CPU (one guard for all), and drops happen in softirq, which often
 * interrupts another probe's syscall program; a tp_btf program is skipped only when it
 * interrupts itself. (The reason argument and its enum both arrived in 5.17.) */
SEC("tp_btf/kfree_skb")
int BPF_PROG(ks_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason_arg)
{
	__u32 reason = reason_arg;
	if (reason == bpf_core_enum_value(enum skb_drop_reason, SKB_NOT_DROPPED_YET) ||
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_CONSUMED))
		return 0;
	percpu_inc(&reasons, reason < KSCOPE_DROP_REASONS ? reason : KSCOPE_DROP_REASONS - 1);
	if (!emit_events || !task_selected())
		return 0;

	struct kscope_drop_event ev = {};
	fill_header(&ev.hdr, KSCOPE_EVENT_DROP);
	ev.hdr.size = sizeof(ev);
	ev.location = (__u64)location;
	ev.reason = reason;
	ev.protocol = __builtin_bswap16(BPF_CORE_READ(skb, protocol));
	read_headers(&ev, skb);
	emit(&ev, sizeof(ev));
	return 0;
}
