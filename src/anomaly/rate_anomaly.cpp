#include "anomaly/rate_anomaly.h"

#include <algorithm>
#include <cmath>

namespace kscope::anomaly {

std::optional<RateRise> RateTracker::add(uint64_t now_ns, const RateOptions& o) {
    auto rise = advance(now_ns, o);
    count_++;
    return rise;
}

std::optional<RateRise> RateTracker::advance(uint64_t now_ns, const RateOptions& o) {
    if (interval_start_ == 0) {
        interval_start_ = now_ns;
        return std::nullopt;
    }
    // Rings drain one after another: an event may be older than the interval open now.
    if (now_ns < interval_start_)
        return std::nullopt;
    const uint64_t ended = (now_ns - interval_start_) / o.interval_ns;
    if (ended == 0)
        return std::nullopt;
    auto rise = close_interval(double(count_) / (double(o.interval_ns) / 1e9), o);
    // The silent intervals since then count as zero; past a hundred they teach nothing more.
    for (uint64_t i = 1; i < std::min<uint64_t>(ended, 100); i++)
        (void)close_interval(0, o);
    interval_start_ += ended * o.interval_ns;
    count_ = 0;
    return rise;
}

std::optional<RateRise> RateTracker::close_interval(double rate, const RateOptions& o) {
    if (seen_ < o.warmup) {
        // The first intervals are averaged evenly, then the newest weighs alpha.
        seen_++;
        learn(rate, std::max(o.alpha, 1.0 / seen_));
        return std::nullopt;
    }
    // A deviation of at least 10% of the mean (or 0.5/s): a flat history does not make
    // every small wobble a rise.
    const double dev = std::max({std::sqrt(var_), 0.1 * mean_, 0.5});
    std::optional<RateRise> rise;
    if (!rising_) {
        if (rate > mean_ + o.threshold * dev && rate >= o.min_rate) {
            rising_ = true;
            rise = RateRise{rate, mean_, dev};
        }
    } else if (rate < mean_ + o.threshold / 2 * dev) {
        rising_ = false;
    }
    // A rise moves the mean slowly (a tenth of the weight) and not the deviation, so a
    // level that stays becomes the new normal in time, but one burst barely counts.
    if (rising_)
        mean_ += o.alpha / 10 * (rate - mean_);
    else
        learn(rate, o.alpha);
    return rise;
}

void RateTracker::learn(double rate, double alpha) {
    const double d = rate - mean_;
    mean_ += alpha * d;
    var_ = (1 - alpha) * (var_ + alpha * d * d);
}

}  // namespace kscope::anomaly
