// SPDX-License-Identifier: GPL-2.0
/* filechange: the chmod, chown, unlink, rename, link and symlink families and
 * memfd_create, successful or failed.
 * Everything is read at sys_exit_*: the kernel has copied the names by then, so their
 * pages are present (at sys_enter a name in a page the process has not touched yet
 * cannot be read), and the cwd or dirfd a relative name is looked up from is walked in
 * the kernel, so the path is right whatever the process does next.
 * The arguments come from lib/syscall_args.bpf.h (saved registers, or the sys_enter_*
 * programs on older kernels). */
#include "lib/common.bpf.h"
#include "lib/abs_path.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/syscall_args.bpf.h"
#include "kscope/abi/filechange.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_filechange_event);
KSCOPE_EXPORT_ABI(kscope_memfd_event);

#define AT_EMPTY_PATH 0x1000

/* Calls per syscall (enum kscope_filechange_syscall), whatever the filters: the agent's
 * kscope_file_change_events_total and kscope_memfd_create_events_total. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_FC_SYSCALLS);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

/* Up to four strings of at most PATH_MAX each; every write starts at an offset masked
 * with DATA_MASK and is at most PATH_MAX long, so it stays inside data[]. */
#define DATA_MASK (4 * KSCOPE_FILECHANGE_PATH_MAX - 1)
#define DATA_SIZE (DATA_MASK + 1 + KSCOPE_FILECHANGE_PATH_MAX)

struct change_scratch {
	struct kscope_filechange_event ev;
	char data[DATA_SIZE];
};

struct memfd_scratch {
	struct kscope_memfd_event ev;
	char name[KSCOPE_MEMFD_NAME_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct change_scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct memfd_scratch);
} memfd_scratch SEC(".maps");

/* One call's arguments, by meaning. */
struct change {
	const char *path;     /* NULL: fchmod/fchown act on fd */
	const char *new_path; /* rename, link, symlink */
	__s32 dirfd;
	__s32 new_dirfd;
	__s32 fd;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 at_flags;
	bool path_is_text;    /* symlink's target: stored as given, never resolved */
};

static __always_inline struct change change_of(__u16 syscall, const struct syscall_args *c)
{
	struct change ch = {
		.dirfd = AT_FDCWD, .new_dirfd = AT_FDCWD, .fd = -1, .uid = (__u32)-1, .gid = (__u32)-1,
	};
	switch (syscall) {
	case KSCOPE_FC_CHMOD:
		ch.path = (const char *)c->a[0];
		ch.mode = c->a[1];
		break;
	case KSCOPE_FC_FCHMOD:
		ch.fd = c->a[0];
		ch.mode = c->a[1];
		break;
	case KSCOPE_FC_FCHMODAT:
	case KSCOPE_FC_FCHMODAT2:
		ch.dirfd = c->a[0];
		ch.path = (const char *)c->a[1];
		ch.mode = c->a[2];
		ch.at_flags = syscall == KSCOPE_FC_FCHMODAT2 ? c->a[3] : 0;
		break;
	case KSCOPE_FC_CHOWN:
	case KSCOPE_FC_LCHOWN:
		ch.path = (const char *)c->a[0];
		ch.uid = c->a[1];
		ch.gid = c->a[2];
		break;
	case KSCOPE_FC_FCHOWN:
		ch.fd = c->a[0];
		ch.uid = c->a[1];
		ch.gid = c->a[2];
		break;
	case KSCOPE_FC_FCHOWNAT:
		ch.dirfd = c->a[0];
		ch.path = (const char *)c->a[1];
		ch.uid = c->a[2];
		ch.gid = c->a[3];
		ch.at_flags = c->a[4];
		break;
	case KSCOPE_FC_UNLINK:
		ch.path = (const char *)c->a[0];
		break;
	case KSCOPE_FC_UNLINKAT:
		ch.dirfd = c->a[0];
		ch.path = (const char *)c->a[1];
		break;
	case KSCOPE_FC_RENAME:
	case KSCOPE_FC_LINK:
		ch.path = (const char *)c->a[0];
		ch.new_path = (const char *)c->a[1];
		break;
	case KSCOPE_FC_RENAMEAT:
	case KSCOPE_FC_RENAMEAT2:
	case KSCOPE_FC_LINKAT:
		ch.dirfd = c->a[0];
		ch.path = (const char *)c->a[1];
		ch.new_dirfd = c->a[2];
		ch.new_path = (const char *)c->a[3];
		ch.at_flags = syscall == KSCOPE_FC_LINKAT ? c->a[4] : 0; /* renameat2's are RENAME_* */
		break;
	case KSCOPE_FC_SYMLINK:
		ch.path = (const char *)c->a[0];
		ch.new_path = (const char *)c->a[1];
		ch.path_is_text = true;
		break;
	case KSCOPE_FC_SYMLINKAT:
		ch.path = (const char *)c->a[0];
		ch.new_dirfd = c->a[1];
		ch.new_path = (const char *)c->a[2];
		ch.path_is_text = true;
		break;
	}
	return ch;
}

