/* syscalls probe: per-process, per-syscall counters, errors by errno and latency
 * histograms, aggregated in the kernel and read by user space every interval. */
#ifndef KSCOPE_ABI_SYSCALLS_H
#define KSCOPE_ABI_SYSCALLS_H

#include "kscope/abi/common.h"

/* log2 latency buckets: slot 0 holds [0, 2) ns, slot i holds [2^i, 2^(i+1)) ns. */
#define KSCOPE_LAT_SLOTS 48

struct kscope_syscall_key {
	__u32 pid;  /* thread-group id; 0 when aggregating by syscall only */
	__u32 nr;   /* syscall number of this architecture */
};

struct kscope_syscall_stats {
	char comm[KSCOPE_COMM_LEN]; /* comm of the process when first seen */
	__u64 calls;
	__u64 errors;               /* returns in [-4095, -1] */
	__u64 total_ns;
	__u64 max_ns;               /* largest latency during interval max_epoch */
	__u64 max_epoch;            /* the interval max_ns belongs to (see `epoch`) */
	__u64 hist[KSCOPE_LAT_SLOTS];
};

struct kscope_syscall_errno_key {
	__u32 pid;
	__u32 nr;
	__u32 err;  /* positive errno */
	__u32 _pad;
};

#endif
