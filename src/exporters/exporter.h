// The shared machinery of every exporter: a bounded in-memory queue fed by the pipeline
// (never blocks it), a worker thread that delivers in batches, and an on-disk spool that
// holds what could not be delivered while the server is down or slow. A second thread
// moves the queue into the spool whenever the worker falls behind (a server that hangs
// on connect), so records are lost only when the spool is full, and counted. Delivery
// resumes by itself, in order.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "exporters/spool.h"
#include "metrics/prometheus_text.h"
#include "sinks/json_sink.h"

namespace kscope {

struct ExporterLimits {
    size_t memory_records = 10000;
    std::string spool_path;               // "" = no spool: undeliverable records are dropped
    uint64_t spool_bytes = 256ull << 20;
    size_t batch = 500;
    bool operator==(const ExporterLimits&) const = default;
};

class Exporter : public JsonSink {
public:
    Exporter(std::string name, ExporterLimits limits);
    ~Exporter() override;

    Result<void> start();  // opens the spool, starts the worker
    void stop();           // delivers what it can, spools the rest, stops

    void write_json(const Event& event, const std::string& json) override;
    bool flush() override { return true; }
    // For records that are not pipeline events (alerts).
    void enqueue(OutRecord record);

    const std::string& name() const { return name_; }
    // What one delivery attempt achieved.
    struct Delivery {
        size_t delivered = 0;
        std::string error;  // "" on success
    };
    struct Stats {
        uint64_t sent = 0, dropped = 0, failures = 0;
        bool up = true;
    };
    Stats stats() const { return {sent_.load(), dropped_.load(), failures_.load(), up_.load()}; }

protected:
    // Delivers records in order; returns how many were delivered before an error (all of
    // them on success). Called on the worker thread only.
    virtual Delivery deliver(const std::vector<OutRecord>& records) = 0;
    // Called on the worker thread after stop() is requested, before it returns.
    virtual void close() {}

private:
    void deliver_loop();  // the worker: spooled records first, then the memory queue
    void spool_loop();    // moves the memory queue to the spool while delivery cannot keep up
    bool may_try() const;
    void delivered(const Delivery& d, size_t attempted);
    // Writes records to the spool (caller holds spool_mu_); counts what does not fit.
    void spool_records(const std::vector<OutRecord>& records);

    std::string name_;
    ExporterLimits limits_;
    std::unique_ptr<Spool> spool_;
    std::mutex mem_mu_;  // memory_, next_seq_, stopping_
    std::condition_variable mem_cv_;
    std::deque<OutRecord> memory_;
    uint64_t next_seq_ = 1;
    bool stopping_ = false;
    // Held while records move between memory and spool, so that what is delivered straight
    // from memory is never newer than something on its way into the spool.
    std::mutex spool_mu_;
    std::thread deliverer_, spooler_;
    std::atomic<bool> deliverer_done_{false};
    std::string instance_;  // msg-id prefix, unique per agent start
    std::chrono::steady_clock::time_point retry_at_{};
    std::chrono::milliseconds backoff_{200};
    std::atomic<uint64_t> sent_{0}, dropped_{0}, failures_{0};
    std::atomic<bool> up_{true};
};

// kscope_exporter_* metrics of every exporter, one family at a time.
void append_exporter_metrics(PrometheusText& m, const std::vector<std::unique_ptr<Exporter>>& exporters);

}  // namespace kscope
