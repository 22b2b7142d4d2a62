// Anomaly detection's place in the pipeline: on the reader thread after enrichment, each
// event is attributed to a workload (its container, else the executable of the process;
// for an exec, of its parent) and taught to that workload's baseline, or judged against
// it once locked; exec, connect and error counts feed the rate trackers. New items and
// rate rises become alerts with "source":"anomaly". Baselines are written to the store
// about once a second and reloaded when `kscope baseline` changed them there.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "anomaly/baselines.h"
#include "anomaly/rate_anomaly.h"
#include "events/event.h"
#include "metrics/prometheus_text.h"
#include "pipeline/process_cache.h"
#include "store/baseline_store.h"

namespace kscope {

// anomaly: {enabled, learn, rate_interval, rate_threshold, rate_min, rate_warmup,
// alerts_per_minute}; off by default.
struct AnomalyConfig {
    bool enabled = false;
    uint64_t learn_s = 24 * 3600;  // each workload's learning window, from its first event
    bool rates = true;
    anomaly::RateOptions rate;
    uint32_t alerts_per_minute = 10;  // per workload; more are counted, not sent
    bool operator==(const AnomalyConfig& o) const {
        return enabled == o.enabled && learn_s == o.learn_s && rates == o.rates &&
               rate.interval_ns == o.rate.interval_ns && rate.alpha == o.rate.alpha &&
               rate.threshold == o.rate.threshold && rate.min_rate == o.rate.min_rate &&
               rate.warmup == o.rate.warmup && alerts_per_minute == o.alerts_per_minute;
    }
};

class AnomalyStage {
public:
    // store: where baselines persist (null: in memory only).
    AnomalyStage(AnomalyConfig config, std::unique_ptr<BaselineStore> store);
    // Loads the stored baselines.
    Result<void> start();
    // A new configuration (on reload): learning windows already running keep theirs.
    void reconfigure(const AnomalyConfig& config);
    // Learns from or judges `event`; alerts are appended.
    void inspect(const Event& event, ProcessCache& cache, std::vector<Event>& alerts);
    // Writes what was learned; picks up changes `kscope baseline` made.
    void flush();
    // Each second (the reader calls it after every drain): flush(), and the rate intervals
    // that ended with nothing after them are judged; their alerts are appended.
    void tick(std::vector<Event>& alerts);
    // An alert of tick() the pipeline could not take (counted in the metrics).
    void count_lost() { lost_++; }
    void append_metrics(PrometheusText& m);

private:
    void judge(const std::string& workload, anomaly::ItemKind kind, const std::string& item, const Event& event,
               uint64_t now_ns, std::vector<Event>& alerts);
    void count_rate(const std::string& workload, int rate_kind, const Event& event, uint64_t now_ns,
                    std::vector<Event>& alerts);
    // A rate alert; event: the one that closed the interval, or null when the clock did.
    void raise_rate(const std::string& workload, int rate_kind, const anomaly::RateRise& rise,
                    const CommonFields& last, const Event* event, std::vector<Event>& alerts);
    bool allow_alert(const std::string& workload, uint64_t now_ns);
    // trigger: the event that showed it, or null (a rate judged on the clock).
    AlertEvent make_alert(const CommonFields& common, const Event* trigger, const std::string& workload,
                          std::string anomaly);
    void flush_locked();
    // The name a DNS answer gave this address, or "".
    std::string name_of(const std::string& address) const;
    void remember_names(const DnsEvent& dns);

    std::mutex mu_;  // the reader thread inspects; /metrics and the agent's stop read
    AnomalyConfig config_;
    std::unique_ptr<BaselineStore> store_;
    anomaly::Baselines baselines_;
    // Per workload: exec, connect and error rates, and the last process counted in each.
    struct WorkloadRates {
        std::array<anomaly::RateTracker, 3> trackers;
        std::array<CommonFields, 3> last;
        uint64_t last_seen_ns = 0;
    };
    std::unordered_map<std::string, WorkloadRates> rates_;
    uint64_t latest_ns_ = 0;  // the newest event's time: the clock rates and locks are judged by
    uint64_t rates_not_kept_ = 0;
    std::atomic<uint64_t> lost_{0};
    // Per workload: alert tokens and when they were counted.
    std::unordered_map<std::string, std::pair<double, uint64_t>> tokens_;
    std::unordered_map<std::string, std::string> dns_names_;  // address -> name, bounded
    std::chrono::steady_clock::time_point last_flush_{};
    std::array<uint64_t, anomaly::kItemKinds + 3> alerts_{};  // item kinds, then the rates
    uint64_t suppressed_ = 0;
    uint64_t store_errors_ = 0;
};

}  // namespace kscope
