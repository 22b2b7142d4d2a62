/* oom probe: one event per OOM kill, from oom:mark_victim (tp_btf: the victim's task). */
#ifndef KSCOPE_ABI_OOM_H
#define KSCOPE_ABI_OOM_H

#include "kscope/abi/common.h"

#define KSCOPE_MEMCG_PATH_LEN 512

enum kscope_oom_constraint {
	KSCOPE_OOM_GLOBAL = 0, /* no memory cgroup at its limit: the system (or a cpuset or
	                          memory policy, which the tracepoint does not tell apart) ran out */
	KSCOPE_OOM_MEMCG = 1,  /* a memory cgroup above the task that ran out was at its limit */
};

/* The header describes the victim (pid, tid, ppid, uid, comm, cgroup v2 id). */
struct kscope_oom_event {
	struct kscope_event_header hdr;
	__u64 rss_pages;        /* victim's anon + file + shmem resident pages at the kill */
	__u64 memcg_limit_pages; /* the limit of the cgroup that was full (0 when global) */
	__u32 trigger_pid;      /* thread-group id of the task whose allocation ran out */
	__u32 trigger_tid;
	char trigger_comm[KSCOPE_COMM_LEN];
	__s32 oom_score_adj;    /* victim's, -1000..1000 */
	__u16 constraint;       /* enum kscope_oom_constraint */
	__u16 memcg_path_len;   /* bytes of memcg_path used, without a NUL */
	char memcg_path[KSCOPE_MEMCG_PATH_LEN]; /* "/a/b" relative to the memory controller's root */
};

#endif
