#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "events/bpf_type_names.h"
#include "probes/probe.h"

namespace kscope {

class PrivilegeProbe final : public Probe {
public:
    std::string_view name() const override { return "privilege"; }
    std::string_view description() const override { return description_.empty() ? kDescription : description_; }
    Result<Event> decode(RawEvent raw, const DecodeContext& ctx) const override;
    // kscope_privilege_events_total{syscall} (every traced call, whatever the filters).
    void append_metrics(PrometheusText& m) override;
    std::string counters_text() const override;

protected:
    std::span<const uint8_t> elf() const override;
    // Leaves out the module-load programs on kernels without module support.
    Result<void> configure(BpfObject& obj) override;

private:
    static constexpr std::string_view kDescription =
        "credential changes (set*id, setgroups, capset), ptrace, module loads, bpf(), perf_event_open by non-root, "
        "userfaultfd";
    // Read from the kernel's BTF at the first bpf() event, not at start.
    const BpfTypeNames& bpf_type_names() const;
    // Calls counted in the kernel per syscall name (only the syscalls traced here).
    std::vector<std::pair<std::string, uint64_t>> syscall_counts() const;

    std::string description_;
    bool modules_traced_ = true;
    mutable std::once_flag names_once_;
    mutable std::optional<BpfTypeNames> names_;
};

}  // namespace kscope
