// The flood program (bpf/probes/flood.bpf.c) on the guarded interfaces: XDP in native
// mode where the driver has it, generic otherwise, a tcx ingress link as the last resort
// (each a BPF link owned by this process). Every 250 ms the per-source counts are read
// (batch calls of 1024 sources), judged (FloodDetector), and a source over a limit becomes an alert
// with "source":"flood"; with mitigate, its address goes into the kernel's `blocked` map
// and its packets are dropped there until the cooldown ends.
#pragma once

#include <array>
#include <cstddef>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "enforce/flood_detector.h"
#include "probes/probe.h"

namespace kscope::enforce {

// flood: {enabled, interfaces, mode, udp_pps, syn_pps, pps, mitigate, cooldown, max_sources}
struct FloodConfig {
    bool enabled = false;
    std::vector<std::string> interfaces;
    std::string mode = "auto";  // auto (native, then generic, then tc), native, generic, tc
    FloodLimits limits;
    bool mitigate = false;
    uint32_t max_sources = 16384;  // sources counted at once (LRU)
    bool operator==(const FloodConfig&) const = default;
};

class FloodProbe final : public Probe {
public:
    explicit FloodProbe(FloodConfig config);
    std::string_view name() const override { return "flood"; }
    std::string_view description() const override {
        return "packets per source at XDP (or tc) ingress; sources over a rate limit alerted and, with mitigate, dropped";
    }
    bool has_events() const override { return false; }
    // One hook per interface, in the first mode that attaches.
    std::vector<HookStatus> attach() override;
    void poll(std::vector<Event>& out) override;
    void append_metrics(PrometheusText& m) override;
    std::string counters_text() const override;
    const FloodConfig& config() const { return config_; }

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;

private:
    // Every source's totals, summed over CPUs; false when the map could not be read.
    bool read_sources(std::vector<SourceTotals>& out);
    // Writes the source into the kernel's blocked map; false (logged) when it could not.
    bool block(const SourceAddr& addr, uint64_t until_mono_ns);
    void expire_blocks(uint64_t now_mono_ns);
    void write_blocked_count();
    AlertEvent make_alert(const FloodFinding& f, bool mitigated) const;

    FloodConfig config_;
    FloodDetector detector_;
    std::map<uint32_t, std::string> names_;  // ifindex -> interface
    std::vector<std::pair<std::string, std::string>> modes_;  // interface, mode attached
    std::chrono::steady_clock::time_point last_read_{};
    mutable std::mutex mu_;  // the reader thread polls; /metrics reads
    std::map<SourceAddr, uint64_t> blocked_;  // address -> cooldown end (CLOCK_MONOTONIC ns)
    std::map<std::string, uint64_t> alerts_;  // per protocol
    uint64_t read_errors_ = 0;
    std::vector<std::byte> keys_, values_;  // batch read buffers
    size_t tracked_ = 0;
};

}  // namespace kscope::enforce
