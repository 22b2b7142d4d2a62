#include "probes/privilege_probe.h"

#include <unistd.h>

#include <cstring>
#include <fstream>

#include "bpf/features.h"
#include "bpf/map_iter.h"
#include "events/decode_privilege.h"
#include "kscope/abi/privilege.h"
#include "privilege.skel.h"

namespace kscope {
namespace {

// The ptrace target's name when the kernel could not read it (best effort: the process
// may be gone, or the pid reused).
std::string comm_from_proc(uint32_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
    std::string comm;
    std::getline(in, comm);
    return comm;
}

}  // namespace

std::span<const uint8_t> PrivilegeProbe::elf() const { return skeleton_elf(privilege_bpf__elf_bytes); }

Result<void> PrivilegeProbe::configure(BpfObject& obj) {
    // Without CONFIG_MODULES the kernel has neither the module syscalls' tracepoints nor
    // module:module_load (the syscalls return ENOSYS): nothing to attach them to.
    modules_traced_ = tracepoint_exists("syscalls/sys_enter_finit_module") &&
                      tracepoint_exists("syscalls/sys_enter_init_module");
    const bool module_names = modules_traced_ && tracepoint_exists("module/module_load");
    for (const char* program : {"ks_init_module_enter", "ks_init_module_exit", "ks_finit_module_enter",
                                "ks_finit_module_exit"})
        if (auto r = obj.set_autoload(program, modules_traced_); !r)
            return r;
    if (auto r = obj.set_autoload("ks_module_load", module_names); !r)
        return r;
    description_ = std::string(kDescription);
    if (!modules_traced_)
        description_ += "; module loads not traced: this kernel has no module support";
    return {};
}

const BpfTypeNames& PrivilegeProbe::bpf_type_names() const {
    std::call_once(names_once_, [this] { names_.emplace(BpfTypeNames::from_kernel()); });
    return *names_;
}

Result<Event> PrivilegeProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    kscope_event_header h;
    if (raw.size() < sizeof(h))
        return Error{"privilege probe: event of " + std::to_string(raw.size()) + " bytes has no header"};
    std::memcpy(&h, raw.data(), sizeof(h));
    switch (h.type) {
    case KSCOPE_EVENT_PRIVILEGE:
        return as_event(decode_privilege(raw, ctx));
    case KSCOPE_EVENT_PTRACE:
        return as_event(decode_ptrace(raw, ctx, comm_from_proc));
    case KSCOPE_EVENT_MODULE_LOAD:
        return as_event(decode_module_load(raw, ctx));
    case KSCOPE_EVENT_BPF:
        return as_event(decode_bpf(raw, ctx, bpf_type_names()));
    case KSCOPE_EVENT_PERF_EVENT_OPEN:
        return as_event(decode_perf_event_open(raw, ctx));
    case KSCOPE_EVENT_USERFAULTFD:
        return as_event(decode_userfaultfd(raw, ctx));
    default:
        return Error{"privilege probe: unexpected event type " + std::to_string(h.type)};
    }
}

std::vector<std::pair<std::string, uint64_t>> PrivilegeProbe::syscall_counts() const {
    std::vector<std::pair<std::string, uint64_t>> out;
    auto fd = obj_ ? obj_->map_fd("syscall_counts") : Result<int>(Error{"not loaded"});
    if (!fd)
        return out;
    for (uint16_t s = 0; s < KSCOPE_PRIV_SYSCALLS; s++) {
        if (!modules_traced_ && (s == KSCOPE_PRIV_INIT_MODULE || s == KSCOPE_PRIV_FINIT_MODULE))
            continue;
        out.emplace_back(privilege_syscall_name(s), percpu_sum(*fd, s));
    }
    return out;
}

void PrivilegeProbe::append_metrics(PrometheusText& m) {
    auto counts = syscall_counts();
    if (counts.empty())
        return;
    m.family("kscope_privilege_events_total", "counter",
             "privilege-related calls (credential changes, ptrace, module loads, bpf, perf_event_open by non-root, "
             "userfaultfd), by syscall");
    for (const auto& [syscall, n] : counts)
        m.sample("kscope_privilege_events_total", {{"syscall", syscall}}, double(n));
}

std::string PrivilegeProbe::counters_text() const {
    std::string text;
    for (const auto& [syscall, n] : syscall_counts())
        if (n)
            text += (text.empty() ? "" : ", ") + syscall + " " + std::to_string(n);
    std::string out = "privilege: calls seen in the kernel: " + (text.empty() ? std::string("none") : text);
    // Calls whose arguments found no room until their exit (more at once than the map holds).
    if (uint64_t lost = kernel_drops(KSCOPE_DROP_MAP_FULL))
        out += "; " + std::to_string(lost) + " lost (too many at once)";
    return out;
}

}  // namespace kscope
