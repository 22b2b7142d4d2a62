#include "events/runq_stats.h"

#include <algorithm>

namespace kscope {

std::vector<RunqRow> runq_rows(const RunqSnapshot& previous, const RunqSnapshot& current, RunqGroup group,
                               size_t top) {
    std::vector<RunqRow> rows;
    for (const auto& [id, cur] : current) {
        auto it = previous.find(id);
        RunqRow r;
        r.id = id;
        r.name = cur.name;
        r.hist = interval_histogram(cur.hist, it == previous.end() ? nullptr : &it->second.hist);
        if (r.hist.count == 0 && group != RunqGroup::all)
            continue;
        r.summary = summarize(r.hist);
        rows.push_back(std::move(r));
    }
    if (group == RunqGroup::all && rows.empty())
        rows.push_back(RunqRow{});
    std::stable_sort(rows.begin(), rows.end(), [](const RunqRow& a, const RunqRow& b) {
        if (a.summary.sum_ns != b.summary.sum_ns)
            return a.summary.sum_ns > b.summary.sum_ns;
        return a.id < b.id;
    });
    if (top && rows.size() > top)
        rows.resize(top);
    return rows;
}

}  // namespace kscope
