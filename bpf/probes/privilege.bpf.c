// SPDX-License-Identifier: GPL-2.0
/* privilege: calls that change or use privilege, one event per call at sys_exit.
 * - set*id, setgroups, capset: the caller's credentials at sys_enter and at sys_exit.
 * - ptrace, process_vm_writev: request, target; the target's comm from the caller's
 *   list of traced tasks (or its parent for PTRACE_TRACEME) when it is there.
 * - init_module, finit_module: parameters, the file's path, and the name that
 *   module:module_load reports in between on the same thread.
 * - bpf(BPF_PROG_LOAD / BPF_MAP_CREATE): type and name from the attr.
 * - perf_event_open by a caller whose euid is not 0; userfaultfd.
 * sys_enter keeps what it read per thread in `pending`; a user-memory read that fails
 * at sys_enter (a page the caller never touched) is retried at sys_exit, when the
 * kernel has copied the same memory in. Every call is counted in `syscall_counts`
 * whatever the filters (kscope's own process left out). */
#include "lib/common.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/path.bpf.h"
#include "kscope/abi/privilege.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_privilege_event);
KSCOPE_EXPORT_ABI(kscope_ptrace_event);
KSCOPE_EXPORT_ABI(kscope_module_load_event);
KSCOPE_EXPORT_ABI(kscope_bpf_event);
KSCOPE_EXPORT_ABI(kscope_perf_event_open_event);
KSCOPE_EXPORT_ABI(kscope_userfaultfd_event);

#define PTRACE_TRACEME 0
#define BPF_CMD_MAP_CREATE 0
#define BPF_CMD_PROG_LOAD 5
#define PTRACED_WALK_MAX 32  /* tasks looked at in the caller's list of traced tasks */
#define PID_NS_LEVEL_MAX 32  /* MAX_PID_NS_LEVEL */
#define IOV_MAX_SUMMED 1024  /* UIO_MAXIOV */
#define IOV_CHUNK 16

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_PRIV_SYSCALLS);
	__type(key, __u32);
	__type(value, __u64);
} syscall_counts SEC(".maps");

enum unread_bits {
	UNREAD_BPF_ATTR = 1 << 0,
	UNREAD_PERF_ATTR = 1 << 1,
};

/* What sys_enter saw, per thread, for sys_exit. */
struct pending_call {
	__u16 syscall;   /* enum kscope_privilege_syscall */
	__u16 unread;    /* enum unread_bits: read again at sys_exit */
	__u32 _pad;
	union {
		struct {
			struct kscope_creds before;
			__u32 requested; /* setfsuid/setfsgid: the id asked for */
		} cred;
		struct {
			__s64 request;
			__u32 pid;
		} ptrace;
		struct {
			__u64 bytes;
			__u32 pid;
		} vm_write;
		struct {
			const void *attr;
			__u32 size;
			__u32 cmd;
			__u32 object_type;
			char name[KSCOPE_BPF_NAME_LEN];
		} bpf;
		struct {
			const void *attr;
			__u64 config;
			__u32 type;
			__s32 pid;
			__s32 cpu;
		} perf;
		__u32 uffd_flags;
	};
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32); /* tid */
	__type(value, struct pending_call);
} pending SEC(".maps");

/* init_module/finit_module: the event's fixed part and the parameters, from sys_enter
 * until sys_exit (module loads are rare and seldom concurrent). Not an LRU map: with few
 * entries, an LRU map evicts live entries of other CPUs while free ones sit on one
 * CPU's list. A full map drops the call, counted. */
struct pending_module {
	struct kscope_module_load_event ev;
	const char *uargs;
	__s32 fd;
	__u32 _pad;
	char params[KSCOPE_MODULE_PARAMS_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32); /* tid */
	__type(value, struct pending_module);
} pending_modules SEC(".maps");

#define MODULE_DATA (KSCOPE_MODULE_PATH_MAX + KSCOPE_MODULE_PARAMS_MAX)

struct module_scratch {
	struct kscope_module_load_event ev;
	char data[MODULE_DATA];
};

