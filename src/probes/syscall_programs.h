// Probes built on bpf/lib/syscall_args.bpf.h: per syscall, ks_<name>_enter and
// ks_<name>_exit programs on its syscalls:sys_enter_/sys_exit_ tracepoints.
#pragma once

#include <span>

#include "bpf/bpf_object.h"
#include "util/result.h"

namespace kscope {

// Before load: with bpf_task_pt_regs the exit programs read the arguments themselves and
// the entry programs stay unloaded (half the tracepoints, no per-thread map traffic). A
// syscall this kernel has no tracepoint for (fchmodat2 before 6.6; chmod, rename and the
// other legacy calls on arm64) loads neither program.
Result<void> configure_syscall_programs(BpfObject& obj, std::span<const char* const> syscalls);

}  // namespace kscope
