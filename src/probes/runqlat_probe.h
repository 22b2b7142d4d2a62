#pragma once

#include <optional>

#include "events/runq_stats.h"
#include "pipeline/cgroup_paths.h"
#include "probes/interval_epoch.h"
#include "probes/probe.h"

namespace kscope {

class RunqlatProbe final : public Probe {
public:
    explicit RunqlatProbe(RunqGroup group = RunqGroup::all) : group_(group) {}
    std::string_view name() const override { return "runqlat"; }
    std::string_view description() const override {
        return "run-queue latency (wakeup or preemption to running) as log2 histograms counted in the kernel";
    }
    bool has_events() const override { return false; }

    // Cumulative histograms now, each with its largest value since the previous call;
    // pid rows carry the process's current name, cgroup rows the cgroup's path.
    Result<RunqSnapshot> snapshot();
    // Drops the kernel entries of processes that are gone (RunqGroup::pid).
    void forget_exited(RunqSnapshot& snap);
    // kscope_runqueue_latency_seconds (every task, whatever the grouping).
    void append_metrics(PrometheusText& m) override;

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;

private:
    RunqGroup group_;
    IntervalEpoch epoch_;
    std::optional<CgroupPaths> cgroups_;
};

}  // namespace kscope
