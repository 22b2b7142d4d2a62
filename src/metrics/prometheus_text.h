// Builds a Prometheus text-format (0.0.4) exposition: families with HELP and TYPE, then
// their samples; label values escaped; log2 nanosecond histograms as _seconds histograms.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kscope {

using Labels = std::vector<std::pair<std::string, std::string>>;

// One sample as written, for pushing the same numbers elsewhere (remote write).
struct MetricSample {
    std::string name;
    Labels labels;
    double value = 0;
};

class PrometheusText {
public:
    // Starts a family; its samples must follow before the next family starts. A family
    // declared twice (two probes sharing one) is only described once.
    PrometheusText& family(std::string_view name, std::string_view type, std::string_view help);
    PrometheusText& sample(std::string_view name, const Labels& labels, double value);
    PrometheusText& sample(std::string_view name, double value) { return sample(name, {}, value); }
    // A histogram from log2 slots of nanoseconds (slot i: [2^i, 2^(i+1)) ns) as cumulative
    // `le` buckets in seconds from 1 us to ~34 s; sum_ns is the exact total when known.
    PrometheusText& log2_histogram(std::string_view name, const Labels& labels, std::span<const uint64_t> slots,
                                   uint64_t sum_ns);

    const std::string& text() const { return out_; }
    const std::vector<MetricSample>& samples() const { return samples_; }

private:
    std::string out_;
    std::vector<MetricSample> samples_;
    std::vector<std::string> declared_;
};

// Label values per the exposition format: backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view v);

}  // namespace kscope
