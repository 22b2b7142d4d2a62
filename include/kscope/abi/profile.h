/* profile probe: CPU samples (perf_event) whose user stacks are unwound in the kernel
 * from .eh_frame-derived tables that user space builds per executable file, and whose
 * unique stacks are counted in the kernel. */
#ifndef KSCOPE_ABI_PROFILE_H
#define KSCOPE_ABI_PROFILE_H

#include "kscope/abi/common.h"

#define KSCOPE_PROFILE_MAX_FRAMES 127  /* user frames per stack (as the kernel's stack maps) */
#define KSCOPE_PROFILE_MAX_MAPPINGS 256 /* executable mappings per process */

/* How to find the caller's frame (the CFA: the stack pointer before the call) at a pc. */
enum kscope_cfa_kind {
	KSCOPE_CFA_NONE = 0,        /* no call-frame information here: walk frame pointers */
	KSCOPE_CFA_RSP = 1,         /* cfa = rsp + cfa_offset */
	KSCOPE_CFA_RBP = 2,         /* cfa = rbp + cfa_offset */
	KSCOPE_CFA_PLT = 3,         /* PLT stub: cfa = rsp + 8 + ((rip & 15) >= cfa_offset ? 8 : 0) */
	KSCOPE_CFA_END = 4,         /* outermost frame (_start, thread start): the stack ends */
	KSCOPE_CFA_UNSUPPORTED = 5, /* a DWARF expression the kernel cannot evaluate: stop */
};

enum kscope_rbp_rule {
	KSCOPE_RBP_SAME = 0,   /* the caller's rbp is this frame's rbp */
	KSCOPE_RBP_AT_CFA = 1, /* the caller's rbp was saved at cfa + rbp_offset */
};

/* One row of a file's unwind table: the rule from pc_offset up to the next row's.
 * The return address is always at cfa - 8 (x86-64). 16 bytes: array map elements are
 * 8-byte aligned, and user space writes the rows through mmap. */
struct kscope_unwind_row {
	__u32 pc_offset;  /* from the table's base address (its file's lowest covered pc) */
	__u8 cfa_kind;    /* enum kscope_cfa_kind */
	__u8 rbp_rule;    /* enum kscope_rbp_rule */
	__s16 rbp_offset;
	__s32 cfa_offset;
	__u32 _pad;
};

/* One executable mapping of a process and where its file's table sits in the global
 * row array. A row's pc is the sampled pc - table_adjust. */
struct kscope_exec_mapping {
	__u64 start, end;     /* [start, end) virtual addresses */
	__u64 table_adjust;   /* load bias + the table's base address */
	__u32 row_begin;      /* first row in `unwind_rows`; row_count 0: no table */
	__u32 row_count;
};

/* A process's executable mappings, sorted by start. */
struct kscope_proc_mappings {
	__u32 count;
	__u32 _pad;
	struct kscope_exec_mapping m[KSCOPE_PROFILE_MAX_MAPPINGS];
};

/* The key a sample is counted under. */
struct kscope_profile_key {
	__u32 pid;            /* thread-group id */
	__s32 kernel_stack;   /* id in `kernel_stacks`, or -errno when none */
	__u64 user_stack;     /* hash of the user frames in `user_stacks`, 0 when none */
	char comm[KSCOPE_COMM_LEN]; /* the thread's name */
};

struct kscope_user_stack {
	__u32 len;
	__u32 _pad;
	__u64 pc[KSCOPE_PROFILE_MAX_FRAMES];
};

/* Sent when a sample's process or pc has no mapping known to the kernel side: user space
 * reads /proc/PID/maps and loads the tables. Rate-limited per process. */
struct kscope_profile_need_maps {
	struct kscope_event_header h;
	__u64 pc;  /* the pc that had no mapping (0: the process is unknown) */
};

/* Counters (per-CPU array `profile_stats`). */
enum kscope_profile_stat {
	KSCOPE_PROF_SAMPLES = 0,       /* samples taken */
	KSCOPE_PROF_USER_FULL = 1,     /* user stacks that reached their outermost frame */
	KSCOPE_PROF_USER_FP = 2,       /* frames found by frame-pointer fallback */
	KSCOPE_PROF_USER_STOPPED = 3,  /* user stacks that stopped early (unreadable, unsupported) */
	KSCOPE_PROF_NO_MAPPING = 4,    /* pcs outside any known mapping */
	KSCOPE_PROF_TRUNCATED = 5,     /* stacks cut at KSCOPE_PROFILE_MAX_FRAMES */
	KSCOPE_PROF_STATS = 6,
};

#endif