/* Lengths of one name's two parts. */
struct name_lens {
	__u16 name;
	__u16 base;
};

/* Appends one name at *pos: the string as passed (when name is not NULL), then the
 * absolute path it is relative to (the cwd or dirfd's directory for a relative name; the
 * file itself for a NULL or AT_EMPTY_PATH name). Returns enum kscope_fc_name_flags. */
static __always_inline __u16 put_name(struct change_scratch *s, __u32 *pos, const char *name, int dirfd,
				      bool resolve, bool empty_is_fd, struct name_lens *lens)
{
	__u16 flags = 0;
	__u32 name_len = 0;
	if (name) {
		long n = bpf_probe_read_user_str(&s->data[*pos & DATA_MASK], KSCOPE_FILECHANGE_PATH_MAX, name);
		if (n <= 0)
			flags |= KSCOPE_FC_NAME_UNREADABLE;
		else
			name_len = n - 1;
	}
	lens->name = name_len;
	lens->base = 0;
	*pos += name_len;
	if (!resolve || (flags & KSCOPE_FC_NAME_UNREADABLE))
		return flags;

	bool whole_file = !name || (name_len == 0 && empty_is_fd);
	if (!whole_file && (name_len == 0 || s->data[(*pos - name_len) & DATA_MASK] == '/'))
		return flags; /* absolute (or empty, which fails): nothing to add */
	struct dentry *dentry;
	struct vfsmount *mnt;
	if (!fd_or_cwd_path(dirfd, &dentry, &mnt))
		return flags | KSCOPE_FC_BASE_BAD_FD;
	__u32 base_len = copy_abs_path(&s->data[*pos & DATA_MASK], dentry, mnt);
	if (!base_len)
		return flags | KSCOPE_FC_BASE_INCOMPLETE;
	lens->base = base_len;
	*pos += base_len;
	return flags | (whole_file ? KSCOPE_FC_BASE_IS_FILE : KSCOPE_FC_BASE_RESOLVED);
}

static __always_inline int emit_change(long ret, __u16 syscall, const struct syscall_args *args)
{
	__u32 zero = 0;
	struct change_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	struct change ch = change_of(syscall, args);
	bool empty_is_fd = ch.at_flags & AT_EMPTY_PATH;

	fill_header(&s->ev.hdr, KSCOPE_EVENT_FILE_CHANGE);
	s->ev.ret = ret;
	s->ev.mode = ch.mode;
	s->ev.owner_uid = ch.uid;
	s->ev.owner_gid = ch.gid;
	s->ev.syscall = syscall;
	s->ev._pad = 0;

	__u32 pos = 0;
	struct name_lens lens = {};
	int dirfd = ch.path ? ch.dirfd : ch.fd;
	__u16 flags = put_name(s, &pos, ch.path, dirfd, !ch.path_is_text, empty_is_fd, &lens);
	s->ev.path_len = lens.name;
	s->ev.base_len = lens.base;
	s->ev.fd = (flags & KSCOPE_FC_BASE_IS_FILE) ? dirfd : -1;
	if (!ch.path)
		s->ev.fd = ch.fd; /* also when the fd was not open */

	lens.name = lens.base = 0;
	if (ch.new_path)
		flags |= put_name(s, &pos, ch.new_path, ch.new_dirfd, true, false, &lens) << KSCOPE_FC_NEW_NAME_SHIFT;
	s->ev.new_path_len = lens.name;
	s->ev.new_base_len = lens.base;
	s->ev.flags = flags;

	__u64 size = sizeof(s->ev) + pos;
	barrier_var(size);
	if (size > sizeof(*s))
		size = sizeof(*s);
	s->ev.hdr.size = size;
	emit(s, size);
	return 0;
}

