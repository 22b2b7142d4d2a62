// SPDX-License-Identifier: GPL-2.0
/* exec: every execve/execveat, successful or failed.
 * - sys_enter_exec*: remember the caller's filename and argv pointers (nothing read yet).
 * - sched_process_exec (success): read argv from the new mm (arg_start..arg_end), where
 *   the kernel has just written it, so it is always readable.
 * - sys_exit_exec* with ret < 0 (failure): read filename and argv from the caller's
 *   memory; a page the caller never touched cannot be read here and is flagged.
 * Successful execs also carry a security context: the credentials before (kept at
 * sys_enter) and after, what fds 0-2 are, the executable's inode, the controlling tty,
 * the login uid and the working directory. */
#include "lib/common.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/abs_path.bpf.h"
#include "lib/file_sock.bpf.h"
#include "lib/filter.bpf.h"
#include "kscope/abi/exec.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_exec_event);

/* The credentials an exec may change. */
struct exec_creds {
	__u32 uid;
	__u32 euid;
	__u32 egid;
	__u32 _pad;
	__u64 cap_permitted;
	__u64 cap_effective;
};

struct pending_exec {
	const char *filename;
	const char *const *argv;
	__u32 flags;
	struct exec_creds creds; /* the caller's, before the exec */
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

/* The security context reads tasks through their BTF pointer (5.11+): plain loads,
 * several times cheaper than a helper call per field. Older kernels report no context. */
static __always_inline bool have_task_btf(void)
{
	return bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf);
}

static __always_inline void read_creds(struct exec_creds *c)
{
	const struct cred *cred = bpf_get_current_task_btf()->cred;
	c->uid = cred->uid.val;
	c->euid = cred->euid.val;
	c->egid = cred->egid.val;
	c->_pad = 0;
	/* cap_permitted and cap_effective are adjacent, 8 bytes each (one u64 since 6.3, two
	 * u32 low word first before: the same bytes on a little-endian machine): one copy. */
	bpf_probe_read_kernel(&c->cap_permitted, 2 * sizeof(__u64),
			      (void *)cred + bpf_core_field_offset(struct cred, cap_permitted));
}

static __always_inline void remember(const char *filename, const char *const *argv, __u32 flags)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending_exec p = { .filename = filename, .argv = argv, .flags = flags };
	if (have_task_btf())
		read_creds(&p.creds);
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

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define AF_PACKET 17
#define TMPFS_MAGIC 0x01021994
#define HUGETLBFS_MAGIC 0x958458f6

static __always_inline __u8 fd_type(struct file *f)
{
	if (!f)
		return KSCOPE_FD_CLOSED;
	switch (file_type_bits(f)) {
	case KS_S_IFREG: return KSCOPE_FD_FILE;
	case KS_S_IFDIR: return KSCOPE_FD_DIRECTORY;
	case KS_S_IFIFO: return KSCOPE_FD_PIPE;
	case KS_S_IFCHR: return KSCOPE_FD_CHAR;
	case KS_S_IFBLK: return KSCOPE_FD_BLOCK;
	case KS_S_IFSOCK: break;
	default: return KSCOPE_FD_OTHER;
	}
	struct sock *sk = file_sock(f);
	switch (sk ? BPF_CORE_READ(sk, __sk_common.skc_family) : 0) {
	case AF_INET: return KSCOPE_FD_IPV4;
	case AF_INET6: return KSCOPE_FD_IPV6;
	case AF_UNIX: return KSCOPE_FD_UNIX;
	case AF_NETLINK: return KSCOPE_FD_NETLINK;
	case AF_PACKET: return KSCOPE_FD_PACKET;
	}
	return KSCOPE_FD_SOCKET;
}

/* A memfd is a shmem (or hugetlbfs) file named "memfd:<name>", as Falco checks. */
static __always_inline bool is_memfd(struct file *exe, struct inode *inode)
{
	unsigned long magic = inode->i_sb->s_magic;
	if (magic != TMPFS_MAGIC && magic != HUGETLBFS_MAGIC)
		return false;
	char name[6] = {};
	bpf_probe_read_kernel(name, sizeof(name), exe->f_path.dentry->d_name.name);
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' &&
	       name[5] == ':';
}

