#include "exporters/exporter.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <random>

#include <fmt/format.h>

#include "sinks/event_json.h"

namespace kscope {

Exporter::Exporter(std::string name, ExporterLimits limits) : name_(std::move(name)), limits_(std::move(limits)) {
    std::random_device rd;
    instance_ = fmt::format("{:08x}{:08x}", rd(), rd());
}

Exporter::~Exporter() { stop(); }

Result<void> Exporter::start() {
    if (!limits_.spool_path.empty()) {
        auto s = Spool::open(limits_.spool_path, limits_.spool_bytes);
        if (!s)
            return s.error().context("exporter " + name_);
        spool_ = std::move(s.value());
        if (spool_->count())
            spdlog::info("exporter {}: {} records waiting in the spool from before", name_, spool_->count());
    }
    worker_ = std::thread([this] { loop(); });
    return {};
}

void Exporter::stop() {
    {
        std::lock_guard lock(mu_);
        if (stopping_ && !worker_.joinable())
            return;
        stopping_ = true;
    }
    cv_.notify_all();
    if (worker_.joinable())
        worker_.join();
}

void Exporter::write(const Event& event) {
    OutRecord r;
    r.type = type_name(event);
    append_event_json(r.body, event);
    enqueue(std::move(r));
}

void Exporter::enqueue(OutRecord record) {
    {
        std::lock_guard lock(mu_);
        if (memory_.size() >= limits_.memory_records) {
            dropped_++;
            return;
        }
        record.msg_id = fmt::format("{}-{}", instance_, next_seq_++);
        memory_.push_back(std::move(record));
    }
    cv_.notify_one();
}

// Delivers the spool, oldest first; true when it is empty.
bool Exporter::drain_spool() {
    while (spool_ && spool_->count()) {
        auto batch = spool_->peek(limits_.batch);
        if (!batch || batch->empty())
            return false;
        std::vector<OutRecord> records;
        for (auto& [id, r] : *batch)
            records.push_back(r);
        Delivery d = deliver(records);
        if (d.delivered)
            (void)spool_->ack((*batch)[d.delivered - 1].first);
        sent_ += d.delivered;
        if (!d.error.empty()) {
            failures_++;
            if (up_.exchange(false))
                spdlog::warn("exporter {}: {}; spooling until it is back", name_, d.error);
            return false;
        }
    }
    return true;
}

void Exporter::loop() {
    using namespace std::chrono;
    auto backoff = milliseconds(200);
    auto retry_at = steady_clock::now();
    std::unique_lock lock(mu_);
    while (true) {
        cv_.wait_for(lock, milliseconds(200), [&] { return stopping_ || !memory_.empty(); });
        const bool stopping = stopping_;
        std::vector<OutRecord> batch;
        while (!memory_.empty() && batch.size() < limits_.batch) {
            batch.push_back(std::move(memory_.front()));
            memory_.pop_front();
        }
        lock.unlock();

        bool delivered_all = false;
        const bool may_try = up_ || steady_clock::now() >= retry_at;
        // Order: whatever waits in the spool goes before new records.
        if (may_try && drain_spool() && !batch.empty()) {
            Delivery d = deliver(batch);
            sent_ += d.delivered;
            if (d.error.empty()) {
                delivered_all = true;
            } else {
                failures_++;
                if (up_.exchange(false))
                    spdlog::warn("exporter {}: {}; spooling until it is back", name_, d.error);
                batch.erase(batch.begin(), batch.begin() + d.delivered);
            }
        }
        if (batch.empty())
            delivered_all = true;
        if (!delivered_all) {
            size_t kept = 0;
            if (spool_) {
                auto n = spool_->append(batch);
                kept = n ? *n : 0;
            }
            dropped_ += batch.size() - kept;
        }
        if (may_try) {
            if (up_ || (spool_ && !spool_->count() && delivered_all)) {
                if (!up_.exchange(true))
                    spdlog::info("exporter {}: delivering again", name_);
                backoff = milliseconds(200);
            } else {
                retry_at = steady_clock::now() + backoff;
                backoff = std::min(backoff * 2, duration_cast<milliseconds>(seconds(30)));
            }
        }
        lock.lock();
        if (stopping && memory_.empty())
            break;
    }
    lock.unlock();
    close();
}

void append_exporter_metrics(PrometheusText& m, const std::vector<std::unique_ptr<Exporter>>& exporters) {
    if (exporters.empty())
        return;
    auto family = [&](const char* name, const char* type, const char* help, auto value) {
        m.family(name, type, help);
        for (const auto& e : exporters)
            m.sample(name, {{"exporter", e->name()}}, value(e->stats()));
    };
    family("kscope_exporter_sent_total", "counter", "records an exporter delivered",
           [](const Exporter::Stats& s) { return double(s.sent); });
    family("kscope_exporter_dropped_total", "counter", "records lost: memory queue and spool both full",
           [](const Exporter::Stats& s) { return double(s.dropped); });
    family("kscope_exporter_failures_total", "counter", "failed deliveries (retried from the spool)",
           [](const Exporter::Stats& s) { return double(s.failures); });
    family("kscope_exporter_up", "gauge", "1 while the exporter's server takes records",
           [](const Exporter::Stats& s) { return s.up ? 1.0 : 0.0; });
}

}  // namespace kscope
