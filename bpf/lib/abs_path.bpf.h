/* Absolute paths copied into an event's variable part: the directory a relative name is
 * looked up from (the cwd or a dirfd), or the file behind an fd, walked with path.bpf.h
 * at the moment of the call. */
#ifndef KSCOPE_BPF_ABS_PATH_H
#define KSCOPE_BPF_ABS_PATH_H

#include "lib/common.bpf.h"
#include "lib/fd.bpf.h"
#include "lib/path.bpf.h"

#ifndef AT_FDCWD
#define AT_FDCWD -100
#endif

/* The cwd (AT_FDCWD) or the file open at fd; false when fd is not open. */
static __always_inline bool fd_or_cwd_path(int fd, struct dentry **dentry, struct vfsmount **mnt)
{
	if (fd == AT_FDCWD) {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		*dentry = BPF_CORE_READ(task, fs, pwd.dentry);
		*mnt = BPF_CORE_READ(task, fs, pwd.mnt);
		return true;
	}
	struct file *f = current_fd_file(fd);
	if (!f)
		return false;
	*dentry = BPF_CORE_READ(f, f_path.dentry);
	*mnt = BPF_CORE_READ(f, f_path.mnt);
	return true;
}

/* Copies the absolute path of (dentry, mnt) to dst, which has room for max bytes (a
 * constant; no NUL is written). Returns its length, or 0 when the walk did not reach the
 * root (deeper than KSCOPE_PATH_DEPTH, longer than KSCOPE_PATH_END, or no bpf_loop) or the
 * path is longer than max. */
static __always_inline __u32 copy_abs_path_max(char *dst, struct dentry *dentry, struct vfsmount *mnt,
					       const __u32 max)
{
	struct path_walk w = walk_path(dentry, mnt);
	char *buf = path_buf();
	if (!w.complete || !buf)
		return 0;
	__u64 start = w.start & KSCOPE_PATH_MASK;
	if (start >= KSCOPE_PATH_END)
		return 0;
	__u64 len = KSCOPE_PATH_END - start;
	barrier_var(len);
	if (len > max)
		return 0;
	if (bpf_probe_read_kernel(dst, len, &buf[start]))
		return 0;
	return len;
}

/* The same into a buffer of KSCOPE_PATH_END bytes. */
static __always_inline __u32 copy_abs_path(char *dst, struct dentry *dentry, struct vfsmount *mnt)
{
	return copy_abs_path_max(dst, dentry, mnt, KSCOPE_PATH_END);
}

#endif
