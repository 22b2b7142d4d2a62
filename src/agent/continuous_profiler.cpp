#include "agent/continuous_profiler.h"

#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

#include <fstream>

#include "pipeline/container_id.h"
#include "profile/folded.h"
#include "profile/stack_naming.h"
#include "util/clock.h"

namespace kscope {
namespace {

constexpr uint64_t kMinuteNs = 60'000'000'000ull;

int on_ring_record(void* ctx, void* data, size_t size) {
    static_cast<ProfileProbe*>(ctx)->on_record(data, size);
    return 0;
}

}  // namespace

ContinuousProfiler::ContinuousProfiler(ProfilingConfig config, std::unique_ptr<ProfileStore> store,
                                       uint64_t retention_s)
    : config_(config), store_(std::move(store)), retention_s_(retention_s) {}

ContinuousProfiler::~ContinuousProfiler() { stop(); }

Result<void> ContinuousProfiler::start() {
    ProfileSettings settings;
    settings.frequency_hz = config_.frequency_hz;
    probe_ = std::make_unique<ProfileProbe>(settings);
    ProbeOptions options;
    options.filter.exclude_pid = static_cast<uint32_t>(getpid());
    if (auto r = probe_->load(options); !r)
        return r;
    if (auto r = probe_->start_loader(); !r)
        return r;
    for (const auto& hook : probe_->attach())
        if (!hook.attached)
            return Error{"profiling: cannot attach " + hook.program + " to " + hook.hook + ": " + hook.error};
    auto ring = probe_->ring_fd();
    ring_ = ring ? ring_buffer__new(*ring, on_ring_record, probe_.get(), nullptr) : nullptr;
    if (!ring_)
        return Error{"profiling: cannot read the probe's ring buffer"};
    symbolizer_ = std::make_unique<Symbolizer>();
    minute_ns_ = epoch_now_ns() / kMinuteNs * kMinuteNs;
    thread_ = std::thread([this] { run(); });
    return {};
}

void ContinuousProfiler::stop() {
    if (thread_.joinable()) {
        stop_ = true;
        thread_.join();
        drained_.notify_all();  // a capture waiting for the next drain ends now
    }
    if (ring_) {
        ring_buffer__free(static_cast<ring_buffer*>(ring_));
        ring_ = nullptr;
    }
    probe_.reset();
}

void ContinuousProfiler::run() {
    auto last_drain = std::chrono::steady_clock::now();
    while (!stop_) {
        // Mapping requests are served as they come; the stacks are drained every second,
        // or every 100 ms while someone captures, so a capture covers its own window.
        ring_buffer__poll(static_cast<ring_buffer*>(ring_), 20);
        ring_buffer__consume(static_cast<ring_buffer*>(ring_));
        bool capturing;
        {
            std::lock_guard lock(mu_);
            capturing = !captures_.empty();
        }
        const auto every = capturing ? std::chrono::milliseconds(100) : std::chrono::milliseconds(1000);
        if (std::chrono::steady_clock::now() - last_drain < every)
            continue;
        last_drain = std::chrono::steady_clock::now();
        drain_once();
    }
    drain_once();
    flush_minute(minute_ns_);
}

std::string ContinuousProfiler::container_of(uint32_t pid) {
    if (auto it = containers_.find(pid); it != containers_.end())
        return it->second;
    std::string id;
    std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
    for (std::string line; id.empty() && std::getline(in, line);) {
        auto colon = line.find(':', line.find(':') + 1);
        if (colon != std::string::npos)
            id = container_id_from_cgroup(std::string_view(line).substr(colon + 1));
    }
    return containers_[pid] = id;
}

void ContinuousProfiler::drain_once() {
    auto raw = probe_->drain();
    if (!raw) {
        spdlog::warn("profiling: {}", raw.error().message);
        return;
    }
    auto named = name_stacks(*raw, probe_->loader()->processes(), *symbolizer_);
    const uint64_t now = epoch_now_ns();
    const uint64_t minute = now / kMinuteNs * kMinuteNs;
    if (minute != minute_ns_) {
        flush_minute(minute_ns_);
        std::lock_guard lock(mu_);  // unflushed() reads it
        minute_ns_ = minute;
    }
    uint64_t samples = 0;
    std::vector<std::pair<MinuteKey, uint64_t>> keyed;
    for (const auto& s : named) {
        samples += s.count;
        std::string stack;
        for (const auto& f : s.frames)
            stack += (stack.empty() ? "" : ";") + folded_frame(f);
        keyed.push_back({{s.pid, s.comm, container_of(s.pid), std::move(stack)}, s.count});
    }
    std::lock_guard lock(mu_);
    for (auto& [key, count] : keyed)
        minute_[std::move(key)] += count;
    samples_ += samples;
    for (Capture* c : captures_) {
        if (c->skip_first) {
            c->skip_first = false;
            continue;
        }
        c->stacks.insert(c->stacks.end(), named.begin(), named.end());
    }
    drained_.notify_all();
}

std::vector<ProfileRow> ContinuousProfiler::unflushed(const ProfileQuery& q) const {
    std::vector<ProfileRow> rows;
    std::lock_guard lock(mu_);
    if ((q.since_ns && minute_ns_ < *q.since_ns) || (q.until_ns && minute_ns_ > *q.until_ns))
        return rows;
    for (const auto& [key, count] : minute_) {
        const auto& [pid, comm, container, stack] = key;
        if ((q.pid && *q.pid != pid) || (q.comm && *q.comm != comm) || (q.container_id && *q.container_id != container))
            continue;
        rows.push_back({minute_ns_, pid, comm, container, stack, count});
    }
    return rows;
}

void ContinuousProfiler::flush_minute(uint64_t minute_ns) {
    std::map<MinuteKey, uint64_t> minute;
    {
        std::lock_guard lock(mu_);
        minute.swap(minute_);
    }
    std::vector<ProfileRow> rows;
    rows.reserve(minute.size());
    for (const auto& [key, count] : minute) {
        const auto& [pid, comm, container, stack] = key;
        rows.push_back({minute_ns, pid, comm, container, stack, count});
    }
    containers_.clear();
    if (!store_ || rows.empty())
        return;
    auto r = store_->append(rows);
    if (r)
        (void)store_->enforce(retention_s_, epoch_now_ns());
    std::lock_guard lock(mu_);
    if (r)
        stored_rows_ += rows.size();
    else
        store_failures_++;
    if (!r)
        spdlog::warn("profiling: {}", r.error().message);
}

std::vector<SymbolizedStack> ContinuousProfiler::capture(std::chrono::milliseconds duration) {
    Capture c;
    std::unique_lock lock(mu_);
    // Samples from before the window, still in the kernel's maps, go to the others.
    c.skip_first = true;
    captures_.push_back(&c);
    const auto until = std::chrono::steady_clock::now() + duration;
    drained_.wait_until(lock, until, [&] { return stop_.load(); });
    // The drain after the deadline brings the window's last samples.
    drained_.wait_for(lock, std::chrono::milliseconds(1200));
    captures_.erase(std::find(captures_.begin(), captures_.end(), &c));
    return std::move(c.stacks);
}

void ContinuousProfiler::append_metrics(PrometheusText& m) const {
    std::lock_guard lock(mu_);
    m.family("kscope_profile_samples_total", "counter", "CPU samples taken by the continuous profiler")
        .sample("kscope_profile_samples_total", double(samples_));
    m.family("kscope_profile_stored_rows_total", "counter", "per-minute stack rows written to the store")
        .sample("kscope_profile_stored_rows_total", double(stored_rows_));
    m.family("kscope_profile_store_failures_total", "counter", "minutes of profile the store could not take")
        .sample("kscope_profile_store_failures_total", double(store_failures_));
    if (!probe_)
        return;
    const ProfileStats st = probe_->stats();
    m.family("kscope_profile_user_stacks_total", "counter", "user stacks walked, by how the walk ended")
        .sample("kscope_profile_user_stacks_total", {{"result", "complete"}}, double(st.user_complete))
        .sample("kscope_profile_user_stacks_total", {{"result", "stopped"}}, double(st.user_stopped));
    const auto& ls = probe_->loader()->stats();
    m.family("kscope_profile_unwind_rows", "gauge", "rows of unwind tables loaded into the kernel")
        .sample("kscope_profile_unwind_rows", double(ls.rows_used));
    m.family("kscope_profile_unwind_rows_capacity", "gauge", "room for unwind table rows")
        .sample("kscope_profile_unwind_rows_capacity", double(ls.rows_capacity));
}

}  // namespace kscope
