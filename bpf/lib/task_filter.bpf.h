/* The -p/-c/--cgroup filters (lib/filter.bpf.h) applied to a task other than the current
 * one: the task a scheduler tracepoint hands over (the one woken, the one switched in),
 * the victim of an OOM kill. The task is a BTF pointer (tp_btf arguments). */
#ifndef KSCOPE_BPF_TASK_FILTER_H
#define KSCOPE_BPF_TASK_FILTER_H

#include "lib/common.bpf.h"
#include "lib/filter.bpf.h"

/* The cgroup v2 id of a task (the id bpf_get_current_cgroup_id() gives for current). */
static __always_inline __u64 task_cgroup_id(struct task_struct *t)
{
	return BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
}

/* The id of the task's cgroup v2 ancestor at level (0 = root), 0 when the task's cgroup
 * is above that level. cgroup->ancestors[] is 5.18+. */
static __always_inline __u64 task_cgroup_ancestor_id(struct task_struct *t, __u32 level)
{
	struct cgroup *cg = BPF_CORE_READ(t, cgroups, dfl_cgrp);
	if (!cg || (int)level > BPF_CORE_READ(cg, level))
		return 0;
	struct cgroup *ancestor = NULL;
	bpf_probe_read_kernel(&ancestor, sizeof(ancestor), &cg->ancestors[level]);
	return ancestor ? BPF_CORE_READ(ancestor, kn, id) : 0;
}

/* True when t passes every enabled filter. t is a tp_btf argument: plain loads. */
static __always_inline bool task_struct_selected(struct task_struct *t)
{
	__u32 tgid = t->tgid;
	if (filter_exclude_tgid && tgid == filter_exclude_tgid)
		return false;
	if (filter_by_pid && !bpf_map_lookup_elem(&filter_pids, &tgid))
		return false;
	if (filter_by_comm) {
		struct comm_key key = {};
		bpf_probe_read_kernel_str(key.comm, sizeof(key.comm), t->comm);
		if (!bpf_map_lookup_elem(&filter_comms, &key))
			return false;
	}
	if (filter_by_cgroup && task_cgroup_ancestor_id(t, filter_cgroup_level) != filter_cgroup_id)
		return false;
	return true;
}

#endif
