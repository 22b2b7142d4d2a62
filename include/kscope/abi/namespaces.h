/* namespaces probe: namespace changes (unshare, setns, clone/clone3 with CLONE_NEW*
 * flags) and mount table changes (mount, umount2, pivot_root, chroot). One event per
 * call, emitted at sys_exit. */
#ifndef KSCOPE_ABI_NAMESPACES_H
#define KSCOPE_ABI_NAMESPACES_H

#include "kscope/abi/common.h"

#define KSCOPE_MOUNT_PATH_MAX 4096  /* source and target: PATH_MAX */
#define KSCOPE_MOUNT_FSTYPE_MAX 64  /* file system type names are short */

/* Every syscall the probe traces; also the index of its counter in `syscall_counts`. */
enum kscope_namespace_syscall {
	KSCOPE_NS_UNSHARE = 0,
	KSCOPE_NS_SETNS = 1,
	KSCOPE_NS_CLONE = 2,
	KSCOPE_NS_CLONE3 = 3,
	KSCOPE_NS_MOUNT = 4,
	KSCOPE_NS_UMOUNT = 5,    /* umount2(2); the kernel's tracepoint is sys_enter_umount */
	KSCOPE_NS_PIVOT_ROOT = 6,
	KSCOPE_NS_CHROOT = 7,
	KSCOPE_NS_SYSCALLS = 8,
};

/* unshare, setns, clone, clone3. */
struct kscope_namespace_event {
	struct kscope_event_header hdr;
	__s64 ret;        /* clone: the child's pid in the caller's namespace */
	__u64 flags;      /* CLONE_* as passed (clone: without the exit signal byte); setns: nstype */
	__u64 ns_types;   /* the CLONE_NEW* bits of the namespaces concerned (setns with nstype 0:
	                     the type of the namespace fd, read in the kernel) */
	__s32 fd;         /* setns: the namespace or pidfd; -1 otherwise */
	__u16 syscall;    /* enum kscope_namespace_syscall */
	__u16 _pad;
};

enum kscope_mount_flags {
	KSCOPE_MOUNT_SOURCE_UNREADABLE = 1 << 0,
	KSCOPE_MOUNT_TARGET_UNREADABLE = 1 << 1,
	KSCOPE_MOUNT_FSTYPE_UNREADABLE = 1 << 2,
};

/* mount, umount2, pivot_root, chroot. Followed by source_len bytes of source, target_len
 * bytes of target, fstype_len bytes of fstype (no NULs), each as the caller passed it.
 * mount: source, target, fstype; umount2: target; pivot_root: target = new_root,
 * source = put_old; chroot: target. */
struct kscope_mount_event {
	struct kscope_event_header hdr;
	__s64 ret;
	__u64 flags;      /* mount: MS_*; umount2: MNT_*, UMOUNT_NOFOLLOW */
	__u16 syscall;    /* enum kscope_namespace_syscall */
	__u16 read_flags; /* enum kscope_mount_flags */
	__u16 source_len;
	__u16 target_len;
	__u16 fstype_len;
	__u16 _pad[3];
};

#endif
