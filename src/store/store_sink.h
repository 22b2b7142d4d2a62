// The pipeline's side of the event store: events are batched in memory and committed in
// one transaction per flush (the session flushes every ~100 ms), retention runs once a
// minute. Failures are counted, never thrown at the pipeline.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "sinks/json_sink.h"
#include "store/event_store.h"

namespace kscope {

class StoreSink final : public JsonSink {
public:
    StoreSink(std::unique_ptr<EventStore> store, RetentionPolicy retention);
    void write_json(const Event& event, const std::string& json) override;
    bool flush() override;
    void finish() override { flush(); }

    uint64_t stored() const { return stored_.load(); }
    uint64_t failed() const { return failed_.load(); }  // events a failed commit lost
    size_t pending() const { return pending_size_.load(); }

private:
    std::unique_ptr<EventStore> store_;
    RetentionPolicy retention_;
    std::vector<StoredEvent> batch_;
    std::chrono::steady_clock::time_point last_retention_{};
    std::atomic<uint64_t> stored_{0}, failed_{0};
    std::atomic<size_t> pending_size_{0};
};

}  // namespace kscope
