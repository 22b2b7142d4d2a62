// SPDX-License-Identifier: GPL-2.0
/* namespaces: namespace and mount-table changes, one event per call at sys_exit.
 * - unshare, setns (the fd's namespace type read in the kernel when nstype is 0), and
 *   clone/clone3 only when their flags ask for a new namespace: clone is on every fork's
 *   path, so the check comes first and costs one compare (clone3: one 8-byte read).
 * - mount, umount2, pivot_root, chroot: the strings are read at sys_enter, as the
 *   kernel is about to use them; one that cannot be read there (a page the caller
 *   never touched) is read again at sys_exit, when the kernel has copied it in.
 * Every traced call is counted in `syscall_counts` whatever the filters (kscope's own
 * process left out). */
#include "lib/common.bpf.h"
#include "lib/core_fixes.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/fd.bpf.h"
#include "lib/filter.bpf.h"
#include "kscope/abi/namespaces.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_namespace_event);
KSCOPE_EXPORT_ABI(kscope_mount_event);

#define CLONE_NEWTIME 0x00000080
#define CLONE_NEWNS 0x00020000
#define CLONE_NEWCGROUP 0x02000000
#define CLONE_NEWUTS 0x04000000
#define CLONE_NEWIPC 0x08000000
#define CLONE_NEWUSER 0x10000000
#define CLONE_NEWPID 0x20000000
#define CLONE_NEWNET 0x40000000
#define CLONE_NEW_ANY (CLONE_NEWTIME | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
		       CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)
/* clone()'s low byte is the exit signal (CSIGNAL), where CLONE_NEWTIME sits elsewhere. */
#define CSIGNAL 0xff
#define NSFS_MAGIC 0x6e736673

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_NS_SYSCALLS);
	__type(key, __u32);
	__type(value, __u64);
} syscall_counts SEC(".maps");

struct pending_ns {
	__u64 flags;
	__u64 ns_types;
	__s32 fd;
	__u16 syscall;
	__u16 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32); /* tid */
	__type(value, struct pending_ns);
} pending SEC(".maps");

/* The strings' room: source and target up to PATH_MAX - 1 bytes each, then fstype. */
#define OFF_MASK (KSCOPE_MOUNT_PATH_MAX - 1)
#define MOUNT_DATA (2 * KSCOPE_MOUNT_PATH_MAX + KSCOPE_MOUNT_FSTYPE_MAX)

/* A mount-family call from sys_enter to sys_exit: the event as it will be sent (its
 * strings in data), then the caller's pointers for a second read. */
struct pending_mount {
	struct kscope_mount_event ev;
	char data[MOUNT_DATA];
	const char *source;
	const char *target;
	const char *fstype;
};

/* Not an LRU map: with few entries, an LRU map evicts live entries of other CPUs while
 * free ones sit on one CPU's list. A full map drops the call, counted. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64); /* 8 KiB each; threads inside a mount call at once */
	__type(key, __u32); /* tid */
	__type(value, struct pending_mount);
} pending_mounts SEC(".maps");

/* pending_mount is larger than the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pending_mount);
} mount_scratch SEC(".maps");

static __always_inline __u32 current_tid(void) { return (__u32)bpf_get_current_pid_tgid(); }

/* Counts the call (whatever the filters) and says whether it is traced. */
static __always_inline bool count_and_select(__u16 syscall)
{
	if (filter_exclude_tgid && (__u32)(bpf_get_current_pid_tgid() >> 32) == filter_exclude_tgid)
		return false;
	percpu_inc(&syscall_counts, syscall);
	return task_selected();
}

/* ---- unshare, setns, clone, clone3. */

static __always_inline int ns_enter(__u16 syscall, __u64 flags, __u64 ns_types, __s32 fd)
{
	if (!count_and_select(syscall))
		return 0;
	__u32 tid = current_tid();
	struct pending_ns p = { .flags = flags, .ns_types = ns_types, .fd = fd, .syscall = syscall };
	bpf_map_update_elem(&pending, &tid, &p, BPF_ANY);
	return 0;
}

