// SPDX-License-Identifier: GPL-2.0
/* tcp: connect, accept and close from sock:inet_sock_set_state, and (for kscope retrans)
 * retransmits and resets from tcp:tcp_retransmit_skb/tcp_send_reset/tcp_receive_reset,
 * all as tp_btf programs.
 * - CLOSE -> SYN_SENT runs in connect(): the current task owns the socket; remember it.
 * - SYN_SENT -> ESTABLISHED / CLOSE (softirq): connect event with the stored owner.
 * - SYN_RECV -> ESTABLISHED (softirq): a passive open; its owner is whoever accept()s it,
 *   so the accept event is emitted at accept()/accept4() exit.
 * - ESTABLISHED -> FIN_WAIT1 / CLOSE_WAIT: who closed first.
 * - -> CLOSE: close event with lifetime and byte counts. */
#include "lib/common.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/histogram.bpf.h"
#include "lib/fd.bpf.h"
#include "kscope/abi/tcp.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_tcp_event);

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6

enum { ROLE_CONNECT = 1, ROLE_ACCEPT = 2 };

/* Which tool runs the probe: `kscope tcp` wants the lifecycle, `kscope retrans` the
 * retransmits and resets; both need the owners the lifecycle programs record. */
const volatile bool emit_lifecycle = true;
const volatile bool emit_retransmits = false;

struct conn {
	struct kscope_event_header owner; /* pid 0 until known */
	__u64 syn_ts;
	__u64 established_ts;
	__u64 latency_ns;
	__u8 role;
	__u8 closed_by;
	__u8 selected;   /* the owner passed the filters */
	__u8 fin_sent;   /* we sent a FIN (entered FIN_WAIT1 or LAST_ACK) */
	__u8 closed;     /* reached CLOSE; kept (LRU) so a reset sent right after has its owner */
	__u8 _pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* struct sock * */
	__type(value, struct conn);
} conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_TCP_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_TCP_LATENCY_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} connect_latency SEC(".maps");

static __always_inline void count(__u32 counter)
{
	percpu_inc(&counters, counter);
}

static __always_inline bool any_filter(void)
{
	return filter_by_pid || filter_by_comm || filter_by_cgroup;
}

