// Per-interval page-fault rows from cumulative in-kernel counters. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kscope {

struct FaultCounters {
    std::string comm;
    uint64_t minor = 0, major = 0;
};

using FaultSnapshot = std::map<uint32_t, FaultCounters>;  // by tgid

struct FaultRow {
    uint32_t pid = 0;
    std::string comm;
    uint64_t minor = 0, major = 0;
};

// Processes that faulted in the interval, most faults (minor + major) first, cut to top
// (0: all).
std::vector<FaultRow> fault_rows(const FaultSnapshot& previous, const FaultSnapshot& current, size_t top);

}  // namespace kscope
