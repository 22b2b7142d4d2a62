// Live events for HTTP clients (server-sent events on /api/v1/stream): a Sink on the
// pipeline that hands each event, as JSON, to every subscriber whose filter it passes.
// Each subscriber has a bounded queue; a slow client loses events (counted), the
// pipeline never waits for it. A subscriber may also ask for at most N events a second of
// each type (the dashboard: a page cannot show 10k a second, and an open storm must not
// hide the execs): the rest are thinned, counted apart from losses; alerts never are.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sinks/json_sink.h"
#include "store/event_store.h"

namespace kscope {

struct StreamedEvent {
    std::string type;
    std::string json;
};

class Subscription {
public:
    Subscription(EventQuery filter, size_t capacity, uint32_t max_per_second = 0)
        : filter_(std::move(filter)), capacity_(capacity), max_per_second_(max_per_second) {}
    // The next event, or nullopt after timeout or once the stream is closed.
    std::optional<StreamedEvent> pop(std::chrono::milliseconds timeout);
    bool closed() const { return closed_.load(); }
    uint64_t dropped() const { return dropped_.load(); }
    // Passed the filter but left out by max_per_second.
    uint64_t thinned() const { return thinned_.load(); }
    size_t queued();

private:
    friend class EventBroadcaster;
    bool push(StreamedEvent e);  // false if full (dropped)
    void close();
    EventQuery filter_;
    size_t capacity_;
    uint32_t max_per_second_;  // per event type
    std::chrono::steady_clock::time_point window_start_{};
    std::map<std::string, uint32_t> in_window_;  // per type, this second
    std::atomic<uint64_t> thinned_{0};
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<StreamedEvent> queue_;
    std::atomic<bool> closed_{false};
    std::atomic<uint64_t> dropped_{0};
};

class EventBroadcaster final : public JsonSink {
public:
    // Only type, pid, comm, container_id and text of the filter apply.
    std::shared_ptr<Subscription> subscribe(EventQuery filter, size_t capacity = 4096, uint32_t max_per_second = 0);
    void unsubscribe(const std::shared_ptr<Subscription>& s);
    // Ends every subscription, and any made later (shutdown): each client gets its
    // queued events and an end message.
    void close();
    // Waits until every client has been sent its end (false after timeout).
    bool wait_all_ended(std::chrono::milliseconds timeout);

    void write_json(const Event& event, const std::string& json) override;
    bool wants_events() const override { return count_.load(std::memory_order_relaxed) > 0; }
    bool flush() override { return true; }

    size_t subscribers() const { return count_.load(); }
    // Over all subscriptions so far: those still connected included, and for those gone,
    // what was still queued for them when they left.
    uint64_t dropped();

private:
    std::mutex mu_;
    std::vector<std::shared_ptr<Subscription>> subs_;
    std::condition_variable ended_;
    bool closed_ = false;
    std::atomic<size_t> count_{0};
    std::atomic<uint64_t> dropped_{0};
};

}  // namespace kscope