/* Addresses and ports from the socket (local first), host byte order for ports. */
static __always_inline void sk_addrs(struct kscope_tcp_event *ev, const struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	ev->family = family;
	/* inet_sport, not skc_num: the latter is cleared when the port is released, just
	 * before the change to CLOSE. */
	ev->sport = __builtin_bswap16(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	ev->dport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		BPF_CORE_READ_INTO(&ev->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO(&ev->daddr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(&ev->saddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&ev->daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

static __always_inline void emit_from(struct kscope_tcp_event *ev, struct conn *c, __u8 kind)
{
	ev->hdr = c->owner;
	ev->hdr.ts_ns = bpf_ktime_get_boot_ns();
	ev->hdr.type = KSCOPE_EVENT_TCP;
	ev->hdr.size = sizeof(*ev);
	ev->kind = kind;
	emit(ev, sizeof(*ev));
}

/* Payload bytes. The kernel's counters cover sequence space: bytes_acked includes our
 * SYN (active open) and our FIN once acknowledged; bytes_received includes the peer's
 * FIN (SOCK_DONE is set when it arrived). */
static __always_inline void data_bytes(struct kscope_tcp_event *ev, struct conn *c, struct tcp_sock *tp)
{
	__u64 acked = BPF_CORE_READ(tp, bytes_acked);
	__u64 received = BPF_CORE_READ(tp, bytes_received);
	if (c->role == ROLE_CONNECT && acked)
		acked--;
	if (c->fin_sent && acked && BPF_CORE_READ(tp, snd_una) == BPF_CORE_READ(tp, write_seq))
		acked--;
	unsigned long flags = BPF_CORE_READ((struct sock *)tp, __sk_common.skc_flags);
	if ((flags >> bpf_core_enum_value(enum sock_flags, SOCK_DONE)) & 1 && received)
		received--;
	ev->bytes_sent = acked;
	ev->bytes_received = received;
}

/* State changes nest: a softirq changing one socket's state can interrupt this program
 * handling another's in process context, and the kernel then skips the nested run (its
 * recursion guard). So two programs sit on the tracepoint, called in turn for each
 * change: ks_tcp_state handles it and marks it handled; ks_tcp_state_nested handles it
 * only if it is not marked, i.e. the kernel skipped ks_tcp_state. The mark is the change
 * itself, not a "busy" flag: the guard is set before a program's first instruction and
 * cleared after its last, so a flag set inside the program leaves windows where a change
 * is skipped yet looks handled. An interrupt that marks a change also unmarks it before it
 * returns, so a few slots per CPU suffice. tp_btf (not tp): its guard is per program. */
#define HANDLED_SLOTS 4
struct change {
	__u64 sk;     /* struct sock *; 0 = free slot */
	__u64 ts;     /* when it was marked */
	__u32 states; /* from << 8 | to */
	__u32 _pad;
};
/* A mark is consumed within microseconds. One older than this was left by a run of
 * ks_tcp_state_nested the kernel skipped; it must not match a later change of a socket
 * allocated at the same address. */
#define MARK_TTL_NS 1000000
struct handled {
	struct change slot[HANDLED_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct handled);
} handled SEC(".maps");

/* Changes ks_tcp_state_nested handled for ks_tcp_state: ks_tcp_state's skipped runs minus
 * these are the changes really lost. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} recovered SEC(".maps");

static __always_inline int on_state_change(const struct sock *skp, const int from, const int to)
{
	if (BPF_CORE_READ(skp, sk_protocol) != IPPROTO_TCP)
		return 0;
	__u64 sk = (__u64)skp;
	__u64 now = bpf_ktime_get_boot_ns();

	if (to == TCP_SYN_SENT) {
		struct conn c = { .syn_ts = now, .role = ROLE_CONNECT, .selected = task_selected() };
		fill_header(&c.owner, KSCOPE_EVENT_TCP);
		bpf_map_update_elem(&conns, &sk, &c, BPF_ANY);
		return 0;
	}
	if (from == TCP_SYN_RECV && to == TCP_ESTABLISHED) {
		struct tcp_sock *tp = (struct tcp_sock *)skp;
		struct conn c = {
			.established_ts = now,
			.role = ROLE_ACCEPT,
			.selected = !any_filter(), /* decided again at accept() */
			/* srtt_us holds the SYN-ACK round trip, <<3, measured before this change. */
			.latency_ns = (__u64)(BPF_CORE_READ(tp, srtt_us) >> 3) * 1000,
		};
		bpf_map_update_elem(&conns, &sk, &c, BPF_ANY);
		count(KSCOPE_TCP_ACCEPTED);
		return 0;
	}

	struct conn *c = bpf_map_lookup_elem(&conns, &sk);
	if (!c)
		return 0;
	struct kscope_tcp_event ev = {};
	if (from == TCP_SYN_SENT) {
		ev.latency_ns = now - c->syn_ts;
		if (to == TCP_ESTABLISHED) {
			c->established_ts = now;
			c->latency_ns = ev.latency_ns;
			count(KSCOPE_TCP_OPENED);
			percpu_inc(&connect_latency, hist_slot(ev.latency_ns, KSCOPE_TCP_LATENCY_SLOTS));
			percpu_add(&counters, KSCOPE_TCP_CONNECT_LATENCY_NS, ev.latency_ns);
		} else {
			count(KSCOPE_TCP_FAILED);
			ev.error = -BPF_CORE_READ(skp, sk_err);
			if (!ev.error)
				ev.error = -ECONNREFUSED;
		}
		if (emit_lifecycle && c->selected && (!filter_failures_only || ev.error)) {
			sk_addrs(&ev, skp);
			emit_from(&ev, c, KSCOPE_TCP_CONNECT);
		}
		if (to != TCP_ESTABLISHED)
			bpf_map_delete_elem(&conns, &sk);
		return 0;
	}
	if (from == TCP_ESTABLISHED && to == TCP_FIN_WAIT1 && !c->closed_by)
		c->closed_by = KSCOPE_TCP_CLOSER_LOCAL;
	if (from == TCP_ESTABLISHED && to == TCP_CLOSE_WAIT && !c->closed_by)
		c->closed_by = KSCOPE_TCP_CLOSER_REMOTE;
	if (to == TCP_FIN_WAIT1 || to == TCP_LAST_ACK)
		c->fin_sent = 1;
	if (to != TCP_CLOSE)
		return 0;

	if (c->closed)
		return 0;
	if (c->established_ts)
		count(KSCOPE_TCP_CLOSED);
	if (emit_lifecycle && c->selected && c->established_ts && !filter_failures_only) {
		struct tcp_sock *tp = (struct tcp_sock *)skp;
		ev.duration_ns = now - c->established_ts;
		ev.latency_ns = c->latency_ns;
		data_bytes(&ev, c, tp);
		ev.closed_by = c->closed_by;
		sk_addrs(&ev, skp);
		emit_from(&ev, c, KSCOPE_TCP_CLOSE);
	}
	c->closed = 1;
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ks_tcp_state, const struct sock *skp, const int from, const int to)
{
	on_state_change(skp, from, to);
	__u32 zero = 0;
	struct handled *h = bpf_map_lookup_elem(&handled, &zero);
	if (!h)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	for (int i = 0; i < HANDLED_SLOTS; i++) {
		if (!h->slot[i].sk || now - h->slot[i].ts > MARK_TTL_NS || i == HANDLED_SLOTS - 1) {
			h->slot[i].sk = (__u64)skp;
			h->slot[i].ts = now;
			h->slot[i].states = (__u32)from << 8 | (__u32)to;
			break;
		}
	}
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ks_tcp_state_nested, const struct sock *skp, const int from, const int to)
{
	__u32 zero = 0;
	struct handled *h = bpf_map_lookup_elem(&handled, &zero);
	if (!h)
		return 0;
	__u64 sk = (__u64)skp;
	__u32 states = (__u32)from << 8 | (__u32)to;
	__u64 now = bpf_ktime_get_ns();
	for (int i = 0; i < HANDLED_SLOTS; i++) {
		if (h->slot[i].sk == sk && h->slot[i].states == states && now - h->slot[i].ts <= MARK_TTL_NS) {
			h->slot[i].sk = 0; /* ks_tcp_state handled it */
			return 0;
		}
	}
	percpu_inc(&recovered, 0);
	return on_state_change(skp, from, to);
}

/* accept() hands a passive connection to its owner: report it now, with addresses read
 * from the socket itself. */
static __always_inline int accepted(long fd)
{
	if (fd < 0)
		return 0;
	struct file *file = current_fd_file(fd);
	if (!file)
		return 0;
	struct socket *sock = BPF_CORE_READ(file, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	__u64 key = (__u64)sk;
	struct conn *c = bpf_map_lookup_elem(&conns, &key);
	if (!c || c->role != ROLE_ACCEPT || c->owner.pid)
		return 0;
	fill_header(&c->owner, KSCOPE_EVENT_TCP);
	c->selected = task_selected();
	if (!emit_lifecycle || !c->selected || filter_failures_only)
		return 0;

	struct kscope_tcp_event ev = { .latency_ns = c->latency_ns };
	sk_addrs(&ev, sk);
	emit_from(&ev, c, KSCOPE_TCP_ACCEPT);
	return 0;
}

/* Retransmits and resets, with the owner when the connection began while we watched
 * (pid 0 otherwise, or when the reset answers a packet that matched no socket). */
static __always_inline int flow_event(const struct sock *sk, __u8 kind)
{
	count(kind == KSCOPE_TCP_RETRANSMIT    ? KSCOPE_TCP_RETRANSMITS
	      : kind == KSCOPE_TCP_RESET_SENT ? KSCOPE_TCP_RESETS_SENT
					       : KSCOPE_TCP_RESETS_RECEIVED);
	if (!emit_retransmits || !sk)
		return 0;
	__u64 key = (__u64)sk;
	struct conn *c = bpf_map_lookup_elem(&conns, &key);
	struct conn unknown = { .selected = !any_filter() };
	if (!c)
		c = &unknown;
	if (!c->selected)
		return 0;
	struct kscope_tcp_event ev = { .state = BPF_CORE_READ(sk, __sk_common.skc_state) };
	sk_addrs(&ev, sk);
	if (!c->owner.type) { /* no owner recorded: an empty header, but the event's clock */
		ev.hdr.ts_ns = bpf_ktime_get_boot_ns();
		ev.hdr.type = KSCOPE_EVENT_TCP;
		ev.hdr.size = sizeof(ev);
		ev.kind = kind;
		emit(&ev, sizeof(ev));
		return 0;
	}
	emit_from(&ev, c, kind);
	return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(ks_tcp_retransmit, const struct sock *sk)
{
	return flow_event(sk, KSCOPE_TCP_RETRANSMIT);
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(ks_tcp_send_reset, const struct sock *sk)
{
	return flow_event(sk, KSCOPE_TCP_RESET_SENT);
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(ks_tcp_receive_reset, struct sock *sk)
{
	return flow_event(sk, KSCOPE_TCP_RESET_RECEIVED);
}

SEC("tp/syscalls/sys_exit_accept4")
int ks_accept4_exit(struct trace_event_raw_sys_exit *ctx) { return accepted(ctx->ret); }

SEC("tp/syscalls/sys_exit_accept")
int ks_accept_exit(struct trace_event_raw_sys_exit *ctx) { return accepted(ctx->ret); }
