/* Every kernel-version difference the probes depend on, each with its reason. */
#ifndef KSCOPE_BPF_CORE_FIXES_H
#define KSCOPE_BPF_CORE_FIXES_H

#include "lib/common.bpf.h"

/* sched_process_exit gained `group_dead` in 6.x (true when the last thread of the
 * group exits). Older kernels: fall back to the group leader's exit. The ___flavor
 * struct lets this compile against a vmlinux.h that lacks the field. */
struct trace_event_raw_sched_process_exit___group_dead {
	bool group_dead;
} __attribute__((preserve_access_index));

static __always_inline bool is_process_exit(void *ctx)
{
	struct trace_event_raw_sched_process_exit___group_dead *tp = ctx;

	if (bpf_core_field_exists(tp->group_dead))
		return BPF_CORE_READ(tp, group_dead);
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	return (__u32)pid_tgid == (pid_tgid >> 32);
}

/* bpf_loop arrived in 5.17. Loops that must run many times (path walks) use it so the
 * verifier checks the body once; before 5.17 those features report "not resolved". */
static __always_inline bool have_bpf_loop(void)
{
	return bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop);
}

/* kernfs_node.parent became __parent (RCU-protected) in 6.15. */
struct kernfs_node___parent_rcu {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));
struct kernfs_node___parent_plain {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kernfs_parent(struct kernfs_node *kn)
{
	struct kernfs_node___parent_rcu *n = (void *)kn;
	if (bpf_core_field_exists(n->__parent))
		return BPF_CORE_READ(n, __parent);
	return BPF_CORE_READ((struct kernfs_node___parent_plain *)kn, parent);
}

/* mm->rss_stat: an array of percpu_counter since 6.2 (the value user space sees through
 * get_mm_counter() is its `count`); before, struct mm_rss_stat of atomic_long_t. */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___old_rss {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

static __always_inline __u64 mm_rss_pages(struct mm_struct *mm)
{
	__s64 sum = 0;
	if (!mm)
		return 0;
	if (!bpf_core_type_exists(struct mm_rss_stat___old)) {
		/* MM_FILEPAGES, MM_ANONPAGES, MM_SHMEMPAGES (MM_SWAPENTS, index 3, is not resident) */
		sum = BPF_CORE_READ(mm, rss_stat[0].count) + BPF_CORE_READ(mm, rss_stat[1].count) +
		      BPF_CORE_READ(mm, rss_stat[2].count);
	} else {
		struct mm_struct___old_rss *old = (void *)mm;
		sum = BPF_CORE_READ(old, rss_stat.count[0].counter) + BPF_CORE_READ(old, rss_stat.count[1].counter) +
		      BPF_CORE_READ(old, rss_stat.count[2].counter);
	}
	return sum > 0 ? (__u64)sum : 0;
}

/* A namespace's CLONE_NEW* type: ns_common.ns_type on new kernels (6.18 has it, and no
 * longer proc_ns_operations.type, where older kernels keep it). */
struct proc_ns_operations___with_type {
	int type;
} __attribute__((preserve_access_index));
struct ns_common___with_type {
	__u32 ns_type;
} __attribute__((preserve_access_index));
struct ns_common___with_ops {
	struct proc_ns_operations___with_type *ops;
} __attribute__((preserve_access_index));

static __always_inline __u32 ns_common_type(void *ns)
{
	struct ns_common___with_type *n = ns;
	if (bpf_core_field_exists(n->ns_type))
		return BPF_CORE_READ(n, ns_type);
	return BPF_CORE_READ((struct ns_common___with_ops *)ns, ops, type);
}

#endif
