/* Shared by BPF programs and C++: plain C, fixed-size types, explicit padding. */
#ifndef KSCOPE_ABI_COMMON_H
#define KSCOPE_ABI_COMMON_H

#ifdef __KSCOPE_BPF__
/* BPF side: types come from vmlinux.h. */
#else
#include <linux/types.h>
#endif

#define KSCOPE_COMM_LEN 16

/* Event type tags: the first field a decoder checks. */
enum kscope_event_type {
	KSCOPE_EVENT_EXEC = 1,
	KSCOPE_EVENT_EXIT = 2,
	KSCOPE_EVENT_OPEN = 3,
	KSCOPE_EVENT_TCP = 4,
	KSCOPE_EVENT_DROP = 5,
	KSCOPE_EVENT_DNS = 6,
	KSCOPE_EVENT_OOM = 7,
	KSCOPE_EVENT_PROFILE_NEED_MAPS = 8,
	/* filechange and socket probes */
	KSCOPE_EVENT_FILE_CHANGE = 9,
	KSCOPE_EVENT_MEMFD_CREATE = 10,
	KSCOPE_EVENT_SOCKET = 11,
	/* privilege probe (abi/privilege.h) */
	KSCOPE_EVENT_PRIVILEGE = 20,
	KSCOPE_EVENT_PTRACE = 21,
	KSCOPE_EVENT_MODULE_LOAD = 22,
	KSCOPE_EVENT_BPF = 23,
	KSCOPE_EVENT_PERF_EVENT_OPEN = 24,
	KSCOPE_EVENT_USERFAULTFD = 25,
	/* namespaces probe (abi/namespaces.h) */
	KSCOPE_EVENT_NAMESPACE = 26,
	KSCOPE_EVENT_MOUNT = 27,
};

/* Every event starts with this header (48 bytes). */
struct kscope_event_header {
	__u64 ts_ns;          /* CLOCK_BOOTTIME ns when the event happened */
	__u64 cgroup_id;      /* cgroup v2 id of the task */
	__u32 pid;            /* thread-group id (user-space "pid") */
	__u32 tid;            /* thread id */
	__u32 ppid;           /* real parent's thread-group id */
	__u32 uid;            /* real uid */
	__u16 type;           /* enum kscope_event_type */
	__u16 size;           /* bytes of the whole event, header included */
	__u32 gid;            /* real gid */
	char comm[KSCOPE_COMM_LEN]; /* task comm, NUL-padded */
};

/* Drop counter slots, one per-CPU array per probe. */
enum kscope_drop_slot {
	KSCOPE_DROP_RINGBUF_FULL = 0, /* bpf_ringbuf_output failed: ring full */
	KSCOPE_DROP_MAP_FULL = 1,     /* an aggregation map had no room for a new key */
	KSCOPE_SAMPLED_OUT = 2,       /* not sent on purpose: sampling (not a loss) */
	KSCOPE_DROP_SLOTS = 3,
};

#endif
