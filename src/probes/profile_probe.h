// The CPU profiler's probe: perf_event sampling on every CPU, user stacks walked in the
// kernel from unwind tables loaded on demand, unique stacks counted in the kernel.
#pragma once

#include <memory>
#include <optional>

#include "probes/probe.h"
#include "profile/stack_sample.h"
#include "profile/unwind_loader.h"

namespace kscope {

struct ProfileSettings {
    // CPU samples (perf_event), or off-CPU time (sched_switch: the stacks tasks block
    // in, weighted by microseconds away).
    bool off_cpu = false;
    uint64_t min_block_ns = 1000;      // off_cpu: shorter blocks are not counted
    uint32_t frequency_hz = 99;
    bool user = true;                   // false with -K
    bool kernel = true;                 // false with -U
    uint32_t table_rows = 1u << 21;     // unwind rows for every file (16 bytes each)
};

// Kernel-side counters of the walker (kscope_profile_stat).
struct ProfileStats {
    uint64_t samples = 0, user_complete = 0, frame_pointer_frames = 0, user_stopped = 0, no_mapping = 0,
             truncated = 0, lost = 0;
};

class ProfileProbe final : public Probe {
public:
    explicit ProfileProbe(ProfileSettings settings = {}) : settings_(settings) {}
    std::string_view name() const override { return settings_.off_cpu ? "offcpu" : "profile"; }
    std::string_view description() const override {
        return settings_.off_cpu ? "off-CPU time by stack (sched_switch), user stacks unwound from .eh_frame tables"
                                 : "CPU samples with user stacks unwound in the kernel from .eh_frame tables";
    }
    // The tracepoints (exec, exit), then one perf event per CPU.
    std::vector<HookStatus> attach() override;

    // After load: maps the row array for the loader.
    Result<void> start_loader();
    UnwindLoader* loader() { return loader_.get(); }
    // Handles one record of the probe's ring: a process whose mappings the kernel needs.
    void on_record(const void* data, size_t size);
    // Every counted stack so far.
    Result<std::vector<StackSample>> read_stacks() const { return collect(false); }
    // The stacks counted since the last drain, removed from the kernel's maps (a
    // long-running profiler keeps them bounded). A sample that lands between the read and
    // the removal of its stack loses its frames.
    Result<std::vector<StackSample>> drain() { return collect(true); }
    ProfileStats stats() const;

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;

private:
    Result<std::vector<StackSample>> collect(bool remove) const;
    ProfileSettings settings_;
    std::unique_ptr<UnwindLoader> loader_;
};

}  // namespace kscope