/* Events and pending_module values are larger than the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct module_scratch);
} module_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pending_module);
} pending_module_scratch SEC(".maps");

static __always_inline __u32 current_tid(void) { return (__u32)bpf_get_current_pid_tgid(); }

static __always_inline bool is_self(void)
{
	return filter_exclude_tgid && (__u32)(bpf_get_current_pid_tgid() >> 32) == filter_exclude_tgid;
}

/* Counts the call (whatever the filters) and says whether it is traced. */
static __always_inline bool count_and_select(__u16 syscall)
{
	if (is_self())
		return false;
	percpu_inc(&syscall_counts, syscall);
	return task_selected();
}

static __always_inline void remember(struct pending_call *p)
{
	__u32 tid = current_tid();
	bpf_map_update_elem(&pending, &tid, p, BPF_ANY);
}

/* This thread's pending call for syscall, removed from the map; false if none. */
static __always_inline bool take_pending(__u16 syscall, struct pending_call *out)
{
	__u32 tid = current_tid();
	struct pending_call *p = bpf_map_lookup_elem(&pending, &tid);
	if (!p)
		return false;
	*out = *p;
	bpf_map_delete_elem(&pending, &tid);
	return out->syscall == syscall;
}

/* ---- Credentials. */

static __always_inline void read_creds(struct kscope_creds *c)
{
	const struct cred *cred;
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)) {
		/* Plain loads through the task's BTF pointer (5.11+): each CO-RE read below is
		 * a helper call, and these run twice per call. */
		cred = bpf_get_current_task_btf()->cred;
		c->uid = cred->uid.val;
		c->euid = cred->euid.val;
		c->suid = cred->suid.val;
		c->fsuid = cred->fsuid.val;
		c->gid = cred->gid.val;
		c->egid = cred->egid.val;
		c->sgid = cred->sgid.val;
		c->fsgid = cred->fsgid.val;
	} else {
		cred = BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), cred);
		c->uid = BPF_CORE_READ(cred, uid.val);
		c->euid = BPF_CORE_READ(cred, euid.val);
		c->suid = BPF_CORE_READ(cred, suid.val);
		c->fsuid = BPF_CORE_READ(cred, fsuid.val);
		c->gid = BPF_CORE_READ(cred, gid.val);
		c->egid = BPF_CORE_READ(cred, egid.val);
		c->sgid = BPF_CORE_READ(cred, sgid.val);
		c->fsgid = BPF_CORE_READ(cred, fsgid.val);
	}
	/* kernel_cap_t is one __u64 since 6.3 and __u32[2] (low word first) before: on a
	 * little-endian machine both are the same 8 bytes. */
	bpf_core_read(&c->cap_effective, sizeof(c->cap_effective), &cred->cap_effective);
	bpf_core_read(&c->cap_permitted, sizeof(c->cap_permitted), &cred->cap_permitted);
}

static __always_inline int cred_enter(__u16 syscall, __u32 requested)
{
	if (!count_and_select(syscall))
		return 0;
	struct pending_call p = { .syscall = syscall };
	read_creds(&p.cred.before);
	p.cred.requested = requested;
	remember(&p);
	return 0;
}

static __always_inline int cred_exit(long ret, __u16 syscall)
{
	struct pending_call p;
	if (!take_pending(syscall, &p))
		return 0;
	struct kscope_privilege_event ev = {};
	read_creds(&ev.new_creds);
	if (filter_failures_only) {
		/* setfsuid/setfsgid report no error: they failed when the id did not change to
		 * the one asked for (-1 only asks what it is). */
		if (syscall == KSCOPE_PRIV_SETFSUID || syscall == KSCOPE_PRIV_SETFSGID) {
			__u32 now = syscall == KSCOPE_PRIV_SETFSUID ? ev.new_creds.fsuid : ev.new_creds.fsgid;
			if (p.cred.requested == (__u32)-1 || now == p.cred.requested)
				return 0;
		} else if (ret >= 0) {
			return 0;
		}
	}
	fill_header(&ev.hdr, KSCOPE_EVENT_PRIVILEGE);
	ev.hdr.size = sizeof(ev);
	ev.ret = ret;
	ev.old_creds = p.cred.before;
	ev.syscall = syscall;
	emit(&ev, sizeof(ev));
	return 0;
}

