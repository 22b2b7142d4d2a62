#include "server/event_stream.h"

#include <algorithm>

namespace kscope {

bool Subscription::push(StreamedEvent e) {
    {
        std::lock_guard lock(mu_);
        if (max_per_second_ && e.type != "alert") {
            const auto now = std::chrono::steady_clock::now();
            if (now - window_start_ >= std::chrono::seconds(1)) {
                window_start_ = now;
                in_window_.clear();
            }
            if (in_window_[e.type]++ >= max_per_second_) {
                thinned_++;
                return true;
            }
        }
        if (queue_.size() >= capacity_) {
            dropped_++;
            return false;
        }
        queue_.push_back(std::move(e));
    }
    cv_.notify_one();
    return true;
}

std::optional<StreamedEvent> Subscription::pop(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return !queue_.empty() || closed_.load(); });
    if (queue_.empty())
        return std::nullopt;
    StreamedEvent e = std::move(queue_.front());
    queue_.pop_front();
    return e;
}

size_t Subscription::queued() {
    std::lock_guard lock(mu_);
    return queue_.size();
}

void Subscription::close() {
    closed_ = true;
    cv_.notify_all();
}

std::shared_ptr<Subscription> EventBroadcaster::subscribe(EventQuery filter, size_t capacity,
                                                         uint32_t max_per_second) {
    auto s = std::make_shared<Subscription>(std::move(filter), capacity, max_per_second);
    std::lock_guard lock(mu_);
    if (closed_)
        s->close();
    subs_.push_back(s);
    count_ = subs_.size();
    return s;
}

void EventBroadcaster::unsubscribe(const std::shared_ptr<Subscription>& s) {
    std::lock_guard lock(mu_);
    subs_.erase(std::remove(subs_.begin(), subs_.end(), s), subs_.end());
    count_ = subs_.size();
    dropped_ += s->dropped() + s->queued();  // never delivered to it either
    ended_.notify_all();
}

uint64_t EventBroadcaster::dropped() {
    std::lock_guard lock(mu_);
    uint64_t n = dropped_.load();
    for (const auto& s : subs_)
        n += s->dropped();
    return n;
}

void EventBroadcaster::close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    for (auto& s : subs_)
        s->close();
}

bool EventBroadcaster::wait_all_ended(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return ended_.wait_for(lock, timeout, [&] { return subs_.empty(); });
}

void EventBroadcaster::write_json(const Event& event, const std::string& json) {
    const CommonFields& c = common_of(event);
    StreamedEvent e{type_name(event), json};
    std::lock_guard lock(mu_);
    for (auto& s : subs_) {
        const EventQuery& f = s->filter_;
        if ((f.type && *f.type != e.type) || (f.pid && *f.pid != c.pid) || (f.comm && *f.comm != c.comm) ||
            (f.container_id && *f.container_id != c.container_id) ||
            (f.text && e.json.find(*f.text) == std::string::npos))
            continue;
        s->push(e);
    }
}

}  // namespace kscope
