// SPDX-License-Identifier: GPL-2.0
/* exit: one event per process exit, from sched:sched_process_exit. */
#include "lib/common.bpf.h"
#include "lib/core_fixes.bpf.h"
#include "lib/emit.bpf.h"
#include "lib/filter.bpf.h"
#include "kscope/abi/exit.h"

char LICENSE[] SEC("license") = "GPL";
KSCOPE_EXPORT_ABI(kscope_exit_event);

SEC("tp/sched/sched_process_exit")
int ks_exit(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct kscope_exit_event ev = {};

	if (!is_process_exit(ctx) || !task_selected())
		return 0;

	ev.exit_code = BPF_CORE_READ(task, exit_code);
	if (filter_failures_only && ev.exit_code == 0)
		return 0;
	fill_header(&ev.hdr, KSCOPE_EVENT_EXIT);
	ev.hdr.size = sizeof(ev);
	ev.duration_ns = bpf_ktime_get_ns() - BPF_CORE_READ(task, group_leader, start_time);
	emit(&ev, sizeof(ev));
	return 0;
}