#define CRED_PROBES(name, SYSCALL, requested_arg)                                        \
	SEC("tp/syscalls/sys_enter_" #name)                                              \
	int ks_##name##_enter(struct trace_event_raw_sys_enter *ctx)                     \
	{                                                                                \
		return cred_enter(SYSCALL, requested_arg);                               \
	}                                                                                \
	SEC("tp/syscalls/sys_exit_" #name)                                               \
	int ks_##name##_exit(struct trace_event_raw_sys_exit *ctx)                       \
	{                                                                                \
		return cred_exit(ctx->ret, SYSCALL);                                     \
	}

CRED_PROBES(setuid, KSCOPE_PRIV_SETUID, 0)
CRED_PROBES(setgid, KSCOPE_PRIV_SETGID, 0)
CRED_PROBES(setreuid, KSCOPE_PRIV_SETREUID, 0)
CRED_PROBES(setregid, KSCOPE_PRIV_SETREGID, 0)
CRED_PROBES(setresuid, KSCOPE_PRIV_SETRESUID, 0)
CRED_PROBES(setresgid, KSCOPE_PRIV_SETRESGID, 0)
CRED_PROBES(setfsuid, KSCOPE_PRIV_SETFSUID, (__u32)ctx->args[0])
CRED_PROBES(setfsgid, KSCOPE_PRIV_SETFSGID, (__u32)ctx->args[0])
CRED_PROBES(setgroups, KSCOPE_PRIV_SETGROUPS, 0)
CRED_PROBES(capset, KSCOPE_PRIV_CAPSET, 0)

/* ---- ptrace and process_vm_writev. */

/* The task's pid number in the pid namespace at level, or 0 when it has none there
 * (its namespace is not that one or one below it). */
static __always_inline __u32 pid_nr_at(struct task_struct *t, __u32 level, struct pid_namespace *ns)
{
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	if (!pid || level > PID_NS_LEVEL_MAX || level > BPF_CORE_READ(pid, level))
		return 0;
	struct upid up = {};
	void *numbers = (void *)pid + bpf_core_field_offset(struct pid, numbers);
	bpf_probe_read_kernel(&up, sizeof(up), numbers + level * sizeof(struct upid));
	return up.ns == ns ? up.nr : 0;
}

struct caller_pidns {
	__u32 level;
	struct pid_namespace *ns;
};

static __always_inline struct caller_pidns current_pidns(void)
{
	struct task_struct *me = (struct task_struct *)bpf_get_current_task();
	struct pid *pid = BPF_CORE_READ(me, thread_pid);
	struct caller_pidns c = { .level = BPF_CORE_READ(pid, level) };
	if (c.level <= PID_NS_LEVEL_MAX) {
		struct upid up = {};
		void *numbers = (void *)pid + bpf_core_field_offset(struct pid, numbers);
		bpf_probe_read_kernel(&up, sizeof(up), numbers + c.level * sizeof(struct upid));
		c.ns = up.ns;
	}
	return c;
}

/* The task with pid vpid (in the caller's namespace) among the tasks the caller traces:
 * every ptrace request but PTRACE_TRACEME, PTRACE_ATTACH and PTRACE_SEIZE needs the
 * target there, and a successful attach has just put it there. */
static __always_inline struct task_struct *traced_by_current(__u32 vpid, struct caller_pidns ns)
{
	struct task_struct *me = (struct task_struct *)bpf_get_current_task();
	struct list_head *head = &me->ptraced;
	struct list_head *pos = BPF_CORE_READ(me, ptraced.next);
	for (int i = 0; i < PTRACED_WALK_MAX; i++) {
		if (!pos || pos == head)
			return NULL;
		struct task_struct *t = (void *)pos - bpf_core_field_offset(struct task_struct, ptrace_entry);
		if (pid_nr_at(t, ns.level, ns.ns) == vpid)
			return t;
		pos = BPF_CORE_READ(pos, next);
	}
	return NULL;
}

static __always_inline void emit_ptrace(long ret, __u16 syscall, __s64 request, __u32 target_pid, __u64 bytes)
{
	if (filter_failures_only && ret >= 0)
		return;
	struct kscope_ptrace_event ev = {};
	fill_header(&ev.hdr, KSCOPE_EVENT_PTRACE);
	ev.hdr.size = sizeof(ev);
	ev.ret = ret;
	ev.request = request;
	ev.bytes = bytes;
	ev.syscall = syscall;
	struct caller_pidns ns = current_pidns();
	if (ns.level == 0)
		ev.flags |= KSCOPE_PTRACE_CALLER_INIT_PIDNS;
	struct task_struct *target;
	if (syscall == KSCOPE_PRIV_PTRACE && request == PTRACE_TRACEME) {
		target = BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), real_parent);
		target_pid = target ? pid_nr_at(target, ns.level, ns.ns) : 0;
	} else {
		target = traced_by_current(target_pid, ns);
	}
	ev.target_pid = target_pid;
	if (target) {
		bpf_core_read_str(ev.target_comm, sizeof(ev.target_comm), &target->comm);
		ev.flags |= KSCOPE_PTRACE_TARGET_FOUND;
	}
	emit(&ev, sizeof(ev));
}

