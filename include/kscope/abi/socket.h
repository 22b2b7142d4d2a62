/* socket probe: socket(), bind() and listen(), successful or failed. */
#ifndef KSCOPE_ABI_SOCKET_H
#define KSCOPE_ABI_SOCKET_H

#include "kscope/abi/common.h"

#define KSCOPE_UNIX_PATH_MAX 108 /* sizeof(sockaddr_un.sun_path) */

/* Also the index of the probe's per-syscall counters. */
enum kscope_socket_syscall {
	KSCOPE_SOCK_SOCKET = 0,
	KSCOPE_SOCK_BIND = 1,
	KSCOPE_SOCK_LISTEN = 2,
	KSCOPE_SOCK_SYSCALLS = 3,
};

enum kscope_socket_flags {
	KSCOPE_SOCK_ADDR_UNREADABLE = 1 << 0, /* bind: the sockaddr could not be read */
	KSCOPE_SOCK_NOT_SOCKET = 1 << 1,      /* bind/listen: the fd is not a socket */
};

/* Followed by path_len bytes of a unix socket's path (an abstract name starts with NUL). */
struct kscope_socket_event {
	struct kscope_event_header hdr;
	__s64 ret;          /* socket: the fd; bind/listen: 0; or -errno */
	__u8 addr[16];      /* local address, network order (ipv4: the first 4 bytes) */
	__s32 fd;           /* bind/listen: the socket's fd; -1 for socket() */
	__s32 backlog;      /* listen */
	__s32 protocol;
	__u16 family;       /* AF_* */
	__u16 sock_type;    /* SOCK_* without SOCK_NONBLOCK/SOCK_CLOEXEC */
	__u16 port;         /* local port, host order */
	__u16 syscall;      /* enum kscope_socket_syscall */
	__u16 flags;        /* enum kscope_socket_flags */
	__u16 path_len;
};

#endif
