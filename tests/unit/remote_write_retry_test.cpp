// The remote writer against a fake receiver (cpp-httplib on loopback): while it is down
// (nothing listening) batches wait, the oldest beyond max_pending are dropped and counted
// in kscope_remote_write_dropped_samples_total, and the rest arrive oldest first once it is
// back; a receiver answering 503 gets the same batch again after 1 s, then 2 s (backoff).
#include <gtest/gtest.h>
#include <httplib.h>
#include <snappy.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "exporters/remote_write.h"
#include "harness.h"
#include "remote_write.pb.h"

namespace kscope {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kSamplesPerBatch = 3;

// Every collect is one batch: a "batch" sample whose value is its number (1, 2, ...) and
// two others.
struct Batches {
    std::atomic<int> collected{0};
    std::vector<MetricSample> operator()() {
        const int n = ++collected;
        return {{"kscope_test_batch", {}, double(n)}, {"kscope_test_a", {{"x", "1"}}, 1}, {"kscope_test_b", {}, 2}};
    }
};

// A receiver on 127.0.0.1: answers `failures` requests with 503, then 204 (400 for batch
// number `refused`); records the batch number of each request and when it came.
class Receiver {
public:
    explicit Receiver(int failures, int refused = -1) : failures_(failures), refused_(refused) {
        server_.Post("/api/v1/write", [this](const httplib::Request& req, httplib::Response& res) {
            std::string raw;
            prometheus::WriteRequest wr;
            int batch = -1;
            if (req.get_header_value("Content-Encoding") == "snappy" &&
                snappy::Uncompress(req.body.data(), req.body.size(), &raw) && wr.ParseFromString(raw))
                for (const auto& ts : wr.timeseries())
                    for (const auto& l : ts.labels())
                        if (l.name() == "__name__" && l.value() == "kscope_test_batch")
                            batch = int(ts.samples(0).value());
            std::lock_guard lock(mu_);
            attempts_.push_back({batch, Clock::now()});
            if (int(attempts_.size()) <= failures_) {
                res.status = 503;
                return;
            }
            if (batch == refused_) {
                res.status = 400;
                res.set_content("bad sample", "text/plain");
                return;
            }
            if (wr.timeseries_size() == kSamplesPerBatch)
                accepted_.push_back(batch);
            res.status = 204;
        });
    }
    ~Receiver() { stop(); }
    // port 0: any free one.
    bool start(uint16_t port = 0) {
        if (port == 0) {
            port_ = uint16_t(server_.bind_to_any_port("127.0.0.1"));
        } else if (server_.bind_to_port("127.0.0.1", port)) {
            port_ = port;
        }
        if (port_ == 0)
            return false;
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        return true;
    }
    void stop() {
        server_.stop();
        if (thread_.joinable())
            thread_.join();
    }
    uint16_t port() const { return port_; }
    std::vector<int> accepted() {
        std::lock_guard lock(mu_);
        return accepted_;
    }
    std::vector<std::pair<int, Clock::time_point>> attempts() {
        std::lock_guard lock(mu_);
        return attempts_;
    }

private:
    httplib::Server server_;
    std::thread thread_;
    uint16_t port_ = 0;
    const int failures_, refused_;
    std::mutex mu_;
    std::vector<std::pair<int, Clock::time_point>> attempts_;
    std::vector<int> accepted_;
};

double metric(const RemoteWriter& w, const std::string& name) {
    PrometheusText m;
    w.append_metrics(m);
    for (const auto& s : m.samples())
        if (s.name == name)
            return s.value;
    return -1;
}

bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!cond()) {
        if (Clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

TEST(RemoteWriteRetry, WhileTheReceiverIsDownTheOldestBeyondMaxPendingAreDroppedAndCounted) {
    const uint16_t port = test::free_port();  // nothing listens on it
    Batches batches;
    RemoteWriteConfig config;
    config.url = "http://127.0.0.1:" + std::to_string(port) + "/api/v1/write";
    config.interval_s = 1;
    config.max_pending = 2;
    RemoteWriter writer(config, {{"job", "kscope"}}, std::ref(batches));
    writer.start();
    // Down for four collects: batches 1 and 2 no longer fit beside 3 and 4.
    ASSERT_TRUE(eventually([&] { return batches.collected >= 4; }, 10s));
    EXPECT_EQ(metric(writer, "kscope_remote_write_samples_total"), 0);
    EXPECT_GE(metric(writer, "kscope_remote_write_failed_requests_total"), 3);

    Receiver receiver(/*failures=*/0);
    ASSERT_TRUE(receiver.start(port)) << "port " << port << " was taken meanwhile";
    ASSERT_TRUE(eventually([&] { return receiver.accepted().size() >= 2; }, 10s));
    writer.stop();

    // What arrived is a run of consecutive batches, oldest first; every batch before it
    // was dropped, and counted with its samples.
    const std::vector<int> got = receiver.accepted();
    ASSERT_GE(got.size(), 2u);
    for (size_t i = 1; i < got.size(); i++)
        EXPECT_EQ(got[i], got[i - 1] + 1) << "batches out of order or missing";
    const int dropped_batches = got.front() - 1;
    EXPECT_GE(dropped_batches, 2);
    EXPECT_EQ(metric(writer, "kscope_remote_write_dropped_samples_total"), dropped_batches * kSamplesPerBatch);
    EXPECT_EQ(metric(writer, "kscope_remote_write_samples_total"), double(got.size()) * kSamplesPerBatch);
    // Each attempt made while it was down failed and was counted; none reached it.
    for (const auto& [batch, when] : receiver.attempts())
        EXPECT_GT(batch, dropped_batches);
}

TEST(RemoteWriteRetry, A503IsRetriedWithDoublingBackoffThenDelivered) {
    Receiver receiver(/*failures=*/2);
    ASSERT_TRUE(receiver.start());
    Batches batches;
    RemoteWriteConfig config;
    config.url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/api/v1/write";
    config.interval_s = 3600;  // one collect: every later request is a retry
    config.max_pending = 5;
    RemoteWriter writer(config, {{"job", "kscope"}}, std::ref(batches));
    writer.start();
    ASSERT_TRUE(eventually([&] { return receiver.accepted().size() == 1; }, 10s));
    writer.stop();

    const auto attempts = receiver.attempts();
    ASSERT_EQ(attempts.size(), 3u);
    for (const auto& [batch, when] : attempts)
        EXPECT_EQ(batch, 1);  // the same batch each time
    const double first_gap = std::chrono::duration<double>(attempts[1].second - attempts[0].second).count();
    const double second_gap = std::chrono::duration<double>(attempts[2].second - attempts[1].second).count();
    EXPECT_GE(first_gap, 0.95);
    EXPECT_LT(first_gap, 1.9);
    EXPECT_GE(second_gap, 1.95);
    EXPECT_LT(second_gap, 3.5);
    EXPECT_EQ(batches.collected, 1);
    EXPECT_EQ(metric(writer, "kscope_remote_write_failed_requests_total"), 2);
    EXPECT_EQ(metric(writer, "kscope_remote_write_samples_total"), kSamplesPerBatch);
    EXPECT_EQ(metric(writer, "kscope_remote_write_dropped_samples_total"), 0);
}

}  // namespace
}  // namespace kscope

