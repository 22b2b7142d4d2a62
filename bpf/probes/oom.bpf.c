// SPDX-License-Identifier: GPL-2.0
/* oom: one event per OOM kill, from oom:mark_victim as a tp_btf program, whose argument
 * is the victim's task_struct (the classic tracepoint only carries its pid and sizes).
 * The tracepoint runs in the context of the task whose allocation ran out (the trigger):
 * out_of_memory() -> oom_kill_process() -> mark_oom_victim(victim).
 * The kernel's oom_control (constraint, memcg) is not passed to any tracepoint, so the
 * constraint is found from the cgroups: the nearest memory cgroup above the trigger
 * that is at its limit and also holds the victim is the one that ran out (a memcg OOM
 * always picks its victim inside that cgroup); none means a global OOM. */
#include "lib/common.bpf.h"
#include "lib/core_fixes.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/task_filter.bpf.h"
#include "kscope/abi/oom.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_oom_event);

#define MEMCG_DEPTH 8        /* memory cgroups looked at above the trigger */
#define PATH_DEPTH 12        /* path components kept */
#define NAME_MAX_READ 64     /* bytes read per component */

/* OOM kills seen (slot 0), whether or not the filters selected them: the agent's
 * kscope_oom_kills_total. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} kills SEC(".maps");

/* The event is larger than the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kscope_oom_event);
} scratch SEC(".maps");

static __always_inline struct mem_cgroup *task_memcg(struct task_struct *t)
{
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state *css = NULL;
	struct css_set *cgroups = BPF_CORE_READ(t, cgroups);
	if (!cgroups || id < 0 || id >= CGROUP_SUBSYS_COUNT)
		return NULL;
	bpf_probe_read_kernel(&css, sizeof(css), &cgroups->subsys[id]);
	return (struct mem_cgroup *)css; /* css is the first member of mem_cgroup */
}

static __always_inline struct mem_cgroup *memcg_parent(struct mem_cgroup *m)
{
	return (struct mem_cgroup *)BPF_CORE_READ(m, css.parent);
}

/* At its limit: the failed charge needed at most a batch of 64 pages more than was free
 * (a huge page: 512), and the victim has not freed anything yet. */
static __always_inline bool memcg_full(struct mem_cgroup *m)
{
	long usage = BPF_CORE_READ(m, memory.usage.counter);
	unsigned long max = BPF_CORE_READ(m, memory.max);
	return max < (1UL << 40) && (unsigned long)usage + 512 >= max;
}

static __always_inline bool memcg_holds(struct mem_cgroup *outer, struct mem_cgroup *m)
{
	for (int i = 0; i < MEMCG_DEPTH + 8; i++) {
		if (!m)
			return false;
		if (m == outer)
			return true;
		m = memcg_parent(m);
	}
	return false;
}

/* The memory cgroup that was at its limit, or NULL for a global OOM. */
static __always_inline struct mem_cgroup *full_memcg(struct task_struct *trigger, struct task_struct *victim)
{
	struct mem_cgroup *m = task_memcg(trigger);
	struct mem_cgroup *victim_memcg = task_memcg(victim);
	for (int i = 0; i < MEMCG_DEPTH; i++) {
		if (!m || !memcg_parent(m)) /* the root has no limit */
			return NULL;
		if (memcg_full(m) && memcg_holds(m, victim_memcg))
			return m;
		m = memcg_parent(m);
	}
	return NULL;
}

/* "/a/b" of the cgroup, relative to its hierarchy's root, into ev->memcg_path. */
static __always_inline void memcg_path(struct kscope_oom_event *ev, struct mem_cgroup *m)
{
	const char *names[PATH_DEPTH] = {};
	struct kernfs_node *kn = BPF_CORE_READ(m, css.cgroup, kn);
	int n = 0;
#pragma unroll
	for (int i = 0; i < PATH_DEPTH; i++) {
		struct kernfs_node *parent = kn ? kernfs_parent(kn) : NULL;
		if (!parent) /* kn is the root: not part of the path */
			break;
		names[i] = BPF_CORE_READ(kn, name);
		n = i + 1;
		kn = parent;
	}
	__u32 off = 0;
#pragma unroll
	for (int i = PATH_DEPTH - 1; i >= 0; i--) {
		if (i >= n || off > KSCOPE_MEMCG_PATH_LEN - NAME_MAX_READ - 2)
			continue;
		ev->memcg_path[off & (KSCOPE_MEMCG_PATH_LEN / 2 - 1)] = '/';
		off++;
		long len = bpf_probe_read_kernel_str(&ev->memcg_path[off & (KSCOPE_MEMCG_PATH_LEN / 2 - 1)],
						     NAME_MAX_READ, names[i]);
		if (len > 1)
			off += len - 1;
	}
	ev->memcg_path_len = off;
}

SEC("tp_btf/mark_victim")
int BPF_PROG(ks_oom_victim, struct task_struct *victim, uid_t uid)
{
	__u32 zero = 0;
	percpu_inc(&kills, 0);
	if (!task_struct_selected(victim))
		return 0;
	struct kscope_oom_event *ev = bpf_map_lookup_elem(&scratch, &zero);
	if (!ev)
		return 0;
	struct task_struct *trigger = bpf_get_current_task_btf();

	/* The common header describes the victim, not the current task. */
	fill_header(&ev->hdr, KSCOPE_EVENT_OOM);
	ev->hdr.size = sizeof(*ev);
	ev->hdr.pid = victim->tgid;
	ev->hdr.tid = victim->pid;
	ev->hdr.ppid = BPF_CORE_READ(victim, real_parent, tgid);
	ev->hdr.uid = uid;
	ev->hdr.gid = BPF_CORE_READ(victim, real_cred, gid.val);
	ev->hdr.cgroup_id = task_cgroup_id(victim);
	bpf_probe_read_kernel_str(ev->hdr.comm, sizeof(ev->hdr.comm), victim->comm);

	ev->trigger_pid = trigger->tgid;
	ev->trigger_tid = trigger->pid;
	bpf_probe_read_kernel_str(ev->trigger_comm, sizeof(ev->trigger_comm), trigger->comm);
	ev->rss_pages = mm_rss_pages(BPF_CORE_READ(victim, mm));
	ev->oom_score_adj = BPF_CORE_READ(victim, signal, oom_score_adj);

	struct mem_cgroup *m = full_memcg(trigger, victim);
	ev->memcg_path_len = 0;
	ev->memcg_path[0] = 0;
	if (m) {
		ev->constraint = KSCOPE_OOM_MEMCG;
		ev->memcg_limit_pages = BPF_CORE_READ(m, memory.max);
		memcg_path(ev, m);
	} else {
		ev->constraint = KSCOPE_OOM_GLOBAL;
		ev->memcg_limit_pages = 0;
	}
	emit(ev, sizeof(*ev));
	return 0;
}
