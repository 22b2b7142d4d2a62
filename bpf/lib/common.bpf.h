/* Included first by every probe: kernel types, libbpf helpers, the common header. */
#ifndef KSCOPE_BPF_COMMON_H
#define KSCOPE_BPF_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <asm-generic/errno.h>

#include "kscope/abi/common.h"

/* Puts an event struct into the object's BTF, where the ABI layout test compares it
 * with the C++ view (a struct only used as a local would not be described). */
#define KSCOPE_EXPORT_ABI(name) struct name *const volatile abi_##name = 0

/* Adds one to slot of a per-CPU array of __u64 counters (no atomics needed). */
static __always_inline void percpu_add(void *counters, __u32 slot, __u64 value)
{
	__u64 *n = bpf_map_lookup_elem(counters, &slot);
	if (n)
		*n += value;
}

static __always_inline void percpu_inc(void *counters, __u32 slot)
{
	percpu_add(counters, slot, 1);
}

static __always_inline void fill_header(struct kscope_event_header *hdr, __u16 type)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	hdr->ts_ns = bpf_ktime_get_boot_ns();
	hdr->cgroup_id = bpf_get_current_cgroup_id();
	hdr->pid = pid_tgid >> 32;
	hdr->tid = (__u32)pid_tgid;
	/* A BTF task pointer (5.11+) is read with plain loads; each CO-RE read is a helper
	 * call, which costs several times more on a hot path. */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf))
		hdr->ppid = bpf_get_current_task_btf()->real_parent->tgid;
	else
		hdr->ppid = BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), real_parent, tgid);
	__u64 uid_gid = bpf_get_current_uid_gid();
	hdr->uid = (__u32)uid_gid;
	hdr->gid = uid_gid >> 32;
	hdr->type = type;
	hdr->size = 0;
	bpf_get_current_comm(hdr->comm, sizeof(hdr->comm));
}

#endif
