/* enforce: rules compiled into maps, acted on in the kernel (bpf/probes/enforce.bpf.c).
 *
 * A compiled policy is up to 64 slots; a slot is one `and` of tests on one hook (a rule
 * whose condition is an `or` takes several). A call at a hook matches the slots
 *   hook_slots[hook] & (dim_free[d] | <slots whose test on d the call passes>) for every d
 *                    & ~<slots whose negative test on d the call fails>
 * and the lowest matching slot acts. Every key carries a generation: user space writes
 * the next generation beside the active one, flips `active_gen`, then deletes the old
 * one, so a reload never leaves a moment with nothing enforced. Slots in after_only[gen]
 * (conditions on the call's success) act only once the call is done: at
 * sched_process_exec and at sys_exit of an open. */
#ifndef KSCOPE_ABI_ENFORCE_H
#define KSCOPE_ABI_ENFORCE_H

#include "kscope/abi/common.h"

#define KSCOPE_EVENT_ENFORCE 30

#define KSCOPE_ENFORCE_SLOTS 64
#define KSCOPE_ENFORCE_PATH_MAX 248 /* bytes of a path key (longer paths never match) */

/* Where a slot acts. */
enum kscope_enforce_hook {
	KSCOPE_HOOK_EXEC = 0,      /* sys_enter_execve(at): the path as given; sched_process_exec: also the resolved exe */
	KSCOPE_HOOK_OPEN_WRITE,    /* sys_enter_open/openat/openat2/creat with a write, create or truncate flag */
	KSCOPE_HOOK_PTRACE,        /* sys_enter_ptrace, sys_enter_process_vm_writev */
	KSCOPE_HOOK_MODULE,        /* sys_enter_init_module, sys_enter_finit_module */
	KSCOPE_HOOK_BPF,           /* sys_enter_bpf */
	KSCOPE_HOOK_SETID,         /* sys_enter_set*id, setgroups, capset */
	KSCOPE_HOOK_NAMESPACE,     /* sys_enter_setns, sys_enter_unshare */
	KSCOPE_HOOK_MOUNT,         /* sys_enter_mount, umount2, pivot_root, chroot */
	KSCOPE_HOOK_CONNECT,       /* cgroup/connect4, connect6 */
	KSCOPE_HOOK_SENDMSG,       /* cgroup/sendmsg4, sendmsg6 (UDP) */
	KSCOPE_HOOK_BIND,          /* cgroup/bind4, bind6 */
	KSCOPE_HOOKS,
};

/* What a call is tested on. */
enum kscope_enforce_dim {
	KSCOPE_DIM_PATH = 0, /* exec: the program's path; open: the file's path */
	KSCOPE_DIM_COMM,     /* the caller's name (after the exec, for exec) */
	KSCOPE_DIM_PORT,     /* connect/sendmsg: the peer's port; bind: the local port */
	KSCOPE_DIM_ADDR,     /* connect/sendmsg: the peer's address; bind: the local address */
	KSCOPE_DIM_SYSCALL,  /* which syscall of the hook's family (tracepoint hooks at entry) */
	KSCOPE_DIMS,
};

enum kscope_enforce_action {
	KSCOPE_ACTION_KILL = 1, /* SIGKILL at the hook */
	KSCOPE_ACTION_DENY = 2, /* the call fails with EPERM (cgroup hooks) */
};

/* Per slot: which rule, what to do. */
struct kscope_enforce_slot {
	__u32 rule_id; /* index in user space's list of rules */
	__u8 action;   /* enum kscope_enforce_action */
	__u8 audit;    /* 1: only report (would_kill / would_deny) */
	__u8 _pad[2];
};

/* Keys: the generation first. Strings are NUL-padded to their full size. */
struct kscope_enforce_path_key {
	__u32 gen;
	char path[KSCOPE_ENFORCE_PATH_MAX];
};

/* LPM trie key for path prefixes: prefixlen counts bits of gen (8) + path. */
struct kscope_enforce_prefix_key {
	__u32 prefixlen;
	__u8 gen;
	char path[KSCOPE_ENFORCE_PATH_MAX];
	__u8 _pad[3];
};

struct kscope_enforce_comm_key {
	__u32 gen;
	char comm[KSCOPE_COMM_LEN];
};

struct kscope_enforce_port_key {
	__u32 gen;
	__u16 port; /* host byte order */
	__u16 _pad;
};

struct kscope_enforce_syscall_key {
	__u32 gen;
	__u32 nr;
};

struct kscope_enforce_addr_key {
	__u32 gen;
	__u8 addr[16]; /* IPv6, or IPv4 mapped (::ffff:a.b.c.d) */
};

/* One action taken (or, in audit mode, not taken). */
struct kscope_enforce_event {
	struct kscope_event_header hdr;
	__u32 rule_id;
	__u8 hook;      /* enum kscope_enforce_hook */
	__u8 action;    /* enum kscope_enforce_action */
	__u8 audit;     /* 1: nothing was done */
	__u8 stage;     /* exec: 0 at syscall entry, 1 at sched_process_exec */
	__s64 syscall;  /* the syscall number (tracepoint hooks), -1 for cgroup hooks */
	__u16 port;     /* host byte order */
	__u16 family;   /* AF_INET, AF_INET6 (cgroup hooks) */
	__u16 path_len; /* bytes of path that follow (no NUL) */
	__u16 _pad;
	__u8 addr[16];
	/* followed by path_len bytes of path */
};

#endif
