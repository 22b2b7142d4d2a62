// Per-interval TCP traffic rows (tcptop) from cumulative in-kernel byte counters. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kscope {

struct FlowKey {
    uint32_t pid = 0;
    std::string saddr, daddr;  // local, remote
    uint16_t sport = 0, dport = 0;
    auto operator<=>(const FlowKey&) const = default;
};

struct FlowCounters {
    std::string comm;
    uint64_t tx_bytes = 0, rx_bytes = 0;
};

using FlowSnapshot = std::map<FlowKey, FlowCounters>;

struct FlowRow {
    FlowKey flow;
    std::string comm;
    uint64_t tx_bytes = 0, rx_bytes = 0;
};

// Bytes moved between two snapshots, most first, cut to top (0: all); idle flows left out.
std::vector<FlowRow> flow_rows(const FlowSnapshot& previous, const FlowSnapshot& current, size_t top);

}  // namespace kscope
