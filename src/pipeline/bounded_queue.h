// A bounded multi-producer queue drained in batches. A full queue refuses the item
// (the caller counts the drop) instead of blocking the ring-buffer reader.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

namespace kscope {

template <typename T>
class BoundedQueue {
public:
    explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

    // False when full: the item is not queued. With wake=false the consumer is not
    // woken: a producer that pushes in bursts calls wake() once per burst instead, which
    // saves a context switch per item. urgent items (alerts) may use an eighth more room
    // than the capacity: a storm of ordinary events does not crowd them out.
    bool try_push(T item, bool wake = true, bool urgent = false) {
        {
            std::lock_guard lock(mu_);
            if (items_.size() >= capacity_ + (urgent ? capacity_ / 8 + 1 : 0))
                return false;
            items_.push_back(std::move(item));
        }
        if (wake)
            cv_.notify_one();
        return true;
    }

    void wake() { cv_.notify_one(); }

    // Moves everything queued into out (appending); waits up to timeout for the first item.
    size_t pop_all(std::vector<T>& out, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, timeout, [&] { return !items_.empty() || closed_; });
        size_t n = items_.size();
        for (auto& item : items_)
            out.push_back(std::move(item));
        items_.clear();
        return n;
    }

    // Wakes a waiting consumer for good.
    void close() {
        {
            std::lock_guard lock(mu_);
            closed_ = true;
        }
        cv_.notify_all();
    }

    size_t depth() const {
        std::lock_guard lock(mu_);
        return items_.size();
    }
    size_t capacity() const { return capacity_; }

private:
    const size_t capacity_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<T> items_;
    bool closed_ = false;
};

}  // namespace kscope
