/* faults probe: page faults per process, minor and major, counted in the kernel by
 * perf_event programs on the software events PERF_COUNT_SW_PAGE_FAULTS_MIN/MAJ. */
#ifndef KSCOPE_ABI_FAULTS_H
#define KSCOPE_ABI_FAULTS_H

#include "kscope/abi/common.h"

enum kscope_fault_type {
	KSCOPE_FAULT_MINOR = 0,
	KSCOPE_FAULT_MAJOR = 1,
	KSCOPE_FAULT_TYPES = 2,
};

struct kscope_faults_stats {
	char comm[KSCOPE_COMM_LEN]; /* the process's comm when first counted */
	__u64 faults[KSCOPE_FAULT_TYPES];
};

#endif
