/* biolat and biotop probes: block requests followed from creation (block_io_start, or
 * the kernel's own request start time, or block_rq_insert) through dispatch to the
 * driver (block_rq_issue) to completion (block_rq_complete), counted in the kernel. */
#ifndef KSCOPE_ABI_BLOCK_H
#define KSCOPE_ABI_BLOCK_H

#include "kscope/abi/latency.h"

#define KSCOPE_DISK_NAME_LEN 32

/* The request's operation, from the kernel's REQ_OP_* (cmd_flags & REQ_OP_MASK). */
enum kscope_bio_op {
	KSCOPE_BIO_READ = 0,
	KSCOPE_BIO_WRITE = 1,
	KSCOPE_BIO_FLUSH = 2,
	KSCOPE_BIO_DISCARD = 3,
	KSCOPE_BIO_OTHER = 4, /* write zeroes, secure erase, zone and driver operations */
	KSCOPE_BIO_OPS = 5,
};

/* biolat: one entry per disk and operation. */
struct kscope_biolat_key {
	__u32 dev; /* the disk's dev_t in the kernel's encoding: major << 20 | minor */
	__u32 op;  /* enum kscope_bio_op */
};

struct kscope_biolat_stats {
	char disk[KSCOPE_DISK_NAME_LEN]; /* gendisk name ("loop0", "vda") */
	__u64 bytes;                     /* bytes completed */
	struct kscope_latency_hist total;  /* creation (or insert, or issue) -> completion */
	struct kscope_latency_hist queue;  /* creation (or insert) -> issue; 0 when unseen */
	struct kscope_latency_hist device; /* issue -> completion */
};

/* biotop: one entry per issuing process and disk. */
struct kscope_biotop_key {
	__u32 pid; /* thread-group id of the task that submitted the I/O */
	__u32 dev;
};

struct kscope_biotop_stats {
	char comm[KSCOPE_COMM_LEN];
	char disk[KSCOPE_DISK_NAME_LEN];
	__u64 ops[KSCOPE_BIO_OPS];   /* completed requests by operation */
	__u64 bytes[KSCOPE_BIO_OPS]; /* completed bytes by operation */
	__u64 total_ns;              /* sum of creation -> completion latencies */
};

#endif
