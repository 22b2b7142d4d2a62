/* exec probe: one event per execve/execveat, successful or failed. */
#ifndef KSCOPE_ABI_EXEC_H
#define KSCOPE_ABI_EXEC_H

#include "kscope/abi/common.h"

#define KSCOPE_EXEC_FILENAME_MAX 4096 /* PATH_MAX */
#define KSCOPE_EXEC_ARGS_MAX 8192     /* bytes of NUL-separated argv carried */
#define KSCOPE_EXEC_ARGC_MAX 128      /* pointers walked when argv is read from the caller */

/* Flags describing how complete the argv is. */
enum kscope_exec_flags {
	KSCOPE_EXEC_ARGS_TRUNCATED = 1 << 0,  /* more argv than carried */
	KSCOPE_EXEC_ARGS_UNREADABLE = 1 << 1, /* an argv page was not readable (not faulted in) */
	KSCOPE_EXEC_FILENAME_UNREADABLE = 1 << 2,
	KSCOPE_EXEC_EXECVEAT = 1 << 3,        /* execveat(2) rather than execve(2) */
	/* The security context (successful execs only; failed ones leave it zero). */
	KSCOPE_EXEC_CONTEXT = 1 << 4,         /* the context fields below are filled */
	KSCOPE_EXEC_PRIVILEGED = 1 << 5,      /* euid/egid changed or capabilities grew */
	KSCOPE_EXEC_EXE_MEMFD = 1 << 6,       /* the executable is a memfd (fileless) */
	KSCOPE_EXEC_EXE_DELETED = 1 << 7,     /* the executable's inode has no links left */
	KSCOPE_EXEC_CWD_RESOLVED = 1 << 8,    /* cwd_len bytes hold the working directory */
};

/* What an fd of the new process is (fds 0-2), from its inode's mode and, for a socket,
 * its address family. */
enum kscope_fd_type {
	KSCOPE_FD_CLOSED = 0,
	KSCOPE_FD_FILE = 1,
	KSCOPE_FD_DIRECTORY = 2,
	KSCOPE_FD_PIPE = 3,
	KSCOPE_FD_CHAR = 4,
	KSCOPE_FD_BLOCK = 5,
	KSCOPE_FD_IPV4 = 6,
	KSCOPE_FD_IPV6 = 7,
	KSCOPE_FD_UNIX = 8,
	KSCOPE_FD_NETLINK = 9,
	KSCOPE_FD_PACKET = 10,
	KSCOPE_FD_SOCKET = 11, /* another address family */
	KSCOPE_FD_OTHER = 12,  /* no file type in the mode (anonymous inodes: eventfd, epoll...) */
};

/* Followed by filename_len bytes of filename (no NUL), args_len bytes of NUL-terminated
 * argument strings, then cwd_len bytes of the working directory (no NUL). The event is
 * sized to this content. */
struct kscope_exec_event {
	struct kscope_event_header hdr;
	__s32 ret;            /* 0, or -errno of a failed exec */
	__u32 flags;          /* enum kscope_exec_flags */
	__u32 filename_len;
	__u32 args_len;
	__u32 argc;           /* arguments counted in the kernel (0 if unknown) */
	__u32 cwd_len;
	__u64 start_boot_ns;  /* process start, CLOCK_BOOTTIME (for the process cache) */
	__u64 exe_inode;      /* the executable's inode number */
	__u32 old_uid;        /* the caller's real and effective uid before the exec */
	__u32 old_euid;
	__u32 new_uid;        /* after it */
	__u32 new_euid;
	__u32 tty;            /* controlling tty as new_encode_dev(major, minor); 0: none */
	__u32 loginuid;       /* audit login uid; (__u32)-1: unset */
	__u8 fd_type[3];      /* enum kscope_fd_type of fds 0, 1, 2 */
	__u8 _pad[5];
};

#endif
