/* privilege probe: credential changes (set*id, setgroups, capset), ptrace and
 * process_vm_writev, module loads, bpf() program loads and map creations,
 * perf_event_open by non-root, userfaultfd. One event per call, emitted at sys_exit. */
#ifndef KSCOPE_ABI_PRIVILEGE_H
#define KSCOPE_ABI_PRIVILEGE_H

#include "kscope/abi/common.h"

#define KSCOPE_MODULE_NAME_LEN 64     /* MODULE_NAME_LEN is 56 on 64-bit kernels */
#define KSCOPE_MODULE_PARAMS_MAX 1024 /* bytes of the parameter string carried */
#define KSCOPE_MODULE_PATH_MAX 4096   /* PATH_MAX */
#define KSCOPE_BPF_NAME_LEN 16        /* BPF_OBJ_NAME_LEN */

/* Every syscall the probe traces; also the index of its counter in `syscall_counts`. */
enum kscope_privilege_syscall {
	KSCOPE_PRIV_SETUID = 0,
	KSCOPE_PRIV_SETGID = 1,
	KSCOPE_PRIV_SETREUID = 2,
	KSCOPE_PRIV_SETREGID = 3,
	KSCOPE_PRIV_SETRESUID = 4,
	KSCOPE_PRIV_SETRESGID = 5,
	KSCOPE_PRIV_SETFSUID = 6,
	KSCOPE_PRIV_SETFSGID = 7,
	KSCOPE_PRIV_SETGROUPS = 8,
	KSCOPE_PRIV_CAPSET = 9,
	KSCOPE_PRIV_PTRACE = 10,
	KSCOPE_PRIV_PROCESS_VM_WRITEV = 11,
	KSCOPE_PRIV_INIT_MODULE = 12,
	KSCOPE_PRIV_FINIT_MODULE = 13,
	KSCOPE_PRIV_BPF = 14,
	KSCOPE_PRIV_PERF_EVENT_OPEN = 15,
	KSCOPE_PRIV_USERFAULTFD = 16,
	KSCOPE_PRIV_SYSCALLS = 17,
};

/* A task's credentials (task->cred). Capability sets are the 64-bit masks. */
struct kscope_creds {
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
	__u64 cap_effective;
	__u64 cap_permitted;
};

/* set*id, setgroups, capset: the caller's credentials before and after the call. */
struct kscope_privilege_event {
	struct kscope_event_header hdr;
	__s64 ret;        /* -errno; setfsuid/setfsgid: the previous fsuid/fsgid */
	struct kscope_creds old_creds;
	struct kscope_creds new_creds;
	__u16 syscall;    /* enum kscope_privilege_syscall */
	__u16 _pad[3];
};

enum kscope_ptrace_flags {
	KSCOPE_PTRACE_TARGET_FOUND = 1 << 0, /* target_comm was read from the target task */
	KSCOPE_PTRACE_CALLER_INIT_PIDNS = 1 << 1, /* the caller's pids are the initial namespace's */
};

/* ptrace, process_vm_writev. target_pid is the pid the caller passed (in its own pid
 * namespace); PTRACE_TRACEME names no target: the caller's parent (its tracer to be). */
struct kscope_ptrace_event {
	struct kscope_event_header hdr;
	__s64 ret;
	__s64 request;    /* ptrace: PTRACE_* */
	__u64 bytes;      /* process_vm_writev: sum of the local iovec lengths */
	__u32 target_pid;
	__u16 syscall;    /* enum kscope_privilege_syscall */
	__u16 flags;      /* enum kscope_ptrace_flags */
	char target_comm[KSCOPE_COMM_LEN]; /* when KSCOPE_PTRACE_TARGET_FOUND */
};

enum kscope_module_flags {
	KSCOPE_MODULE_PARAMS_UNREADABLE = 1 << 0,
	KSCOPE_MODULE_PATH_UNRESOLVED = 1 << 1, /* finit_module: the fd's path could not be walked */
};

/* init_module, finit_module. Followed by path_len bytes of the module file's path
 * (finit_module), then params_len bytes of the parameter string (no NULs). */
struct kscope_module_load_event {
	struct kscope_event_header hdr;
	__s64 ret;
	__u16 syscall;    /* enum kscope_privilege_syscall */
	__u16 flags;      /* enum kscope_module_flags */
	__u16 path_len;
	__u16 params_len;
	char name[KSCOPE_MODULE_NAME_LEN]; /* from module:module_load; "" if the load failed before */
};

/* bpf(BPF_PROG_LOAD) and bpf(BPF_MAP_CREATE). */
struct kscope_bpf_event {
	struct kscope_event_header hdr;
	__s64 ret;        /* the new fd, or -errno */
	__u32 command;    /* enum bpf_cmd */
	__u32 object_type; /* enum bpf_prog_type or enum bpf_map_type, by command */
	char name[KSCOPE_BPF_NAME_LEN]; /* prog_name / map_name as given */
};

/* perf_event_open by a caller whose euid is not 0. */
struct kscope_perf_event_open_event {
	struct kscope_event_header hdr;
	__s64 ret;
	__u64 config;     /* perf_event_attr.config */
	__u32 perf_type;  /* perf_event_attr.type: PERF_TYPE_* or a dynamic PMU's number */
	__s32 target_pid; /* -1: every process */
	__s32 cpu;        /* -1: any CPU */
	__u32 _pad;
};

struct kscope_userfaultfd_event {
	struct kscope_event_header hdr;
	__s64 ret;
	__u32 flags;      /* O_CLOEXEC, O_NONBLOCK, UFFD_USER_MODE_ONLY */
	__u32 _pad;
};

#endif
