// The agent's continuous CPU profiler: the profile probe at a low rate on every CPU,
// drained every second, its stacks named while the processes live, kept per minute in the
// store and handed to anyone capturing a fresh profile (/debug/pprof/profile).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "agent/config.h"
#include "metrics/prometheus_text.h"
#include "probes/profile_probe.h"
#include "profile/symbolizer.h"
#include "store/profile_store.h"

namespace kscope {

class ContinuousProfiler {
public:
    // store may be null (profiles are then only captured, not kept).
    ContinuousProfiler(ProfilingConfig config, std::unique_ptr<ProfileStore> store, uint64_t retention_s);
    ~ContinuousProfiler();

    Result<void> start();
    void stop();
    // The stacks sampled during the next `duration`, named. Blocks.
    std::vector<SymbolizedStack> capture(std::chrono::milliseconds duration);
    uint32_t frequency_hz() const { return config_.frequency_hz; }
    const ProfileProbe* probe() const { return probe_.get(); }
    // The minute being gathered (not yet in the store), as rows the query keeps.
    std::vector<ProfileRow> unflushed(const ProfileQuery& q) const;
    void append_metrics(PrometheusText& m) const;

private:
    struct Capture {
        std::vector<SymbolizedStack> stacks;
        bool skip_first = true;  // the first drain holds samples from before the capture
    };
    using MinuteKey = std::tuple<uint32_t, std::string, std::string, std::string>;  // pid, comm, container, stack

    void run();
    void drain_once();
    void flush_minute(uint64_t minute_ns);
    std::string container_of(uint32_t pid);

    ProfilingConfig config_;
    std::unique_ptr<ProfileStore> store_;
    uint64_t retention_s_;
    std::unique_ptr<ProfileProbe> probe_;
    std::unique_ptr<Symbolizer> symbolizer_;  // used on the profiler thread only
    std::thread thread_;
    std::atomic<bool> stop_{false};
    void* ring_ = nullptr;  // ring_buffer*

    mutable std::mutex mu_;  // captures_, counters, minute_
    std::condition_variable drained_;
    std::vector<Capture*> captures_;
    uint64_t samples_ = 0, stored_rows_ = 0, store_failures_ = 0;

    std::map<MinuteKey, uint64_t> minute_;  // written by the profiler thread only
    uint64_t minute_ns_ = 0;
    std::map<uint32_t, std::string> containers_;
};

}  // namespace kscope
