/* Absolute path of a (dentry, vfsmount) pair, built in the kernel by walking d_parent
 * and crossing mount points (struct mount), so it is right at the moment of the event,
 * whatever the process does next. Components are written backwards into a per-CPU
 * scratch buffer; the result is path_buf()[start .. KSCOPE_PATH_END).
 * The walk runs under bpf_loop (5.17+), which the verifier checks once instead of per
 * iteration; on older kernels the path is reported as not resolved (core_fixes.bpf.h). */
#ifndef KSCOPE_BPF_PATH_H
#define KSCOPE_BPF_PATH_H

#include "lib/common.bpf.h"
#include "lib/core_fixes.bpf.h"
#include "lib/fd.bpf.h"

#define KSCOPE_PATH_END 4096           /* paths longer than this are not resolved */
#define KSCOPE_PATH_MASK 8191          /* offsets are masked into the buffer */
#define KSCOPE_PATH_NAME_MAX 255
#define KSCOPE_PATH_BUF (KSCOPE_PATH_MASK + 1 + KSCOPE_PATH_NAME_MAX + 1)
#define KSCOPE_PATH_DEPTH 64

struct path_scratch {
	char buf[KSCOPE_PATH_BUF];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_scratch);
} path_scratch SEC(".maps");

struct path_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	__u32 start;    /* first byte of the path in the buffer */
	bool complete;  /* reached the root of the mount tree */
};

static __always_inline char *path_buf(void)
{
	__u32 zero = 0;
	struct path_scratch *s = bpf_map_lookup_elem(&path_scratch, &zero);
	return s ? s->buf : NULL;
}

/* One component per call; 1 ends the loop. */
static long path_walk_step(__u32 index, struct path_walk *w)
{
	char *buf = path_buf();
	if (!buf)
		return 1;
	/* Locals, not w->field: BPF_CORE_READ would try to relocate our own struct. */
	struct dentry *dentry = w->dentry;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt;
	struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
	if (dentry == mnt_root || dentry == parent) {
		struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
		if (dentry != mnt_root || mnt == mnt_parent) {
			w->complete = true; /* the root of everything */
			return 1;
		}
		/* Continue from where this mount is attached in its parent. */
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = mnt_parent;
		w->vfsmnt = (void *)mnt_parent + bpf_core_field_offset(struct mount, mnt);
		return 0;
	}
	struct qstr name = BPF_CORE_READ(dentry, d_name);
	__u32 len = name.len;
	__u32 start = w->start;
	if (len > KSCOPE_PATH_NAME_MAX || len + 1 > start)
		return 1; /* too long: stays incomplete */
	start -= len + 1;
	buf[start & KSCOPE_PATH_MASK] = '/';
	bpf_probe_read_kernel(&buf[(start + 1) & KSCOPE_PATH_MASK], len & KSCOPE_PATH_NAME_MAX, name.name);
	w->start = start;
	w->dentry = parent;
	return 0;
}

static __always_inline struct path_walk walk_path(struct dentry *dentry, struct vfsmount *vfsmnt)
{
	struct path_walk w = {
		.dentry = dentry,
		.vfsmnt = vfsmnt,
		.mnt = (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt),
		.start = KSCOPE_PATH_END,
		.complete = false,
	};
	if (!have_bpf_loop())
		return w;
	bpf_loop(KSCOPE_PATH_DEPTH, path_walk_step, &w, 0);
	char *buf = path_buf();
	if (w.complete && w.start == KSCOPE_PATH_END && buf) {
		w.start -= 1;
		buf[w.start & KSCOPE_PATH_MASK] = '/';
	}
	return w;
}

#endif
