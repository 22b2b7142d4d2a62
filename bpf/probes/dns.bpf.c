// SPDX-License-Identifier: GPL-2.0
/* dns: cgroup_skb programs on the cgroup2 root see every packet of every socket on the
 * host, whichever network namespace it lives in. Egress packets to a DNS port are
 * queries, ingress packets from one are answers. The kernel reads the DNS header only:
 * queries are remembered by (socket, id) so an answer gets its latency, and answers are
 * counted by rcode; the message is copied for user space to parse. Programs always
 * return 1: kscope watches, it never filters traffic. */
#include "lib/common.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/histogram.bpf.h"
#include <bpf/bpf_endian.h>
#include "kscope/abi/dns.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_dns_event);

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define AF_INET 2
#define AF_INET6 10
#define DNS_HEADER_LEN 12
#define IP_OFFSET_MASK 0x1fff

/* Server ports watched; 0 = unused slot. */
const volatile __u16 dns_ports[KSCOPE_DNS_PORTS] = {53, 0, 0, 0};

/* Who owns a socket: recorded when it sends a query (process context), read when an
 * answer arrives (softirq, where current is whatever task was running). */
struct owner {
	struct kscope_event_header hdr;
	__u8 selected; /* passed the -p/-c/--cgroup filters when it sent */
	__u8 _pad[7];
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct owner);
} owners SEC(".maps");

struct query_key {
	__u64 cookie; /* socket cookie */
	__u16 id;     /* DNS message id */
	__u16 _pad[3];
};

/* Queries waiting for their answer; LRU so unanswered ones age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct query_key);
	__type(value, __u64); /* boot-time ns the query left */
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_DNS_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_DNS_RCODES);
	__type(key, __u32);
	__type(value, __u64);
} rcodes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_DNS_LATENCY_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} latency SEC(".maps");

/* The event is too big for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kscope_dns_event);
} scratch SEC(".maps");

/* Where the DNS message starts in a packet and the flow it belongs to. */
struct packet {
	__u8 saddr[16], daddr[16]; /* as in the IP header */
	__u16 sport, dport;
	__u16 family;
	__u8 transport;
	__u32 msg_off;   /* offset of the DNS message in the packet */
	__u32 msg_len;   /* its length on the wire (TCP: from the length prefix) */
	__u32 available; /* bytes of it in this packet */
};

static __always_inline bool is_dns_port(__u16 port)
{
	for (int i = 0; i < KSCOPE_DNS_PORTS; i++)
		if (dns_ports[i] && dns_ports[i] == port)
			return true;
	return false;
}

/* Fills p from the IP and UDP/TCP headers; false if this is not a packet to look into
 * (not IP, a later IP fragment, IPv6 extension headers, neither UDP nor TCP, or the
 * server side's port - the destination when sent, the source when received - is not a
 * DNS port). The port is checked as soon as it is known: most packets stop there. */
static __always_inline bool parse_packet(struct __sk_buff *skb, struct packet *p, bool sent)
{
	__u32 l4_off;
	__u8 proto;
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;
		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) || ip.version != 4)
			return false;
		if (bpf_ntohs(ip.frag_off) & IP_OFFSET_MASK)
			return false;
		__builtin_memcpy(p->saddr, &ip.saddr, 4);
		__builtin_memcpy(p->daddr, &ip.daddr, 4);
		p->family = AF_INET;
		l4_off = ip.ihl * 4;
		proto = ip.protocol;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;
		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)))
			return false;
		__builtin_memcpy(p->saddr, &ip6.saddr, 16);
		__builtin_memcpy(p->daddr, &ip6.daddr, 16);
		p->family = AF_INET6;
		l4_off = sizeof(ip6);
		proto = ip6.nexthdr;
	} else {
		return false;
	}
	p->transport = proto;
	if (proto == IPPROTO_UDP) {
		struct udphdr udp;
		if (bpf_skb_load_bytes(skb, l4_off, &udp, sizeof(udp)))
			return false;
		p->sport = bpf_ntohs(udp.source);
		p->dport = bpf_ntohs(udp.dest);
		if (!is_dns_port(sent ? p->dport : p->sport))
			return false;
		p->msg_off = l4_off + sizeof(udp);
		p->msg_len = skb->len > p->msg_off ? skb->len - p->msg_off : 0;
	} else if (proto == IPPROTO_TCP) {
		struct tcphdr tcp;
		if (bpf_skb_load_bytes(skb, l4_off, &tcp, sizeof(tcp)))
			return false;
		p->sport = bpf_ntohs(tcp.source);
		p->dport = bpf_ntohs(tcp.dest);
		if (!is_dns_port(sent ? p->dport : p->sport))
			return false;
		/* DNS over TCP: a 2-byte length, then the message (RFC 1035 4.2.2). Only a
		 * segment that starts a message is looked at. */
		__u32 off = l4_off + tcp.doff * 4;
		__be16 prefix;
		if (skb->len < off + sizeof(prefix) ||
		    bpf_skb_load_bytes(skb, off, &prefix, sizeof(prefix)))
			return false;
		p->msg_off = off + sizeof(prefix);
		p->msg_len = bpf_ntohs(prefix);
	} else {
		return false;
	}
	p->available = skb->len > p->msg_off ? skb->len - p->msg_off : 0;
	if (p->available > p->msg_len)
		p->available = p->msg_len;
	return true;
}

