/* log2 histogram slots, shared by every probe that keeps a latency histogram. */
#ifndef KSCOPE_BPF_HISTOGRAM_H
#define KSCOPE_BPF_HISTOGRAM_H

#include "lib/common.bpf.h"

/* floor(log2(v)) for v > 0, 0 for v == 0; branch-free, no loop. */
static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r, shift;

	r = (v > 0xFFFFFFFFULL) << 5;
	v >>= r;
	shift = (v > 0xFFFF) << 4;
	v >>= shift;
	r |= shift;
	shift = (v > 0xFF) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xF) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u32 hist_slot(__u64 v, __u32 slots)
{
	__u32 s = log2_u64(v);
	return s < slots ? s : slots - 1;
}

#endif
