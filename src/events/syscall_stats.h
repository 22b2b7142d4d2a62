// Per-interval syscall statistics from cumulative in-kernel counters: deltas, merging,
// percentiles from the log2 histogram, ranking. Pure: tests feed it snapshots.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "kscope/abi/syscalls.h"

namespace kscope {

struct SyscallKey {
    uint32_t pid = 0;  // 0 when aggregated by syscall
    uint32_t nr = 0;
    auto operator<=>(const SyscallKey&) const = default;
};

struct SyscallCounters {
    std::string comm;
    uint64_t calls = 0;
    uint64_t errors = 0;
    uint64_t total_ns = 0;
    std::array<uint64_t, KSCOPE_LAT_SLOTS> hist{};
    std::map<uint32_t, uint64_t> errnos;  // errno -> count
    uint64_t max_ns = 0;                  // largest since the previous read (not cumulative)
};

// Cumulative counters as read from the kernel at one moment.
using SyscallSnapshot = std::map<SyscallKey, SyscallCounters>;

struct SyscallRow {
    uint32_t pid = 0;
    std::string comm;
    std::string syscall;
    uint64_t calls = 0, errors = 0, total_ns = 0;
    uint64_t p50_ns = 0, p99_ns = 0, max_ns = 0;
    std::vector<std::pair<std::string, uint64_t>> errnos;  // ("ENOENT", n), most frequent first
};

enum class SyscallRank { calls, errors, time };

struct SyscallReportOptions {
    SyscallRank rank = SyscallRank::calls;
    size_t top = 10;           // 0: every row
    bool errors_only = false;  // rows with at least one error
};

// The p-quantile (0..1) of a log2 histogram, interpolated inside its bucket and capped by
// max_ns when that is known.
uint64_t histogram_percentile(const std::array<uint64_t, KSCOPE_LAT_SLOTS>& hist, double p, uint64_t max_ns);

// "p50 12.3 us, p99 45.6 us" for a latency histogram; "p50 n/a, p99 n/a" when it is
// empty (no latency measured is not a latency of 0).
std::string latency_percentiles_text(const std::array<uint64_t, KSCOPE_LAT_SLOTS>& hist);

// The interval's maximum made consistent with its histogram and total: the kernel's
// per-CPU maximum can miss calls that ended as the interval turned over (0 with calls
// counted), so it is raised to the floor of the slowest non-empty bucket and kept at or
// below that bucket's ceiling and the interval's total time.
uint64_t consistent_max(const std::array<uint64_t, KSCOPE_LAT_SLOTS>& hist, uint64_t measured_max,
                        uint64_t total_ns);

// What happened between two snapshots, ranked and cut to the top N.
std::vector<SyscallRow> interval_rows(const SyscallSnapshot& previous, const SyscallSnapshot& current,
                                      const SyscallReportOptions& options);

}  // namespace kscope
