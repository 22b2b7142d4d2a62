// Per-interval run-queue latency rows from cumulative in-kernel histograms. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "events/latency_histogram.h"

namespace kscope {

enum class RunqGroup { all, pid, cgroup };

struct RunqCounters {
    std::string name;  // pid: the process's comm; cgroup: its path ("" if unknown)
    LatencyHistogram hist;
};

// Keyed by tgid or cgroup id (0 for the single row of RunqGroup::all).
using RunqSnapshot = std::map<uint64_t, RunqCounters>;

struct RunqRow {
    uint64_t id = 0;   // pid or cgroup id
    std::string name;  // comm or cgroup path
    LatencyHistogram hist;  // this interval's
    LatencySummary summary;
};

// What happened between two snapshots. RunqGroup::all always has its one row (an idle
// interval shows count 0); otherwise groups that waited in the interval, most total
// waiting first, cut to top (0: all).
std::vector<RunqRow> runq_rows(const RunqSnapshot& previous, const RunqSnapshot& current, RunqGroup group,
                               size_t top);

}  // namespace kscope
