/* Early filters shared by every probe (-p, -c, --cgroup). The switches are read-only
 * globals so a disabled filter costs nothing after the verifier prunes it. */
#ifndef KSCOPE_BPF_FILTER_H
#define KSCOPE_BPF_FILTER_H

#include "lib/common.bpf.h"

#define KSCOPE_FILTER_MAX 1024

const volatile bool filter_by_pid = false;
const volatile bool filter_by_comm = false;
const volatile bool filter_by_cgroup = false;
const volatile __u64 filter_cgroup_id = 0;
const volatile __u32 filter_cgroup_level = 0;
/* -x: each probe decides what a failure is (exec: ret < 0; exit: non-zero or signal). */
const volatile bool filter_failures_only = false;
/* kscope's own process (left out unless --include-self): its reads of tracefs and its
 * bpf() calls would otherwise fill quiet output. 0: nothing left out. */
const volatile __u32 filter_exclude_tgid = 0;

struct comm_key {
	char comm[KSCOPE_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KSCOPE_FILTER_MAX);
	__type(key, __u32);   /* tgid */
	__type(value, __u8);
} filter_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KSCOPE_FILTER_MAX);
	__type(key, struct comm_key);
	__type(value, __u8);
} filter_comms SEC(".maps");

/* True when the current task passes every enabled filter. */
static __always_inline bool task_selected(void)
{
	if (filter_exclude_tgid && (__u32)(bpf_get_current_pid_tgid() >> 32) == filter_exclude_tgid)
		return false;
	if (filter_by_pid) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		if (!bpf_map_lookup_elem(&filter_pids, &tgid))
			return false;
	}
	if (filter_by_comm) {
		struct comm_key key = {};
		bpf_get_current_comm(key.comm, sizeof(key.comm));
		if (!bpf_map_lookup_elem(&filter_comms, &key))
			return false;
	}
	if (filter_by_cgroup) {
		/* The cgroup or any cgroup below it. */
		if (bpf_get_current_ancestor_cgroup_id(filter_cgroup_level) != filter_cgroup_id)
			return false;
	}
	return true;
}

#endif
