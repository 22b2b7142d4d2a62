/* open probe: one event per open/openat/openat2/creat, successful or failed. */
#ifndef KSCOPE_ABI_OPEN_H
#define KSCOPE_ABI_OPEN_H

#include "kscope/abi/common.h"

#define KSCOPE_OPEN_PATH_MAX 4096 /* PATH_MAX */

enum kscope_open_syscall {
	KSCOPE_OPEN_OPEN = 0,
	KSCOPE_OPEN_OPENAT = 1,
	KSCOPE_OPEN_OPENAT2 = 2,
	KSCOPE_OPEN_CREAT = 3,
};

enum kscope_open_flags {
	KSCOPE_OPEN_PATH_UNREADABLE = 1 << 0, /* the caller's path string could not be read */
	KSCOPE_OPEN_BASE_RESOLVED = 1 << 1,   /* base_len bytes hold the dirfd/cwd path */
	KSCOPE_OPEN_BASE_INCOMPLETE = 1 << 2, /* base path deeper than the walk: not resolved */
	KSCOPE_OPEN_BASE_BAD_DIRFD = 1 << 3,  /* dirfd is not an open file */
};

/* Followed by path_len bytes of the path as passed (no NUL), then, for a relative path,
 * base_len bytes of the absolute path of the directory it is relative to (dirfd or cwd),
 * taken in the kernel at the syscall's exit. */
struct kscope_open_event {
	struct kscope_event_header hdr;
	__s64 ret;       /* the fd, or -errno */
	__u64 open_flags; /* O_* flags (openat2: how.flags) */
	__u64 resolve;   /* openat2: how.resolve (RESOLVE_*) */
	__u32 mode;      /* creation mode (meaningful with O_CREAT/O_TMPFILE) */
	__s32 dirfd;     /* AT_FDCWD (-100) or the directory fd */
	__u16 syscall;   /* enum kscope_open_syscall */
	__u16 flags;     /* enum kscope_open_flags */
	__u16 path_len;
	__u16 base_len;
};

#endif
