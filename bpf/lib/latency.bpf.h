/* Recording into a kscope_latency_hist, with the per-interval maximum scheme of the
 * syscalls probe: user space bumps `epoch` when it reads, and a value whose max_epoch is
 * older restarts its maximum, so user space never writes a value the kernel updates. */
#ifndef KSCOPE_BPF_LATENCY_H
#define KSCOPE_BPF_LATENCY_H

#include "lib/common.bpf.h"
#include "lib/histogram.bpf.h"
#include "kscope/abi/latency.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} epoch SEC(".maps");

static __always_inline __u64 current_epoch(void)
{
	__u32 zero = 0;
	__u64 *e = bpf_map_lookup_elem(&epoch, &zero);
	return e ? *e : 0;
}

/* h is a per-CPU value: plain increments, no atomics. */
static __always_inline void latency_record(struct kscope_latency_hist *h, __u64 ns, __u64 epoch_now)
{
	h->count += 1;
	h->sum_ns += ns;
	h->slots[hist_slot(ns, KSCOPE_LAT_SLOTS)] += 1;
	if (h->max_epoch != epoch_now) {
		h->prev_max_ns = h->max_ns;
		h->prev_epoch = h->max_epoch;
		h->max_epoch = epoch_now;
		h->max_ns = ns;
	} else if (ns > h->max_ns) {
		h->max_ns = ns;
	}
}

#endif