static __always_inline int ns_exit(long ret, __u16 syscall)
{
	__u32 tid = current_tid();
	struct pending_ns *p = bpf_map_lookup_elem(&pending, &tid);
	if (!p)
		return 0;
	struct pending_ns call = *p;
	bpf_map_delete_elem(&pending, &tid);
	if (call.syscall != syscall || (filter_failures_only && ret >= 0))
		return 0;
	struct kscope_namespace_event ev = {};
	fill_header(&ev.hdr, KSCOPE_EVENT_NAMESPACE);
	ev.hdr.size = sizeof(ev);
	ev.ret = ret;
	ev.flags = call.flags;
	ev.ns_types = call.ns_types;
	ev.fd = call.fd;
	ev.syscall = syscall;
	emit(&ev, sizeof(ev));
	return 0;
}

SEC("tp/syscalls/sys_enter_unshare")
int ks_unshare_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 flags = ctx->args[0];
	return ns_enter(KSCOPE_NS_UNSHARE, flags, flags & CLONE_NEW_ANY, -1);
}

SEC("tp/syscalls/sys_exit_unshare")
int ks_unshare_exit(struct trace_event_raw_sys_exit *ctx) { return ns_exit(ctx->ret, KSCOPE_NS_UNSHARE); }

/* The CLONE_NEW* type of the namespace behind fd (an nsfs file), 0 for other files. */
static __always_inline __u64 fd_namespace_type(__s32 fd)
{
	struct file *f = current_fd_file(fd);
	if (!f)
		return 0;
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	if (BPF_CORE_READ(inode, i_sb, s_magic) != NSFS_MAGIC)
		return 0;
	void *ns = BPF_CORE_READ(inode, i_private);
	return ns ? ns_common_type(ns) & CLONE_NEW_ANY : 0;
}

SEC("tp/syscalls/sys_enter_setns")
int ks_setns_enter(struct trace_event_raw_sys_enter *ctx)
{
	__s32 fd = (__s32)ctx->args[0];
	__u64 nstype = (__u32)ctx->args[1];
	/* nstype 0 joins whatever namespace fd is; with a pidfd, nstype lists them. */
	__u64 types = nstype ? nstype & CLONE_NEW_ANY : fd_namespace_type(fd);
	return ns_enter(KSCOPE_NS_SETNS, nstype, types, fd);
}

SEC("tp/syscalls/sys_exit_setns")
int ks_setns_exit(struct trace_event_raw_sys_exit *ctx) { return ns_exit(ctx->ret, KSCOPE_NS_SETNS); }

SEC("tp/syscalls/sys_enter_clone")
int ks_clone_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 flags = ctx->args[0] & ~(__u64)CSIGNAL;
	if (!(flags & CLONE_NEW_ANY))
		return 0;
	return ns_enter(KSCOPE_NS_CLONE, flags, flags & CLONE_NEW_ANY, -1);
}

SEC("tp/syscalls/sys_exit_clone")
int ks_clone_exit(struct trace_event_raw_sys_exit *ctx) { return ns_exit(ctx->ret, KSCOPE_NS_CLONE); }

SEC("tp/syscalls/sys_enter_clone3")
int ks_clone3_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 flags = 0; /* clone_args.flags, the struct's first field */
	if (bpf_probe_read_user(&flags, sizeof(flags), (const void *)ctx->args[0]) || !(flags & CLONE_NEW_ANY))
		return 0;
	return ns_enter(KSCOPE_NS_CLONE3, flags, flags & CLONE_NEW_ANY, -1);
}

SEC("tp/syscalls/sys_exit_clone3")
int ks_clone3_exit(struct trace_event_raw_sys_exit *ctx) { return ns_exit(ctx->ret, KSCOPE_NS_CLONE3); }

/* ---- mount, umount2, pivot_root, chroot. */

/* Reads the caller's strings into m->data (source, target, fstype back to back) and
 * flags the ones that could not be read. */
static __always_inline void read_mount_strings(struct pending_mount *m)
{
	__u32 source_len = 0, target_len = 0, fstype_len = 0;
	long n;
	m->ev.read_flags = 0;
	if (m->source) {
		n = bpf_probe_read_user_str(m->data, KSCOPE_MOUNT_PATH_MAX, m->source);
		if (n > 0)
			source_len = (n - 1) & OFF_MASK;
		else
			m->ev.read_flags |= KSCOPE_MOUNT_SOURCE_UNREADABLE;
	}
	if (m->target) {
		n = bpf_probe_read_user_str(&m->data[source_len], KSCOPE_MOUNT_PATH_MAX, m->target);
		if (n > 0)
			target_len = (n - 1) & OFF_MASK;
		else
			m->ev.read_flags |= KSCOPE_MOUNT_TARGET_UNREADABLE;
	}
	if (m->fstype) {
		n = bpf_probe_read_user_str(&m->data[source_len + target_len], KSCOPE_MOUNT_FSTYPE_MAX, m->fstype);
		if (n > 0)
			fstype_len = (n - 1) & (KSCOPE_MOUNT_FSTYPE_MAX - 1);
		else
			m->ev.read_flags |= KSCOPE_MOUNT_FSTYPE_UNREADABLE;
	}
	m->ev.source_len = source_len;
	m->ev.target_len = target_len;
	m->ev.fstype_len = fstype_len;
}