SEC("tp/syscalls/sys_enter_ptrace")
int ks_ptrace_enter(struct trace_event_raw_sys_enter *ctx)
{
	if (!count_and_select(KSCOPE_PRIV_PTRACE))
		return 0;
	struct pending_call p = { .syscall = KSCOPE_PRIV_PTRACE };
	p.ptrace.request = (__s64)ctx->args[0];
	p.ptrace.pid = (__u32)ctx->args[1];
	remember(&p);
	return 0;
}

SEC("tp/syscalls/sys_exit_ptrace")
int ks_ptrace_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct pending_call p;
	if (take_pending(KSCOPE_PRIV_PTRACE, &p))
		emit_ptrace(ctx->ret, KSCOPE_PRIV_PTRACE, p.ptrace.request, p.ptrace.pid, 0);
	return 0;
}

struct iov_sum {
	const struct iovec *iov;
	__u64 count;
	__u64 bytes;
};

/* Adds up IOV_CHUNK iovec lengths per call; 1 ends the loop. */
static long iov_sum_step(__u32 chunk, struct iov_sum *s)
{
	struct iovec v[IOV_CHUNK] = {};
	__u64 first = (__u64)chunk * IOV_CHUNK;
	if (first >= s->count)
		return 1;
	if (bpf_probe_read_user(v, sizeof(v), s->iov + first)) {
		/* The array ends inside the chunk at a page we may not read: one at a time. */
		for (int i = 0; i < IOV_CHUNK; i++)
			if (first + i < s->count && !bpf_probe_read_user(&v[i], sizeof(v[i]), s->iov + first + i))
				s->bytes += v[i].iov_len;
		return 0;
	}
	for (int i = 0; i < IOV_CHUNK; i++)
		if (first + i < s->count)
			s->bytes += v[i].iov_len;
	return 0;
}

SEC("tp/syscalls/sys_enter_process_vm_writev")
int ks_process_vm_writev_enter(struct trace_event_raw_sys_enter *ctx)
{
	if (!count_and_select(KSCOPE_PRIV_PROCESS_VM_WRITEV))
		return 0;
	struct pending_call p = { .syscall = KSCOPE_PRIV_PROCESS_VM_WRITEV };
	p.vm_write.pid = (__u32)ctx->args[0];
	struct iov_sum s = { .iov = (const struct iovec *)ctx->args[1], .count = ctx->args[2] };
	if (s.count > IOV_MAX_SUMMED)
		s.count = IOV_MAX_SUMMED;
	if (have_bpf_loop())
		bpf_loop(IOV_MAX_SUMMED / IOV_CHUNK, iov_sum_step, &s, 0);
	else
		iov_sum_step(0, &s); /* before 5.17: the first IOV_CHUNK entries */
	p.vm_write.bytes = s.bytes;
	remember(&p);
	return 0;
}

