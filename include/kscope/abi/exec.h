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
};

/* Followed by filename_len bytes of filename (no NUL), then args_len bytes of
 * NUL-terminated argument strings. The event is sized to this content. */
struct kscope_exec_event {
	struct kscope_event_header hdr;
	__s32 ret;            /* 0, or -errno of a failed exec */
	__u32 flags;          /* enum kscope_exec_flags */
	__u32 filename_len;
	__u32 args_len;
	__u32 argc;           /* arguments counted in the kernel (0 if unknown) */
	__u32 _pad;
	__u64 start_boot_ns;  /* process start, CLOCK_BOOTTIME (for the process cache) */
};

#endif
