// Log2 latency histograms counted in the kernel (struct kscope_latency_hist): summing
// CPUs, per-interval differences, percentiles, the [le_ns, count] bucket list and
// BCC-style bars. Pure: tests feed it values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kscope/abi/latency.h"

namespace kscope {

struct LatencyHistogram {
    uint64_t count = 0;
    uint64_t sum_ns = 0;
    uint64_t max_ns = 0;  // largest since the previous read (not cumulative)
    std::array<uint64_t, KSCOPE_LAT_SLOTS> slots{};

    // Adds one CPU's kernel value; its maximum counts when it belongs to the interval
    // that just ended or to the one that has started since (values recorded meanwhile
    // are in this read's counts too).
    void add_cpu(const kscope_latency_hist& h, uint64_t ended_epoch, uint64_t current_epoch);
};

// One interval of a histogram: the counts between two cumulative reads (before may be
// null: everything so far), with the maximum of the later read made consistent with its
// buckets (see consistent_max).
LatencyHistogram interval_histogram(const LatencyHistogram& now, const LatencyHistogram* before);

// What a report shows of one interval's histogram.
struct LatencySummary {
    uint64_t count = 0, sum_ns = 0;
    uint64_t p50_ns = 0, p99_ns = 0, max_ns = 0;
    // [le_ns, count]: values in (previous le_ns, le_ns], from the first non-empty bucket
    // to the last; le_ns of slot i is 2^(i+1) - 1 (slot 0: 1).
    std::vector<std::pair<uint64_t, uint64_t>> buckets;
};
LatencySummary summarize(const LatencyHistogram& interval);

// "1.5 ms", "830 ns", "12.0 us", "2.0 s".
std::string duration_text(uint64_t ns);

// A BCC-style histogram: one line per bucket from the first non-empty to the last,
// "  lo -> hi  : count  |*****   |", bars scaled to the largest bucket.
void append_histogram_bars(std::string& out, const LatencyHistogram& interval, const std::string& indent = "");

}  // namespace kscope
