#include "metrics/prometheus_text.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace kscope {
namespace {

// Buckets for slots 9..34: upper bounds 2^10 ns (~1 us) .. 2^35 ns (~34 s).
constexpr size_t kFirstSlot = 9, kLastSlot = 34;

std::string number(double v) {
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        return fmt::format("{}", static_cast<int64_t>(v));
    return fmt::format("{}", v);
}

}  // namespace

std::string escape_label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

PrometheusText& PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
    if (std::find(declared_.begin(), declared_.end(), name) != declared_.end())
        return *this;
    declared_.emplace_back(name);
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    return *this;
}

void PrometheusText::labels(const Labels& l, std::string_view extra_name, std::string_view extra_value) {
    if (l.empty() && extra_name.empty())
        return;
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : l) {
        out_ += fmt::format("{}{}=\"{}\"", first ? "" : ",", k, escape_label_value(v));
        first = false;
    }
    if (!extra_name.empty())
        out_ += fmt::format("{}{}=\"{}\"", first ? "" : ",", extra_name, extra_value);
    out_ += '}';
}

PrometheusText& PrometheusText::sample(std::string_view name, const Labels& l, double value) {
    out_ += name;
    labels(l);
    out_ += ' ';
    out_ += number(value);
    out_ += '\n';
    return *this;
}

PrometheusText& PrometheusText::log2_histogram(std::string_view name, const Labels& l, std::span<const uint64_t> slots,
                                               uint64_t sum_ns) {
    uint64_t cumulative = 0, count = 0;
    for (uint64_t n : slots)
        count += n;
    for (size_t i = 0; i < slots.size() && i <= kLastSlot; i++) {
        cumulative += slots[i];
        if (i < kFirstSlot)
            continue;
        out_ += fmt::format("{}_bucket", name);
        labels(l, "le", number(std::ldexp(1.0, int(i) + 1) / 1e9));
        out_ += fmt::format(" {}\n", cumulative);
    }
    out_ += fmt::format("{}_bucket", name);
    labels(l, "le", "+Inf");
    out_ += fmt::format(" {}\n", count);
    sample(std::string(name) + "_sum", l, sum_ns / 1e9);
    sample(std::string(name) + "_count", l, double(count));
    return *this;
}

}  // namespace kscope
