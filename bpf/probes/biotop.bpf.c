// SPDX-License-Identifier: GPL-2.0
/* biotop: block I/O per submitting process and disk (requests and bytes by operation,
 * total latency), counted in the kernel. The submitter is remembered at block_io_start
 * (its context) keyed by the request, so a completion in interrupt or worker context is
 * still credited to it. See lib/block_rq.bpf.h. */
#include "lib/common.bpf.h"
#include "lib/block_rq.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "kscope/abi/block.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_biotop_stats);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct kscope_biotop_key);
	__type(value, struct kscope_biotop_stats);
} stats SEC(".maps");

SEC("tp_btf/block_io_start")
int BPF_PROG(ks_biotop_start, struct request *rq)
{
	rq_on_start(rq);
	return 0;
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(ks_biotop_insert, struct request *rq)
{
	rq_on_insert(rq);
	return 0;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(ks_biotop_issue, struct request *rq)
{
	rq_on_issue(rq);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(ks_biotop_complete, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	struct rq_info *info = rq_on_complete(rq, nr_bytes);
	if (!info)
		return 0;
	struct kscope_biotop_key key = { .pid = info->pid, .dev = rq_dev(rq) };
	__u64 took = bpf_ktime_get_ns() - info->created_ns;
	__u32 op = info->op < KSCOPE_BIO_OPS ? info->op : KSCOPE_BIO_OTHER;
	__u64 bytes = info->bytes;
	char comm[KSCOPE_COMM_LEN];
	__builtin_memcpy(comm, info->comm, sizeof(comm));

	struct kscope_biotop_stats *v = bpf_map_lookup_elem(&stats, &key);
	if (!v) {
		struct kscope_biotop_stats fresh = {};
		__builtin_memcpy(fresh.comm, comm, sizeof(comm));
		copy_disk_name(fresh.disk, rq);
		long err = bpf_map_update_elem(&stats, &key, &fresh, BPF_NOEXIST);
		if (err && err != -EEXIST)
			count_drop(KSCOPE_DROP_MAP_FULL);
		v = bpf_map_lookup_elem(&stats, &key);
		if (!v)
			return 0;
	}
	if (op < KSCOPE_BIO_OPS) {
		v->ops[op] += 1;
		v->bytes[op] += bytes;
	}
	v->total_ns += took;
	return 0;
}
