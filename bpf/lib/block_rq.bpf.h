/* Block requests followed from creation to completion, shared by biolat and biotop.
 * A request is keyed by its address while in flight (requests are preallocated per tag
 * and reused, so the map stays small); its entry is made at the first hook that sees it:
 *   block_io_start (5.x+: 6.5) in the submitter's context: who issued it, and when;
 *   block_rq_insert into an I/O scheduler (not seen with the "none" scheduler, whose
 *     requests go straight to the driver);
 *   block_rq_issue to the driver (every request);
 * and block_rq_complete (often in interrupt or a driver's worker context) reads it.
 * Without block_io_start, the request's creation time is the kernel's own
 * rq->start_time_ns when it keeps one (I/O accounting on, or a scheduler): it covers the
 * time in the plug. At block_io_start that field is not set yet (6.x sets it right after
 * the tracepoint, in blk_account_io_start), so the time there is now. */
#ifndef KSCOPE_BPF_BLOCK_RQ_H
#define KSCOPE_BPF_BLOCK_RQ_H

#include "lib/common.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "kscope/abi/block.h"

/* Entries are made at block_io_start only (the submitter is known there); insert and
 * issue then only fill in their times. Set when that program is loaded. */
const volatile bool rq_from_start = false;

struct rq_info {
	__u64 created_ns; /* creation, or insert, or issue: the first time known */
	__u64 issue_ns;   /* 0 until issued */
	__u64 bytes;      /* completed so far (partial completions) */
	__u32 pid;        /* submitter's thread-group id */
	__u32 op;         /* enum kscope_bio_op */
	char comm[KSCOPE_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct rq_info);
} requests SEC(".maps");

static __always_inline __u32 rq_op(struct request *rq)
{
	__u32 op = rq->cmd_flags & 0xff; /* REQ_OP_MASK */
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_READ))
		return KSCOPE_BIO_READ;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_WRITE))
		return KSCOPE_BIO_WRITE;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_FLUSH))
		return KSCOPE_BIO_FLUSH;
	if (op == bpf_core_enum_value(enum req_op, REQ_OP_DISCARD))
		return KSCOPE_BIO_DISCARD;
	return KSCOPE_BIO_OTHER;
}

static __always_inline struct gendisk *rq_disk(struct request *rq)
{
	return BPF_CORE_READ(rq, q, disk);
}

/* The kernel's internal dev_t (MKDEV: major << 20 | minor) of the request's disk. */
static __always_inline __u32 rq_dev(struct request *rq)
{
	struct gendisk *disk = rq_disk(rq);
	if (!disk)
		return 0;
	return ((__u32)BPF_CORE_READ(disk, major) << 20) | (__u32)BPF_CORE_READ(disk, first_minor);
}

static __always_inline void rq_new(struct request *rq, __u64 now, bool issued, bool kernel_start)
{
	__u64 key = (__u64)rq;
	struct rq_info info = {};
	__u64 created = kernel_start ? BPF_CORE_READ(rq, start_time_ns) : 0;
	info.created_ns = created && created <= now ? created : now;
	info.issue_ns = issued ? now : 0;
	info.pid = bpf_get_current_pid_tgid() >> 32;
	info.op = rq_op(rq);
	bpf_get_current_comm(info.comm, sizeof(info.comm));
	bpf_map_update_elem(&requests, &key, &info, BPF_ANY);
}

/* block_io_start: current is the submitter. */
static __always_inline void rq_on_start(struct request *rq)
{
	__u64 key = (__u64)rq;
	if (!task_selected()) {
		bpf_map_delete_elem(&requests, &key); /* a stale entry of a merged-away request */
		return;
	}
	rq_new(rq, bpf_ktime_get_ns(), false, false);
}

static __always_inline void rq_on_insert(struct request *rq)
{
	if (rq_from_start)
		return; /* the entry, if selected, exists since block_io_start */
	if (!task_selected())
		return;
	/* Overwrites what a request merged away (never completed) left at this address. */
	rq_new(rq, bpf_ktime_get_ns(), false, true);
}

static __always_inline void rq_on_issue(struct request *rq)
{
	__u64 key = (__u64)rq;
	__u64 now = bpf_ktime_get_ns();
	struct rq_info *info = bpf_map_lookup_elem(&requests, &key);
	/* An entry found is this request's: every request from a bio passes block_io_start,
	 * or insert when it goes through a scheduler, and both overwrite; requests that skip
	 * both ("none" scheduler) are never merged away in a scheduler, so leave none. */
	if (info) {
		info->issue_ns = now;
		return;
	}
	/* Not seen before: without block_io_start, or a request not made from a bio (a
	 * flush). The task issuing it is the best guess of its owner. */
	if (task_selected())
		rq_new(rq, now, true, true);
}

/* block_rq_complete: returns the entry (and the caller deletes it) when the request is
 * done; a partial completion only adds its bytes. */
static __always_inline struct rq_info *rq_on_complete(struct request *rq, unsigned int nr_bytes)
{
	__u64 key = (__u64)rq;
	struct rq_info *info = bpf_map_lookup_elem(&requests, &key);
	if (!info)
		return NULL;
	info->bytes += nr_bytes;
	if (nr_bytes < BPF_CORE_READ(rq, __data_len))
		return NULL; /* more to come */
	return info;
}

static __always_inline void rq_forget(struct request *rq)
{
	__u64 key = (__u64)rq;
	bpf_map_delete_elem(&requests, &key);
}

static __always_inline void copy_disk_name(char *dst, struct request *rq)
{
	struct gendisk *disk = rq_disk(rq);
	if (disk)
		bpf_probe_read_kernel_str(dst, KSCOPE_DISK_NAME_LEN, disk->disk_name);
}

#endif
