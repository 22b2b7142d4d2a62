// SPDX-License-Identifier: GPL-2.0
/* biolat: block I/O latency per disk and operation, split into queue time (creation or
 * scheduler insert -> issue to the driver) and device time (issue -> completion), as
 * log2 histograms counted in the kernel, plus bytes. See lib/block_rq.bpf.h. */
#include "lib/common.bpf.h"
#include "lib/block_rq.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/latency.bpf.h"
#include "kscope/abi/block.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_biolat_stats);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct kscope_biolat_key);
	__type(value, struct kscope_biolat_stats);
} stats SEC(".maps");

/* An all-zero value to create entries from (too big for the BPF stack); never written. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kscope_biolat_stats);
} blank SEC(".maps");

/* Loaded only with -p/-c/--cgroup (and where the tracepoint exists, 6.5+): the filters
 * then apply to the task that submitted the I/O. */
SEC("tp_btf/block_io_start")
int BPF_PROG(ks_bio_start, struct request *rq)
{
	rq_on_start(rq);
	return 0;
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(ks_bio_insert, struct request *rq)
{
	rq_on_insert(rq);
	return 0;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(ks_bio_issue, struct request *rq)
{
	rq_on_issue(rq);
	return 0;
}

static __always_inline struct kscope_biolat_stats *stats_for(struct kscope_biolat_key *key, struct request *rq)
{
	struct kscope_biolat_stats *v = bpf_map_lookup_elem(&stats, key);
	if (v)
		return v;
	__u32 zero = 0;
	struct kscope_biolat_stats *fresh = bpf_map_lookup_elem(&blank, &zero);
	if (!fresh)
		return NULL;
	long err = bpf_map_update_elem(&stats, key, fresh, BPF_NOEXIST);
	if (err && err != -EEXIST)
		count_drop(KSCOPE_DROP_MAP_FULL);
	v = bpf_map_lookup_elem(&stats, key);
	if (v && !err)
		copy_disk_name(v->disk, rq); /* this CPU's copy; user space takes any non-empty one */
	return v;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(ks_bio_complete, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	struct rq_info *info = rq_on_complete(rq, nr_bytes);
	if (!info)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	struct kscope_biolat_key key = { .dev = rq_dev(rq), .op = info->op };
	__u64 created = info->created_ns, issued = info->issue_ns, bytes = info->bytes;

	struct kscope_biolat_stats *v = stats_for(&key, rq);
	if (!v)
		return 0;
	__u64 e = current_epoch();
	v->bytes += bytes;
	latency_record(&v->total, now - created, e);
	if (issued) {
		latency_record(&v->queue, issued - created, e);
		latency_record(&v->device, now - issued, e);
	}
	return 0;
}
