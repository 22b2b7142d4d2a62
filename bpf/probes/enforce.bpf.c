// SPDX-License-Identifier: GPL-2.0
/* enforce: rules compiled into maps (abi/enforce.h), acted on where the call happens.
 * - exec: at sys_enter_execve(at) on the path as given when it is absolute (the program
 *   is not loaded yet; the call fails and SIGKILL ends the caller), and at
 *   sched_process_exec on the path as given and the resolved path of the new executable
 *   (before it runs one instruction of its own), where the name is the program's.
 * - opens for write: at sys_enter_open* on an absolute path as given, and at sys_exit on
 *   the resolved path of the file now open for writing (a relative name, `..`, a link):
 *   the caller dies before it can write a byte, though O_CREAT/O_TRUNC already happened.
 * - ptrace, module loads, bpf(), set*id, setns/unshare, mount family: SIGKILL at
 *   sys_enter. The signal is delivered when the call returns: the call itself completes
 *   (see the README's table of what each can still do).
 * - connect, UDP sendmsg, bind: cgroup sock_addr programs on the cgroup v2 root answer
 *   "no" and the call fails with EPERM before any packet leaves.
 * Never acts on pid 1, on the agent (self_tgid) or on kernel threads. In audit mode a slot
 * only reports. Every act (or would-be act) is one event. */
#include "lib/common.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/abs_path.bpf.h"
#include "lib/fd.bpf.h"
#include "lib/filter.bpf.h" /* the globals every probe is configured with; enforcement filters by rule */
#include "lib/path.bpf.h"
#include "kscope/abi/enforce.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_enforce_event);

const volatile __u32 self_tgid = 0;

#define PF_KTHREAD 0x00200000
#define SIGKILL 9
#define FMODE_WRITE 0x2
#define O_ACCMODE 3
#define O_CREAT 0100
#define O_TRUNC 01000
#define AF_INET 2
#define AF_INET6 10
#define STAGE_ENTRY 0
#define STAGE_AFTER 1 /* sched_process_exec, sys_exit_open* */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} active_gen SEC(".maps");

/* [gen * KSCOPE_HOOKS + hook]: the slots of a hook. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * KSCOPE_HOOKS);
	__type(key, __u32);
	__type(value, __u64);
} hook_slots SEC(".maps");

/* [gen * KSCOPE_DIMS + dim]: slots with no test on dim; slots with only negative tests on
 * it (they pass unless the value is excluded). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * KSCOPE_DIMS);
	__type(key, __u32);
	__type(value, __u64);
} dim_free SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * KSCOPE_DIMS);
	__type(key, __u32);
	__type(value, __u64);
} dim_neg_only SEC(".maps");

/* [gen]: slots that act only after the call (they test its success). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} after_only SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct kscope_enforce_syscall_key);
	__type(value, __u64);
} syscall_match SEC(".maps");

/* [gen * KSCOPE_ENFORCE_SLOTS + slot] */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * KSCOPE_ENFORCE_SLOTS);
	__type(key, __u32);
	__type(value, struct kscope_enforce_slot);
} slots SEC(".maps");

/* value -> the slots a value passes (_match) or is excluded from (_unmatch). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct kscope_enforce_path_key);
	__type(value, __u64);
} path_match SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct kscope_enforce_path_key);
	__type(value, __u64);
} path_unmatch SEC(".maps");

/* A prefix's value holds the slots of every shorter prefix it extends too (user space
 * folds them), since the trie answers with the longest prefix only. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct kscope_enforce_prefix_key);
	__type(value, __u64);
} prefix_match SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct kscope_enforce_comm_key);
	__type(value, __u64);
} comm_match SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct kscope_enforce_comm_key);
	__type(value, __u64);
} comm_unmatch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct kscope_enforce_port_key);
	__type(value, __u64);
} port_match SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct kscope_enforce_addr_key);
	__type(value, __u64);
} addr_match SEC(".maps");

struct enforce_scratch {
	struct kscope_enforce_path_key key;
	struct kscope_enforce_prefix_key prefix;
	struct kscope_enforce_event ev;
	char path[KSCOPE_ENFORCE_PATH_MAX]; /* right after ev: emitted with it */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct enforce_scratch);
} scratch SEC(".maps");

