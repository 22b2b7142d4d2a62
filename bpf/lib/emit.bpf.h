/* The one way a probe hands an event to user space: its own ring buffer "events",
 * no wakeup per event (the reader drains on a short timer), a forced wakeup only once
 * the ring passes the fill threshold, and every failure counted in "drops". */
#ifndef KSCOPE_BPF_EMIT_H
#define KSCOPE_BPF_EMIT_H

#include "lib/common.bpf.h"

/* Set by user space before load; 0 means "never force a wakeup". */
const volatile __u64 wakeup_threshold_bytes = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* resized by user space before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_DROP_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

static __always_inline void count_drop(__u32 slot)
{
	percpu_inc(&drops, slot);
}

static __always_inline __u64 wakeup_flags(void)
{
	if (wakeup_threshold_bytes &&
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_threshold_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/* Sampling: one event in sample_every is sent (1 = every event); the others are
 * counted, so rates can be scaled back up. Writable (.data, not .rodata): the agent's
 * overhead governor changes it while the probe runs. */
volatile __u32 sample_every = 1;

/* Whether this event is left out by sampling (then counted). Probes that do costly work
 * before they emit (reading paths) ask at their first hook and then call emit_now(), so a
 * sampled-out call costs next to nothing. */
static __always_inline bool sampled_out(void)
{
	if (sample_every > 1 && bpf_get_prandom_u32() % sample_every) {
		count_drop(KSCOPE_SAMPLED_OUT);
		return true;
	}
	return false;
}

/* Copies size bytes of data (an event starting with its header) into the ring; the
 * sampling was decided already. */
static __always_inline int emit_now(void *data, __u64 size)
{
	int err = bpf_ringbuf_output(&events, data, size, wakeup_flags());
	if (err)
		count_drop(KSCOPE_DROP_RINGBUF_FULL);
	return err;
}

/* Sampling, then emit_now(). */
static __always_inline int emit(void *data, __u64 size)
{
	if (sampled_out())
		return 0;
	return emit_now(data, size);
}

#endif
