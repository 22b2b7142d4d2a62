// SPDX-License-Identifier: GPL-2.0
/* socket: socket(), bind() and listen(), successful or failed: new sockets and, the
 * point of it, new listeners.
 * Read at sys_exit_* (arguments from lib/syscall_args.bpf.h): bind's sockaddr has been
 * copied by the kernel (its page is present), and after listen() the socket has its
 * local address and port, also when listen() bound it to an ephemeral port. */
#include "lib/common.bpf.h"
#include <bpf/bpf_endian.h>
#include "lib/emit.bpf.h"
#include "lib/fd.bpf.h"
#include "lib/file_sock.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/syscall_args.bpf.h"
#include "kscope/abi/socket.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_socket_event);

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define SUN_PATH_OFFSET 2 /* offsetof(struct sockaddr_un, sun_path) */

/* Calls per syscall (enum kscope_socket_syscall), whatever the filters: the agent's
 * kscope_socket_events_total. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_SOCK_SYSCALLS);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

struct socket_scratch {
	struct kscope_socket_event ev;
	char path[KSCOPE_UNIX_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct socket_scratch);
} scratch SEC(".maps");

/* The IPv4/IPv6 part of a sockaddr_in/sockaddr_in6 (user memory, already validated by
 * the kernel's copy). */
struct inet_sockaddr {
	__u16 family;
	__be16 port;
	union {
		__u8 v4[4];
		struct {
			__u32 flowinfo;
			__u8 v6[16];
		};
	};
};

/* Family, type and protocol of the socket behind fd; false when fd is not a socket. */
static __always_inline bool socket_kind(struct socket_scratch *s, struct sock *sk)
{
	if (!sk)
		return false;
	s->ev.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	/* Bit fields before 5.6: the probed read handles both layouts. */
	s->ev.sock_type = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_type);
	s->ev.protocol = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
	return true;
}

/* bind(): the address asked for, from the caller's sockaddr. */
static __always_inline void bind_address(struct socket_scratch *s, const void *uaddr, __u32 addrlen)
{
	struct inet_sockaddr sa = {};
	if (!uaddr || addrlen < sizeof(sa.family) || bpf_probe_read_user(&sa.family, sizeof(sa.family), uaddr)) {
		s->ev.flags |= KSCOPE_SOCK_ADDR_UNREADABLE;
		return;
	}
	s->ev.family = sa.family;
	if (sa.family == AF_INET && addrlen >= 8) {
		bpf_probe_read_user(&sa, 8, uaddr);
		__builtin_memcpy(s->ev.addr, sa.v4, 4);
		s->ev.port = bpf_ntohs(sa.port);
	} else if (sa.family == AF_INET6 && addrlen >= 24) {
		bpf_probe_read_user(&sa, 24, uaddr);
		__builtin_memcpy(s->ev.addr, sa.v6, 16);
		s->ev.port = bpf_ntohs(sa.port);
	} else if (sa.family == AF_UNIX && addrlen > SUN_PATH_OFFSET) {
		__u64 len = (__u64)addrlen - SUN_PATH_OFFSET; /* 64-bit: the bound holds for the copy */
		if (len > KSCOPE_UNIX_PATH_MAX)
			len = KSCOPE_UNIX_PATH_MAX;
		barrier_var(len);
		if (len > KSCOPE_UNIX_PATH_MAX)
			return;
		if (bpf_probe_read_user(s->path, len, uaddr + SUN_PATH_OFFSET))
			s->ev.flags |= KSCOPE_SOCK_ADDR_UNREADABLE;
		else
			s->ev.path_len = len;
	}
}

/* listen(): the local address the socket has in the kernel. */
static __always_inline void local_address(struct socket_scratch *s, struct sock *sk)
{
	if (s->ev.family == AF_INET) {
		__be32 a = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__builtin_memcpy(s->ev.addr, &a, 4);
		s->ev.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	} else if (s->ev.family == AF_INET6) {
		BPF_CORE_READ_INTO(&s->ev.addr, sk, __sk_common.skc_v6_rcv_saddr);
		s->ev.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	} else if (s->ev.family == AF_UNIX) {
		/* struct unix_sock starts with its struct sock; addr is NULL when unbound. */
		struct unix_address *ua = BPF_CORE_READ((struct unix_sock *)sk, addr);
		if (!ua)
			return;
		int addr_len = BPF_CORE_READ(ua, len);
		if (addr_len <= SUN_PATH_OFFSET)
			return;
		__u64 len = (__u64)addr_len - SUN_PATH_OFFSET;
		if (len > KSCOPE_UNIX_PATH_MAX)
			len = KSCOPE_UNIX_PATH_MAX;
		barrier_var(len);
		if (len == 0 || len > KSCOPE_UNIX_PATH_MAX)
			return;
		const void *sun_path = (void *)ua + bpf_core_field_offset(struct unix_address, name) + SUN_PATH_OFFSET;
		if (!bpf_probe_read_kernel(s->path, len, sun_path))
			s->ev.path_len = len;
	}
}

static __always_inline int socket_exit(long ret, __u16 syscall)
{
	percpu_inc(&calls, syscall);
	struct syscall_args args = {};
	if (!exit_args(&args))
		return 0;
	if (filter_failures_only && ret >= 0)
		return 0;
	__u32 zero = 0;
	struct socket_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;

	fill_header(&s->ev.hdr, KSCOPE_EVENT_SOCKET);
	s->ev.ret = ret;
	__builtin_memset(s->ev.addr, 0, sizeof(s->ev.addr));
	s->ev.fd = -1;
	s->ev.backlog = 0;
	s->ev.protocol = 0;
	s->ev.family = 0;
	s->ev.sock_type = 0;
	s->ev.port = 0;
	s->ev.syscall = syscall;
	s->ev.flags = 0;
	s->ev.path_len = 0;

	if (syscall == KSCOPE_SOCK_SOCKET) {
		s->ev.family = args.a[0];
		s->ev.sock_type = args.a[1] & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
		s->ev.protocol = args.a[2];
	} else {
		s->ev.fd = args.a[0];
		struct sock *sk = file_sock(current_fd_file(s->ev.fd));
		if (!socket_kind(s, sk))
			s->ev.flags |= KSCOPE_SOCK_NOT_SOCKET;
		if (syscall == KSCOPE_SOCK_BIND) {
			bind_address(s, (const void *)args.a[1], args.a[2]);
		} else {
			s->ev.backlog = args.a[1];
			if (sk)
				local_address(s, sk);
		}
	}
	__u64 size = sizeof(s->ev) + s->ev.path_len;
	barrier_var(size);
	if (size > sizeof(*s))
		size = sizeof(*s);
	s->ev.hdr.size = size;
	emit(s, size);
	return 0;
}

KSCOPE_SYSCALL_AT_EXIT(socket, 3, KSCOPE_SOCK_SOCKET, socket_exit)
KSCOPE_SYSCALL_AT_EXIT(bind, 3, KSCOPE_SOCK_BIND, socket_exit)
KSCOPE_SYSCALL_AT_EXIT(listen, 2, KSCOPE_SOCK_LISTEN, socket_exit)
