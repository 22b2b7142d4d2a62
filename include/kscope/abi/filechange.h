/* filechange probe: file metadata and name changes (the chmod, chown, unlink, rename,
 * link and symlink families) and memfd_create, successful or failed. */
#ifndef KSCOPE_ABI_FILECHANGE_H
#define KSCOPE_ABI_FILECHANGE_H

#include "kscope/abi/common.h"

#define KSCOPE_FILECHANGE_PATH_MAX 4096 /* PATH_MAX */
#define KSCOPE_MEMFD_NAME_MAX 256       /* the kernel's limit is 249 bytes plus the NUL */

/* Also the index of the probe's per-syscall counters. */
enum kscope_filechange_syscall {
	KSCOPE_FC_CHMOD = 0,
	KSCOPE_FC_FCHMOD = 1,
	KSCOPE_FC_FCHMODAT = 2,
	KSCOPE_FC_FCHMODAT2 = 3,
	KSCOPE_FC_CHOWN = 4,
	KSCOPE_FC_FCHOWN = 5,
	KSCOPE_FC_LCHOWN = 6,
	KSCOPE_FC_FCHOWNAT = 7,
	KSCOPE_FC_UNLINK = 8,
	KSCOPE_FC_UNLINKAT = 9,
	KSCOPE_FC_RENAME = 10,
	KSCOPE_FC_RENAMEAT = 11,
	KSCOPE_FC_RENAMEAT2 = 12,
	KSCOPE_FC_LINK = 13,
	KSCOPE_FC_LINKAT = 14,
	KSCOPE_FC_SYMLINK = 15,
	KSCOPE_FC_SYMLINKAT = 16,
	KSCOPE_FC_MEMFD_CREATE = 17,
	KSCOPE_FC_SYSCALLS = 18,
};

/* How one name was carried; the new name's bits are these shifted by
 * KSCOPE_FC_NEW_NAME_SHIFT. */
enum kscope_fc_name_flags {
	KSCOPE_FC_NAME_UNREADABLE = 1 << 0,     /* the caller's string could not be read */
	KSCOPE_FC_BASE_RESOLVED = 1 << 1,       /* base bytes: the directory a relative name is in */
	KSCOPE_FC_BASE_IS_FILE = 1 << 2,        /* base bytes: the file itself (fchmod, fchown, AT_EMPTY_PATH) */
	KSCOPE_FC_BASE_INCOMPLETE = 1 << 3,     /* deeper than the walk: not resolved */
	KSCOPE_FC_BASE_BAD_FD = 1 << 4,         /* the fd or dirfd is not an open file */
};
#define KSCOPE_FC_NEW_NAME_SHIFT 8

/* Followed by path_len bytes of the name as passed (symlink: the target text), base_len
 * bytes of the absolute path it is relative to, then the same two for the new name
 * (rename, link: the new name; symlink: the link created). No NULs; sized to content. */
struct kscope_filechange_event {
	struct kscope_event_header hdr;
	__s64 ret;          /* 0, or -errno */
	__u32 mode;         /* chmod family: the mode asked for */
	__u32 owner_uid;    /* chown family: new owner; (__u32)-1 unchanged or not a chown */
	__u32 owner_gid;
	__s32 fd;           /* the fd acted on (fchmod, fchown, AT_EMPTY_PATH); -1 otherwise */
	__u16 syscall;      /* enum kscope_filechange_syscall */
	__u16 flags;        /* enum kscope_fc_name_flags, for both names */
	__u16 path_len;
	__u16 base_len;
	__u16 new_path_len;
	__u16 new_base_len;
	__u32 _pad;
};

/* Followed by name_len bytes of the name given (no NUL). */
struct kscope_memfd_event {
	struct kscope_event_header hdr;
	__s64 ret;          /* the fd, or -errno */
	__u32 mfd_flags;    /* MFD_* */
	__u16 name_len;
	__u16 name_unreadable;
};

#endif
