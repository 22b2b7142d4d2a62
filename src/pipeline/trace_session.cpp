#include "pipeline/trace_session.h"

#include <system_error>
#include <thread>

#include <fmt/format.h>

namespace kscope {

TraceSession::TraceSession(std::vector<std::unique_ptr<Probe>> probes, SessionOptions options)
    : probes_(std::move(probes)), options_(std::move(options)), queue_(options_.queue_capacity) {
    for (size_t i = 0; i < probes_.size(); i++)
        counters_.push_back(std::make_unique<Counters>());
    enricher_ = std::make_unique<Enricher>(cache_, cgroup2_mount_point().value_or(""));
    if (options_.redactor)
        cache_.set_argv_filter([r = options_.redactor](std::vector<std::string>& argv) { r->redact_argv(argv); });
    if (options_.rules)
        rules_ = std::make_unique<RulesStage>(options_.rules, cache_, options_.runtime_sockets);
}

namespace {

// Each probe's links close in parallel (BpfObject::detach_all); the probes do too, so a
// session of many probes stops in about one grace period, not one per probe.
void detach_all(std::vector<std::unique_ptr<Probe>>& probes) {
    std::vector<std::thread> threads;
    size_t started = 0;
    try {
        for (; started < probes.size(); started++) {
            auto& p = probes[started];
            threads.emplace_back([&p] {
                if (p)  // a failed start() leaves moved-from slots
                    p->detach();
            });
        }
    } catch (const std::system_error&) {
        // No more threads (a pids limit): detach the rest here.
    }
    for (auto& t : threads)
        t.join();
    for (size_t i = started; i < probes.size(); i++)
        if (probes[i])
            probes[i]->detach();
}

}  // namespace

TraceSession::~TraceSession() {
    if (reader_)
        reader_->stop();
    detach_all(probes_);
}

Result<void> TraceSession::start() {
    reader_ = std::make_unique<RingReader>(options_.drain_interval);
    reader_->on_drained([this] { queue_.wake(); });
    reader_->on_poll([this] { on_poll(); });
    // Load and attach everything first, so a probe left out never had a ring registered.
    std::vector<std::unique_ptr<Probe>> running;
    for (auto& probe : probes_) {
        Probe& p = *probe;
        if (p.loaded()) {  // handed over from a previous session, attached all along
            running.push_back(std::move(probe));
            continue;
        }
        auto over = options_.probe_overrides.find(std::string(p.name()));
        const ProbeOptions& po = over != options_.probe_overrides.end() ? over->second : options_.probe;
        Result<void> ok = p.load(po);
        if (ok) {
            for (const auto& hook : p.attach()) {
                hooks_.emplace_back(std::string(p.name()), hook);
                if (!hook.attached && ok)
                    ok = Error{fmt::format("probe {}: cannot attach {} to {}: {}", p.name(), hook.program, hook.hook,
                                           hook.error)};
            }
        }
        if (!ok) {
            if (!options_.skip_unavailable)
                return ok;
            p.detach();
            unavailable_.emplace_back(std::string(p.name()), ok.error().message);
            continue;
        }
        running.push_back(std::move(probe));
    }
    probes_ = std::move(running);
    counters_.resize(probes_.size());
    for (size_t i = 0; i < probes_.size(); i++) {
        Probe& p = *probes_[i];
        if (!p.has_events())
            continue;
        auto fd = p.ring_fd();
        if (!fd)
            return fd.error();
        auto added = reader_->add(*fd, [this, i](const void* d, size_t n) { on_raw(i, d, n); });
        if (!added)
            return added.error().context("probe " + std::string(p.name()));
    }
    return {};
}

void TraceSession::on_raw(size_t index, const void* data, size_t size) {
    auto event = probes_[index]->decode(RawEvent(static_cast<const std::byte*>(data), size), options_.decode);
    if (!event) {
        counters_[index]->decode_errors.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    handle(index, std::move(event.value()));
}

void TraceSession::on_poll() {
    bool any = false;
    if (options_.anomaly) {  // baselines reach the store, and rates are judged, when nothing happens too
        polled_.clear();
        options_.anomaly->tick(polled_);
        for (auto& a : polled_) {
            any = true;
            if (!queue_.try_push(std::move(a), /*wake=*/false, /*urgent=*/true))
                options_.anomaly->count_lost();
        }
    }
    for (size_t i = 0; i < probes_.size(); i++) {
        polled_.clear();
        probes_[i]->poll(polled_);
        any |= !polled_.empty();
        for (auto& e : polled_)
            handle(i, std::move(e));
    }
    if (any)
        queue_.wake();  // as after a drain: the sink thread waits for a wake
}

void TraceSession::handle(size_t index, Event&& event) {
    Counters& c = *counters_[index];
    if (options_.event_filter && !options_.event_filter(event))
        return;
    if (options_.redactor)
        options_.redactor->redact(event);
    enricher_->enrich(event);
    alerts_.clear();
    if (rules_ && !rules_->inspect(event, alerts_)) {  // a kernel action's alert, rate-limited
        enricher_->forget(event);
        return;
    }
    if (options_.anomaly)
        options_.anomaly->inspect(event, cache_, alerts_);
    enricher_->forget(event);  // after the rules: an exit's rules still see the process
    auto push = [&](Event&& e) {
        const bool alert = std::holds_alternative<AlertEvent>(e);
        if (queue_.try_push(std::move(e), /*wake=*/false, /*urgent=*/alert))
            c.events.fetch_add(1, std::memory_order_relaxed);
        else
            c.queue_drops.fetch_add(1, std::memory_order_relaxed);
    };
    push(std::move(event));
    for (auto& a : alerts_)
        push(std::move(a));
}

void TraceSession::run(Sink& sink, const std::atomic<bool>& stop_requested) {
    // Attached already: seeding the cache now costs no events, they wait in the rings.
    cache_.seed_from_proc();
    reader_->start();

    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    const uint64_t limit = options_.max_events;
    // False once --count events went out.
    auto deliver = [&](const Event& e) {
        if (limit && delivered_ >= limit)
            return false;
        sink.write(e);
        ++delivered_;
        return !limit || delivered_ < limit;
    };
    std::vector<Event> batch;
    bool open = true;
    auto interrupted = [&] { return options_.interrupt && options_.interrupt->load(); };
    while (open && !stop_requested.load() && !interrupted()) {
        if (options_.duration && Clock::now() - started >= *options_.duration)
            break;
        batch.clear();
        queue_.pop_all(batch, options_.flush_interval);
        for (const Event& e : batch)
            if (!deliver(e)) {
                open = false;
                break;
            }
        // Flushed after every drained batch, so a pipe sees events within ~100 ms.
        if (!sink.flush())
            open = false;
    }
    reader_->stop();
    if (open) {  // what the last drain brought in
        batch.clear();
        queue_.pop_all(batch, std::chrono::milliseconds(0));
        for (const Event& e : batch)
            if (!deliver(e))
                break;
    }
    sink.finish();
    sink.flush();
    if (!interrupted() || stop_requested.load())
        detach_all(probes_);
}

std::vector<std::unique_ptr<Probe>> TraceSession::release_probes() {
    if (reader_)
        reader_->stop();
    counters_.clear();
    auto out = std::move(probes_);
    probes_.clear();
    return out;
}

std::vector<ProbeStats> TraceSession::stats() const {
    std::vector<ProbeStats> out;
    for (size_t i = 0; i < probes_.size(); i++) {
        const Counters& c = *counters_[i];
        out.push_back(ProbeStats{std::string(probes_[i]->name()), c.events.load(), probes_[i]->kernel_drops(),
                                 probes_[i]->kernel_misses(), c.queue_drops.load(), c.decode_errors.load()});
    }
    return out;
}

std::vector<std::string> TraceSession::counters() const {
    std::vector<std::string> out;
    for (const auto& p : probes_)
        if (auto text = p->counters_text(); !text.empty())
            out.push_back(std::move(text));
    return out;
}

std::string format_stats(const std::vector<ProbeStats>& stats) {
    std::string out;
    for (const auto& s : stats)
        out += fmt::format("{}: {} events, {} lost (ring buffer full), {} lost (program runs skipped by the "
                           "kernel), {} lost (queue full), {} malformed\n",
                           s.probe, s.events, s.kernel_drops, s.kernel_misses, s.queue_drops, s.decode_errors);
    return out;
}

bool any_loss(const std::vector<ProbeStats>& stats) {
    for (const auto& s : stats)
        if (s.kernel_drops || s.kernel_misses || s.queue_drops || s.decode_errors)
            return true;
    return false;
}

}  // namespace kscope
