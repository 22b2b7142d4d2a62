#include "exporters/exporter.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <random>

#include <fmt/format.h>


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
        next_seq_ = spool_->max_seq() + 1;
        if (spool_->count())
            spdlog::info("exporter {}: {} records waiting in the spool from before", name_, spool_->count());
    }
    deliverer_ = std::thread([this] { deliver_loop(); });
    spooler_ = std::thread([this] { spool_loop(); });
    return {};
}

void Exporter::stop() {
    {
        std::lock_guard lock(mem_mu_);
        stopping_ = true;
    }
    mem_cv_.notify_all();
    if (deliverer_.joinable())
        deliverer_.join();
    if (spooler_.joinable())
        spooler_.join();
}

void Exporter::write_json(const Event& event, const std::string& json) {
    enqueue(OutRecord{.type = type_name(event), .body = json});
}

void Exporter::enqueue(OutRecord record) {
    {
        std::lock_guard lock(mem_mu_);
        if (memory_.size() >= limits_.memory_records) {
            dropped_++;
            return;
        }
        record.seq = next_seq_++;
        record.msg_id = fmt::format("{}-{}", instance_, record.seq);
        memory_.push_back(std::move(record));
    }
    mem_cv_.notify_all();
}

bool Exporter::may_try() const { return up_ || std::chrono::steady_clock::now() >= retry_at_; }

void Exporter::delivered(const Delivery& d, size_t attempted) {
    sent_ += d.delivered;
    if (d.error.empty() && d.delivered == attempted) {
        if (!up_.exchange(true))
            spdlog::info("exporter {}: delivering again", name_);
        backoff_ = std::chrono::milliseconds(200);
        return;
    }
    failures_++;
    if (up_.exchange(false))
        spdlog::warn("exporter {}: {}; spooling until it is back", name_, d.error);
    retry_at_ = std::chrono::steady_clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(30000));
}

void Exporter::spool_records(const std::vector<OutRecord>& records) {
    size_t kept = 0;
    if (spool_) {
        auto n = spool_->append(records);
        kept = n ? *n : 0;
    }
    dropped_ += records.size() - kept;
}

void Exporter::deliver_loop() {
    using namespace std::chrono;
    while (true) {
        bool spooled_waiting;
        {
            std::lock_guard spool_lock(spool_mu_);
            spooled_waiting = spool_ && spool_->count();
        }
        bool stopping;
        {
            std::unique_lock lock(mem_mu_);
            if (!spooled_waiting || !may_try())
                mem_cv_.wait_for(lock, milliseconds(200), [&] { return stopping_ || !memory_.empty(); });
            stopping = stopping_;
        }
        if (!may_try()) {  // down: the spooler takes care of the queue meanwhile
            if (stopping)
                break;
            std::unique_lock lock(mem_mu_);
            mem_cv_.wait_until(lock, retry_at_, [&] { return stopping_; });
            continue;
        }
        std::vector<std::pair<int64_t, OutRecord>> spooled;
        std::vector<OutRecord> direct;
        {
            std::lock_guard spool_lock(spool_mu_);
            if (spool_ && spool_->count()) {
                auto batch = spool_->peek(limits_.batch);
                if (batch)
                    spooled = std::move(batch.value());
            } else {
                std::lock_guard lock(mem_mu_);
                while (!memory_.empty() && direct.size() < limits_.batch) {
                    direct.push_back(std::move(memory_.front()));
                    memory_.pop_front();
                }
            }
        }
        if (!spooled.empty()) {  // the oldest records wait in the spool
            std::vector<OutRecord> records;
            for (const auto& [id, r] : spooled)
                records.push_back(r);
            Delivery d = deliver(records);
            std::vector<int64_t> done;
            for (size_t i = 0; i < d.delivered; i++)
                done.push_back(spooled[i].first);
            {
                std::lock_guard spool_lock(spool_mu_);
                (void)spool_->ack(done);
            }
            delivered(d, records.size());
            continue;
        }
        if (direct.empty()) {
            if (stopping)
                break;
            continue;
        }
        Delivery d = deliver(direct);
        delivered(d, direct.size());
        if (d.delivered < direct.size()) {
            direct.erase(direct.begin(), direct.begin() + d.delivered);
            std::lock_guard spool_lock(spool_mu_);
            spool_records(direct);  // seq keeps them ahead of anything spooled meanwhile
        }
    }
    deliverer_done_ = true;
    mem_cv_.notify_all();
    close();
}

void Exporter::spool_loop() {
    using namespace std::chrono;
    while (true) {
        bool finished;
        {
            std::unique_lock lock(mem_mu_);
            mem_cv_.wait_for(lock, milliseconds(50));
            finished = deliverer_done_;
        }
        // Spool when the worker cannot deliver, is falling behind, or has stopped.
        for (;;) {
            std::lock_guard spool_lock(spool_mu_);
            std::vector<OutRecord> batch;
            {
                std::lock_guard lock(mem_mu_);
                const bool behind = memory_.size() > limits_.memory_records / 2;
                if (memory_.empty() || !(finished || !up_ || behind))
                    break;
                while (!memory_.empty() && batch.size() < limits_.batch) {
                    batch.push_back(std::move(memory_.front()));
                    memory_.pop_front();
                }
            }
            spool_records(batch);
        }
        if (finished)
            break;
    }
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
