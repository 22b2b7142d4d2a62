#include "events/latency_histogram.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "events/syscall_stats.h"

namespace kscope {

void LatencyHistogram::add_cpu(const kscope_latency_hist& h, uint64_t ended_epoch, uint64_t current_epoch) {
    count += h.count;
    sum_ns += h.sum_ns;
    if (h.max_epoch == ended_epoch || h.max_epoch == current_epoch)
        max_ns = std::max<uint64_t>(max_ns, h.max_ns);
    if (h.prev_epoch == ended_epoch)  // a newer value moved the interval's maximum aside
        max_ns = std::max<uint64_t>(max_ns, h.prev_max_ns);
    for (size_t i = 0; i < slots.size(); i++)
        slots[i] += h.slots[i];
}

namespace {

uint64_t minus(uint64_t now, uint64_t before) { return now >= before ? now - before : now; }

uint64_t slot_le(size_t slot) { return (uint64_t(1) << (slot + 1)) - 1; }

}  // namespace

LatencyHistogram interval_histogram(const LatencyHistogram& now, const LatencyHistogram* before) {
    LatencyHistogram d;
    d.count = minus(now.count, before ? before->count : 0);
    d.sum_ns = minus(now.sum_ns, before ? before->sum_ns : 0);
    uint64_t in_slots = 0;
    for (size_t i = 0; i < d.slots.size(); i++) {
        d.slots[i] = minus(now.slots[i], before ? before->slots[i] : 0);
        in_slots += d.slots[i];
    }
    // The counters are read one CPU after the other while values are recorded: the
    // count shown is the one the buckets add up to.
    d.count = in_slots;
    d.max_ns = d.count ? consistent_max(d.slots, now.max_ns, d.sum_ns) : 0;
    return d;
}

LatencySummary summarize(const LatencyHistogram& h) {
    LatencySummary s;
    s.count = h.count;
    s.sum_ns = h.sum_ns;
    s.max_ns = h.max_ns;
    if (h.count == 0)
        return s;
    s.p50_ns = histogram_percentile(h.slots, 0.50, h.max_ns);
    s.p99_ns = histogram_percentile(h.slots, 0.99, h.max_ns);
    size_t first = 0, last = h.slots.size();
    while (first < last && h.slots[first] == 0)
        first++;
    while (last > first && h.slots[last - 1] == 0)
        last--;
    for (size_t i = first; i < last; i++)
        s.buckets.emplace_back(slot_le(i), h.slots[i]);
    return s;
}

std::string duration_text(uint64_t ns) {
    if (ns < 1'000)
        return fmt::format("{} ns", ns);
    if (ns < 1'000'000)
        return fmt::format("{:.1f} us", ns / 1e3);
    if (ns < 1'000'000'000)
        return fmt::format("{:.1f} ms", ns / 1e6);
    return fmt::format("{:.1f} s", ns / 1e9);
}

void append_histogram_bars(std::string& out, const LatencyHistogram& h, const std::string& indent) {
    size_t first = 0, last = h.slots.size();
    while (first < last && h.slots[first] == 0)
        first++;
    while (last > first && h.slots[last - 1] == 0)
        last--;
    const uint64_t peak = first < last ? *std::max_element(h.slots.begin() + first, h.slots.begin() + last) : 0;
    constexpr size_t kWidth = 40;
    auto o = std::back_inserter(out);
    fmt::format_to(o, "{}{:>21} : {:<10} distribution\n", indent, "latency", "count");
    for (size_t i = first; i < last; i++) {
        const uint64_t lo = i == 0 ? 0 : uint64_t(1) << i;
        const uint64_t hi = uint64_t(1) << (i + 1);
        const size_t stars = peak ? size_t((h.slots[i] * kWidth + peak - 1) / peak) : 0;
        fmt::format_to(o, "{}{:>9} -> {:<9} : {:<10} |{:<{}}|\n", indent, duration_text(lo), duration_text(hi),
                       h.slots[i], std::string(stars, '*'), kWidth);
    }
}

}  // namespace kscope
