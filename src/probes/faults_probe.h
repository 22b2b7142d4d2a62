#pragma once

#include <vector>

#include "events/page_fault_stats.h"
#include "probes/probe.h"

namespace kscope {

class FaultsProbe final : public Probe {
public:
    // per_process false: totals only (the agent), no per-process map is filled.
    explicit FaultsProbe(bool per_process = true) : per_process_(per_process) {}
    ~FaultsProbe() override { detach(); }
    std::string_view name() const override { return "faults"; }
    std::string_view description() const override {
        return "page faults per process, minor and major, counted in the kernel from perf software events";
    }
    bool has_events() const override { return false; }

    // The programs go on the software events PERF_COUNT_SW_PAGE_FAULTS_MIN/MAJ of every
    // online CPU (sample period 1), which libbpf cannot attach by section name.
    std::vector<HookStatus> attach() override;
    void detach() override;

    Result<FaultSnapshot> snapshot();
    void forget_exited(FaultSnapshot& snap);
    // kscope_page_faults_total{type="minor|major"}.
    void append_metrics(PrometheusText& m) override;

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;

private:
    bool per_process_;
    std::vector<int> perf_fds_;
};

}  // namespace kscope
