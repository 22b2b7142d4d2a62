// Prometheus remote write 1.0: every interval, the agent's metrics as a snappy-compressed
// protobuf WriteRequest POSTed to a receiver (Prometheus, VictoriaMetrics, Mimir...).
// While the receiver is unreachable, batches wait in a bounded queue and are retried
// with backoff; the oldest beyond the bound are dropped and counted.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "metrics/prometheus_text.h"
#include "util/result.h"

namespace kscope {

struct RemoteWriteConfig {
    std::string url;           // "" = off; http(s)://host:port/path
    uint64_t interval_s = 15;
    std::string bearer_token;  // sent as Authorization: Bearer when set
    size_t max_pending = 40;   // batches kept while the receiver is down
    bool operator==(const RemoteWriteConfig&) const = default;
};

struct HttpUrl {
    std::string origin;  // scheme://host:port
    std::string path;    // "/..." (at least "/")
};
Result<HttpUrl> parse_http_url(std::string_view url);

// The request body: samples (plus the extra labels on each) at ts_ms, protobuf then snappy.
std::string encode_write_request(const std::vector<MetricSample>& samples, const Labels& extra, int64_t ts_ms);

class RemoteWriter {
public:
    RemoteWriter(RemoteWriteConfig config, Labels extra_labels, std::function<std::vector<MetricSample>()> collect);
    ~RemoteWriter();
    void start();
    void stop();
    // kscope_remote_write_* self-metrics.
    void append_metrics(PrometheusText& m) const;

private:
    void loop();
    // ok: taken; retry: down or overloaded (5xx, 429, no answer); refused: 4xx, the
    // receiver will never take this batch.
    enum class Sent { ok, retry, refused };
    Sent send(const std::string& body);

    RemoteWriteConfig config_;
    HttpUrl url_;
    Labels extra_;
    std::function<std::vector<MetricSample>()> collect_;
    std::deque<std::pair<std::string, size_t>> pending_;  // body, samples
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::thread thread_;
    std::atomic<uint64_t> sent_samples_{0}, failed_requests_{0}, dropped_samples_{0};
};

}  // namespace kscope
