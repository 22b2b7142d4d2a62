/* runqlat probe: run-queue latency (wakeup or preemption -> running again) as log2
 * histograms counted in the kernel: overall, per process, or per cgroup. */
#ifndef KSCOPE_ABI_RUNQLAT_H
#define KSCOPE_ABI_RUNQLAT_H

#include "kscope/abi/latency.h"

enum kscope_runq_group {
	KSCOPE_RUNQ_ALL = 0,    /* one histogram (the `total` array) */
	KSCOPE_RUNQ_PID = 1,    /* key: thread-group id of the task that waited */
	KSCOPE_RUNQ_CGROUP = 2, /* key: cgroup v2 id of the task that waited */
};

struct kscope_runq_key {
	__u64 id; /* tgid or cgroup id, by the probe's group_by */
};

struct kscope_runq_stats {
	char comm[KSCOPE_COMM_LEN]; /* KSCOPE_RUNQ_PID: the process's comm when first counted */
	struct kscope_latency_hist hist;
};

#endif
