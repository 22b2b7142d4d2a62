#include "bpf/ring_reader.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <thread>

namespace kscope {

RingReader::RingReader(std::chrono::milliseconds drain_interval) : interval_(drain_interval) {}

RingReader::~RingReader() {
    stop();
    ring_buffer__free(rb_);
}

int RingReader::on_sample(void* ctx, void* data, size_t size) {
    (*static_cast<Callback*>(ctx))(data, size);
    return 0;
}

Result<void> RingReader::add(int ring_map_fd, Callback cb) {
    auto owned = std::make_unique<Callback>(std::move(cb));
    int err;
    if (!rb_) {
        rb_ = ring_buffer__new(ring_map_fd, on_sample, owned.get(), nullptr);
        err = rb_ ? 0 : -errno;
    } else {
        err = ring_buffer__add(rb_, ring_map_fd, on_sample, owned.get());
    }
    if (err)
        return errno_error("opening ring buffer", err);
    callbacks_.push_back(std::move(owned));
    return {};
}

void RingReader::start() {
    if ((rb_ || on_poll_) && !thread_.joinable()) {
        stop_ = false;  // a stopped reader can start again (the agent's refused reload)
        thread_ = std::thread([this] { run(); });
    }
}

void RingReader::stop() {
    stop_ = true;
    if (thread_.joinable())
        thread_.join();
}

void RingReader::run() {
    const int timeout_ms = static_cast<int>(interval_.count());
    auto drained = [this](int n) {
        if (n > 0 && on_drained_)
            on_drained_();
    };
    while (!stop_.load(std::memory_order_relaxed)) {
        if (!rb_) {  // no ring, only on_poll (probes that read maps)
            std::this_thread::sleep_for(interval_);
            on_poll_();
            continue;
        }
        // Returns early only on a forced wakeup; otherwise this is the drain timer.
        int n = ring_buffer__poll(rb_, timeout_ms);
        int m = ring_buffer__consume(rb_);
        drained((n > 0 ? n : 0) + (m > 0 ? m : 0));
        if (on_poll_)
            on_poll_();
    }
    if (rb_)
        drained(ring_buffer__consume(rb_));
}

}  // namespace kscope
