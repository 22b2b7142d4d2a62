// SPDX-License-Identifier: GPL-2.0
/* tcptop: bytes each process sends and receives per TCP flow. The tracepoints fire in
 * the sendmsg/recvmsg path of the calling process, so the current task is the owner. */
#include "lib/common.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "kscope/abi/tcptop.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_flow_key);
KSCOPE_EXPORT_ABI(kscope_flow_bytes);

#define AF_INET 2
#define IPPROTO_TCP 6
#define MSG_PEEK 2

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__type(key, struct kscope_flow_key);
	__type(value, struct kscope_flow_bytes);
} flows SEC(".maps");

static __always_inline int count(struct sock *sk, int ret, int flags, bool tx)
{
	if (ret <= 0 || (!tx && (flags & MSG_PEEK)) || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP ||
	    !task_selected())
		return 0;
	struct kscope_flow_key key = {};
	key.pid = bpf_get_current_pid_tgid() >> 32;
	key.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	key.sport = __builtin_bswap16(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	key.dport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (key.family == AF_INET) {
		BPF_CORE_READ_INTO(&key.saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO(&key.daddr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(&key.saddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&key.daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
	struct kscope_flow_bytes *v = bpf_map_lookup_elem(&flows, &key);
	if (!v) {
		struct kscope_flow_bytes fresh = {};
		bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
		long err = bpf_map_update_elem(&flows, &key, &fresh, BPF_NOEXIST);
		if (err && err != -EEXIST)
			count_drop(KSCOPE_DROP_MAP_FULL);
		v = bpf_map_lookup_elem(&flows, &key);
		if (!v)
			return 0;
	}
	if (tx)
		v->tx_bytes += ret;
	else
		v->rx_bytes += ret;
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(ks_sock_send, struct sock *sk, int ret, int flags)
{
	return count(sk, ret, flags, true);
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(ks_sock_recv, struct sock *sk, int ret, int flags)
{
	return count(sk, ret, flags, false);
}
