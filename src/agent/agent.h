// `kscope agent`: every enabled probe on one session, events into the store, metrics
// and the event API over HTTP. The composition root; the parts live elsewhere.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "agent/config.h"
#include "agent/continuous_profiler.h"
#include "agent/governor.h"
#include "exporters/remote_write.h"
#include "pipeline/trace_session.h"
#include "server/http_server.h"
#include "store/store_sink.h"

namespace kscope {

class Agent {
public:
    // reload_source: where a reload gets the next configuration (the file, with the
    // command line's overrides applied again); reload_flag: set (by SIGHUP) to reload.
    Agent(AgentConfig config, std::function<Result<AgentConfig>()> reload_source, std::atomic<bool>* reload_flag);
    ~Agent();

    // Loads the probes this kernel supports, opens the store, starts HTTP.
    Result<void> start();
    // Runs the pipeline until stop is set, reloading whenever the reload flag is set;
    // flushes the store and the exporters before returning.
    void run(const std::atomic<bool>& stop);
    // The /metrics page.
    std::string metrics();
    // /api/v1/probes: the doctor table, live (probe_table.cpp).
    std::string probes_json();
    // The same numbers as samples (remote write).
    std::vector<MetricSample> metric_samples();
    uint16_t http_port() const { return http_.port(); }

private:
    PrometheusText collect();
    // The session's counts plus those of earlier sessions (reloads); under state_mu_.
    std::vector<ProbeStats> probe_stats() const;
    // kscope_alerts_total{rule,priority}, suppressed alerts, rules loaded and skipped.
    void append_rule_metrics(PrometheusText& m);
    void apply_enforcement(TraceSession& session, const AgentConfig& config);
    // anomaly.enabled: the baselines (loaded from the store), kept across reloads.
    Result<void> start_anomaly(const AgentConfig& config);
    // A session of the enabled probes: those handed over keep running, others are loaded.
    Result<std::unique_ptr<TraceSession>> make_session(const AgentConfig& config,
                                                      std::vector<std::unique_ptr<Probe>> handed_over);
    Result<void> start_exporters();
    void stop_exporters();
    void start_remote_write();
    // Applies a new configuration; on any error the old one stays in force, whole.
    void reload(AgentConfig next);
    bool send_test_alert();
    // Continuous profiling (profiling.enabled): started after the probes; its failure is
    // logged and shown as kscope_probe_up{probe="profile"} 0, the agent runs on.
    void start_profiler();
    HttpHandlers profile_handlers(HttpHandlers h);
    AgentConfig config_;
    std::unique_ptr<RemoteWriter> remote_write_;
    std::vector<std::unique_ptr<Exporter>> exporters_;
    std::map<std::string, ProbeStats> carried_;  // counts of earlier sessions, for probes still on
    AlertmanagerExporter* alertmanager_ = nullptr;  // one of exporters_, if configured
    std::unique_ptr<TraceSession> session_;
    std::unique_ptr<StoreSink> store_;
    std::unique_ptr<ContinuousProfiler> profiler_;
    std::shared_ptr<AnomalyStage> anomaly_;
    bool profiler_failed_ = false;
    uint64_t redacted_before_ = 0;  // secrets the redactors of earlier sessions replaced

    // The overhead governor (limits.cpu_percent; agent_governor.cpp): a thread judging
    // kscope's cost every kGovernorInterval, under state_mu_ like /metrics.
    void start_governor();
    void stop_governor();
    void governor_tick();
    void append_governor_metrics(PrometheusText& m);
    std::unique_ptr<Governor> governor_;
    std::thread governor_thread_;
    std::mutex governor_mu_;  // with governor_cv_: wakes the thread to stop
    std::condition_variable governor_cv_;
    bool governor_stopping_ = false;
    const TraceSession* governed_session_ = nullptr;
    struct GovernorReading {
        std::chrono::steady_clock::time_point at;
        uint64_t self_ticks = 0, bpf_ns = 0;
        std::map<std::string, uint64_t> seen;  // per probe: events sent or sampled out
    };
    std::optional<GovernorReading> governor_last_;
    double self_cpu_ratio_ = -1;  // -1: not measured yet
    std::map<std::string, uint64_t> governor_actions_;  // by kind
    std::set<std::string> governor_stopped_;
    EventBroadcaster stream_;
    HttpServer http_;
    std::function<Result<AgentConfig>()> reload_source_;
    std::atomic<bool>* reload_flag_;
    std::mutex state_mu_;  // session_, exporters_ and remote_write_ change on reload
    int bpf_stats_fd_ = -1;
};

}  // namespace kscope
