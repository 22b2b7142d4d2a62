#include "events/tcp_traffic.h"

#include <algorithm>

namespace kscope {

std::vector<FlowRow> flow_rows(const FlowSnapshot& previous, const FlowSnapshot& current, size_t top) {
    auto minus = [](uint64_t now, uint64_t before) { return now >= before ? now - before : now; };
    std::vector<FlowRow> rows;
    for (const auto& [key, cur] : current) {
        auto it = previous.find(key);
        FlowRow r{key, cur.comm, minus(cur.tx_bytes, it == previous.end() ? 0 : it->second.tx_bytes),
                  minus(cur.rx_bytes, it == previous.end() ? 0 : it->second.rx_bytes)};
        if (r.tx_bytes || r.rx_bytes)
            rows.push_back(std::move(r));
    }
    std::stable_sort(rows.begin(), rows.end(), [](const FlowRow& a, const FlowRow& b) {
        return a.tx_bytes + a.rx_bytes > b.tx_bytes + b.rx_bytes;
    });
    if (top && rows.size() > top)
        rows.resize(top);
    return rows;
}

}  // namespace kscope
