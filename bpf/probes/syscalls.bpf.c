// SPDX-License-Identifier: GPL-2.0
/* syscalls: counts, errors by errno and latency per (process, syscall), aggregated in
 * the kernel from raw_syscalls (raw tracepoints: no per-call record is built, which is
 * what makes every-syscall tracing affordable). Nothing goes through a ring buffer. */
#include "lib/common.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/histogram.bpf.h"
#include "kscope/abi/syscalls.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_syscall_stats);
KSCOPE_EXPORT_ABI(kscope_syscall_errno_key);

/* false: one row per syscall for all processes (--by syscall). */
const volatile bool by_process = true;

struct call_start {
	__u64 ts;
	__u64 nr;
};

/* Entry time per thread. Task storage (5.11+) is freed with the task, so a thread that
 * never returns (exit, exec) leaves nothing behind; older kernels use an LRU hash. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct call_start);
} start_task SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct call_start);
} start_tid SEC(".maps");

/* Per-CPU maps: no atomic instructions and no cache line shared between CPUs on the
 * hot path; user space sums the CPUs when it reads. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct kscope_syscall_key);
	__type(value, struct kscope_syscall_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct kscope_syscall_errno_key);
	__type(value, __u64);
} errnos SEC(".maps");

/* The current name of each process seen (by_process): a row shows the name the process
 * has now, not the one it had at its first syscall (a forked shell before exec). Written
 * when a process is first counted, at exec and at a rename, all rare events. */
struct comm_value {
	char comm[KSCOPE_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct comm_value);
} comms SEC(".maps");

/* The current reporting interval. User space bumps it when it reads; a value whose
 * max_epoch is older restarts its maximum, so each interval gets its own max without
 * user space ever writing a value the kernel updates. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} epoch SEC(".maps");

static __always_inline bool use_task_storage(void)
{
	return bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_storage_get);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(ks_sys_enter, struct pt_regs *regs, long id)
{
	if (!task_selected())
		return 0;
	struct call_start s = { .ts = bpf_ktime_get_ns(), .nr = id };
	if (use_task_storage()) {
		struct call_start *slot = bpf_task_storage_get(&start_task, bpf_get_current_task_btf(), 0,
							       BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (slot)
			*slot = s;
	} else {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		bpf_map_update_elem(&start_tid, &tid, &s, BPF_ANY);
	}
	return 0;
}

static __always_inline struct kscope_syscall_stats *stats_for(struct kscope_syscall_key *key)
{
	struct kscope_syscall_stats *v = bpf_map_lookup_elem(&stats, key);
	if (v)
		return v;
	struct kscope_syscall_stats fresh = {};
	bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
	long err = bpf_map_update_elem(&stats, key, &fresh, BPF_NOEXIST);
	if (err && err != -EEXIST)
		count_drop(KSCOPE_DROP_MAP_FULL);
	if (by_process) {
		struct comm_value name;
		__builtin_memcpy(name.comm, fresh.comm, sizeof(name.comm));
		bpf_map_update_elem(&comms, &key->pid, &name, BPF_NOEXIST);
	}
	return bpf_map_lookup_elem(&stats, key);
}

SEC("tp/sched/sched_process_exec")
int ks_comm_exec(void *ctx)
{
	if (!by_process || !task_selected())
		return 0;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct comm_value name = {};
	bpf_get_current_comm(name.comm, sizeof(name.comm));
	bpf_map_update_elem(&comms, &tgid, &name, BPF_ANY);
	return 0;
}

/* prctl(PR_SET_NAME) or a write to /proc/PID/comm. Only processes already counted are
 * updated; a thread's rename updates nothing, as rows are keyed by the process id. */
SEC("tp/task/task_rename")
int ks_comm_rename(struct trace_event_raw_task_rename *ctx)
{
	if (!by_process)
		return 0;
	__u32 pid = ctx->pid;
	struct comm_value *name = bpf_map_lookup_elem(&comms, &pid);
	if (name)
		bpf_probe_read_kernel_str(name->comm, sizeof(name->comm), ctx->newcomm);
	return 0;
}

static __always_inline void add_errno(struct kscope_syscall_key *key, __u32 errnum)
{
	struct kscope_syscall_errno_key ek = { .pid = key->pid, .nr = key->nr, .err = errnum };
	__u64 *n = bpf_map_lookup_elem(&errnos, &ek);
	if (n) {
		*n += 1;
		return;
	}
	__u64 one = 1;
	long err = bpf_map_update_elem(&errnos, &ek, &one, BPF_NOEXIST);
	if (err == -EEXIST) {
		n = bpf_map_lookup_elem(&errnos, &ek);
		if (n)
			*n += 1;
	} else if (err) {
		count_drop(KSCOPE_DROP_MAP_FULL);
	}
}

static __always_inline void update_max(struct kscope_syscall_stats *v, __u64 lat)
{
	__u32 zero = 0;
	__u64 *now = bpf_map_lookup_elem(&epoch, &zero);
	__u64 e = now ? *now : 0;
	if (v->max_epoch != e) {
		v->max_epoch = e;
		v->max_ns = lat;
	} else if (lat > v->max_ns) {
		v->max_ns = lat;
	}
}

SEC("raw_tp/sys_exit")
int BPF_PROG(ks_sys_exit, struct pt_regs *regs, long ret)
{
	struct call_start s;
	if (use_task_storage()) {
		struct call_start *slot = bpf_task_storage_get(&start_task, bpf_get_current_task_btf(), 0, 0);
		if (!slot || !slot->ts)
			return 0;
		s = *slot;
		slot->ts = 0;
	} else {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		struct call_start *p = bpf_map_lookup_elem(&start_tid, &tid);
		if (!p)
			return 0;
		s = *p;
		bpf_map_delete_elem(&start_tid, &tid);
	}
	__u64 lat = bpf_ktime_get_ns() - s.ts;

	struct kscope_syscall_key key = {
		.pid = by_process ? bpf_get_current_pid_tgid() >> 32 : 0,
		.nr = (__u32)s.nr,
	};
	struct kscope_syscall_stats *v = stats_for(&key);
	if (!v)
		return 0;
	v->calls += 1;
	v->total_ns += lat;
	v->hist[hist_slot(lat, KSCOPE_LAT_SLOTS)] += 1;
	if (ret < 0 && ret >= -4095) {
		v->errors += 1;
		add_errno(&key, (__u32)-ret);
	}
	update_max(v, lat);
	return 0;
}
