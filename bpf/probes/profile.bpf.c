// SPDX-License-Identifier: GPL-2.0
/* profile: CPU samples from perf_event, with kernel stacks from the kernel's own
 * unwinder and user stacks walked here from unwind tables (kscope_unwind_row) that user
 * space derives from each executable's .eh_frame. Frame pointers alone, which is all
 * bpf_get_stackid offers for user space, stop at the first function built without them,
 * and Debian builds libc, python3 and nearly every package without. Unique stacks are
 * counted in the kernel: nothing goes to user space per sample. */
#include "lib/common.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "kscope/abi/profile.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_unwind_row);
KSCOPE_EXPORT_ABI(kscope_proc_mappings);
KSCOPE_EXPORT_ABI(kscope_profile_key);
KSCOPE_EXPORT_ABI(kscope_user_stack);
KSCOPE_EXPORT_ABI(kscope_profile_need_maps);

const volatile bool want_user = true;   /* false with -K */
const volatile bool want_kernel = true; /* false with -U */

/* Every loaded file's rows, one after another; user space writes them through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* sized by user space before load */
	__type(key, __u32);
	__type(value, struct kscope_unwind_row);
} unwind_rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct kscope_proc_mappings);
} proc_mappings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KSCOPE_PROFILE_MAX_FRAMES * sizeof(__u64));
} kernel_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 32768);
	__type(key, __u64);
	__type(value, struct kscope_user_stack);
} user_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct kscope_profile_key);
	__type(value, __u64);
} counts SEC(".maps");

/* The walk in progress, with the stack being collected (1 KiB: too big for the BPF
 * stack). It lives in a map value on purpose: the verifier does not track map contents,
 * so every step of the bpf_loop below looks the same to it and its check of the
 * callback converges at once, instead of once per frame. */
struct walk {
	__u64 ip, sp, bp;
	__u64 hash;
	__u32 pid;
	__u32 n;
	__u8 reached_end;
	__u8 stopped;
	__u8 requested;
	__u8 _pad;
	__u32 probe; /* an index being probed, passed through memory (see launder) */
	struct kscope_user_stack st;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct walk);
} scratch SEC(".maps");

/* When user space was last asked for a process's mappings (rate limit). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} maps_requested SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_PROF_STATS);
	__type(key, __u32);
	__type(value, __u64);
} profile_stats SEC(".maps");

#define REQUEST_INTERVAL_NS (200ULL * 1000 * 1000)

static __always_inline void request_maps(__u32 pid, __u64 pc)
{
	__u64 now = bpf_ktime_get_ns();
	__u64 *last = bpf_map_lookup_elem(&maps_requested, &pid);
	if (last && now - *last < REQUEST_INTERVAL_NS)
		return;
	bpf_map_update_elem(&maps_requested, &pid, &now, BPF_ANY);
	struct kscope_profile_need_maps ev = {};
	fill_header(&ev.h, KSCOPE_EVENT_PROFILE_NEED_MAPS);
	ev.h.size = sizeof(ev);
	ev.pc = pc;
	emit(&ev, sizeof(ev));
}

/* What the loop callback gets: pointers only (maps is NULL until user space has loaded
 * the process). */
struct walk_ctx {
	struct walk *w;
	struct kscope_proc_mappings *maps;
};

/* The verifier walks every iteration of a bounded loop and keeps the states of scalars it
 * needs exactly (an index into memory, a map key) apart: a binary search would then split
 * into every path. An index stored to map memory and loaded back is just "some value in
 * range" to it, and the loop's states merge. */
#define NOT_FOUND 0xffffffffu

static __always_inline __u32 launder(struct walk *w, __u32 v)
{
	w->probe = v;
	return *(volatile __u32 *)&w->probe;
}

/* The index of the mapping holding pc (a sorted array of at most 256), or NOT_FOUND. */
static __always_inline __u32 find_mapping(struct walk *w, struct kscope_proc_mappings *maps, __u64 pc)
{
	__u32 lo = 0, hi = maps->count, found = NOT_FOUND;
	if (hi > KSCOPE_PROFILE_MAX_MAPPINGS)
		hi = KSCOPE_PROFILE_MAX_MAPPINGS;
	for (int i = 0; i < 9 && lo < hi; i++) {
		__u32 mid = launder(w, (lo + hi) / 2);
		if (mid >= KSCOPE_PROFILE_MAX_MAPPINGS)
			break;
		__u64 start = maps->m[mid].start;
		if (pc < start) {
			hi = mid;
		} else {
			found = mid;
			lo = mid + 1;
		}
	}
	found = launder(w, found);
	if (found >= KSCOPE_PROFILE_MAX_MAPPINGS || pc >= maps->m[found].end)
		return NOT_FOUND;
	return found;
}