SEC("tp/syscalls/sys_exit_process_vm_writev")
int ks_process_vm_writev_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct pending_call p;
	if (take_pending(KSCOPE_PRIV_PROCESS_VM_WRITEV, &p))
		emit_ptrace(ctx->ret, KSCOPE_PRIV_PROCESS_VM_WRITEV, 0, p.vm_write.pid, p.vm_write.bytes);
	return 0;
}

/* ---- Module loads. Kernels without module support have none of these tracepoints;
 * user space then leaves the programs out. */

/* module:module_load's record (its type is missing from vmlinux.h on such kernels). */
struct module_load_record {
	struct trace_entry ent;
	unsigned int taints;
	__u32 __data_loc_name;
};

static __always_inline int module_enter(__u16 syscall, const char *uargs, __s32 fd)
{
	if (!count_and_select(syscall))
		return 0;
	__u32 zero = 0, tid = current_tid();
	struct pending_module *m = bpf_map_lookup_elem(&pending_module_scratch, &zero);
	if (!m)
		return 0;
	m->ev.syscall = syscall;
	m->ev.flags = 0;
	m->ev.path_len = 0;
	m->ev.name[0] = 0;
	m->uargs = uargs;
	m->fd = fd;
	long n = bpf_probe_read_user_str(m->params, sizeof(m->params), uargs);
	m->ev.params_len = n > 0 ? n - 1 : 0;
	if (n < 0)
		m->ev.flags |= KSCOPE_MODULE_PARAMS_UNREADABLE;
	if (bpf_map_update_elem(&pending_modules, &tid, m, BPF_ANY))
		count_drop(KSCOPE_DROP_MAP_FULL);
	return 0;
}

SEC("tp/syscalls/sys_enter_init_module")
int ks_init_module_enter(struct trace_event_raw_sys_enter *ctx)
{
	return module_enter(KSCOPE_PRIV_INIT_MODULE, (const char *)ctx->args[2], -1);
}

SEC("tp/syscalls/sys_enter_finit_module")
int ks_finit_module_enter(struct trace_event_raw_sys_enter *ctx)
{
	return module_enter(KSCOPE_PRIV_FINIT_MODULE, (const char *)ctx->args[1], (__s32)ctx->args[0]);
}

SEC("tp/module/module_load")
int ks_module_load(struct module_load_record *ctx)
{
	__u32 tid = current_tid();
	struct pending_module *m = bpf_map_lookup_elem(&pending_modules, &tid);
	if (m)
		bpf_probe_read_kernel_str(m->ev.name, sizeof(m->ev.name), (void *)ctx + (ctx->__data_loc_name & 0xFFFF));
	return 0;
}

/* The absolute path of the file behind fd into data[0..), its length. */
static __always_inline __u32 fd_path(__s32 fd, char *data)
{
	struct file *f = current_fd_file(fd);
	if (!f)
		return 0;
	struct path_walk w = walk_path(BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt));
	char *buf = path_buf();
	if (!w.complete || !buf)
		return 0;
	__u64 start = w.start & KSCOPE_PATH_MASK;
	if (start >= KSCOPE_PATH_END)
		return 0;
	__u64 len = KSCOPE_PATH_END - start;
	barrier_var(len);
	if (len > KSCOPE_MODULE_PATH_MAX)
		return 0;
	bpf_probe_read_kernel(data, len, &buf[start]);
	return len;
}

