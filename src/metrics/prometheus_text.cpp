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

PrometheusText& PrometheusText::sample(std::string_view name, const Labels& l, double value) {
    out_ += name;
    if (!l.empty()) {
        out_ += '{';
        for (size_t i = 0; i < l.size(); i++)
            out_ += fmt::format("{}{}=\"{}\"", i ? "," : "", l[i].first, escape_label_value(l[i].second));
        out_ += '}';
    }
    out_ += ' ';
    out_ += number(value);
    out_ += '\n';
    samples_.push_back({std::string(name), l, value});
    return *this;
}

PrometheusText& PrometheusText::log2_histogram(std::string_view name, const Labels& l, std::span<const uint64_t> slots,
                                               uint64_t sum_ns) {
    uint64_t cumulative = 0, count = 0;
    for (uint64_t n : slots)
        count += n;
    const std::string bucket = std::string(name) + "_bucket";
    auto with_le = [&](const std::string& le) {
        Labels b = l;
        b.emplace_back("le", le);
        return b;
    };
    for (size_t i = 0; i < slots.size() && i <= kLastSlot; i++) {
        cumulative += slots[i];
        if (i >= kFirstSlot)
            sample(bucket, with_le(number(std::ldexp(1.0, int(i) + 1) / 1e9)), double(cumulative));
    }
    sample(bucket, with_le("+Inf"), double(count));
    sample(std::string(name) + "_sum", l, sum_ns / 1e9);
    sample(std::string(name) + "_count", l, double(count));
    return *this;
}

}  // namespace kscope
