// Per-interval block I/O rows (biolat: per disk and operation; biotop: per process and
// disk) from cumulative in-kernel counters. Pure.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "events/latency_histogram.h"
#include "kscope/abi/block.h"

namespace kscope {

// "read", "write", "flush", "discard", "other".
const char* block_op_name(uint32_t op);

struct BlockLatencyKey {
    uint32_t dev = 0;
    uint32_t op = 0;
    auto operator<=>(const BlockLatencyKey&) const = default;
};

struct BlockLatencyCounters {
    std::string disk;
    uint64_t bytes = 0;
    LatencyHistogram total, queue, device;
};

using BlockLatencySnapshot = std::map<BlockLatencyKey, BlockLatencyCounters>;

struct BlockLatencyRow {
    std::string disk;
    std::string op;
    uint64_t bytes = 0;
    LatencyHistogram hist;  // total latency this interval
    LatencySummary total, queue, device;
};

// Disks and operations with requests completed in the interval, by disk then operation.
std::vector<BlockLatencyRow> block_latency_rows(const BlockLatencySnapshot& previous,
                                                const BlockLatencySnapshot& current);

struct BlockTopKey {
    uint32_t pid = 0;
    uint32_t dev = 0;
    auto operator<=>(const BlockTopKey&) const = default;
};

struct BlockTopCounters {
    std::string comm, disk;
    std::array<uint64_t, KSCOPE_BIO_OPS> ops{}, bytes{};
    uint64_t total_ns = 0;
};

using BlockTopSnapshot = std::map<BlockTopKey, BlockTopCounters>;

struct BlockTopRow {
    uint32_t pid = 0;
    std::string comm, disk;
    uint64_t ops = 0, reads = 0, writes = 0;
    uint64_t bytes = 0, read_bytes = 0, write_bytes = 0;
    uint64_t avg_latency_ns = 0;
};

// Processes and disks with I/O completed in the interval, most bytes first (then most
// requests), cut to top (0: all).
std::vector<BlockTopRow> block_top_rows(const BlockTopSnapshot& previous, const BlockTopSnapshot& current,
                                        size_t top);

}  // namespace kscope