static __always_inline int mount_enter(__u16 syscall, const char *source, const char *target, const char *fstype,
				       __u64 flags)
{
	if (!count_and_select(syscall))
		return 0;
	__u32 zero = 0, tid = current_tid();
	struct pending_mount *m = bpf_map_lookup_elem(&mount_scratch, &zero);
	if (!m)
		return 0;
	m->ev.syscall = syscall;
	m->ev.flags = flags;
	m->source = source;
	m->target = target;
	m->fstype = fstype;
	read_mount_strings(m);
	if (bpf_map_update_elem(&pending_mounts, &tid, m, BPF_ANY))
		count_drop(KSCOPE_DROP_MAP_FULL);
	return 0;
}

static __always_inline int mount_exit(long ret, __u16 syscall)
{
	__u32 tid = current_tid();
	struct pending_mount *m = bpf_map_lookup_elem(&pending_mounts, &tid);
	if (!m)
		return 0;
	if (m->ev.syscall == syscall && !(filter_failures_only && ret >= 0)) {
		if (m->ev.read_flags)
			read_mount_strings(m);
		fill_header(&m->ev.hdr, KSCOPE_EVENT_MOUNT);
		m->ev.ret = ret;
		__u64 size = sizeof(m->ev) + m->ev.source_len + m->ev.target_len + m->ev.fstype_len;
		barrier_var(size);
		if (size > sizeof(m->ev) + MOUNT_DATA)
			size = sizeof(m->ev) + MOUNT_DATA;
		m->ev.hdr.size = size;
		emit(m, size);
	}
	bpf_map_delete_elem(&pending_mounts, &tid);
	return 0;
}

SEC("tp/syscalls/sys_enter_mount")
int ks_mount_enter(struct trace_event_raw_sys_enter *ctx)
{
	return mount_enter(KSCOPE_NS_MOUNT, (const char *)ctx->args[0], (const char *)ctx->args[1],
			   (const char *)ctx->args[2], ctx->args[3]);
}

SEC("tp/syscalls/sys_exit_mount")
int ks_mount_exit(struct trace_event_raw_sys_exit *ctx) { return mount_exit(ctx->ret, KSCOPE_NS_MOUNT); }

/* umount2(2): the kernel defines it as the syscall "umount". */
SEC("tp/syscalls/sys_enter_umount")
int ks_umount_enter(struct trace_event_raw_sys_enter *ctx)
{
	return mount_enter(KSCOPE_NS_UMOUNT, NULL, (const char *)ctx->args[0], NULL, ctx->args[1]);
}

SEC("tp/syscalls/sys_exit_umount")
int ks_umount_exit(struct trace_event_raw_sys_exit *ctx) { return mount_exit(ctx->ret, KSCOPE_NS_UMOUNT); }

SEC("tp/syscalls/sys_enter_pivot_root")
int ks_pivot_root_enter(struct trace_event_raw_sys_enter *ctx)
{
	/* pivot_root(new_root, put_old) */
	return mount_enter(KSCOPE_NS_PIVOT_ROOT, (const char *)ctx->args[1], (const char *)ctx->args[0], NULL, 0);
}

SEC("tp/syscalls/sys_exit_pivot_root")
int ks_pivot_root_exit(struct trace_event_raw_sys_exit *ctx) { return mount_exit(ctx->ret, KSCOPE_NS_PIVOT_ROOT); }

SEC("tp/syscalls/sys_enter_chroot")
int ks_chroot_enter(struct trace_event_raw_sys_enter *ctx)
{
	return mount_enter(KSCOPE_NS_CHROOT, NULL, (const char *)ctx->args[0], NULL, 0);
}

SEC("tp/syscalls/sys_exit_chroot")
int ks_chroot_exit(struct trace_event_raw_sys_exit *ctx) { return mount_exit(ctx->ret, KSCOPE_NS_CHROOT); }
