// SPDX-License-Identifier: GPL-2.0
/* faults: page faults per process, minor and major, counted in the kernel. Two
 * perf_event programs, attached by user space to the software events
 * PERF_COUNT_SW_PAGE_FAULTS_MIN and _MAJ on every CPU with a sample period of 1: the
 * kernel counts those in mm_account_fault() once a fault from user space (or a kernel
 * access to user memory) is handled; each runs the program in the faulting task. */
#include "lib/common.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "kscope/abi/faults.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_faults_stats);

/* false: totals only (the agent), no per-process map. */
const volatile bool per_process = true;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_FAULT_TYPES);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct kscope_faults_stats);
} stats SEC(".maps");

static __always_inline void count_fault(__u32 type)
{
	if (!task_selected())
		return;
	percpu_inc(&totals, type);
	if (!per_process)
		return;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct kscope_faults_stats *v = bpf_map_lookup_elem(&stats, &tgid);
	if (!v) {
		struct kscope_faults_stats fresh = {};
		bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
		long err = bpf_map_update_elem(&stats, &tgid, &fresh, BPF_NOEXIST);
		if (err && err != -EEXIST)
			count_drop(KSCOPE_DROP_MAP_FULL);
		v = bpf_map_lookup_elem(&stats, &tgid);
		if (!v)
			return;
	}
	if (type < KSCOPE_FAULT_TYPES)
		v->faults[type] += 1;
}

SEC("perf_event")
int ks_fault_minor(struct bpf_perf_event_data *ctx)
{
	count_fault(KSCOPE_FAULT_MINOR);
	return 0;
}

SEC("perf_event")
int ks_fault_major(struct bpf_perf_event_data *ctx)
{
	count_fault(KSCOPE_FAULT_MAJOR);
	return 0;
}
