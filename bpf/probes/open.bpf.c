// SPDX-License-Identifier: GPL-2.0
/* open: every open/openat/openat2/creat, successful or failed.
 * sys_exit_*: read the arguments, read the path (the kernel has just copied it, so its
 * page is present), resolve the base directory of a relative path in the kernel, emit.
 * The arguments come from the task's saved user registers (bpf_task_pt_regs, 5.15+), so
 * only the exit tracepoints are attached. Older kernels: user space turns args_from_regs
 * off and the sys_enter_* programs keep the arguments per thread in `pending`. */
#include "lib/common.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/path.bpf.h"
#include "kscope/abi/open.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_open_event);

/* Set by user space when bpf_task_pt_regs exists; the sys_enter_* programs then stay
 * unloaded. */
const volatile bool args_from_regs = false;

#define AT_FDCWD -100
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000

struct pending_open {
	const char *path;
	const struct open_how *how; /* openat2 */
	__u64 open_flags;
	__u32 mode;
	__s32 dirfd;
	__u16 syscall;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32); /* tid */
	__type(value, struct pending_open);
} pending SEC(".maps");

#define DATA_SIZE (2 * KSCOPE_OPEN_PATH_MAX)

struct open_scratch {
	struct kscope_open_event ev;
	char data[DATA_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct open_scratch);
} scratch SEC(".maps");

static __always_inline int remember(const char *path, __u64 open_flags, __u32 mode, __s32 dirfd,
				    const struct open_how *how, __u16 syscall)
{
	if (!task_selected() || sampled_out())  /* sampled here: a left-out call costs no path read */
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending_open p = {
		.path = path, .how = how, .open_flags = open_flags, .mode = mode,
		.dirfd = dirfd, .syscall = syscall,
	};
	bpf_map_update_elem(&pending, &tid, &p, BPF_ANY);
	return 0;
}

SEC("tp/syscalls/sys_enter_open")
int ks_open_enter(struct trace_event_raw_sys_enter *ctx)
{
	return remember((const char *)ctx->args[0], ctx->args[1], ctx->args[2], AT_FDCWD, NULL,
			KSCOPE_OPEN_OPEN);
}

SEC("tp/syscalls/sys_enter_openat")
int ks_openat_enter(struct trace_event_raw_sys_enter *ctx)
{
	return remember((const char *)ctx->args[1], ctx->args[2], ctx->args[3], (__s32)ctx->args[0], NULL,
			KSCOPE_OPEN_OPENAT);
}

SEC("tp/syscalls/sys_enter_openat2")
int ks_openat2_enter(struct trace_event_raw_sys_enter *ctx)
{
	return remember((const char *)ctx->args[1], 0, 0, (__s32)ctx->args[0],
			(const struct open_how *)ctx->args[2], KSCOPE_OPEN_OPENAT2);
}

SEC("tp/syscalls/sys_enter_creat")
int ks_creat_enter(struct trace_event_raw_sys_enter *ctx)
{
	return remember((const char *)ctx->args[0], O_CREAT | O_WRONLY | O_TRUNC, ctx->args[1], AT_FDCWD,
			NULL, KSCOPE_OPEN_CREAT);
}

/* Appends the base directory of a relative path after the path in s->data. */
static __always_inline __u32 resolve_base(struct open_scratch *s, __s32 dirfd, __u32 path_len)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct dentry *dentry;
	struct vfsmount *mnt;

	if (dirfd == AT_FDCWD) {
		dentry = BPF_CORE_READ(task, fs, pwd.dentry);
		mnt = BPF_CORE_READ(task, fs, pwd.mnt);
	} else {
		struct file *f = current_fd_file(dirfd);
		if (!f) {
			s->ev.flags |= KSCOPE_OPEN_BASE_BAD_DIRFD;
			return 0;
		}
		dentry = BPF_CORE_READ(f, f_path.dentry);
		mnt = BPF_CORE_READ(f, f_path.mnt);
	}
	struct path_walk w = walk_path(dentry, mnt);
	char *buf = path_buf();
	if (!w.complete || !buf) {
		s->ev.flags |= KSCOPE_OPEN_BASE_INCOMPLETE;
		return 0;
	}
	__u64 start = w.start & KSCOPE_PATH_MASK;
	if (start >= KSCOPE_PATH_END)
		return 0;
	__u64 len = KSCOPE_PATH_END - start;
	barrier_var(len);
	if (len > KSCOPE_OPEN_PATH_MAX)
		return 0;
	barrier_var(path_len);
	if (path_len > KSCOPE_OPEN_PATH_MAX)
		return 0;
	bpf_probe_read_kernel(&s->data[path_len], len, &buf[start]);
	s->ev.flags |= KSCOPE_OPEN_BASE_RESOLVED;
	return len;
}

