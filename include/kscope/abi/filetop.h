/* filetop probe: reads and writes per (process, file), aggregated in the kernel; the
 * file's path is taken once, in the kernel, the first time the file is seen. */
#ifndef KSCOPE_ABI_FILETOP_H
#define KSCOPE_ABI_FILETOP_H

#include "kscope/abi/common.h"

#define KSCOPE_FILE_PATH_MAX 1024

enum kscope_file_type {
	KSCOPE_FILE_OTHER = 0,
	KSCOPE_FILE_REGULAR = 1,
	KSCOPE_FILE_SOCKET = 2,
	KSCOPE_FILE_PIPE = 3,
};

/* A file is its inode: the same key whatever fd number it has, after dup, close, reuse. */
struct kscope_file_id {
	__u64 ino;
	__u32 dev;
	__u32 _pad;
};

struct kscope_file_key {
	struct kscope_file_id file;
	__u32 pid;
	__u32 _pad;
};

struct kscope_file_io {
	char comm[KSCOPE_COMM_LEN];
	__u64 reads;
	__u64 writes;
	__u64 read_bytes;
	__u64 write_bytes;
	__u32 type;  /* enum kscope_file_type */
	__u32 _pad;
};

/* Totals whatever the process and file (for metrics): slot type * 2 + (1 for writes). */
#define KSCOPE_FILE_TOTAL_SLOTS 8
struct kscope_file_io_total {
	__u64 ops;
	__u64 bytes;
};

enum kscope_file_path_flags {
	KSCOPE_FILE_PATH_COMPLETE = 1 << 0, /* an absolute path */
	KSCOPE_FILE_PATH_ANON = 1 << 1,     /* no name: an anonymous pipe or socket */
};

struct kscope_file_path {
	__u32 len;
	__u32 flags; /* enum kscope_file_path_flags */
	char path[KSCOPE_FILE_PATH_MAX];
};

#endif