static __always_inline struct enforce_scratch *get_scratch(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline __u64 u64_at(void *map, __u32 index)
{
	__u64 *v = bpf_map_lookup_elem(map, &index);
	return v ? *v : 0;
}

static __always_inline __u32 current_gen(void)
{
	__u32 zero = 0;
	__u32 *g = bpf_map_lookup_elem(&active_gen, &zero);
	return g ? (*g & 1) : 0;
}

static __always_inline __u64 hook_candidates(__u32 gen, __u32 hook)
{
	return u64_at(&hook_slots, gen * KSCOPE_HOOKS + hook);
}

/* Slots a known value on dim may pass: untested, only excluded, or matched (hits). */
static __always_inline __u64 dim_pass(__u32 gen, __u32 dim, __u64 hits)
{
	__u32 i = gen * KSCOPE_DIMS + dim;
	return u64_at(&dim_free, i) | u64_at(&dim_neg_only, i) | hits;
}

/* pid 1, the agent, kernel threads: never. */
static __always_inline bool exempt_task(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (tgid <= 1 || tgid == self_tgid)
		return true;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(task, flags) & PF_KTHREAD;
}

/* Hits and exclusions of the path in s->key.path (len bytes, NUL-padded). */
static __always_inline void path_tests(__u32 gen, struct enforce_scratch *s, __u32 len, __u64 *hits, __u64 *excluded)
{
	s->key.gen = gen;
	__u64 *v = bpf_map_lookup_elem(&path_match, &s->key);
	if (v)
		*hits |= *v;
	v = bpf_map_lookup_elem(&path_unmatch, &s->key);
	if (v)
		*excluded |= *v;
	s->prefix.gen = gen;
	s->prefix.prefixlen = 8 + 8 * len;
	bpf_probe_read_kernel(s->prefix.path, sizeof(s->prefix.path), s->key.path);
	v = bpf_map_lookup_elem(&prefix_match, &s->prefix);
	if (v)
		*hits |= *v;
}

static __always_inline __u64 comm_filter(__u64 m, __u32 gen)
{
	struct kscope_enforce_comm_key k = {.gen = gen};
	bpf_get_current_comm(k.comm, sizeof(k.comm));
	__u64 *hit = bpf_map_lookup_elem(&comm_match, &k);
	m &= dim_pass(gen, KSCOPE_DIM_COMM, hit ? *hit : 0);
	__u64 *out = bpf_map_lookup_elem(&comm_unmatch, &k);
	if (out)
		m &= ~*out;
	return m;
}

/* Slots that act only after the call, left out at its entry. */
static __always_inline __u64 at_entry(__u64 m, __u32 gen)
{
	return m & ~u64_at(&after_only, gen);
}

static __always_inline __u64 syscall_filter(__u64 m, __u32 gen, __s64 nr)
{
	struct kscope_enforce_syscall_key k = {.gen = gen, .nr = (__u32)nr};
	__u64 *hit = bpf_map_lookup_elem(&syscall_match, &k);
	return m & dim_pass(gen, KSCOPE_DIM_SYSCALL, hit ? *hit : 0);
}

/* Slots that test dim at all fail when the value is not known here. */
static __always_inline __u64 untested(__u64 m, __u32 gen, __u32 dim)
{
	return m & u64_at(&dim_free, gen * KSCOPE_DIMS + dim);
}

/* The lowest matching slot acts: SIGKILL (tracepoint hooks) and an event. Returns the
 * action taken (0: none, also in audit mode). */
static __always_inline int act(__u64 m, __u32 gen, __u32 hook, __u8 stage, __s64 syscall,
			       struct enforce_scratch *s, __u32 path_len, bool signal)
{
	__u32 bit = 0;
	for (; bit < KSCOPE_ENFORCE_SLOTS; bit++)
		if (m & (1ULL << bit))
			break;
	if (bit >= KSCOPE_ENFORCE_SLOTS)
		return 0;
	/* A reload switched policies while this call was being tested: its answer may mix
	 * the two (user space keeps the old one intact until the next reload). */
	if (current_gen() != gen)
		return 0;
	__u32 index = gen * KSCOPE_ENFORCE_SLOTS + bit;
	struct kscope_enforce_slot *slot = bpf_map_lookup_elem(&slots, &index);
	if (!slot)
		return 0;
	int action = slot->audit ? 0 : slot->action;
	if (signal && action == KSCOPE_ACTION_KILL)
		bpf_send_signal(SIGKILL);
	s->ev.rule_id = slot->rule_id;
	s->ev.hook = hook;
	s->ev.action = slot->action;
	s->ev.audit = slot->audit;
	s->ev.stage = stage;
	s->ev.syscall = syscall;
	barrier_var(path_len);
	if (path_len >= KSCOPE_ENFORCE_PATH_MAX)
		path_len = 0;
	s->ev.path_len = path_len;
	if (path_len)
		bpf_probe_read_kernel(s->path, path_len, s->key.path);
	emit(&s->ev, sizeof(s->ev) + path_len);
	return action;
}

static __always_inline void clear_event(struct enforce_scratch *s)
{
	__builtin_memset(&s->ev, 0, sizeof(s->ev));
}

/* act() for the tracepoint hooks: the event gets the current task's header. */
static __always_inline int act_on_task(__u64 m, __u32 gen, __u32 hook, __u8 stage, __s64 syscall,
				       struct enforce_scratch *s, __u32 path_len)
{
	clear_event(s);
	fill_header(&s->ev.hdr, KSCOPE_EVENT_ENFORCE);
	return act(m, gen, hook, stage, syscall, s, path_len, true);
}

/* The key's path from a user string; its length, 0 when unreadable, too long or not
 * absolute (then it would not mean the same as the resolved path). */
/* A name with "//" or "/." (".", "..", or a dot file) may not mean what it spells
 * (/etc/../tmp/x is not below /etc): such names are left to the resolved path. */
static __always_inline bool plain_path(const char *p)
{
	for (int i = 0; i < KSCOPE_ENFORCE_PATH_MAX - 1; i++) {
		if (!p[i])
			return true;
		if (p[i] == '/' && (p[i + 1] == '/' || p[i + 1] == '.'))
			return false;
	}
	return true;
}

static __always_inline __u32 user_abs_path(struct enforce_scratch *s, const char *name)
{
	__builtin_memset(&s->key, 0, sizeof(s->key));
	long n = bpf_probe_read_user_str(s->key.path, sizeof(s->key.path), name);
	if (n <= 1 || n >= (long)sizeof(s->key.path) || s->key.path[0] != '/' || !plain_path(s->key.path))
		return 0;
	return n - 1;
}

/* The key's path from (dentry, mnt), walked to the root; 0 when it cannot be. */
static __always_inline __u32 resolved_path(struct enforce_scratch *s, struct dentry *dentry, struct vfsmount *mnt)
{
	__builtin_memset(&s->key, 0, sizeof(s->key));
	return copy_abs_path_max(s->key.path, dentry, mnt, KSCOPE_ENFORCE_PATH_MAX - 1);
}

/* exec at entry: the path as given, when absolute; the name is still the caller's, so
 * slots that test it wait for sched_process_exec. */
static __always_inline int exec_entry(struct trace_event_raw_sys_enter *ctx, const char *filename)
{
	__u32 gen = current_gen();
	__u64 m = syscall_filter(at_entry(hook_candidates(gen, KSCOPE_HOOK_EXEC), gen), gen, ctx->id);
	if (!m || exempt_task())
		return 0;
	struct enforce_scratch *s = get_scratch();
	if (!s)
		return 0;
	__u32 len = user_abs_path(s, filename);
	if (len) {
		__u64 hits = 0, excluded = 0;
		path_tests(gen, s, len, &hits, &excluded);
		m &= dim_pass(gen, KSCOPE_DIM_PATH, hits) & ~excluded;
	} else {
		m = untested(m, gen, KSCOPE_DIM_PATH); /* decided at sched_process_exec */
	}
	m = untested(m, gen, KSCOPE_DIM_COMM);
	if (!m)
		return 0;
	return act_on_task(m, gen, KSCOPE_HOOK_EXEC, STAGE_ENTRY, ctx->id, s, len);
}

SEC("tp/syscalls/sys_enter_execve")
int ks_enforce_execve(struct trace_event_raw_sys_enter *ctx)
{
	return exec_entry(ctx, (const char *)ctx->args[0]);
}

SEC("tp/syscalls/sys_enter_execveat")
int ks_enforce_execveat(struct trace_event_raw_sys_enter *ctx)
{
	return exec_entry(ctx, (const char *)ctx->args[1]);
}

/* exec done, nothing of the program run yet: the path as given and the resolved one (a
 * slot passes on either and is excluded by either), and the program's name. */
SEC("tp/sched/sched_process_exec")
int ks_enforce_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	__u32 gen = current_gen();
	__u64 m = hook_candidates(gen, KSCOPE_HOOK_EXEC);
	if (!m || exempt_task())
		return 0;
	struct enforce_scratch *s = get_scratch();
	if (!s)
		return 0;
	/* proc.exepath is the name as given: it decides the hits when it is absolute and
	 * plain (a link's name included: /usr/bin/python3, a busybox applet); otherwise the
	 * resolved path does. Exclusions hold when either name is excluded. The resolved
	 * path stays in the key for the event. */
	__u64 hits = 0, excluded = 0, resolved_hits = 0;
	__builtin_memset(&s->key, 0, sizeof(s->key));
	__u32 loc = ctx->__data_loc_filename & 0xFFFF;
	long n = bpf_probe_read_kernel_str(s->key.path, sizeof(s->key.path), (void *)ctx + loc);
	const bool given = n > 1 && n < (long)sizeof(s->key.path) && s->key.path[0] == '/' && plain_path(s->key.path);
	__u32 len = 0;
	if (given) {
		len = n - 1;
		path_tests(gen, s, len, &hits, &excluded);
	}
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	if (exe) {
		__u32 resolved = resolved_path(s, BPF_CORE_READ(exe, f_path.dentry), BPF_CORE_READ(exe, f_path.mnt));
		if (resolved) {
			path_tests(gen, s, resolved, &resolved_hits, &excluded);
			if (!given)
				hits = resolved_hits;
			len = resolved;
		} else if (len) {
			/* the walk failed and cleared the key: the name as given again */
			bpf_probe_read_kernel_str(s->key.path, sizeof(s->key.path), (void *)ctx + loc);
		}
	}
	if (len)
		m &= dim_pass(gen, KSCOPE_DIM_PATH, hits) & ~excluded;
	else
		m = untested(m, gen, KSCOPE_DIM_PATH);
	m = comm_filter(untested(m, gen, KSCOPE_DIM_SYSCALL), gen);
	if (!m)
		return 0;
	return act_on_task(m, gen, KSCOPE_HOOK_EXEC, STAGE_AFTER, -1, s, len);
}