/* This call's arguments from the registers saved at syscall entry (x86-64 and arm64
 * keep them intact until the syscall returns). */
static __always_inline void args_from_pt_regs(struct pending_open *call, __u16 syscall)
{
	/* One copy of the register block is cheaper than four CO-RE reads; pt_regs is
	 * user-visible ABI, so its layout does not move between kernels. */
	struct pt_regs regs;
	bpf_probe_read_kernel(&regs, sizeof(regs), (void *)bpf_task_pt_regs(bpf_get_current_task_btf()));
	unsigned long a1 = PT_REGS_PARM1_SYSCALL(&regs);
	unsigned long a2 = PT_REGS_PARM2_SYSCALL(&regs);
	unsigned long a3 = PT_REGS_PARM3_SYSCALL(&regs);
	unsigned long a4 = PT_REGS_PARM4_SYSCALL(&regs);

	call->syscall = syscall;
	call->how = NULL;
	call->dirfd = AT_FDCWD;
	switch (syscall) {
	case KSCOPE_OPEN_OPEN:
		call->path = (const char *)a1;
		call->open_flags = a2;
		call->mode = a3;
		break;
	case KSCOPE_OPEN_OPENAT:
		call->dirfd = (__s32)a1;
		call->path = (const char *)a2;
		call->open_flags = a3;
		call->mode = a4;
		break;
	case KSCOPE_OPEN_OPENAT2:
		call->dirfd = (__s32)a1;
		call->path = (const char *)a2;
		call->how = (const struct open_how *)a3;
		call->open_flags = 0;
		call->mode = 0;
		break;
	default: /* creat */
		call->path = (const char *)a1;
		call->open_flags = O_CREAT | O_WRONLY | O_TRUNC;
		call->mode = a2;
		break;
	}
}

static __always_inline int open_exit(long ret, __u16 syscall)
{
	struct pending_open call = {};
	if (args_from_regs) {
		if (!task_selected() || sampled_out())
			return 0;
		args_from_pt_regs(&call, syscall);
	} else {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		struct pending_open *p = bpf_map_lookup_elem(&pending, &tid);
		if (!p)
			return 0;
		call = *p;
		bpf_map_delete_elem(&pending, &tid);
	}
	if (filter_failures_only && ret >= 0)
		return 0;
	__u32 zero = 0;
	struct open_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;

	fill_header(&s->ev.hdr, KSCOPE_EVENT_OPEN);
	s->ev.ret = ret;
	s->ev.open_flags = call.open_flags;
	s->ev.mode = call.mode;
	s->ev.resolve = 0;
	s->ev.dirfd = call.dirfd;
	s->ev.syscall = call.syscall;
	s->ev.flags = 0;
	if (call.how) {
		struct open_how how = {};
		bpf_probe_read_user(&how, sizeof(how), call.how);
		s->ev.open_flags = how.flags;
		s->ev.mode = how.mode;
		s->ev.resolve = how.resolve;
	}

	long n = bpf_probe_read_user_str(s->data, KSCOPE_OPEN_PATH_MAX, call.path);
	__u32 path_len = n > 0 ? n - 1 : 0;
	if (n <= 0)
		s->ev.flags |= KSCOPE_OPEN_PATH_UNREADABLE;
	__u32 base_len = 0;
	if (path_len && s->data[0] != '/')
		base_len = resolve_base(s, call.dirfd, path_len);

	s->ev.path_len = path_len;
	s->ev.base_len = base_len;
	__u64 size = sizeof(s->ev) + path_len + base_len;
	barrier_var(size);
	if (size > sizeof(s->ev) + DATA_SIZE)
		size = sizeof(s->ev) + DATA_SIZE;
	s->ev.hdr.size = size;
	emit_now(s, size);  /* sampled at the start */
	return 0;
}

SEC("tp/syscalls/sys_exit_open")
int ks_open_exit(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx->ret, KSCOPE_OPEN_OPEN); }

SEC("tp/syscalls/sys_exit_openat")
int ks_openat_exit(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx->ret, KSCOPE_OPEN_OPENAT); }

SEC("tp/syscalls/sys_exit_openat2")
int ks_openat2_exit(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx->ret, KSCOPE_OPEN_OPENAT2); }

SEC("tp/syscalls/sys_exit_creat")
int ks_creat_exit(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx->ret, KSCOPE_OPEN_CREAT); }