static __always_inline int module_exit(long ret, __u16 syscall)
{
	__u32 zero = 0, tid = current_tid();
	struct pending_module *m = bpf_map_lookup_elem(&pending_modules, &tid);
	if (!m)
		return 0;
	struct module_scratch *s = bpf_map_lookup_elem(&module_scratch, &zero);
	if (!s || m->ev.syscall != syscall || (filter_failures_only && ret >= 0)) {
		bpf_map_delete_elem(&pending_modules, &tid);
		return 0;
	}
	s->ev = m->ev;
	__u32 path_len = 0;
	if (syscall == KSCOPE_PRIV_FINIT_MODULE) {
		path_len = fd_path(m->fd, s->data);
		if (!path_len)
			s->ev.flags |= KSCOPE_MODULE_PATH_UNRESOLVED;
	}
	barrier_var(path_len);
	if (path_len > KSCOPE_MODULE_PATH_MAX)
		path_len = KSCOPE_MODULE_PATH_MAX;
	__u32 params_len = 0;
	if (m->ev.flags & KSCOPE_MODULE_PARAMS_UNREADABLE) {
		long n = bpf_probe_read_user_str(&s->data[path_len], KSCOPE_MODULE_PARAMS_MAX, m->uargs);
		if (n > 0) {
			params_len = n - 1;
			s->ev.flags &= ~KSCOPE_MODULE_PARAMS_UNREADABLE;
		}
	} else {
		/* At most KSCOPE_MODULE_PARAMS_MAX - 1 (the read kept a NUL): a mask the
		 * verifier follows into the read. */
		params_len = m->ev.params_len & (KSCOPE_MODULE_PARAMS_MAX - 1);
		bpf_probe_read_kernel(&s->data[path_len], params_len, m->params);
	}
	bpf_map_delete_elem(&pending_modules, &tid);

	fill_header(&s->ev.hdr, KSCOPE_EVENT_MODULE_LOAD);
	s->ev.ret = ret;
	s->ev.path_len = path_len;
	s->ev.params_len = params_len;
	__u64 size = sizeof(s->ev) + path_len + params_len;
	barrier_var(size);
	if (size > sizeof(*s))
		size = sizeof(*s);
	s->ev.hdr.size = size;
	emit(s, size);
	return 0;
}

SEC("tp/syscalls/sys_exit_init_module")
int ks_init_module_exit(struct trace_event_raw_sys_exit *ctx) { return module_exit(ctx->ret, KSCOPE_PRIV_INIT_MODULE); }

SEC("tp/syscalls/sys_exit_finit_module")
int ks_finit_module_exit(struct trace_event_raw_sys_exit *ctx)
{
	return module_exit(ctx->ret, KSCOPE_PRIV_FINIT_MODULE);
}

/* ---- bpf(). */

/* The type and name from a BPF_PROG_LOAD or BPF_MAP_CREATE attr of size bytes. */
static __always_inline int read_bpf_attr(struct pending_call *p)
{
	const union bpf_attr *attr = p->bpf.attr;
	__u32 type = 0;
	if (bpf_probe_read_user(&type, sizeof(type), attr)) /* prog_type and map_type come first */
		return -1;
	p->bpf.object_type = type;
	__u64 name_off = p->bpf.cmd == BPF_CMD_PROG_LOAD ? bpf_core_field_offset(union bpf_attr, prog_name)
							: bpf_core_field_offset(union bpf_attr, map_name);
	/* Older callers pass a shorter attr without the name. */
	if (p->bpf.size >= name_off + KSCOPE_BPF_NAME_LEN &&
	    bpf_probe_read_user(p->bpf.name, sizeof(p->bpf.name), (const void *)attr + name_off))
		return -1;
	return 0;
}

SEC("tp/syscalls/sys_enter_bpf")
int ks_bpf_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u32 cmd = (__u32)ctx->args[0];
	if (cmd != BPF_CMD_PROG_LOAD && cmd != BPF_CMD_MAP_CREATE)
		return 0;
	if (!count_and_select(KSCOPE_PRIV_BPF))
		return 0;
	struct pending_call p = { .syscall = KSCOPE_PRIV_BPF };
	p.bpf.attr = (const void *)ctx->args[1];
	p.bpf.size = (__u32)ctx->args[2];
	p.bpf.cmd = cmd;
	if (read_bpf_attr(&p))
		p.unread |= UNREAD_BPF_ATTR;
	remember(&p);
	return 0;
}