/* open for write at entry: an absolute name as given. */
/* evt.is_open_write: write access, or O_TRUNC (which truncates even read-only). */
static __always_inline bool open_writes(__u64 flags)
{
	__u64 acc = flags & O_ACCMODE;
	return acc == 1 || acc == 2 || (flags & O_TRUNC);
}

static __always_inline int open_entry(struct trace_event_raw_sys_enter *ctx, const char *name, __u64 flags)
{
	if (!open_writes(flags))
		return 0;
	__u32 gen = current_gen();
	__u64 m = untested(at_entry(hook_candidates(gen, KSCOPE_HOOK_OPEN_WRITE), gen), gen, KSCOPE_DIM_SYSCALL);
	if (!m || exempt_task())
		return 0;
	struct enforce_scratch *s = get_scratch();
	if (!s)
		return 0;
	__u32 len = user_abs_path(s, name);
	if (len) {
		__u64 hits = 0, excluded = 0;
		path_tests(gen, s, len, &hits, &excluded);
		m &= dim_pass(gen, KSCOPE_DIM_PATH, hits) & ~excluded;
	} else {
		m = untested(m, gen, KSCOPE_DIM_PATH); /* the rest is decided at the exit */
	}
	m = comm_filter(m, gen);
	if (!m)
		return 0;
	return act_on_task(m, gen, KSCOPE_HOOK_OPEN_WRITE, STAGE_ENTRY, ctx->id, s, len);
}

