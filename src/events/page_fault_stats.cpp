#include "events/page_fault_stats.h"

#include <algorithm>

namespace kscope {

std::vector<FaultRow> fault_rows(const FaultSnapshot& previous, const FaultSnapshot& current, size_t top) {
    auto minus = [](uint64_t now, uint64_t before) { return now >= before ? now - before : now; };
    std::vector<FaultRow> rows;
    for (const auto& [pid, cur] : current) {
        auto it = previous.find(pid);
        FaultRow r{pid, cur.comm, minus(cur.minor, it == previous.end() ? 0 : it->second.minor),
                   minus(cur.major, it == previous.end() ? 0 : it->second.major)};
        if (r.minor + r.major)
            rows.push_back(std::move(r));
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const FaultRow& a, const FaultRow& b) { return a.minor + a.major > b.minor + b.major; });
    if (top && rows.size() > top)
        rows.resize(top);
    return rows;
}

}  // namespace kscope
