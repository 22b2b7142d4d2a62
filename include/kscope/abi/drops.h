/* drops probe: packets the kernel freed as dropped (skb:kfree_skb), with the drop reason
 * (enum skb_drop_reason, named from kernel BTF in user space), protocol and addresses. */
#ifndef KSCOPE_ABI_DROPS_H
#define KSCOPE_ABI_DROPS_H

#include "kscope/abi/common.h"

#define KSCOPE_DROP_REASONS 512 /* counter slots; a reason past this is counted in the last */

/* hdr is the task that was running when the packet was dropped (often not the owner:
 * drops happen in softirq). */
struct kscope_drop_event {
	struct kscope_event_header hdr;
	__u64 location;   /* kernel address that dropped it */
	__u32 reason;     /* enum skb_drop_reason */
	__u16 protocol;   /* ethertype (ETH_P_IP, ETH_P_IPV6, ...) */
	__u8 l4_protocol; /* IPPROTO_* when the IP header was readable, else 0 */
	__u8 has_addrs;   /* saddr/daddr (and ports for TCP/UDP) are valid */
	__u8 saddr[16];   /* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u32 _pad;
};

#endif
