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
/* Remember who submitted each request (biotop, filters); biolat only needs times. */
const volatile bool rq_track_submitter = false;

struct rq_info {
	__u64 created_ns; /* creation, or insert, or issue: the first time known */
	__u64 issue_ns;   /* 0 until issued */
	__u64 bytes;      /* completed so far (partial completions) */
	__u32 pid;        /* submitter's thread-group id (rq_track_submitter) */
	__u16 op;         /* enum kscope_bio_op */
	__u16 done;       /* completed (or not selected): the entry waits for reuse */
	char comm[KSCOPE_COMM_LEN];
};

/* Entries are not deleted at completion but marked done and rewritten in place when the
 * request's address comes back (requests are preallocated per tag, so the same few
 * addresses recur): a lookup and a few stores per request instead of a map update and a
 * delete. LRU: addresses of a queue that went away are pushed out, never fill the map. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
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

/* rq is a tp_btf argument: its fields and the structs it points to are read with plain
 * loads (CO-RE relocated), much cheaper than a probe-read helper call each. */
static __always_inline struct gendisk *rq_disk(struct request *rq)
{
	return rq->q->disk;
}

/* The kernel's internal dev_t (MKDEV: major << 20 | minor) of the request's disk. */
static __always_inline __u32 rq_dev(struct request *rq)
{
	struct gendisk *disk = rq_disk(rq);
	if (!disk)
		return 0;
	return ((__u32)disk->major << 20) | (__u32)disk->first_minor;
}

/* Fills info for a request seen now; kernel_start: the kernel's rq->start_time_ns is
 * already set (after block_io_start) and is the creation time when non-zero. */
static __always_inline void rq_fill(struct rq_info *info, struct request *rq, __u64 now, bool issued,
				    bool kernel_start)
{
	__u64 created = kernel_start ? rq->start_time_ns : 0;
	info->created_ns = created && created <= now ? created : now;
	info->issue_ns = issued ? now : 0;
	info->bytes = 0;
	info->op = rq_op(rq);
	info->done = 0;
	if (rq_track_submitter) {
		info->pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(info->comm, sizeof(info->comm));
	}
}

/* This request's entry, rewritten in place when its address has one. */
static __always_inline void rq_new(struct request *rq, struct rq_info *existing, __u64 now, bool issued,
				   bool kernel_start)
{
	if (existing) {
		rq_fill(existing, rq, now, issued, kernel_start);
		return;
	}
	__u64 key = (__u64)rq;
	struct rq_info info = {};
	rq_fill(&info, rq, now, issued, kernel_start);
	bpf_map_update_elem(&requests, &key, &info, BPF_ANY);
}

/* block_io_start: current is the submitter. */
static __always_inline void rq_on_start(struct request *rq)
{
	__u64 key = (__u64)rq;
	struct rq_info *info = bpf_map_lookup_elem(&requests, &key);
	if (!task_selected()) {
		if (info)
			info->done = 1; /* what an earlier request left here is not this one */
		return;
	}
	rq_new(rq, info, bpf_ktime_get_ns(), false, false);
}

static __always_inline void rq_on_insert(struct request *rq)
{
	if (rq_from_start)
		return; /* the entry, if selected, exists since block_io_start */
	if (!task_selected())
		return;
	__u64 key = (__u64)rq;
	/* Overwrites what a request merged away (never completed) left at this address. */
	rq_new(rq, bpf_map_lookup_elem(&requests, &key), bpf_ktime_get_ns(), false, true);
}

static __always_inline void rq_on_issue(struct request *rq)
{
	__u64 key = (__u64)rq;
	__u64 now = bpf_ktime_get_ns();
	struct rq_info *info = bpf_map_lookup_elem(&requests, &key);
	/* A live entry is this request's: every request from a bio passes block_io_start,
	 * or insert when it goes through a scheduler, and both rewrite it; requests that skip
	 * both ("none" scheduler) are never merged away in a scheduler, so leave none. */
	if (info && !info->done) {
		info->issue_ns = now;
		return;
	}
	/* Not seen before: without block_io_start, or a request not made from a bio (a
	 * flush). The task issuing it is the best guess of its owner. */
	if (task_selected())
		rq_new(rq, info, now, true, true);
}

/* block_rq_complete: returns the entry when the request is done (and marks it so; its
 * fields stay valid until the address is issued again, which needs this completion to
 * finish); a partial completion only adds its bytes. */
static __always_inline struct rq_info *rq_on_complete(struct request *rq, unsigned int nr_bytes)
{
	__u64 key = (__u64)rq;
	struct rq_info *info = bpf_map_lookup_elem(&requests, &key);
	if (!info || info->done)
		return NULL;
	info->bytes += nr_bytes;
	if (nr_bytes < rq->__data_len)
		return NULL; /* more to come */
	info->done = 1;
	return info;
}

static __always_inline void copy_disk_name(char *dst, struct request *rq)
{
	struct gendisk *disk = rq_disk(rq);
	if (disk)
		bpf_probe_read_kernel_str(dst, KSCOPE_DISK_NAME_LEN, disk->disk_name);
}

#endif
