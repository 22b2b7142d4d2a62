// SPDX-License-Identifier: GPL-2.0
/* exec: every execve/execveat, successful or failed.
 * - sys_enter_exec*: remember the caller's filename and argv pointers (nothing read yet).
 * - sched_process_exec (success): read argv from the new mm (arg_start..arg_end), where
 *   the kernel has just written it, so it is always readable.
 * - sys_exit_exec* with ret < 0 (failure): read filename and argv from the caller's
 *   memory; a page the caller never touched cannot be read here and is flagged. */
#include "lib/common.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "kscope/abi/exec.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_exec_event);

struct pending_exec {
	const char *filename;
	const char *const *argv;
	__u32 flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32); /* tid */
	__type(value, struct pending_exec);
} pending SEC(".maps");

/* Argument offsets are masked with ARGS_POS_MASK and each read is at most ARGS_MAX, so
 * every write stays inside data[] whatever the verifier assumes about the offset. */
#define ARGS_POS_MASK (2 * KSCOPE_EXEC_ARGS_MAX - 1)
#define SCRATCH_DATA (2 * KSCOPE_EXEC_ARGS_MAX + KSCOPE_EXEC_ARGS_MAX)

struct exec_scratch {
	struct kscope_exec_event ev;
	char data[SCRATCH_DATA];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_scratch);
} scratch SEC(".maps");

static __always_inline struct exec_scratch *scratch_event(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline void remember(const char *filename, const char *const *argv, __u32 flags)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending_exec p = { .filename = filename, .argv = argv, .flags = flags };
	bpf_map_update_elem(&pending, &tid, &p, BPF_ANY);
}

SEC("tp/syscalls/sys_enter_execve")
int ks_exec_enter(struct trace_event_raw_sys_enter *ctx)
{
	remember((const char *)ctx->args[0], (const char *const *)ctx->args[1], 0);
	return 0;
}

SEC("tp/syscalls/sys_enter_execveat")
int ks_execat_enter(struct trace_event_raw_sys_enter *ctx)
{
	remember((const char *)ctx->args[1], (const char *const *)ctx->args[2],
		 KSCOPE_EXEC_EXECVEAT);
	return 0;
}

static __always_inline void emit_exec(struct exec_scratch *s, __u32 filename_len, __u32 args_len)
{
	barrier_var(filename_len);
	if (filename_len > KSCOPE_EXEC_FILENAME_MAX)
		filename_len = KSCOPE_EXEC_FILENAME_MAX;
	barrier_var(args_len);
	if (args_len > KSCOPE_EXEC_ARGS_MAX)
		args_len = KSCOPE_EXEC_ARGS_MAX;
	s->ev.filename_len = filename_len;
	s->ev.args_len = args_len;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	s->ev.start_boot_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	__u64 size = sizeof(s->ev) + filename_len + args_len;
	/* Already true; restated on the final value so the verifier sees the bound. */
	barrier_var(size);
	if (size > sizeof(*s))
		size = sizeof(*s);
	s->ev.hdr.size = size;
	emit(s, size);
}

