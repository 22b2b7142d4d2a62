#pragma once

#include "events/syscall_stats.h"
#include "probes/probe.h"

namespace kscope {

class SyscallsProbe final : public Probe {
public:
    explicit SyscallsProbe(bool by_process = true) : by_process_(by_process) {}
    std::string_view name() const override { return "syscalls"; }
    std::string_view description() const override {
        return "per-process, per-syscall counts, errors by errno and latency, aggregated in the kernel";
    }
    bool has_events() const override { return false; }

    // Cumulative counters now, and each key's largest latency since the previous call.
    Result<SyscallSnapshot> snapshot();
    // Drops the in-kernel entries (and the snapshot's) of processes that are gone, after
    // their last interval was reported, so the maps do not fill with the dead.
    void forget_exited(SyscallSnapshot& snap);
    // Calls, errors by errno and time per syscall (summed over processes).
    void append_metrics(PrometheusText& m) override;

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;

private:
    bool by_process_;
    uint64_t epoch_ = 0;  // the interval the kernel is filling
};

}  // namespace kscope