SEC("tp/syscalls/sys_enter_openat")
int ks_enforce_openat(struct trace_event_raw_sys_enter *ctx)
{
	return open_entry(ctx, (const char *)ctx->args[1], ctx->args[2]);
}

SEC("tp/syscalls/sys_enter_open")
int ks_enforce_open(struct trace_event_raw_sys_enter *ctx)
{
	return open_entry(ctx, (const char *)ctx->args[0], ctx->args[1]);
}

SEC("tp/syscalls/sys_enter_creat")
int ks_enforce_creat(struct trace_event_raw_sys_enter *ctx)
{
	return open_entry(ctx, (const char *)ctx->args[0], O_CREAT | O_TRUNC | 1 /* O_WRONLY */);
}

SEC("tp/syscalls/sys_enter_openat2")
int ks_enforce_openat2(struct trace_event_raw_sys_enter *ctx)
{
	__u64 flags = 0;
	bpf_probe_read_user(&flags, sizeof(flags), (void *)ctx->args[2]); /* struct open_how: flags first */
	return open_entry(ctx, (const char *)ctx->args[1], flags);
}

/* Whether SIGKILL is already on its way to the current process (sent at the entry of
 * the same call): acting again would only repeat the event. */
static __always_inline bool kill_pending(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	unsigned long pending = BPF_CORE_READ(task, signal, shared_pending.signal.sig[0]) |
				BPF_CORE_READ(task, pending.signal.sig[0]);
	return pending & (1UL << (SIGKILL - 1));
}