SEC("tp/sched/sched_process_exec")
int ks_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	__u32 old_tid = ctx->old_pid;
	__u32 flags = 0;
	struct pending_exec *p = bpf_map_lookup_elem(&pending, &old_tid);
	if (p) {
		flags = p->flags;
		bpf_map_delete_elem(&pending, &old_tid);
	}
	if (filter_failures_only || !task_selected())
		return 0;
	struct exec_scratch *s = scratch_event();
	if (!s)
		return 0;

	fill_header(&s->ev.hdr, KSCOPE_EVENT_EXEC);
	s->ev.ret = 0;
	s->ev.argc = 0;
	s->ev._pad = 0;

	__u32 loc = ctx->__data_loc_filename & 0xFFFF;
	long n = bpf_probe_read_kernel_str(s->data, KSCOPE_EXEC_FILENAME_MAX, (void *)ctx + loc);
	__u32 filename_len = n > 0 ? n - 1 : 0;
	if (n <= 0)
		flags |= KSCOPE_EXEC_FILENAME_UNREADABLE;

	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	unsigned long start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long end = BPF_CORE_READ(task, mm, arg_end);
	__u64 len = end > start ? end - start : 0;
	if (len > KSCOPE_EXEC_ARGS_MAX) {
		len = KSCOPE_EXEC_ARGS_MAX;
		flags |= KSCOPE_EXEC_ARGS_TRUNCATED;
	}
	barrier_var(filename_len);
	if (filename_len >= KSCOPE_EXEC_FILENAME_MAX)
		filename_len = KSCOPE_EXEC_FILENAME_MAX - 1;
	barrier_var(len);
	if (len > KSCOPE_EXEC_ARGS_MAX)
		len = KSCOPE_EXEC_ARGS_MAX;
	if (len && bpf_probe_read_user(&s->data[filename_len], len, (void *)start)) {
		flags |= KSCOPE_EXEC_ARGS_UNREADABLE;
		len = 0;
	}
	s->ev.flags = flags;
	emit_exec(s, filename_len, len);
	return 0;
}

static __always_inline int exec_failed(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending_exec *p = bpf_map_lookup_elem(&pending, &tid);
	if (!p)
		return 0;
	struct pending_exec call = *p;
	bpf_map_delete_elem(&pending, &tid);
	if (ret >= 0 || !task_selected())
		return 0; /* success was reported at sched_process_exec */
	struct exec_scratch *s = scratch_event();
	if (!s)
		return 0;

	__u32 flags = call.flags;
	fill_header(&s->ev.hdr, KSCOPE_EVENT_EXEC);
	s->ev.ret = ret;
	s->ev._pad = 0;

	long n = bpf_probe_read_user_str(s->data, KSCOPE_EXEC_FILENAME_MAX, call.filename);
	__u32 filename_len = n > 0 ? n - 1 : 0;
	if (n <= 0)
		flags |= KSCOPE_EXEC_FILENAME_UNREADABLE;

	__u32 off = 0, argc = 0;
	if (call.argv) {
		int i;
		for (i = 0; i < KSCOPE_EXEC_ARGC_MAX; i++) {
			const char *arg = NULL;
			if (bpf_probe_read_user(&arg, sizeof(arg), &call.argv[i])) {
				flags |= KSCOPE_EXEC_ARGS_UNREADABLE;
				break;
			}
			if (!arg)
				break;
			if (off >= KSCOPE_EXEC_ARGS_MAX) {
				flags |= KSCOPE_EXEC_ARGS_TRUNCATED;
				break;
			}
			__u32 pos = (filename_len + off) & ARGS_POS_MASK;
			n = bpf_probe_read_user_str(&s->data[pos], KSCOPE_EXEC_ARGS_MAX, arg);
			if (n < 0) {
				flags |= KSCOPE_EXEC_ARGS_UNREADABLE;
				break;
			}
			off += n;
			argc++;
		}
		if (i == KSCOPE_EXEC_ARGC_MAX)
			flags |= KSCOPE_EXEC_ARGS_TRUNCATED;
	}
	if (off > KSCOPE_EXEC_ARGS_MAX) {
		off = KSCOPE_EXEC_ARGS_MAX;
		flags |= KSCOPE_EXEC_ARGS_TRUNCATED;
	}
	s->ev.argc = argc;
	s->ev.flags = flags;
	emit_exec(s, filename_len, off);
	return 0;
}

SEC("tp/syscalls/sys_exit_execve")
int ks_exec_exit(struct trace_event_raw_sys_exit *ctx)
{
	return exec_failed(ctx->ret);
}

SEC("tp/syscalls/sys_exit_execveat")
int ks_execat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return exec_failed(ctx->ret);
}
