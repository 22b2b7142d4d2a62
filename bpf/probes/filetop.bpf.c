// SPDX-License-Identifier: GPL-2.0
/* filetop: reads and writes per (process, file), from the exit tracepoints of the read
 * and write syscall families. The fd is read from the saved user registers and turned
 * into its struct file at that moment, so counts follow the file, not the fd number. */
#include "lib/common.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "lib/path.bpf.h"
#include "kscope/abi/filetop.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_file_io);
KSCOPE_EXPORT_ABI(kscope_file_path);
KSCOPE_EXPORT_ABI(kscope_file_key);

#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define S_IFIFO 0010000

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__type(key, struct kscope_file_key);
	__type(value, struct kscope_file_io);
} io SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct kscope_file_id);
	__type(value, struct kscope_file_path);
} paths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kscope_file_path);
} path_value SEC(".maps");

/* false (the agent): totals only, no per-(process, file) entries to grow and forget. */
const volatile bool per_file = true;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSCOPE_FILE_TOTAL_SLOTS);
	__type(key, __u32);
	__type(value, struct kscope_file_io_total);
} totals SEC(".maps");

static __always_inline __u32 file_type(umode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return KSCOPE_FILE_REGULAR;
	case S_IFSOCK: return KSCOPE_FILE_SOCKET;
	case S_IFIFO: return KSCOPE_FILE_PIPE;
	}
	return KSCOPE_FILE_OTHER;
}

/* Records the file's path the first time it is seen. */
static __always_inline void remember_path(struct kscope_file_id *id, struct file *file, __u32 type)
{
	if (bpf_map_lookup_elem(&paths, id))
		return;
	__u32 zero = 0;
	struct kscope_file_path *v = bpf_map_lookup_elem(&path_value, &zero);
	if (!v)
		return;
	v->len = 0;
	v->flags = 0;
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	if (type == KSCOPE_FILE_SOCKET || BPF_CORE_READ(dentry, d_name.len) == 0) {
		v->flags = KSCOPE_FILE_PATH_ANON; /* user space names it socket:[ino] / pipe:[ino] */
	} else {
		struct path_walk w = walk_path(dentry, BPF_CORE_READ(file, f_path.mnt));
		char *buf = path_buf();
		__u64 start = w.start & KSCOPE_PATH_MASK;
		if (buf && w.complete && start < KSCOPE_PATH_END) {
			__u64 len = KSCOPE_PATH_END - start;
			barrier_var(len);
			if (len < KSCOPE_FILE_PATH_MAX) {
				bpf_probe_read_kernel(v->path, len, &buf[start]);
				v->len = len;
				v->flags = KSCOPE_FILE_PATH_COMPLETE;
			}
		}
		if (!v->len) { /* too deep or too long: at least the file's own name */
			struct qstr name = BPF_CORE_READ(dentry, d_name);
			long n = bpf_probe_read_kernel_str(v->path, 256, name.name);
			v->len = n > 0 ? n - 1 : 0;
		}
	}
	if (bpf_map_update_elem(&paths, id, v, BPF_NOEXIST) == -E2BIG)
		count_drop(KSCOPE_DROP_MAP_FULL);
}

static __always_inline int io_exit(long ret, bool is_write)
{
	if (ret < 0 || !task_selected())
		return 0;
	struct pt_regs regs;
	bpf_probe_read_kernel(&regs, sizeof(regs), (void *)bpf_task_pt_regs(bpf_get_current_task_btf()));
	int fd = (int)PT_REGS_PARM1_SYSCALL(&regs);
	struct file *file = current_fd_file(fd);
	if (!file)
		return 0;
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	__u32 type = file_type(BPF_CORE_READ(inode, i_mode));
	__u32 slot = (type * 2 + is_write) & (KSCOPE_FILE_TOTAL_SLOTS - 1);
	struct kscope_file_io_total *t = bpf_map_lookup_elem(&totals, &slot);
	if (t) {
		t->ops += 1;
		t->bytes += ret;
	}
	if (!per_file)
		return 0;
	struct kscope_file_key key = {
		.file = { .ino = BPF_CORE_READ(inode, i_ino), .dev = BPF_CORE_READ(inode, i_sb, s_dev) },
		.pid = bpf_get_current_pid_tgid() >> 32,
	};
	struct kscope_file_io *v = bpf_map_lookup_elem(&io, &key);
	if (!v) {
		struct kscope_file_io fresh = { .type = type };
		bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
		long err = bpf_map_update_elem(&io, &key, &fresh, BPF_NOEXIST);
		if (err && err != -EEXIST)
			count_drop(KSCOPE_DROP_MAP_FULL);
		v = bpf_map_lookup_elem(&io, &key);
		if (!v)
			return 0;
		remember_path(&key.file, file, v->type);
	}
	if (is_write) {
		v->writes += 1;
		v->write_bytes += ret;
	} else {
		v->reads += 1;
		v->read_bytes += ret;
	}
	return 0;
}

#define READ_EXIT(name)                                                          \
	SEC("tp/syscalls/sys_exit_" #name)                                       \
	int ks_##name(struct trace_event_raw_sys_exit *ctx) { return io_exit(ctx->ret, false); }
#define WRITE_EXIT(name)                                                         \
	SEC("tp/syscalls/sys_exit_" #name)                                       \
	int ks_##name(struct trace_event_raw_sys_exit *ctx) { return io_exit(ctx->ret, true); }

READ_EXIT(read)
READ_EXIT(readv)
READ_EXIT(pread64)
READ_EXIT(preadv)
READ_EXIT(preadv2)
READ_EXIT(recvfrom)
READ_EXIT(recvmsg)
WRITE_EXIT(write)
WRITE_EXIT(writev)
WRITE_EXIT(pwrite64)
WRITE_EXIT(pwritev)
WRITE_EXIT(pwritev2)
WRITE_EXIT(sendto)
WRITE_EXIT(sendmsg)
