/* A log2 latency histogram kept in the kernel, shared by the probes that aggregate
 * latencies (runqlat, biolat). One per key per CPU; user space sums the CPUs. */
#ifndef KSCOPE_ABI_LATENCY_H
#define KSCOPE_ABI_LATENCY_H

#include "kscope/abi/common.h"
#include "kscope/abi/syscalls.h" /* KSCOPE_LAT_SLOTS: slot i holds [2^i, 2^(i+1)) ns */

struct kscope_latency_hist {
	__u64 count;                 /* values recorded */
	__u64 sum_ns;                /* their total */
	__u64 max_ns;                /* largest value during interval max_epoch */
	__u64 max_epoch;             /* the interval max_ns belongs to (the probe's `epoch` map) */
	__u64 prev_max_ns;           /* the maximum of the interval before max_epoch, kept when a
	                                value of a new interval arrives before user space has read
	                                the old one (between its epoch bump and its read) */
	__u64 prev_epoch;
	__u64 slots[KSCOPE_LAT_SLOTS];
};

#endif
