// `kscope agent`: every enabled probe on one session, events into the store, metrics
// and the event API over HTTP. The composition root; the parts live elsewhere.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "agent/config.h"
#include "exporters/remote_write.h"
#include "pipeline/trace_session.h"
#include "server/http_server.h"
#include "store/store_sink.h"

namespace kscope {

class Agent {
public:
    explicit Agent(AgentConfig config);
    ~Agent();

    // Loads the probes this kernel supports, opens the store, starts HTTP.
    Result<void> start();
    // Runs the pipeline until stop is set; flushes the store before returning.
    void run(const std::atomic<bool>& stop);
    // The /metrics page.
    std::string metrics();
    // The same numbers as samples (remote write).
    std::vector<MetricSample> metric_samples();
    uint16_t http_port() const { return http_.port(); }

private:
    PrometheusText collect();
    Result<void> start_exporters();
    void send_test_alert();
    AgentConfig config_;
    std::unique_ptr<RemoteWriter> remote_write_;
    std::vector<std::unique_ptr<Exporter>> exporters_;
    AlertmanagerExporter* alertmanager_ = nullptr;  // one of exporters_, if configured
    std::unique_ptr<TraceSession> session_;
    std::unique_ptr<StoreSink> store_;
    EventBroadcaster stream_;
    HttpServer http_;
    std::mutex metrics_mu_;
    int bpf_stats_fd_ = -1;
};

}  // namespace kscope