/* The controlling tty as /proc/<pid>/stat's tty_nr: new_encode_dev(major, minor). */
static __always_inline __u32 tty_nr(struct task_struct *task)
{
	struct tty_struct *tty = task->signal->tty;
	if (!tty)
		return 0;
	__u32 major = tty->driver->major;
	__u32 minor = tty->driver->minor_start + tty->index;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* The new process's security context; the cwd goes to data at pos. Returns the flags
 * to add and sets ev.cwd_len. */
static __always_inline __u32 exec_context(struct exec_scratch *s, const struct exec_creds *before, __u32 pos)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 flags = KSCOPE_EXEC_CONTEXT;
	struct exec_creds now;
	read_creds(&now);
	s->ev.old_uid = before->uid;
	s->ev.old_euid = before->euid;
	s->ev.new_uid = now.uid;
	s->ev.new_euid = now.euid;
	if (now.euid != before->euid || now.egid != before->egid || (now.cap_permitted & ~before->cap_permitted) ||
	    (now.cap_effective & ~before->cap_effective))
		flags |= KSCOPE_EXEC_PRIVILEGED;

	/* fds 0-2 in one copy (an fd table always has room for at least 64). */
	struct file *stdio[3] = {};
	bpf_probe_read_kernel(stdio, sizeof(stdio), task->files->fdt->fd);
	for (int i = 0; i < 3; i++)
		s->ev.fd_type[i] = fd_type(stdio[i]);

	struct file *exe = task->mm->exe_file;
	s->ev.exe_inode = 0;
	if (exe) {
		struct inode *inode = exe->f_inode;
		s->ev.exe_inode = inode->i_ino;
		if (inode->i_nlink == 0)
			flags |= KSCOPE_EXEC_EXE_DELETED;
		if (is_memfd(exe, inode))
			flags |= KSCOPE_EXEC_EXE_MEMFD;
	}
	s->ev.tty = tty_nr(task);
	s->ev.loginuid = bpf_core_field_exists(task->loginuid) ? task->loginuid.val : (__u32)-1;

	s->ev.cwd_len = copy_abs_path(&s->data[pos & ARGS_POS_MASK], task->fs->pwd.dentry, task->fs->pwd.mnt);
	if (s->ev.cwd_len)
		flags |= KSCOPE_EXEC_CWD_RESOLVED;
	return flags;
}

/* The context of a failed exec: left at its defaults. */
static __always_inline void no_context(struct exec_scratch *s)
{
	s->ev.cwd_len = 0;
	s->ev.exe_inode = 0;
	s->ev.old_uid = s->ev.old_euid = s->ev.new_uid = s->ev.new_euid = 0;
	s->ev.tty = 0;
	s->ev.loginuid = (__u32)-1;
	s->ev.fd_type[0] = s->ev.fd_type[1] = s->ev.fd_type[2] = KSCOPE_FD_CLOSED;
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
	__u32 cwd_len = s->ev.cwd_len;
	if (cwd_len > KSCOPE_PATH_END)
		cwd_len = 0;
	__u64 size = sizeof(s->ev) + filename_len + args_len + cwd_len;
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
	struct exec_creds before = {};
	bool have_before = false;
	struct pending_exec *p = bpf_map_lookup_elem(&pending, &old_tid);
	if (p) {
		flags = p->flags;
		before = p->creds;
		have_before = true;
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
	__builtin_memset(s->ev._pad, 0, sizeof(s->ev._pad));

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
	if (have_task_btf()) {
		if (!have_before) /* started before the probe attached: no change known */
			read_creds(&before);
		flags |= exec_context(s, &before, filename_len + len);
	} else {
		no_context(s);
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
	__builtin_memset(s->ev._pad, 0, sizeof(s->ev._pad));
	no_context(s);

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
