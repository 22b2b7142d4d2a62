/* fd -> struct file of the current task, read from its fd table. */
#ifndef KSCOPE_BPF_FD_H
#define KSCOPE_BPF_FD_H

#include "lib/common.bpf.h"

/* The struct file behind fd in the current task, or NULL. */
static __always_inline struct file *current_fd_file(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

#endif