/* Sends one event: the owner's header, the flow (local address first) and the message. */
static __always_inline void emit_message(struct __sk_buff *skb, const struct packet *p,
					 const struct kscope_event_header *owner, __u8 kind,
					 __u64 now, __u64 latency_ns)
{
	__u32 zero = 0;
	struct kscope_dns_event *ev = bpf_map_lookup_elem(&scratch, &zero);
	if (!ev)
		return;
	__builtin_memcpy(&ev->hdr, owner, sizeof(ev->hdr));
	ev->hdr.ts_ns = now;
	ev->hdr.type = KSCOPE_EVENT_DNS;
	ev->latency_ns = latency_ns;
	bool sent = kind == KSCOPE_DNS_QUERY;
	__builtin_memcpy(ev->saddr, sent ? p->saddr : p->daddr, 16);
	__builtin_memcpy(ev->daddr, sent ? p->daddr : p->saddr, 16);
	ev->sport = sent ? p->sport : p->dport;
	ev->dport = sent ? p->dport : p->sport;
	ev->family = p->family;
	ev->kind = kind;
	ev->transport = p->transport;
	ev->message_len = p->msg_len;
	ev->_pad = 0;

	__u64 len = p->available;
	if (len > KSCOPE_DNS_PAYLOAD_MAX)
		len = KSCOPE_DNS_PAYLOAD_MAX;
	/* Hide what clang knows so the bounds check below reaches the verifier. */
	asm volatile("" : "+r"(len));
	if (len < DNS_HEADER_LEN || len > KSCOPE_DNS_PAYLOAD_MAX)
		return;
	if (bpf_skb_load_bytes(skb, p->msg_off, ev->payload, len))
		return;
	ev->payload_len = len;
	__u32 size = offsetof(struct kscope_dns_event, payload) + len;
	ev->hdr.size = size;
	emit(ev, size);
}

/* The DNS header's id and flags; false (counted as malformed) if the packet is too
 * short to hold one. */
static __always_inline bool read_dns_header(struct __sk_buff *skb, const struct packet *p,
					    __u16 *id, __u16 *flags)
{
	if (p->available == 0) /* a TCP segment without data (ACK, FIN) */
		return false;
	__be16 h[2];
	if (p->available < DNS_HEADER_LEN || p->msg_len < DNS_HEADER_LEN ||
	    bpf_skb_load_bytes(skb, p->msg_off, h, sizeof(h))) {
		percpu_inc(&counters, KSCOPE_DNS_MALFORMED);
		return false;
	}
	*id = bpf_ntohs(h[0]);
	*flags = bpf_ntohs(h[1]);
	return true;
}

SEC("cgroup_skb/egress")
int ks_dns_egress(struct __sk_buff *skb)
{
	struct packet p = {};
	__u16 id, flags;
	if (!parse_packet(skb, &p, true))
		return 1;
	if (!read_dns_header(skb, &p, &id, &flags))
		return 1;
	if (flags & 0x8000) /* QR set: an answer, not a query (we are the server) */
		return 1;

	__u64 now = bpf_ktime_get_boot_ns();
	struct query_key key = {.cookie = bpf_get_socket_cookie(skb), .id = id};
	bpf_map_update_elem(&inflight, &key, &now, BPF_ANY);
	percpu_inc(&counters, KSCOPE_DNS_QUERIES);

	/* Queries leave in the sending process's context: remember it as the owner. */
	struct owner local = {};
	struct owner *o = &local;
	struct bpf_sock *sk = skb->sk;
	if (sk)
		sk = bpf_sk_fullsock(sk);
	if (sk) {
		struct owner *stored =
			bpf_sk_storage_get(&owners, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (stored)
			o = stored;
	}
	fill_header(&o->hdr, KSCOPE_EVENT_DNS);
	o->selected = task_selected();
	if (o->selected && !filter_failures_only)
		emit_message(skb, &p, &o->hdr, KSCOPE_DNS_QUERY, now, 0);
	return 1;
}

SEC("cgroup_skb/ingress")
int ks_dns_ingress(struct __sk_buff *skb)
{
	struct packet p = {};
	__u16 id, flags;
	if (!parse_packet(skb, &p, false))
		return 1;
	if (!read_dns_header(skb, &p, &id, &flags))
		return 1;
	if (!(flags & 0x8000)) /* a query arriving: we are the server */
		return 1;

	__u64 now = bpf_ktime_get_boot_ns();
	__u64 latency_ns = 0;
	struct query_key key = {.cookie = bpf_get_socket_cookie(skb), .id = id};
	__u64 *sent = bpf_map_lookup_elem(&inflight, &key);
	if (sent) {
		latency_ns = now - *sent;
		bpf_map_delete_elem(&inflight, &key);
		percpu_inc(&latency, hist_slot(latency_ns, KSCOPE_DNS_LATENCY_SLOTS));
		percpu_add(&counters, KSCOPE_DNS_LATENCY_NS, latency_ns);
	} else {
		percpu_inc(&counters, KSCOPE_DNS_UNMATCHED);
		/* Over TCP an unmatched segment is more likely the middle of a long answer
		 * than an answer: leave it alone. */
		if (p.transport == IPPROTO_TCP)
			return 1;
	}
	__u8 rcode = flags & 0xf;
	percpu_inc(&counters, KSCOPE_DNS_RESPONSES);
	percpu_inc(&rcodes, rcode);
	if (filter_failures_only && rcode == 0)
		return 1;

	struct owner *o = 0;
	struct bpf_sock *sk = skb->sk;
	if (sk)
		sk = bpf_sk_fullsock(sk);
	if (sk)
		o = bpf_sk_storage_get(&owners, sk, 0, 0);
	if (o) {
		if (o->selected)
			emit_message(skb, &p, &o->hdr, KSCOPE_DNS_RESPONSE, now, latency_ns);
	} else if (!filter_by_pid && !filter_by_comm && !filter_by_cgroup) {
		struct kscope_event_header nobody = {};
		emit_message(skb, &p, &nobody, KSCOPE_DNS_RESPONSE, now, latency_ns);
	}
	return 1;
}
