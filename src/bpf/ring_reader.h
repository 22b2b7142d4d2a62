// One thread drains every probe's ring buffer. Probes submit without a wakeup, so the
// reader drains on a short timer; a probe forces a wakeup only when its ring passes
// the fill threshold (see bpf/lib/emit.bpf.h).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "util/result.h"

struct ring_buffer;

namespace kscope {

class RingReader {
public:
    // Called on the reader thread with one raw event; must not block.
    using Callback = std::function<void(const void* data, size_t size)>;

    explicit RingReader(std::chrono::milliseconds drain_interval = std::chrono::milliseconds(10));
    ~RingReader();
    RingReader(const RingReader&) = delete;
    RingReader& operator=(const RingReader&) = delete;

    Result<void> add(int ring_map_fd, Callback cb);
    // Called on the reader thread after every drain that delivered events.
    void on_drained(std::function<void()> fn) { on_drained_ = std::move(fn); }
    // Called after every poll (each drain interval at least), events or not.
    void on_poll(std::function<void()> fn) { on_poll_ = std::move(fn); }
    void start();
    // Stops the thread after a last full drain.
    void stop();

private:
    static int on_sample(void* ctx, void* data, size_t size);
    void run();

    std::chrono::milliseconds interval_;
    ring_buffer* rb_ = nullptr;
    std::vector<std::unique_ptr<Callback>> callbacks_;
    std::function<void()> on_drained_;
    std::function<void()> on_poll_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace kscope