SEC("tp/syscalls/sys_exit_bpf")
int ks_bpf_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct pending_call p;
	if (!take_pending(KSCOPE_PRIV_BPF, &p) || (filter_failures_only && ctx->ret >= 0))
		return 0;
	if (p.unread & UNREAD_BPF_ATTR)
		read_bpf_attr(&p);
	struct kscope_bpf_event ev = {};
	fill_header(&ev.hdr, KSCOPE_EVENT_BPF);
	ev.hdr.size = sizeof(ev);
	ev.ret = ctx->ret;
	ev.command = p.bpf.cmd;
	ev.object_type = p.bpf.object_type;
	__builtin_memcpy(ev.name, p.bpf.name, sizeof(ev.name));
	emit(&ev, sizeof(ev));
	return 0;
}

/* ---- perf_event_open by non-root, userfaultfd. */

static __always_inline int read_perf_attr(struct pending_call *p)
{
	const struct perf_event_attr *attr = p->perf.attr;
	if (bpf_probe_read_user(&p->perf.type, sizeof(p->perf.type), &attr->type) ||
	    bpf_probe_read_user(&p->perf.config, sizeof(p->perf.config), &attr->config))
		return -1;
	return 0;
}

SEC("tp/syscalls/sys_enter_perf_event_open")
int ks_perf_event_open_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	if (BPF_CORE_READ(task, cred, euid.val) == 0)
		return 0;
	if (!count_and_select(KSCOPE_PRIV_PERF_EVENT_OPEN))
		return 0;
	struct pending_call p = { .syscall = KSCOPE_PRIV_PERF_EVENT_OPEN };
	p.perf.attr = (const void *)ctx->args[0];
	p.perf.pid = (__s32)ctx->args[1];
	p.perf.cpu = (__s32)ctx->args[2];
	if (read_perf_attr(&p))
		p.unread |= UNREAD_PERF_ATTR;
	remember(&p);
	return 0;
}

SEC("tp/syscalls/sys_exit_perf_event_open")
int ks_perf_event_open_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct pending_call p;
	if (!take_pending(KSCOPE_PRIV_PERF_EVENT_OPEN, &p) || (filter_failures_only && ctx->ret >= 0))
		return 0;
	if (p.unread & UNREAD_PERF_ATTR)
		read_perf_attr(&p);
	struct kscope_perf_event_open_event ev = {};
	fill_header(&ev.hdr, KSCOPE_EVENT_PERF_EVENT_OPEN);
	ev.hdr.size = sizeof(ev);
	ev.ret = ctx->ret;
	ev.config = p.perf.config;
	ev.perf_type = p.perf.type;
	ev.target_pid = p.perf.pid;
	ev.cpu = p.perf.cpu;
	emit(&ev, sizeof(ev));
	return 0;
}

SEC("tp/syscalls/sys_enter_userfaultfd")
int ks_userfaultfd_enter(struct trace_event_raw_sys_enter *ctx)
{
	if (!count_and_select(KSCOPE_PRIV_USERFAULTFD))
		return 0;
	struct pending_call p = { .syscall = KSCOPE_PRIV_USERFAULTFD };
	p.uffd_flags = (__u32)ctx->args[0];
	remember(&p);
	return 0;
}

SEC("tp/syscalls/sys_exit_userfaultfd")
int ks_userfaultfd_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct pending_call p;
	if (!take_pending(KSCOPE_PRIV_USERFAULTFD, &p) || (filter_failures_only && ctx->ret >= 0))
		return 0;
	struct kscope_userfaultfd_event ev = {};
	fill_header(&ev.hdr, KSCOPE_EVENT_USERFAULTFD);
	ev.hdr.size = sizeof(ev);
	ev.ret = ctx->ret;
	ev.flags = p.uffd_flags;
	emit(&ev, sizeof(ev));
	return 0;
}