/* The index of the last row at or below off in [begin, begin + count), or NOT_FOUND. */
static __always_inline __u32 find_row(struct walk *w, __u32 begin, __u32 count, __u64 off)
{
	__u32 lo = begin, hi = begin + count, found = NOT_FOUND;
	for (int i = 0; i < 25 && lo < hi; i++) {
		__u32 mid = lo + (hi - lo) / 2;
		w->probe = mid;
		struct kscope_unwind_row *r = bpf_map_lookup_elem(&unwind_rows, &w->probe);
		__u32 pc_offset = r ? r->pc_offset : 0xffffffffu;
		if (pc_offset <= off) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return found;
}

static __always_inline bool read_user_u64(__u64 *out, __u64 addr)
{
	return bpf_probe_read_user(out, sizeof(*out), (const void *)addr) == 0;
}

/* One frame: record the pc, then find the caller's pc, sp and bp. 1 ends the walk. */
static long unwind_step(__u32 i, void *arg)
{
	struct walk_ctx *c = arg;
	struct walk *w = c->w;
	__u32 n = w->n;
	if (n >= KSCOPE_PROFILE_MAX_FRAMES) {
		percpu_inc(&profile_stats, KSCOPE_PROF_TRUNCATED);
		return 1;
	}
	__u64 ip = w->ip, sp = w->sp, bp = w->bp;
	w->st.pc[n] = ip;
	w->n = n + 1;
	w->hash = (w->hash ^ ip) * 0x100000001b3ULL;

	/* A return address points after the call; the call itself may be a function's
	 * last instruction, so its rule is looked up one byte back. */
	__u64 lookup = n == 0 ? ip : ip - 1;
	struct kscope_unwind_row *row = NULL;
	struct kscope_proc_mappings *maps = c->maps;
	__u32 mi = maps ? find_mapping(w, maps, lookup) : NOT_FOUND;
	if (maps && mi < KSCOPE_PROFILE_MAX_MAPPINGS) {
		struct kscope_exec_mapping *m = &maps->m[mi];
		if (m->row_count) {
			__u32 ri = find_row(w, m->row_begin, m->row_count, lookup - m->table_adjust);
			if (ri != NOT_FOUND) {
				w->probe = ri;
				row = bpf_map_lookup_elem(&unwind_rows, &w->probe);
			}
		}
	} else {
		percpu_inc(&profile_stats, KSCOPE_PROF_NO_MAPPING);
		if (!w->requested) {
			request_maps(w->pid, lookup);
			w->requested = 1;
		}
	}

	__u64 cfa, ra, next_bp = bp;
	__u8 kind = row ? row->cfa_kind : KSCOPE_CFA_NONE;
	switch (kind) {
	case KSCOPE_CFA_RSP:
		cfa = sp + row->cfa_offset;
		break;
	case KSCOPE_CFA_RBP:
		cfa = bp + row->cfa_offset;
		break;
	case KSCOPE_CFA_PLT:
		cfa = sp + 8 + ((ip & 15) >= (__u64)row->cfa_offset ? 8 : 0);
		break;
	case KSCOPE_CFA_END:
		w->reached_end = 1;
		return 1;
	case KSCOPE_CFA_NONE:
		/* No table for this code (JIT, a file not loaded yet): frame pointers. */
		if (!bp || !read_user_u64(&next_bp, bp) || !read_user_u64(&ra, bp + 8)) {
			w->stopped = 1;
			return 1;
		}
		percpu_inc(&profile_stats, KSCOPE_PROF_USER_FP);
		w->sp = bp + 16;
		w->bp = next_bp;
		w->ip = ra;
		if (!ra) {
			w->reached_end = 1;
			return 1;
		}
		return 0;
	default:
		w->stopped = 1;
		return 1;
	}
	if (!read_user_u64(&ra, cfa - 8) ||
	    (row->rbp_rule == KSCOPE_RBP_AT_CFA && !read_user_u64(&next_bp, cfa + row->rbp_offset))) {
		w->stopped = 1;
		return 1;
	}
	w->sp = cfa;
	w->bp = next_bp;
	w->ip = ra;
	if (!ra) { /* some runtimes end the stack with a zero return address */
		w->reached_end = 1;
		return 1;
	}
	return 0;
}

/* Whether the sample interrupted user code. The context allows only full 8-byte loads of
 * its registers: volatile keeps clang from narrowing this one. */
static __always_inline bool in_user_mode(struct bpf_perf_event_data *ctx)
{
	__u64 cs = *(volatile __u64 *)&ctx->regs.cs;
	return (cs & 3) == 3;
}

/* Walks a user stack from the given registers; returns its hash in `user_stacks` (0 when
 * there is none). A global function: the verifier checks it once, not once per caller. */
__noinline __u64 walk_user_stack(__u32 pid, __u64 ip, __u64 sp, __u64 bp)
{
	__u32 zero = 0;
	struct walk *w = bpf_map_lookup_elem(&scratch, &zero);
	if (!w || !ip)
		return 0;
	w->ip = ip;
	w->sp = sp;
	w->bp = bp;
	w->hash = 0xcbf29ce484222325ULL;
	w->pid = pid;
	w->n = 0;
	w->reached_end = w->stopped = w->requested = 0;
	struct walk_ctx c = { .w = w, .maps = bpf_map_lookup_elem(&proc_mappings, &pid) };
	if (!c.maps) {
		request_maps(pid, 0);
		w->requested = 1;
	}
	bpf_loop(KSCOPE_PROFILE_MAX_FRAMES + 1, unwind_step, &c, 0);
	__u32 n = w->n;
	if (n == 0 || n > KSCOPE_PROFILE_MAX_FRAMES)
		return 0;
	percpu_inc(&profile_stats, w->reached_end ? KSCOPE_PROF_USER_FULL : KSCOPE_PROF_USER_STOPPED);
	w->st.len = n;
	__u64 hash = w->hash ^ n;
	hash ^= hash >> 33;
	hash *= 0xff51afd7ed558ccdULL;
	hash ^= hash >> 33;
	if (!hash)
		hash = 1;
	long err = bpf_map_update_elem(&user_stacks, &hash, &w->st, BPF_NOEXIST);
	if (err && err != -EEXIST) {
		count_drop(KSCOPE_DROP_MAP_FULL);
		return 0;
	}
	return hash;
}

/* The user stack of the current task as it was when it entered the kernel (a kernel
 * thread has none). */
static __always_inline __u64 saved_user_stack(struct task_struct *task, __u32 pid)
{
	if (!BPF_CORE_READ(task, mm))
		return 0;
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	return walk_user_stack(pid, BPF_CORE_READ(regs, ip), BPF_CORE_READ(regs, sp), BPF_CORE_READ(regs, bp));
}

/* Adds value to the count of key (samples, or microseconds off-CPU). */
static __always_inline void count_stack(struct kscope_profile_key *key, __u64 value)
{
	__u64 *n = bpf_map_lookup_elem(&counts, key);
	if (n) {
		__sync_fetch_and_add(n, value);
		return;
	}
	long err = bpf_map_update_elem(&counts, key, &value, BPF_NOEXIST);
	if (err == -EEXIST) {
		n = bpf_map_lookup_elem(&counts, key);
		if (n)
			__sync_fetch_and_add(n, value);
	} else if (err) {
		count_drop(KSCOPE_DROP_MAP_FULL);
	}
}

/* A process that execs or ends: its mappings are gone (user space keeps its own copy
 * for naming the stacks already counted). */
static __always_inline void forget_process(void)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	bpf_map_delete_elem(&proc_mappings, &pid);
	bpf_map_delete_elem(&maps_requested, &pid);
}

