/* What a struct file is: its inode's file type and, for a socket, the struct sock. */
#ifndef KSCOPE_BPF_FILE_SOCK_H
#define KSCOPE_BPF_FILE_SOCK_H

#include "lib/common.bpf.h"

/* <linux/stat.h>: vmlinux.h has no macros. */
#define KS_S_IFMT 00170000
#define KS_S_IFSOCK 0140000
#define KS_S_IFREG 0100000
#define KS_S_IFBLK 0060000
#define KS_S_IFDIR 0040000
#define KS_S_IFCHR 0020000
#define KS_S_IFIFO 0010000

/* The file type bits (S_IFMT) of f's inode. */
static __always_inline __u32 file_type_bits(struct file *f)
{
	return BPF_CORE_READ(f, f_inode, i_mode) & KS_S_IFMT;
}

/* The struct sock behind a socket file, or NULL when f is not a socket. */
static __always_inline struct sock *file_sock(struct file *f)
{
	if (!f || file_type_bits(f) != KS_S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

#endif
