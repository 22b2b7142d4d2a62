#include "server/elastic_pool.h"

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace kscope {
namespace {

class ElasticPool final : public httplib::TaskQueue {
public:
    ElasticPool(size_t base, size_t max) : base_(base), max_(std::max(base, max)) {
        std::lock_guard lock(mu_);
        for (size_t i = 0; i < base_; i++)
            spawn();
    }
    ~ElasticPool() override { shutdown(); }

    void enqueue(std::function<void()> fn) override {
        std::lock_guard lock(mu_);
        jobs_.push_back(std::move(fn));
        // Every connection waiting gets a thread while there is room: one that only holds
        // its socket open must not delay the next request.
        if (idle_ < jobs_.size() && threads_ < max_)
            spawn();
        cv_.notify_one();
    }

    void shutdown() override {
        {
            std::lock_guard lock(mu_);
            if (stopping_)
                return;
            stopping_ = true;
        }
        cv_.notify_all();
        std::unique_lock lock(mu_);
        exited_.wait(lock, [&] { return threads_ == 0; });
    }

private:
    // Under mu_. Threads are detached and counted: those beyond base_ end on their own.
    // When the system refuses a thread, the job waits for one that exists.
    void spawn() {
        try {
            std::thread([this] { work(); }).detach();
            threads_++;  // the new thread needs mu_ before it can count itself out
        } catch (const std::system_error&) {
        }
    }

    void work() {
        std::unique_lock lock(mu_);
        for (;;) {
            idle_++;
            const bool extra = threads_ > base_;
            const bool woke = cv_.wait_for(lock, extra ? std::chrono::seconds(30) : std::chrono::hours(24 * 365),
                                           [&] { return !jobs_.empty() || stopping_; });
            idle_--;
            if (jobs_.empty() && (stopping_ || (!woke && threads_ > base_)))
                break;
            if (jobs_.empty())
                continue;
            auto fn = std::move(jobs_.front());
            jobs_.pop_front();
            lock.unlock();
            fn();
            lock.lock();
        }
        threads_--;
        exited_.notify_all();
    }

    const size_t base_, max_;
    std::mutex mu_;
    std::condition_variable cv_, exited_;
    std::deque<std::function<void()>> jobs_;
    size_t threads_ = 0, idle_ = 0;
    bool stopping_ = false;
};

}  // namespace

std::unique_ptr<httplib::TaskQueue> make_elastic_pool(size_t base, size_t max) {
    return std::make_unique<ElasticPool>(base, max);
}

}  // namespace kscope
