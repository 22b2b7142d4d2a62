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

#endif