SEC("tp/sched/sched_process_exec")
int ks_profile_exec(void *ctx)
{
	forget_process();
	return 0;
}

SEC("tp/sched/sched_process_exit")
int ks_profile_exit(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	if ((__u32)id == id >> 32) /* the thread-group leader: the process ends */
		forget_process();
	return 0;
}

SEC("perf_event")
int ks_profile(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32;
	if ((__u32)id == 0 || !task_selected()) /* idle */
		return 0;
	percpu_inc(&profile_stats, KSCOPE_PROF_SAMPLES);
	struct kscope_profile_key key = { .pid = pid, .kernel_stack = -1 };
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	const bool user_mode = in_user_mode(ctx);
	if (want_kernel && !user_mode)
		key.kernel_stack = bpf_get_stackid(ctx, &kernel_stacks, 0);
	if (want_user) {
		if (user_mode)
			key.user_stack = walk_user_stack(pid, ctx->regs.ip, ctx->regs.sp, ctx->regs.bp);
		else
			key.user_stack = saved_user_stack(bpf_get_current_task_btf(), pid);
	}
	if (key.kernel_stack < 0 && !key.user_stack)
		return 0;
	count_stack(&key, 1);
	return 0;
}

/* Off-CPU time: the stacks a task had when it left the CPU, weighted by how long it stayed
 * off (microseconds), from sched_switch. */
const volatile __u64 min_block_ns = 1000;

struct offcpu_start {
	__u64 ts;
	struct kscope_profile_key key;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct offcpu_start);
} offcpu_starts SEC(".maps");

SEC("tp_btf/sched_switch")
int BPF_PROG(ks_offcpu, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 now = bpf_ktime_get_ns();
	/* prev (the current task) leaves the CPU: remember where. */
	if (prev->pid && task_selected()) {
		struct offcpu_start *s = bpf_task_storage_get(&offcpu_starts, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (s) {
			s->ts = now;
			s->key.pid = prev->tgid;
			s->key.kernel_stack = want_kernel ? bpf_get_stackid(ctx, &kernel_stacks, 0) : -1;
			s->key.user_stack = want_user ? saved_user_stack(prev, prev->tgid) : 0;
			BPF_CORE_READ_STR_INTO(&s->key.comm, prev, comm);
		}
	}
	/* next comes back: count the time it was away. */
	struct offcpu_start *back = bpf_task_storage_get(&offcpu_starts, next, 0, 0);
	if (!back || !back->ts)
		return 0;
	__u64 delta = now - back->ts;
	back->ts = 0;
	if (delta < min_block_ns || (back->key.kernel_stack < 0 && !back->key.user_stack))
		return 0;
	percpu_inc(&profile_stats, KSCOPE_PROF_SAMPLES);
	struct kscope_profile_key key = back->key;
	count_stack(&key, delta / 1000);
	return 0;
}
