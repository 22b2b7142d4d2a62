// What this kernel and this process can do: version, BTF, privileges, tracefs, and which
// BPF program types load here. Used before tracing (preflight) and by `kscope doctor`.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace kscope {

struct KernelVersion {
    int major = 0, minor = 0, patch = 0;
    std::string release;  // uname -r
    bool at_least(int maj, int min) const { return major > maj || (major == maj && minor >= min); }
};
KernelVersion kernel_version();

constexpr const char* kVmlinuxBtf = "/sys/kernel/btf/vmlinux";
constexpr const char* kTracefs = "/sys/kernel/tracing";

struct Privileges {
    bool root = false;
    bool cap_sys_admin = false;
    bool cap_bpf = false;
    bool cap_perfmon = false;
    bool enough() const { return cap_sys_admin || (cap_bpf && cap_perfmon); }
};
Privileges privileges();

bool tracefs_mounted();
// Whether tracefs has the tracepoint "category/name" (e.g. "syscalls/sys_enter_init_module":
// kernels without module support have none).
bool tracepoint_exists(const std::string& category_and_name);
// Mounts tracefs at /sys/kernel/tracing when it is missing (libbpf needs it to attach
// tracepoints); an error says how to do it by hand.
Result<void> ensure_tracefs();

// Everything kscope needs to trace, checked in order; the first missing one is returned
// as one sentence that says what is missing and how to get it.
Result<void> preflight();

// BPF helpers some probes use when the kernel has them, with a fallback when not.
enum class BpfHelper { task_pt_regs };
// Whether a tracepoint program may call the helper here (probed once, then cached).
bool kernel_has_helper(BpfHelper helper);

struct FeatureCheck {
    std::string name;
    bool ok = false;
    std::string detail;  // why not, or a note
    // false for hooks kscope can use but never depends on (kprobes, fentry, LSM): their
    // absence is not a failure.
    bool needed = true;
};
// Loads a minimal program of each type kscope may use, and checks the attach points
// that need more than a load (kprobes, fentry, LSM).
std::vector<FeatureCheck> probe_program_types();

}  // namespace kscope
