// Rate anomalies: a count per interval (execs, connects, errors of one workload) judged
// against its own recent history, an exponentially weighted mean and deviation. A sharp
// rise (over mean + threshold deviations, and over a floor) raises once; it clears only
// when the rate falls back under mean + threshold/2 deviations (hysteresis). While it
// lasts the mean learns at a tenth of the weight and the deviation not at all, so one
// burst barely moves the history but a level that stays becomes normal in time. Pure:
// the caller passes the time.
#pragma once

#include <cstdint>
#include <optional>

namespace kscope::anomaly {

struct RateOptions {
    uint64_t interval_ns = 10'000'000'000ull;  // one count per interval
    double alpha = 0.1;          // weight of the newest interval in the mean and deviation
    double threshold = 4.0;      // deviations over the mean
    double min_rate = 1.0;       // per second: below this nothing is a rise
    uint32_t warmup = 6;         // intervals learned before anything is judged
};

struct RateRise {
    double rate = 0;      // per second, in the interval that rose
    double expected = 0;  // the learned mean, per second
    double deviation = 0; // the learned deviation, per second
};

class RateTracker {
public:
    // Counts one event at now_ns (one older than the open interval counts in it); a rise
    // found when an interval closes is returned.
    std::optional<RateRise> add(uint64_t now_ns, const RateOptions& o);
    // Closes the intervals that ended before now_ns (with their counts, empty ones as 0):
    // a burst is judged when its interval ends, also if nothing follows it.
    std::optional<RateRise> advance(uint64_t now_ns, const RateOptions& o);
    bool rising() const { return rising_; }
    double mean() const { return mean_; }

private:
    std::optional<RateRise> close_interval(double rate, const RateOptions& o);
    void learn(double rate, double alpha);
    uint64_t interval_start_ = 0;
    uint64_t count_ = 0;
    double mean_ = 0, var_ = 0;
    uint32_t seen_ = 0;
    bool rising_ = false;
};

}  // namespace kscope::anomaly
