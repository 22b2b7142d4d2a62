// A probe: one BPF object (bpf/probes/<name>.bpf.c) with its ring buffer and decoder.
// The lifecycle is the same for every probe and lives here once:
// open -> configure read-only globals and maps -> load -> fill filter maps -> attach.
#pragma once

#include <cstdint>
#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bpf/bpf_object.h"
#include "events/decode.h"
#include "events/event.h"
#include "metrics/prometheus_text.h"
#include "pipeline/cgroup_paths.h"
#include "util/result.h"

namespace kscope {

// Early filters, applied in the BPF program.
struct FilterSpec {
    std::vector<uint32_t> pids;
    std::vector<std::string> comms;
    std::optional<CgroupRef> cgroup;
    bool failures_only = false;  // -x
    uint32_t exclude_pid = 0;    // kscope's own process, left out (0: none)
};

// Checks and resolves filter settings (comm lengths, the cgroup path) into a FilterSpec;
// shared by the command-line tools and the agent's configuration.
Result<FilterSpec> make_filter(std::vector<uint32_t> pids, std::vector<std::string> comms, const std::string& cgroup,
                               bool failures_only);

struct ProbeOptions {
    FilterSpec filter;
    uint32_t ring_bytes = 1u << 20;  // power of two, multiple of the page size
    std::vector<uint16_t> dns_ports;  // dns: the server ports to watch (53 when empty)
    uint32_t sample_every = 1;        // send one event in N (counted in KSCOPE_SAMPLED_OUT)
};

// True once no process has this pid (the forget_exited step of the interval probes, after
// a process's last report). pid 0 never exits.
bool process_exited(uint32_t pid);

// A skeleton's embedded object, from its <name>_bpf__elf_bytes function.
inline std::span<const uint8_t> skeleton_elf(const void* (*elf_bytes)(size_t*)) {
    size_t size = 0;
    const void* data = elf_bytes(&size);
    return {static_cast<const uint8_t*>(data), size};
}

// A decoder's typed result as an Event.
template <typename T>
Result<Event> as_event(Result<T> decoded) {
    if (!decoded)
        return decoded.error();
    return Event(std::move(decoded).value());
}

class Probe {
public:
    virtual ~Probe() = default;
    virtual std::string_view name() const = 0;
    virtual std::string_view description() const = 0;
    // Probes that only aggregate in maps have no events to decode.
    virtual Result<Event> decode(RawEvent, const DecodeContext&) const {
        return Error{"probe " + std::string(name()) + " produces no events"};
    }
    // Whether the probe streams events through a ring buffer.
    virtual bool has_events() const { return true; }
    // Events the probe makes in user space from its maps (flood alerts), appended to out;
    // the session asks after every drain of the rings, on the reader thread. Most make none.
    virtual void poll(std::vector<Event>& /*out*/) {}

    bool loaded() const { return obj_.has_value(); }
    // Opens, configures and loads; nothing is attached yet.
    Result<void> load(const ProbeOptions& options);
    // Attaches every program; the probe is usable when all attached. Virtual for probes
    // whose programs libbpf cannot attach by section name (perf events).
    virtual std::vector<HookStatus> attach();
    virtual void detach();

    Result<int> ring_fd() const;
    // A loaded probe's per-CPU map with the number of possible CPUs, for the readers of
    // in-kernel aggregates.
    struct PerCpuMap {
        int fd = -1;
        int ncpus = 0;
    };
    Result<PerCpuMap> percpu_map(std::string_view map) const;
    // Drops the kernel counted in one slot (enum kscope_drop_slot), summed over CPUs.
    uint64_t kernel_drops(uint32_t slot = 0) const;
    // While it runs: from now on one event in n is sent (n >= 1), the rest counted as
    // sampled out. The overhead governor's first lever.
    Result<void> set_sample_every(uint32_t n);
    uint32_t sample_every() const { return std::max<uint32_t>(options_.sample_every, 1); }
    // What the probe counts in the kernel beyond events, as one line for --stats ("" if
    // nothing).
    virtual std::string counters_text() const { return ""; }
    // The probe's in-kernel counters and histograms as Prometheus metrics (the agent's
    // /metrics); read from the maps when called, nothing is counted per event here.
    virtual void append_metrics(PrometheusText&) {}
    std::vector<BpfObject::ProgramStats> program_stats() const {
        return obj_ ? obj_->program_stats() : std::vector<BpfObject::ProgramStats>{};
    }
    // Program runs the kernel skipped (another BPF program active on the CPU).
    virtual uint64_t kernel_misses() const { return obj_ ? obj_->program_misses() : 0; }

protected:
    // The skeleton's embedded ELF.
    virtual std::span<const uint8_t> elf() const = 0;
    // Probe-specific settings before load (read-only globals, which programs to load);
    // options_ holds the options load() was given.
    virtual Result<void> configure(BpfObject&) { return {}; }

private:
    Result<void> apply_filter_maps(const FilterSpec& filter);

protected:
    std::optional<BpfObject> obj_;
    ProbeOptions options_;
};

}  // namespace kscope
