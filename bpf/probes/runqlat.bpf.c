// SPDX-License-Identifier: GPL-2.0
/* runqlat: run-queue latency, the time a runnable task waits for a CPU: from its wakeup
 * (sched_wakeup, sched_wakeup_new) or from being preempted while still runnable
 * (sched_switch with prev_state TASK_RUNNING) to the sched_switch that runs it again.
 * Counted in the kernel into log2 histograms; nothing goes through a ring buffer.
 * tp_btf programs: the tasks are BTF pointers, read with plain loads. */
#include "lib/common.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/latency.bpf.h"
#include "lib/task_filter.bpf.h"
#include "kscope/abi/runqlat.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_runq_stats);

/* enum kscope_runq_group */
const volatile __u32 group_by = KSCOPE_RUNQ_ALL;

/* When each task became runnable (0: not waiting, or not selected). Task storage is
 * freed with the task and costs no hash lookup. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} enqueued SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kscope_latency_hist);
} total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__type(key, struct kscope_runq_key);
	__type(value, struct kscope_runq_stats);
} groups SEC(".maps");

static __always_inline void mark_runnable(struct task_struct *p)
{
	if (!p->pid || !task_struct_selected(p)) /* pid 0: a CPU's idle task */
		return;
	__u64 *ts = bpf_task_storage_get(&enqueued, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ts)
		*ts = bpf_ktime_get_ns();
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(ks_runq_wakeup, struct task_struct *p)
{
	mark_runnable(p);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(ks_runq_wakeup_new, struct task_struct *p)
{
	mark_runnable(p);
	return 0;
}

static __always_inline struct kscope_runq_stats *group_for(struct task_struct *t)
{
	struct kscope_runq_key key = {
		.id = group_by == KSCOPE_RUNQ_PID ? (__u64)t->tgid : task_cgroup_id(t),
	};
	struct kscope_runq_stats *v = bpf_map_lookup_elem(&groups, &key);
	if (v)
		return v;
	struct kscope_runq_stats fresh = {};
	if (group_by == KSCOPE_RUNQ_PID)
		bpf_probe_read_kernel_str(fresh.comm, sizeof(fresh.comm), t->group_leader->comm);
	long err = bpf_map_update_elem(&groups, &key, &fresh, BPF_NOEXIST);
	if (err && err != -EEXIST)
		count_drop(KSCOPE_DROP_MAP_FULL);
	return bpf_map_lookup_elem(&groups, &key);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(ks_runq_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	/* Switched out while still runnable (preempted, or yielded): it waits from now. */
	if (prev_state == 0 /* TASK_RUNNING */)
		mark_runnable(prev);

	if (!next->pid)
		return 0;
	__u64 *ts = bpf_task_storage_get(&enqueued, next, 0, 0);
	if (!ts || !*ts)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	__u64 waited = now - *ts;
	*ts = 0;

	if (group_by == KSCOPE_RUNQ_ALL) {
		__u32 zero = 0;
		struct kscope_latency_hist *h = bpf_map_lookup_elem(&total, &zero);
		if (h)
			latency_record(h, waited, current_epoch());
		return 0;
	}
	struct kscope_runq_stats *v = group_for(next);
	if (v)
		latency_record(&v->hist, waited, current_epoch());
	return 0;
}