/* open done: the resolved path of a file now open for writing (relative names, `..`,
 * symbolic links, names unreadable at entry). */
static __always_inline int open_exit(struct trace_event_raw_sys_exit *ctx)
{
	long fd = ctx->ret;
	if (fd < 0)
		return 0;
	__u32 gen = current_gen();
	__u64 m = untested(hook_candidates(gen, KSCOPE_HOOK_OPEN_WRITE), gen, KSCOPE_DIM_SYSCALL);
	if (!m || exempt_task() || kill_pending())
		return 0;
	struct file *f = current_fd_file(fd);
	if (!f || !(BPF_CORE_READ(f, f_mode) & FMODE_WRITE))
		return 0;
	struct enforce_scratch *s = get_scratch();
	if (!s)
		return 0;
	__u32 len = resolved_path(s, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt));
	if (len) {
		__u64 hits = 0, excluded = 0;
		path_tests(gen, s, len, &hits, &excluded);
		m &= dim_pass(gen, KSCOPE_DIM_PATH, hits) & ~excluded;
	} else {
		m = untested(m, gen, KSCOPE_DIM_PATH); /* too long for a key: user space decides those */
	}
	m = comm_filter(m, gen);
	if (!m)
		return 0;
	return act_on_task(m, gen, KSCOPE_HOOK_OPEN_WRITE, STAGE_AFTER, ctx->id, s, len);
}

SEC("tp/syscalls/sys_exit_openat")
int ks_enforce_openat_exit(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx); }

SEC("tp/syscalls/sys_exit_open")
int ks_enforce_open_exit(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx); }

SEC("tp/syscalls/sys_exit_creat")
int ks_enforce_creat_exit(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx); }

SEC("tp/syscalls/sys_exit_openat2")
int ks_enforce_openat2_exit(struct trace_event_raw_sys_exit *ctx) { return open_exit(ctx); }

/* Calls decided by the caller's name alone. */
static __always_inline int by_name(struct trace_event_raw_sys_enter *ctx, __u32 hook)
{
	__u32 gen = current_gen();
	__u64 m = syscall_filter(at_entry(hook_candidates(gen, hook), gen), gen, ctx->id);
	if (!m || exempt_task())
		return 0;
	m = comm_filter(untested(m, gen, KSCOPE_DIM_PATH), gen);
	if (!m)
		return 0;
	struct enforce_scratch *s = get_scratch();
	if (!s)
		return 0;
	return act_on_task(m, gen, hook, STAGE_ENTRY, ctx->id, s, 0);
}