static __always_inline int emit_memfd(long ret, const struct syscall_args *args)
{
	__u32 zero = 0;
	struct memfd_scratch *s = bpf_map_lookup_elem(&memfd_scratch, &zero);
	if (!s)
		return 0;
	fill_header(&s->ev.hdr, KSCOPE_EVENT_MEMFD_CREATE);
	s->ev.ret = ret;
	s->ev.mfd_flags = args->a[1];
	long n = bpf_probe_read_user_str(s->name, sizeof(s->name), (const char *)args->a[0]);
	__u32 len = n > 0 ? n - 1 : 0;
	s->ev.name_unreadable = n <= 0;
	s->ev.name_len = len;
	__u64 size = sizeof(s->ev) + len;
	barrier_var(size);
	if (size > sizeof(*s))
		size = sizeof(*s);
	s->ev.hdr.size = size;
	emit(s, size);
	return 0;
}

static __always_inline int change_exit(long ret, __u16 syscall)
{
	percpu_inc(&calls, syscall);
	struct syscall_args args = {};
	if (!exit_args(&args))
		return 0;
	if (filter_failures_only && ret >= 0)
		return 0;
	if (syscall == KSCOPE_FC_MEMFD_CREATE)
		return emit_memfd(ret, &args);
	return emit_change(ret, syscall, &args);
}

#define FILECHANGE_SYSCALL(name, nargs, id) KSCOPE_SYSCALL_AT_EXIT(name, nargs, id, change_exit)

FILECHANGE_SYSCALL(chmod, 2, KSCOPE_FC_CHMOD)
FILECHANGE_SYSCALL(fchmod, 2, KSCOPE_FC_FCHMOD)
FILECHANGE_SYSCALL(fchmodat, 3, KSCOPE_FC_FCHMODAT)
FILECHANGE_SYSCALL(fchmodat2, 4, KSCOPE_FC_FCHMODAT2)
FILECHANGE_SYSCALL(chown, 3, KSCOPE_FC_CHOWN)
FILECHANGE_SYSCALL(fchown, 3, KSCOPE_FC_FCHOWN)
FILECHANGE_SYSCALL(lchown, 3, KSCOPE_FC_LCHOWN)
FILECHANGE_SYSCALL(fchownat, 5, KSCOPE_FC_FCHOWNAT)
FILECHANGE_SYSCALL(unlink, 1, KSCOPE_FC_UNLINK)
FILECHANGE_SYSCALL(unlinkat, 3, KSCOPE_FC_UNLINKAT)
FILECHANGE_SYSCALL(rename, 2, KSCOPE_FC_RENAME)
FILECHANGE_SYSCALL(renameat, 4, KSCOPE_FC_RENAMEAT)
FILECHANGE_SYSCALL(renameat2, 5, KSCOPE_FC_RENAMEAT2)
FILECHANGE_SYSCALL(link, 2, KSCOPE_FC_LINK)
FILECHANGE_SYSCALL(linkat, 5, KSCOPE_FC_LINKAT)
FILECHANGE_SYSCALL(symlink, 2, KSCOPE_FC_SYMLINK)
FILECHANGE_SYSCALL(symlinkat, 3, KSCOPE_FC_SYMLINKAT)
FILECHANGE_SYSCALL(memfd_create, 2, KSCOPE_FC_MEMFD_CREATE)
