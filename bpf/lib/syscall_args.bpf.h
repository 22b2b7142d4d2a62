/* A syscall's arguments at its sys_exit tracepoint, for probes that read everything at
 * exit (names the kernel has copied by then are in present pages).
 * 5.15+: from the registers saved at entry (bpf_task_pt_regs), only exit programs
 * attached. Older kernels: user space turns args_from_regs off and the probe's
 * sys_enter_* programs keep the raw arguments per thread in `pending`. */
#ifndef KSCOPE_BPF_SYSCALL_ARGS_H
#define KSCOPE_BPF_SYSCALL_ARGS_H

#include "lib/common.bpf.h"
#include "lib/filter.bpf.h"

const volatile bool args_from_regs = false;

struct syscall_args {
	__u64 a[5];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32); /* tid */
	__type(value, struct syscall_args);
} pending SEC(".maps");

/* sys_enter_* (older kernels): keeps the nargs arguments of a selected task's call. Only
 * those are read: attaching fails (EACCES) for a program that reads past the end of its
 * tracepoint's record. */
static __always_inline int remember_args(struct trace_event_raw_sys_enter *ctx, const int nargs)
{
	if (!task_selected())
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct syscall_args args = {};
	args.a[0] = ctx->args[0];
	if (nargs > 1)
		args.a[1] = ctx->args[1];
	if (nargs > 2)
		args.a[2] = ctx->args[2];
	if (nargs > 3)
		args.a[3] = ctx->args[3];
	if (nargs > 4)
		args.a[4] = ctx->args[4];
	bpf_map_update_elem(&pending, &tid, &args, BPF_ANY);
	return 0;
}

/* sys_exit_*: this call's arguments; false when the task is not selected (-p, -c,
 * --cgroup) or its entry was not seen. */
static __always_inline bool exit_args(struct syscall_args *args)
{
	if (args_from_regs) {
		if (!task_selected())
			return false;
		/* One copy of the register block is cheaper than five CO-RE reads; pt_regs is
		 * user-visible ABI, so its layout does not move between kernels. x86-64 and
		 * arm64 keep the argument registers intact until the syscall returns. */
		struct pt_regs regs;
		bpf_probe_read_kernel(&regs, sizeof(regs), (void *)bpf_task_pt_regs(bpf_get_current_task_btf()));
		args->a[0] = PT_REGS_PARM1_SYSCALL(&regs);
		args->a[1] = PT_REGS_PARM2_SYSCALL(&regs);
		args->a[2] = PT_REGS_PARM3_SYSCALL(&regs);
		args->a[3] = PT_REGS_PARM4_SYSCALL(&regs);
		args->a[4] = PT_REGS_PARM5_SYSCALL(&regs);
		return true;
	}
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct syscall_args *p = bpf_map_lookup_elem(&pending, &tid);
	if (!p)
		return false;
	*args = *p;
	bpf_map_delete_elem(&pending, &tid);
	return true;
}

/* One entry program (older kernels only) and one exit program per syscall of nargs
 * arguments; the exit program calls on_exit(ret, id). */
#define KSCOPE_SYSCALL_AT_EXIT(name, nargs, id, on_exit)                        \
	SEC("tp/syscalls/sys_enter_" #name)                                     \
	int ks_##name##_enter(struct trace_event_raw_sys_enter *ctx)            \
	{                                                                       \
		return remember_args(ctx, nargs);                               \
	}                                                                       \
	SEC("tp/syscalls/sys_exit_" #name)                                      \
	int ks_##name##_exit(struct trace_event_raw_sys_exit *ctx)              \
	{                                                                       \
		return on_exit(ctx->ret, id);                                   \
	}

#endif