#define KILL_AT_ENTRY(name, hook)                                         \
	SEC("tp/syscalls/sys_enter_" #name)                               \
	int ks_enforce_##name(struct trace_event_raw_sys_enter *ctx)      \
	{                                                                 \
		return by_name(ctx, hook);                                \
	}

KILL_AT_ENTRY(ptrace, KSCOPE_HOOK_PTRACE)
KILL_AT_ENTRY(process_vm_writev, KSCOPE_HOOK_PTRACE)
KILL_AT_ENTRY(init_module, KSCOPE_HOOK_MODULE)
KILL_AT_ENTRY(finit_module, KSCOPE_HOOK_MODULE)
KILL_AT_ENTRY(bpf, KSCOPE_HOOK_BPF)
KILL_AT_ENTRY(setuid, KSCOPE_HOOK_SETID)
KILL_AT_ENTRY(setgid, KSCOPE_HOOK_SETID)
KILL_AT_ENTRY(setreuid, KSCOPE_HOOK_SETID)
KILL_AT_ENTRY(setregid, KSCOPE_HOOK_SETID)
KILL_AT_ENTRY(setresuid, KSCOPE_HOOK_SETID)
KILL_AT_ENTRY(setresgid, KSCOPE_HOOK_SETID)
KILL_AT_ENTRY(setfsuid, KSCOPE_HOOK_SETID)
KILL_AT_ENTRY(setfsgid, KSCOPE_HOOK_SETID)
KILL_AT_ENTRY(setgroups, KSCOPE_HOOK_SETID)
KILL_AT_ENTRY(capset, KSCOPE_HOOK_SETID)
KILL_AT_ENTRY(setns, KSCOPE_HOOK_NAMESPACE)
KILL_AT_ENTRY(unshare, KSCOPE_HOOK_NAMESPACE)
KILL_AT_ENTRY(mount, KSCOPE_HOOK_MOUNT)
KILL_AT_ENTRY(umount, KSCOPE_HOOK_MOUNT)
KILL_AT_ENTRY(pivot_root, KSCOPE_HOOK_MOUNT)
KILL_AT_ENTRY(chroot, KSCOPE_HOOK_MOUNT)

/* connect, UDP sendmsg, bind: 0 refuses the call (EPERM), 1 lets it go on. Only helpers
 * sock_addr programs may call: no task struct here, so kernel threads are not told
 * apart (a kernel client's connect runs in its own context and rarely in a user's). */
static __always_inline int on_sock(struct bpf_sock_addr *ctx, __u32 hook, __u16 family)
{
	__u32 gen = current_gen();
	__u64 m = hook_candidates(gen, hook);
	if (!m)
		return 1;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (tgid <= 1 || tgid == self_tgid)
		return 1;
	/* evt.type = connect is a TCP connect, as in user space (UDP and ping sockets'
	 * connects are not the rule's). */
	if (hook == KSCOPE_HOOK_CONNECT && ctx->type != 1 /* SOCK_STREAM */)
		return 1;
	struct kscope_enforce_port_key pk = {.gen = gen, .port = bpf_ntohs(ctx->user_port)};
	__u64 *hit = bpf_map_lookup_elem(&port_match, &pk);
	m &= dim_pass(gen, KSCOPE_DIM_PORT, hit ? *hit : 0);
	struct kscope_enforce_addr_key ak = {.gen = gen};
	if (family == AF_INET) {
		ak.addr[10] = 0xff;
		ak.addr[11] = 0xff;
		__u32 ip4 = ctx->user_ip4;
		__builtin_memcpy(&ak.addr[12], &ip4, 4);
	} else {
		__u32 ip6[4];
		ip6[0] = ctx->user_ip6[0];
		ip6[1] = ctx->user_ip6[1];
		ip6[2] = ctx->user_ip6[2];
		ip6[3] = ctx->user_ip6[3];
		__builtin_memcpy(ak.addr, ip6, 16);
	}
	hit = bpf_map_lookup_elem(&addr_match, &ak);
	m &= dim_pass(gen, KSCOPE_DIM_ADDR, hit ? *hit : 0);
	m = comm_filter(untested(untested(m, gen, KSCOPE_DIM_PATH), gen, KSCOPE_DIM_SYSCALL), gen);
	if (!m)
		return 1;
	struct enforce_scratch *s = get_scratch();
	if (!s)
		return 1;
	clear_event(s);
	struct kscope_event_header *h = &s->ev.hdr;
	h->ts_ns = bpf_ktime_get_boot_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->pid = tgid;
	h->tid = (__u32)pid_tgid;
	__u64 uid_gid = bpf_get_current_uid_gid();
	h->uid = (__u32)uid_gid;
	h->gid = uid_gid >> 32;
	h->type = KSCOPE_EVENT_ENFORCE;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	s->ev.port = pk.port;
	s->ev.family = family;
	__builtin_memcpy(s->ev.addr, ak.addr, 16);
	return act(m, gen, hook, STAGE_ENTRY, -1, s, 0, false) == KSCOPE_ACTION_DENY ? 0 : 1;
}

SEC("cgroup/connect4")
int ks_enforce_connect4(struct bpf_sock_addr *ctx) { return on_sock(ctx, KSCOPE_HOOK_CONNECT, AF_INET); }

SEC("cgroup/connect6")
int ks_enforce_connect6(struct bpf_sock_addr *ctx) { return on_sock(ctx, KSCOPE_HOOK_CONNECT, AF_INET6); }

SEC("cgroup/sendmsg4")
int ks_enforce_sendmsg4(struct bpf_sock_addr *ctx) { return on_sock(ctx, KSCOPE_HOOK_SENDMSG, AF_INET); }

SEC("cgroup/sendmsg6")
int ks_enforce_sendmsg6(struct bpf_sock_addr *ctx) { return on_sock(ctx, KSCOPE_HOOK_SENDMSG, AF_INET6); }

SEC("cgroup/bind4")
int ks_enforce_bind4(struct bpf_sock_addr *ctx) { return on_sock(ctx, KSCOPE_HOOK_BIND, AF_INET); }

SEC("cgroup/bind6")
int ks_enforce_bind6(struct bpf_sock_addr *ctx) { return on_sock(ctx, KSCOPE_HOOK_BIND, AF_INET6); }