namespace kscope {
namespace {

// A 400 says the receiver will never take that batch: it is not retried, and its samples
// are counted as dropped, not as accepted.
TEST(RemoteWriteRetry, ABatchRefusedWith400IsDroppedNotRetriedNorCountedAsAccepted) {
    Receiver receiver(/*failures=*/0, /*refused=*/1);
    ASSERT_TRUE(receiver.start());
    Batches batches;
    RemoteWriteConfig config;
    config.url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/api/v1/write";
    config.interval_s = 1;
    RemoteWriter writer(config, {{"job", "kscope"}}, std::ref(batches));
    writer.start();
    ASSERT_TRUE(eventually([&] { return receiver.accepted().size() == 1; }, 10s));
    writer.stop();

    std::vector<int> tried;
    for (const auto& [batch, when] : receiver.attempts())
        tried.push_back(batch);
    ASSERT_GE(tried.size(), 2u);
    EXPECT_EQ(tried[0], 1);
    EXPECT_EQ(tried[1], 2);  // next is batch 2: batch 1 was not sent again
    EXPECT_EQ(receiver.accepted(), std::vector<int>{2});
    EXPECT_EQ(metric(writer, "kscope_remote_write_failed_requests_total"), 0);
    EXPECT_EQ(metric(writer, "kscope_remote_write_samples_total"), kSamplesPerBatch);
    EXPECT_EQ(metric(writer, "kscope_remote_write_dropped_samples_total"), kSamplesPerBatch);
}

}  // namespace
}  // namespace kscope
