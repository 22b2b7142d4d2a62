// Runs a set of probes end to end: load and attach them, drain their rings on one reader
// thread (decode -> enrich -> bounded queue), and feed a sink on the calling thread until
// a stop request, the duration or the event count ends it. Every loss is counted.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpf/ring_reader.h"
#include "pipeline/anomaly_stage.h"
#include "pipeline/bounded_queue.h"
#include "pipeline/enricher.h"
#include "pipeline/process_cache.h"
#include "pipeline/rules_stage.h"
#include "probes/probe.h"
#include "redact/redactor.h"
#include "sinks/sink.h"

namespace kscope {

struct SessionOptions {
    ProbeOptions probe;
    DecodeContext decode;
    std::optional<std::chrono::duration<double>> duration;
    uint64_t max_events = 0;  // 0: unlimited
    size_t queue_capacity = 1 << 16;
    std::chrono::milliseconds drain_interval{10};
    std::chrono::milliseconds flush_interval{100};
    // User-space selection after decoding, for what the kernel does not filter (tcp
    // ports, addresses and event kinds); events it refuses are not counted as lost.
    std::function<bool(const Event&)> event_filter;
    // Options for one probe instead of `probe` (the agent's per-probe filters), by name.
    std::map<std::string, ProbeOptions> probe_overrides;
    // Probes that cannot load or attach here are left out (and listed in unavailable())
    // instead of failing start(): the agent runs what this kernel supports.
    bool skip_unavailable = false;
    // run() also returns when this is set (the agent's reload), and then leaves the
    // probes attached so their events wait in the rings for the next session.
    const std::atomic<bool>* interrupt = nullptr;
    // Rules evaluated on every event after enrichment; alerts follow their event.
    std::shared_ptr<rules::RuleEngine> rules;
    // Baselines and rate anomalies (the agent's, kept across sessions); null: none.
    std::shared_ptr<AnomalyStage> anomaly;
    // Secrets in command lines replaced before anything sees the event; null: kept.
    std::shared_ptr<const Redactor> redactor;
    // Container runtimes the rules ask for container names and images.
    std::vector<RuntimeSocket> runtime_sockets = default_runtime_sockets();
};

// Per probe and per stage.
struct ProbeStats {
    std::string probe;
    uint64_t events = 0;         // decoded and queued
    uint64_t kernel_drops = 0;   // ring buffer full
    uint64_t kernel_misses = 0;  // program runs the kernel skipped
    uint64_t queue_drops = 0;    // user-space queue full
    uint64_t decode_errors = 0;  // malformed records
};

class TraceSession {
public:
    TraceSession(std::vector<std::unique_ptr<Probe>> probes, SessionOptions options);
    ~TraceSession();

    // Loads and attaches every probe; any hook that does not attach is an error.
    Result<void> start();
    // Feeds the sink until stop_requested, the duration, the count, or a closed output.
    void run(Sink& sink, const std::atomic<bool>& stop_requested);
    std::vector<ProbeStats> stats() const;
    // Each probe's in-kernel counters as text, for --stats.
    std::vector<std::string> counters() const;
    uint64_t delivered() const { return delivered_; }
    // Which hook each program attached to, per probe ("exec: tracepoint:sched:...").
    const std::vector<std::pair<std::string, HookStatus>>& hooks() const { return hooks_; }
    // Probes left out by skip_unavailable, with the reason.
    const std::vector<std::pair<std::string, std::string>>& unavailable() const { return unavailable_; }
    // Hands the probes over (still attached, rings still filling) to a new session; this
    // session is done afterwards.
    std::vector<std::unique_ptr<Probe>> release_probes();
    // The running probes, for their in-kernel metrics.
    const std::vector<std::unique_ptr<Probe>>& probes() const { return probes_; }
    const SessionOptions& options() const { return options_; }
    size_t queue_depth() const { return queue_.depth(); }
    size_t queue_capacity() const { return options_.queue_capacity; }

private:
    struct Counters {
        std::atomic<uint64_t> events{0}, queue_drops{0}, decode_errors{0};
    };
    void on_raw(size_t probe_index, const void* data, size_t size);
    // After each drain: the probes' user-space events (Probe::poll), the anomaly tick.
    void on_poll();
    // An event of probe `index`: filter, enrich, rules, anomalies, then the queue.
    void handle(size_t index, Event&& event);

    std::vector<std::unique_ptr<Probe>> probes_;
    SessionOptions options_;
    std::vector<std::unique_ptr<Counters>> counters_;
    ProcessCache cache_;
    std::unique_ptr<Enricher> enricher_;
    std::unique_ptr<RulesStage> rules_;
    std::vector<Event> alerts_;  // reused per event
    std::vector<Event> polled_;  // reused per poll
    BoundedQueue<Event> queue_;
    std::unique_ptr<RingReader> reader_;
    uint64_t delivered_ = 0;
    std::vector<std::pair<std::string, HookStatus>> hooks_;
    std::vector<std::pair<std::string, std::string>> unavailable_;
};

// "exec: 5000 events, 0 lost (ring buffer full), 0 lost (queue full)" per probe.
std::string format_stats(const std::vector<ProbeStats>& stats);
bool any_loss(const std::vector<ProbeStats>& stats);

}  // namespace kscope
