#include "events/syscall_stats.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "events/names.h"
#include "events/syscall_names.h"

namespace kscope {

uint64_t histogram_percentile(const std::array<uint64_t, KSCOPE_LAT_SLOTS>& hist, double p, uint64_t max_ns) {
    uint64_t total = 0;
    for (uint64_t n : hist)
        total += n;
    if (total == 0)
        return 0;
    const double target = std::max(1.0, std::ceil(p * double(total)));
    uint64_t seen = 0;
    for (size_t slot = 0; slot < hist.size(); slot++) {
        if (hist[slot] == 0 || double(seen + hist[slot]) < target) {
            seen += hist[slot];
            continue;
        }
        // Slot 0 holds [0, 2); slot i holds [2^i, 2^(i+1)).
        double lo = slot == 0 ? 0 : std::ldexp(1.0, int(slot));
        double hi = std::ldexp(1.0, int(slot) + 1);
        double fraction = (target - double(seen)) / double(hist[slot]);
        auto v = static_cast<uint64_t>(lo + (hi - lo) * fraction);
        return max_ns ? std::min(v, max_ns) : v;
    }
    return max_ns;
}

std::string latency_percentiles_text(const std::array<uint64_t, KSCOPE_LAT_SLOTS>& hist) {
    if (std::all_of(hist.begin(), hist.end(), [](uint64_t n) { return n == 0; }))
        return "p50 n/a, p99 n/a";
    return fmt::format("p50 {:.1f} us, p99 {:.1f} us", histogram_percentile(hist, 0.5, 0) / 1e3,
                       histogram_percentile(hist, 0.99, 0) / 1e3);
}

uint64_t consistent_max(const std::array<uint64_t, KSCOPE_LAT_SLOTS>& hist, uint64_t measured_max,
                        uint64_t total_ns) {
    size_t top = hist.size();
    while (top > 0 && hist[top - 1] == 0)
        top--;
    if (top == 0)
        return std::min(measured_max, total_ns);
    const size_t slot = top - 1;
    const uint64_t lo = slot == 0 ? 0 : uint64_t(1) << slot;
    const uint64_t hi = (uint64_t(1) << (slot + 1)) - 1;
    // The largest call is at least the slowest bucket's floor, and no longer than that
    // bucket's ceiling or than all calls together.
    return std::clamp(measured_max, lo, std::max(lo, std::min(hi, total_ns)));
}

namespace {

uint64_t minus(uint64_t now, uint64_t before) { return now >= before ? now - before : now; }

SyscallRow row_for(const SyscallKey& key, const SyscallCounters& cur, const SyscallCounters* prev) {
    SyscallRow r;
    r.pid = key.pid;
    r.comm = cur.comm;
    r.syscall = syscall_name(key.nr);
    r.calls = minus(cur.calls, prev ? prev->calls : 0);
    r.errors = minus(cur.errors, prev ? prev->errors : 0);
    r.total_ns = minus(cur.total_ns, prev ? prev->total_ns : 0);
    std::array<uint64_t, KSCOPE_LAT_SLOTS> hist{};
    for (size_t i = 0; i < hist.size(); i++)
        hist[i] = minus(cur.hist[i], prev ? prev->hist[i] : 0);
    r.max_ns = consistent_max(hist, cur.max_ns, r.total_ns);
    r.p50_ns = histogram_percentile(hist, 0.50, r.max_ns);
    r.p99_ns = histogram_percentile(hist, 0.99, r.max_ns);
    for (auto [err, n] : cur.errnos) {
        uint64_t before = 0;
        if (prev)
            if (auto it = prev->errnos.find(err); it != prev->errnos.end())
                before = it->second;
        if (uint64_t d = minus(n, before))
            r.errnos.emplace_back(errno_name(int(err)), d);
    }
    std::stable_sort(r.errnos.begin(), r.errnos.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    // errors is the sum of the errnos shown; the counters are read one after the other
    // while calls go on, so a call can land in one interval and its errno in the next.
    r.errors = 0;
    for (const auto& [_, n] : r.errnos)
        r.errors += n;
    r.calls = std::max(r.calls, r.errors);
    return r;
}

}  // namespace

std::vector<SyscallRow> interval_rows(const SyscallSnapshot& previous, const SyscallSnapshot& current,
                                      const SyscallReportOptions& options) {
    std::vector<SyscallRow> rows;
    for (const auto& [key, cur] : current) {
        auto it = previous.find(key);
        SyscallRow r = row_for(key, cur, it == previous.end() ? nullptr : &it->second);
        if (r.calls == 0 || (options.errors_only && r.errors == 0))
            continue;
        rows.push_back(std::move(r));
    }
    auto rank_value = [&](const SyscallRow& r) {
        switch (options.rank) {
        case SyscallRank::errors: return r.errors;
        case SyscallRank::time: return r.total_ns;
        case SyscallRank::calls: break;
        }
        return r.calls;
    };
    std::stable_sort(rows.begin(), rows.end(), [&](const SyscallRow& a, const SyscallRow& b) {
        if (rank_value(a) != rank_value(b))
            return rank_value(a) > rank_value(b);
        return a.calls > b.calls;
    });
    if (options.top && rows.size() > options.top)
        rows.resize(options.top);
    return rows;
}

}  // namespace kscope
