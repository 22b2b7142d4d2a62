#include "exporters/remote_write.h"

#include <httplib.h>
#include <snappy.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "remote_write.pb.h"

namespace kscope {

Result<HttpUrl> parse_http_url(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos || (url.substr(0, scheme_end) != "http" && url.substr(0, scheme_end) != "https"))
        return Error{"'" + std::string(url) + "' is not an http:// or https:// URL"};
    const auto path_start = url.find('/', scheme_end + 3);
    HttpUrl out;
    out.origin = std::string(url.substr(0, path_start));
    out.path = path_start == std::string_view::npos ? "/" : std::string(url.substr(path_start));
    if (out.origin.size() <= scheme_end + 3)
        return Error{"'" + std::string(url) + "' has no host"};
    return out;
}

std::string encode_write_request(const std::vector<MetricSample>& samples, const Labels& extra, int64_t ts_ms) {
    prometheus::WriteRequest req;
    for (const auto& s : samples) {
        Labels labels = s.labels;
        labels.emplace_back("__name__", s.name);
        for (const auto& e : extra)
            if (std::none_of(labels.begin(), labels.end(), [&](const auto& l) { return l.first == e.first; }))
                labels.push_back(e);
        std::sort(labels.begin(), labels.end());  // the protocol wants them sorted by name
        auto* ts = req.add_timeseries();
        for (const auto& [k, v] : labels) {
            auto* l = ts->add_labels();
            l->set_name(k);
            l->set_value(v);
        }
        auto* sample = ts->add_samples();
        sample->set_value(s.value);
        sample->set_timestamp(ts_ms);
    }
    std::string raw, compressed;
    req.SerializeToString(&raw);
    snappy::Compress(raw.data(), raw.size(), &compressed);
    return compressed;
}

RemoteWriter::RemoteWriter(RemoteWriteConfig config, Labels extra_labels,
                           std::function<std::vector<MetricSample>()> collect)
    : config_(std::move(config)), extra_(std::move(extra_labels)), collect_(std::move(collect)) {
    url_ = parse_http_url(config_.url).value();  // checked when the config was read
}

RemoteWriter::~RemoteWriter() { stop(); }

void RemoteWriter::start() { thread_ = std::thread([this] { loop(); }); }

void RemoteWriter::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

RemoteWriter::Sent RemoteWriter::send(const std::string& body) {
    httplib::Client client(url_.origin);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(10, 0);
    httplib::Headers headers = {{"Content-Encoding", "snappy"},
                                {"X-Prometheus-Remote-Write-Version", "0.1.0"},
                                {"User-Agent", "kscope"}};
    if (!config_.bearer_token.empty())
        headers.emplace("Authorization", "Bearer " + config_.bearer_token);
    auto res = client.Post(url_.path, headers, body, "application/x-protobuf");
    if (!res) {
        spdlog::warn("remote write to {}: {}", config_.url, httplib::to_string(res.error()));
        return Sent::retry;
    }
    if (res->status / 100 == 2)
        return Sent::ok;
    spdlog::warn("remote write to {}: HTTP {} {}", config_.url, res->status, res->body.substr(0, 200));
    if (res->status / 100 == 4 && res->status != 429)
        return Sent::refused;  // the receiver will never take this batch: retrying cannot help
    return Sent::retry;
}

void RemoteWriter::loop() {
    using namespace std::chrono;
    auto backoff = seconds(1);
    auto next_collect = steady_clock::now();
    std::unique_lock lock(mu_);
    while (!stopping_) {
        if (steady_clock::now() >= next_collect) {
            next_collect += seconds(config_.interval_s);
            lock.unlock();
            auto samples = collect_();
            const int64_t ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
            std::string body = encode_write_request(samples, extra_, ms);
            lock.lock();
            pending_.emplace_back(std::move(body), samples.size());
            while (pending_.size() > config_.max_pending) {
                dropped_samples_ += pending_.front().second;
                pending_.pop_front();
            }
        }
        // Oldest first, so the receiver gets samples in time order.
        bool failed = false;
        while (!pending_.empty() && !stopping_) {
            auto [body, n] = pending_.front();
            lock.unlock();
            const Sent result = send(body);
            lock.lock();
            if (result == Sent::retry) {
                failed_requests_++;
                failed = true;
                break;
            }
            (result == Sent::ok ? sent_samples_ : dropped_samples_) += n;
            pending_.pop_front();
            backoff = seconds(1);
        }
        auto wake = next_collect;
        if (failed) {
            wake = std::min(next_collect, steady_clock::now() + backoff);
            backoff = std::min(backoff * 2, duration_cast<seconds>(minutes(2)));
        }
        cv_.wait_until(lock, wake, [&] { return stopping_; });
    }
}

void RemoteWriter::append_metrics(PrometheusText& m) const {
    m.family("kscope_remote_write_samples_total", "counter", "samples the remote-write receiver accepted")
        .sample("kscope_remote_write_samples_total", double(sent_samples_.load()));
    m.family("kscope_remote_write_failed_requests_total", "counter", "remote-write requests that failed (retried)")
        .sample("kscope_remote_write_failed_requests_total", double(failed_requests_.load()));
    m.family("kscope_remote_write_dropped_samples_total", "counter",
             "samples dropped: the receiver was down longer than the queue holds, or refused them (4xx)")
        .sample("kscope_remote_write_dropped_samples_total", double(dropped_samples_.load()));
}

}  // namespace kscope
