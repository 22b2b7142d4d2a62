#include "store/store_sink.h"

#include <spdlog/spdlog.h>


namespace kscope {

StoreSink::StoreSink(std::unique_ptr<EventStore> store, RetentionPolicy retention)
    : store_(std::move(store)), retention_(retention) {}

void StoreSink::write_json(const Event& event, const std::string& json) {
    const CommonFields& c = common_of(event);
    StoredEvent row{c.ts_ns, type_name(event), c.pid, c.comm, c.container_id, json};
    batch_.push_back(std::move(row));
    pending_size_.store(batch_.size(), std::memory_order_relaxed);
}

bool StoreSink::flush() {
    if (!batch_.empty()) {
        if (auto r = store_->append(batch_); r) {
            stored_ += batch_.size();
        } else {
            failed_ += batch_.size();
            spdlog::error("{} ({} events lost)", r.error().message, batch_.size());
        }
        batch_.clear();
        pending_size_.store(0, std::memory_order_relaxed);
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_retention_ >= std::chrono::minutes(1)) {
        last_retention_ = now;
        const auto wall = std::chrono::system_clock::now().time_since_epoch();
        if (auto r = store_->enforce(retention_, std::chrono::duration_cast<std::chrono::nanoseconds>(wall).count()); !r)
            spdlog::error("{}", r.error().message);
        else if (*r)
            spdlog::info("event store retention removed {} events", *r);
    }
    return true;
}

}  // namespace kscope
