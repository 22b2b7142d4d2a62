#include "agent/agent.h"

#include <bpf/bpf.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "agent/logging.h"
#include "enforce/enforce_probe.h"
#include "agent/process_metrics.h"
#include "probes/faults_probe.h"
#include "probes/filetop_probe.h"
#include "probes/registry.h"
#include "probes/syscalls_probe.h"
#include "profile/profile_output.h"
#include "rules/engine.h"
#include "sinks/fanout_sink.h"
#include "util/clock.h"

namespace kscope {
namespace {

Result<ProbeOptions> probe_options(const ProbeConfig& p, uint32_t ring_kib) {
    auto filter = make_filter(p.pids, p.comms, p.cgroup, p.failures_only);
    if (!filter)
        return filter.error();
    ProbeOptions o;
    o.filter = std::move(filter.value());
    // The agent's own work (its BPF loads on reload, its store's files) is not an event.
    o.filter.exclude_pid = static_cast<uint32_t>(getpid());
    o.ring_bytes = ring_kib * 1024;
    o.dns_ports = p.ports;
    o.sample_every = p.sample;
    return o;
}

// Whether some rule kills or denies (then the enforcement programs are loaded).
bool has_actions(const AgentConfig& config) {
    if (!config.rules_engine)
        return false;
    const auto& rules = config.rules_engine->rules();
    return std::any_of(rules.begin(), rules.end(), [](const auto& r) { return r.action != rules::Action::Alert; });
}

// The agent's instance of a probe: aggregate-only where the agent needs no per-process
// rows (syscalls by syscall keeps the kernel maps small).
std::unique_ptr<Probe> agent_probe(const std::string& name) {
    if (name == "syscalls")
        return std::make_unique<SyscallsProbe>(/*by_process=*/false);
    if (name == "filetop")
        return std::make_unique<FiletopProbe>(/*per_file=*/false);
    if (name == "faults")
        return std::make_unique<FaultsProbe>(/*per_process=*/false);
    return make_probe(name);
}

}  // namespace

Agent::Agent(AgentConfig config, std::function<Result<AgentConfig>()> reload_source, std::atomic<bool>* reload_flag)
    : config_(std::move(config)), reload_source_(std::move(reload_source)), reload_flag_(reload_flag) {}

Result<std::unique_ptr<TraceSession>> Agent::make_session(const AgentConfig& config,
                                                          std::vector<std::unique_ptr<Probe>> handed_over) {
    SessionOptions options;
    options.skip_unavailable = true;
    options.queue_capacity = 1 << 14;  // bounds memory under overload (56 MiB peak RSS at ~100k events/s offered)
    options.decode.boot_to_epoch_ns = boot_to_epoch_offset_ns();
    options.interrupt = reload_flag_;
    options.rules = config.rules_engine;
    options.anomaly = anomaly_;
    if (config.redact.enabled) {
        auto r = Redactor::make(config.redact.patterns);  // checked when the config was read
        if (!r)
            return r.error();
        options.redactor = *r;
    }
    options.runtime_sockets = config.runtime_sockets;
    std::vector<std::unique_ptr<Probe>> probes = std::move(handed_over);
    for (const auto& [name, pc] : config.probes) {
        if (!pc.enabled)
            continue;
        auto po = probe_options(pc, config.ring_kib);
        if (!po)
            return po.error().context("probe " + name);
        options.probe_overrides[name] = *po;
        const bool running = std::any_of(probes.begin(), probes.end(),
                                         [&name = name](const auto& p) { return p->name() == name; });
        if (!running)
            probes.push_back(agent_probe(name));
    }
    const bool enforcing = has_actions(config);
    if (enforcing && std::none_of(probes.begin(), probes.end(), [](const auto& p) { return p->name() == "enforce"; }))
        probes.push_back(std::make_unique<enforce::EnforceProbe>());
    if (config.flood.enabled &&
        std::none_of(probes.begin(), probes.end(), [](const auto& p) { return p->name() == "flood"; }))
        probes.push_back(std::make_unique<enforce::FloodProbe>(config.flood));
    auto session = std::make_unique<TraceSession>(std::move(probes), std::move(options));
    if (auto r = session->start(); !r)
        return r.error();
    if (enforcing)
        apply_enforcement(*session, config);
    for (const auto& [name, why] : session->unavailable())
        spdlog::warn("probe {} is not available on this kernel, left out: {}", name, why);
    return session;
}

// Kill and deny rules into the kernel where their conditions can be decided there; the
// rest (and all of them, when the programs cannot load) act from user space.
void Agent::apply_enforcement(TraceSession& session, const AgentConfig& config) {
    auto& engine = *config.rules_engine;
    const bool audit = config.rules.audit;
    const auto policy = enforce::compile_kernel_policy(engine.rules());
    enforce::EnforceProbe* probe = nullptr;
    for (const auto& p : session.probes())
        if (p->name() == "enforce")
            probe = dynamic_cast<enforce::EnforceProbe*>(p.get());
    std::vector<bool> in_kernel(engine.rules().size(), false);
    std::string why;
    if (!probe) {
        why = "the enforcement programs are not available on this kernel";
        for (const auto& [name, reason] : session.unavailable())
            if (name == "enforce")
                why += ": " + reason;
    } else if (auto r = probe->apply(policy, engine.rules(), audit); !r) {
        why = r.error().message;
    } else {
        for (const auto& v : policy.verdicts)
            in_kernel[v.rule] = v.in_kernel;
    }
    for (const auto& v : policy.verdicts) {
        const auto& rule = engine.rules()[v.rule];
        const std::string what = std::string(rules::action_name(rule.action)) + (audit ? " (audit: reported only)" : "");
        if (in_kernel[v.rule])
            spdlog::info("rule '{}': {} in the kernel ({} slots)", rule.name, what, v.slots.size());
        else
            spdlog::warn("rule '{}': {} from user space, after the call: {}", rule.name, what,
                         why.empty() ? v.reason : why);
    }
    engine.set_enforcement(audit, std::move(in_kernel), enforce::kernel_undecided);
}

Result<void> Agent::start_exporters() {
    auto limits = [&](const std::string& name) {
        ExporterLimits l = config_.exporter_limits[name];
        l.spool_path = config_.data_dir + "/spool/" + name + ".db";
        return l;
    };
    if (config_.file_exporter)
        exporters_.push_back(std::make_unique<FileExporter>(*config_.file_exporter, limits("file")));
    if (config_.webhook_exporter)
        exporters_.push_back(std::make_unique<WebhookExporter>(*config_.webhook_exporter, limits("webhook")));
    if (config_.nats_exporter)
        exporters_.push_back(std::make_unique<NatsExporter>(*config_.nats_exporter, limits("nats")));
    if (config_.alertmanager_exporter) {
        auto am = std::make_unique<AlertmanagerExporter>(*config_.alertmanager_exporter, limits("alertmanager"));
        alertmanager_ = am.get();
        exporters_.push_back(std::move(am));
    }
    for (auto& e : exporters_) {
        if (auto r = e->start(); !r)
            return r;
        spdlog::info("exporter {} running", e->name());
    }
    return {};
}

void Agent::stop_exporters() {
    for (auto& e : exporters_)
        e->stop();  // delivers what it can, spools the rest
    exporters_.clear();
    alertmanager_ = nullptr;
}

bool Agent::send_test_alert() {
    std::lock_guard lock(state_mu_);
    if (!alertmanager_)
        return false;
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    Alert a;
    a.labels = {{"alertname", "KscopeTestAlert"}, {"severity", "info"}, {"instance", host}};
    a.annotations = {{"summary", "kscope test alert"},
                     {"description", "Sent on request (POST /api/v1/alerts/test) to check the alerting path."}};
    a.starts_at_ns = epoch_now_ns();
    alertmanager_->send(a);
    spdlog::info("test alert queued for alertmanager");
    return true;
}

Agent::~Agent() {
    stop_governor();
    if (remote_write_)
        remote_write_->stop();
    // Live-stream clients get their end message before the server closes the sockets.
    stream_.close();
    if (!stream_.wait_all_ended(std::chrono::seconds(3)))
        spdlog::warn("{} live-stream clients did not take their end message in 3 s", stream_.subscribers());
    http_.stop();
    profiler_.reset();  // after the server: a capture may be running
    if (bpf_stats_fd_ >= 0)
        close(bpf_stats_fd_);
}

Result<void> Agent::start() {
    // What the user can get wrong (the data directory, a taken address) is checked before
    // any probe attaches, so a mistake costs no attach time and leaves nothing half-started.
    if (config_.store_enabled) {
        auto store = EventStore::open(config_.data_dir);
        if (!store)
            return store.error();
        store_ = std::make_unique<StoreSink>(std::move(store.value()), config_.retention);
        spdlog::info("event store {}/events.db", config_.data_dir);
    }
    auto listen = parse_listen(config_.listen);
    if (!listen)
        return listen.error();
    HttpHandlers handlers;
    handlers.metrics = [this] { return metrics(); };
    handlers.probes = [this] { return probes_json(); };
    handlers.stream = &stream_;
    handlers.test_alert = [this] { return send_test_alert(); };
    if (config_.store_enabled) {
        const std::string dir = config_.data_dir;
        handlers.events = [dir](const EventQuery& q) -> Result<std::vector<std::string>> {
            auto reader = EventStore::open(dir, /*read_only=*/true);  // a connection per request
            if (!reader)
                return reader.error();
            return (*reader)->query(q);
        };
    }
    if (auto r = http_.start(listen->first, listen->second, profile_handlers(handlers), config_.http_security); !r)
        return r;

    if (auto r = start_anomaly(config_); !r)
        return r;
    auto session = make_session(config_, {});
    if (!session)
        return session.error();
    {
        std::lock_guard lock(state_mu_);  // /metrics may already be asked for
        session_ = std::move(session.value());
    }
    for (const auto& p : session_->probes())
        spdlog::info("probe {} running", p->name());
    // Run counts and times of our programs for the self-metrics; on while the fd is open.
    bpf_stats_fd_ = bpf_enable_stats(BPF_STATS_RUN_TIME);
    if (bpf_stats_fd_ < 0)
        spdlog::warn("kernel BPF run-time statistics unavailable: {}", std::strerror(errno));

    start_profiler();
    if (auto r = start_exporters(); !r)
        return r;
    spdlog::info("serving the dashboard, /metrics and /api/v1/events on {}:{}{}", listen->first, http_.port(),
                 config_.http_security.tls_cert.empty() ? "" : " (https)");

    start_remote_write();
    start_governor();
    return {};
}

Result<void> Agent::start_anomaly(const AgentConfig& config) {
    if (!config.anomaly.enabled) {
        if (anomaly_)
            anomaly_->flush();
        std::lock_guard lock(state_mu_);  // /metrics reads it
        anomaly_.reset();
        return {};
    }
    if (anomaly_) {
        anomaly_->reconfigure(config.anomaly);
        return {};
    }
    std::unique_ptr<BaselineStore> store;
    if (config.store_enabled) {
        auto s = BaselineStore::open(config.data_dir);
        if (!s)
            return s.error();
        store = std::move(s.value());
    } else {
        spdlog::warn("anomaly: the store is off, baselines are kept in memory only (learned again after a restart)");
    }
    auto stage = std::make_shared<AnomalyStage>(config.anomaly, std::move(store));
    if (auto r = stage->start(); !r)
        return r;
    auto on = [&](const char* probe) {
        auto it = config.probes.find(probe);
        return it != config.probes.end() && it->second.enabled;
    };
    for (auto [probe, what] : {std::pair{"exec", "executables"}, {"tcp", "outbound peers"},
                               {"socket", "listening ports"}, {"open", "write directories"}})
        if (!on(probe))
            spdlog::warn("anomaly: {} are not learned, probes.{} is off", what, probe);
    spdlog::info("anomaly detection on: each workload learns for {} s, then its baseline is locked",
                 config.anomaly.learn_s);
    std::lock_guard lock(state_mu_);
    anomaly_ = std::move(stage);
    return {};
}

void Agent::start_profiler() {
    // Opened (and its table made) even with profiling off: stored minutes stay readable.
    std::unique_ptr<ProfileStore> store;
    if (config_.store_enabled) {
        auto s = ProfileStore::open(config_.data_dir);
        if (!s) {
            spdlog::warn("profiling: {}; profiles are not kept", s.error().message);
        } else {
            store = std::move(s.value());
        }
    }
    if (!config_.profiling.enabled)
        return;
    auto profiler = std::make_unique<ContinuousProfiler>(config_.profiling, std::move(store), config_.retention.max_age_s);
    if (auto r = profiler->start(); !r) {
        spdlog::warn("continuous profiling is not available here, left out: {}", r.error().message);
        profiler_failed_ = true;
        return;
    }
    spdlog::info("profiling every CPU at {} Hz", config_.profiling.frequency_hz);
    std::lock_guard lock(state_mu_);
    profiler_ = std::move(profiler);
}

// The profile endpoints answer from whatever profiler runs when they are asked.
HttpHandlers Agent::profile_handlers(HttpHandlers h) {
    if (config_.profiling.enabled)
        h.pprof_capture = [this](uint32_t seconds) -> Result<std::string> {
        if (!profiler_)
            return Error{"continuous profiling is not running"};
        PprofOptions o;
        o.period_ns = 1'000'000'000ull / profiler_->frequency_hz();
        o.time_nanos = int64_t(epoch_now_ns());
        o.duration_nanos = int64_t(seconds) * 1'000'000'000;
        return write_pprof(profiler_->capture(std::chrono::seconds(seconds)), o);
        };
    // Stored minutes stay readable with profiling off.
    if (!config_.store_enabled)
        return h;
    const std::string dir = config_.data_dir;
    const uint32_t hz = config_.profiling.frequency_hz;
    h.profile_query = [this, dir, hz](const ProfileQuery& q,
                                      const std::string& format) -> Result<std::pair<std::string, std::string>> {
        auto reader = ProfileStore::open(dir, /*read_only=*/true);  // a connection per request
        if (!reader)
            return reader.error();
        auto rows = (*reader)->query(q);
        if (!rows)
            return rows.error();
        // The minute still being gathered, so a profile of the last minutes has the latest.
        // (profiler_ is set once the probes run, under state_mu_; the server is up before.)
        std::lock_guard lock(state_mu_);
        if (profiler_)
            for (auto& r : profiler_->unflushed(q))
                rows->push_back(std::move(r));
        std::vector<SymbolizedStack> stacks;
        for (const auto& r : *rows) {
            SymbolizedStack s;
            s.pid = r.pid;
            s.comm = r.comm;
            s.count = r.count;
            s.frames = frames_from_folded(r.stack);
            stacks.push_back(std::move(s));
        }
        if (format == "pprof") {
            PprofOptions o;
            o.period_ns = 1'000'000'000ull / hz;
            return std::make_pair(write_pprof(stacks, o), std::string("application/octet-stream"));
        }
        if (format == "json")
            return std::make_pair(write_profile_json(stacks), std::string("application/x-ndjson"));
        return std::make_pair(write_folded(fold(stacks)), std::string("text/plain; charset=utf-8"));
    };
    return h;
}

void Agent::append_rule_metrics(PrometheusText& m) {
    const auto& engine = config_.rules_engine;
    m.family("kscope_rules_loaded", "gauge", "detection rules loaded and enabled")
        .sample("kscope_rules_loaded", engine ? double(engine->rules().size()) : 0);
    if (!engine)
        return;
    size_t skipped = 0;
    for (const auto& st : engine->ruleset().status)
        skipped += !st.loaded;
    m.family("kscope_rules_skipped", "gauge", "rules not loaded (disabled, or fields kscope lacks)")
        .sample("kscope_rules_skipped", double(skipped));
    m.family("kscope_rules_evaluated_events_total", "counter", "events the rules engine looked at")
        .sample("kscope_rules_evaluated_events_total", double(engine->evaluated()));
    m.family("kscope_alerts_total", "counter", "alerts raised, per rule");
    for (size_t i = 0; i < engine->rules().size(); i++) {
        const auto& r = engine->rules()[i];
        m.sample("kscope_alerts_total", {{"rule", r.name}, {"priority", std::string(rules::priority_name(r.priority))}},
                 double(engine->counters(i).fired.load()));
    }
    m.family("kscope_alerts_suppressed_total", "counter", "matches the per-rule, per-process rate limit held back");
    for (size_t i = 0; i < engine->rules().size(); i++) {
        const auto& r = engine->rules()[i];
        m.sample("kscope_alerts_suppressed_total",
                 {{"rule", r.name}, {"priority", std::string(rules::priority_name(r.priority))}},
                 double(engine->counters(i).suppressed.load()));
    }
}

void Agent::start_remote_write() {
    if (config_.remote_write.url.empty())
        return;
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    remote_write_ = std::make_unique<RemoteWriter>(config_.remote_write, Labels{{"job", "kscope"}, {"instance", host}},
                                                   [this] { return metric_samples(); });
    remote_write_->start();
    spdlog::info("remote write to {} every {} s", config_.remote_write.url, config_.remote_write.interval_s);
}

void Agent::run(const std::atomic<bool>& stop) {
    while (true) {
        FanoutSink sinks;
        if (store_)
            sinks.add(*store_);
        sinks.add(stream_);
        for (auto& e : exporters_)
            sinks.add(*e);
        session_->run(sinks, stop);
        if (stop.load() || !reload_flag_ || !reload_flag_->load())
            break;
        reload_flag_->store(false);
        if (!reload_source_) {
            spdlog::warn("SIGHUP: nothing to reload, the agent was started without --config");
            continue;
        }
        spdlog::info("reloading the configuration");
        auto next = reload_source_();
        if (!next)
            spdlog::error("reload refused, the running configuration stays: {}", next.error().message);
        else {
            stop_governor();  // gives back what it shed: the new session starts as configured
            reload(std::move(next.value()));
            start_governor();
        }
    }
    if (anomaly_)
        anomaly_->flush();
    std::lock_guard lock(state_mu_);
    stop_exporters();
    spdlog::info("stopped; {} events stored", store_ ? store_->stored() : 0);
}

void Agent::reload(AgentConfig next) {
    // Everything that can fail is checked before anything changes.
    for (const auto& [name, pc] : next.probes)
        if (pc.enabled)
            if (auto po = probe_options(pc, next.ring_kib); !po) {
                spdlog::error("reload refused, the running configuration stays: probe {}: {}", name, po.error().message);
                return;
            }
    // What needs a restart is kept as it is, and said.
    if (next.listen != config_.listen || next.http_security != config_.http_security ||
        next.data_dir != config_.data_dir || next.store_enabled != config_.store_enabled ||
        next.retention != config_.retention || next.profiling != config_.profiling) {
        spdlog::warn("http, store and profiling settings take effect at the next restart");
        next.listen = config_.listen;
        next.http_security = config_.http_security;
        next.data_dir = config_.data_dir;
        next.store_enabled = config_.store_enabled;
        next.retention = config_.retention;
        next.profiling = config_.profiling;
    }
    // The writer's thread takes state_mu_ (to collect): stop it before taking the lock.
    const bool remote_write_changed = next.remote_write != config_.remote_write;
    if (remote_write_changed) {
        std::unique_ptr<RemoteWriter> old;
        {
            std::lock_guard lock(state_mu_);
            old = std::move(remote_write_);
        }
    }
    // Probes that stay on unchanged are handed over still attached: their events wait in
    // the rings meanwhile, none is lost. Changed or disabled ones are detached.
    std::vector<std::unique_ptr<Probe>> kept, stopped;
    std::vector<std::unique_ptr<Probe>> released;
    std::vector<ProbeStats> counted;
    {
        std::lock_guard lock(state_mu_);  // /metrics walks the session's probes
        counted = session_->stats();
        released = session_->release_probes();
    }
    for (auto& p : released) {
        if (p->name() == "enforce") {  // kept while rules act: the next policy replaces the maps in place
            (has_actions(next) ? kept : stopped).push_back(std::move(p));
            continue;
        }
        if (p->name() == "flood") {  // kept (with its blocked sources) unless flood: changed
            (next.flood.enabled && next.flood == config_.flood ? kept : stopped).push_back(std::move(p));
            continue;
        }
        auto now = next.probes.find(std::string(p->name()));
        auto before = config_.probes.find(std::string(p->name()));
        const bool same = now != next.probes.end() && before != config_.probes.end() && now->second.enabled &&
                          now->second == before->second && next.ring_kib == config_.ring_kib;
        (same ? kept : stopped).push_back(std::move(p));
    }
    {
        // The user-space counts of probes that stay on carry over, so their counters do not
        // restart (the kernel-side ones live in the probe and carry over by themselves).
        std::lock_guard lock(state_mu_);
        for (const auto& st : counted) {
            const bool kept_on = std::any_of(kept.begin(), kept.end(), [&](const auto& p) { return p->name() == st.probe; });
            ProbeStats& c = carried_[st.probe];
            if (!kept_on) {
                c = {};
                continue;
            }
            c.events += st.events;
            c.queue_drops += st.queue_drops;
            c.decode_errors += st.decode_errors;
        }
    }
    for (const auto& p : stopped)
        spdlog::info("probe {} stopped", p->name());
    stopped.clear();  // detaches
    if (auto r = start_anomaly(next); !r) {  // baselines.db unreadable (first enabled on this reload, or a failing disk)
        spdlog::error("anomaly: {}; anomaly detection is off", r.error().message);
        next.anomaly.enabled = false;
    }
    auto session = make_session(next, std::move(kept));
    std::lock_guard lock(state_mu_);
    if (!session) {  // checked above; only a cgroup removed this very moment gets here
        spdlog::error("reload: {}; no probe is running", session.error().message);
        return;
    }
    if (const auto& r = session_->options().redactor)  // the count survives the reload
        redacted_before_ += r->redacted();
    session_ = std::move(session.value());
    for (const auto& p : session_->probes())
        spdlog::info("probe {} running", p->name());
    if (next.log_level != config_.log_level || next.log_format != config_.log_format)
        (void)setup_logging(next.log_level, next.log_format);
    const bool exporters_changed = next.file_exporter != config_.file_exporter ||
                                   next.webhook_exporter != config_.webhook_exporter ||
                                   next.nats_exporter != config_.nats_exporter ||
                                   next.alertmanager_exporter != config_.alertmanager_exporter ||
                                   next.exporter_limits != config_.exporter_limits;
    if (exporters_changed)
        stop_exporters();  // their spools keep what they could not deliver
    config_ = std::move(next);
    if (exporters_changed)
        if (auto r = start_exporters(); !r)
            spdlog::error("exporters: {}", r.error().message);
    if (remote_write_changed)
        start_remote_write();
    spdlog::info("configuration reloaded");
}

std::string Agent::metrics() { return collect().text(); }

std::vector<ProbeStats> Agent::probe_stats() const {
    auto stats = session_->stats();
    for (auto& st : stats)
        if (auto it = carried_.find(st.probe); it != carried_.end()) {
            st.events += it->second.events;
            st.queue_drops += it->second.queue_drops;
            st.decode_errors += it->second.decode_errors;
        }
    return stats;
}

std::vector<MetricSample> Agent::metric_samples() { return collect().samples(); }

PrometheusText Agent::collect() {
    std::lock_guard lock(state_mu_);
    PrometheusText m;
    if (!session_)  // asked for while the probes are still attaching
        return m;
    for (const auto& p : session_->probes())
        p->append_metrics(m);

    const auto stats = probe_stats();
    m.family("kscope_events_total", "counter", "events decoded and queued, per probe");
    for (const auto& s : stats)
        m.sample("kscope_events_total", {{"probe", s.probe}}, double(s.events));
    m.family("kscope_events_dropped_total", "counter", "events lost, per probe and stage");
    for (const auto& s : stats) {
        m.sample("kscope_events_dropped_total", {{"probe", s.probe}, {"stage", "ring_buffer"}}, double(s.kernel_drops));
        m.sample("kscope_events_dropped_total", {{"probe", s.probe}, {"stage", "kernel_skipped"}}, double(s.kernel_misses));
        m.sample("kscope_events_dropped_total", {{"probe", s.probe}, {"stage", "queue"}}, double(s.queue_drops));
        m.sample("kscope_events_dropped_total", {{"probe", s.probe}, {"stage", "malformed"}}, double(s.decode_errors));
    }
    m.family("kscope_events_sampled_out_total", "counter", "events not sent on purpose (probes.<name>.sample)");
    for (const auto& p : session_->probes())
        m.sample("kscope_events_sampled_out_total", {{"probe", std::string(p->name())}},
                 double(p->kernel_drops(KSCOPE_SAMPLED_OUT)));
    append_rule_metrics(m);
    if (anomaly_)
        anomaly_->append_metrics(m);
    m.family("kscope_queue_depth", "gauge", "events waiting in the pipeline queue")
        .sample("kscope_queue_depth", double(session_->queue_depth()));
    m.family("kscope_queue_capacity", "gauge", "size of the pipeline queue")
        .sample("kscope_queue_capacity", double(session_->queue_capacity()));
    m.family("kscope_stream_clients", "gauge", "clients connected to /api/v1/stream")
        .sample("kscope_stream_clients", double(stream_.subscribers()));
    m.family("kscope_stream_dropped_events_total", "counter", "live events a slow stream client did not take")
        .sample("kscope_stream_dropped_events_total", double(stream_.dropped()));
    if (store_) {
        m.family("kscope_store_events_total", "counter", "events written to the event store")
            .sample("kscope_store_events_total", double(store_->stored()));
        m.family("kscope_store_failed_events_total", "counter", "events a failed store commit lost")
            .sample("kscope_store_failed_events_total", double(store_->failed()));
    }
    m.family("kscope_bpf_program_runs_total", "counter", "runs of each kscope BPF program (kernel BPF stats)");
    std::vector<std::pair<std::string, BpfObject::ProgramStats>> programs;
    for (const auto& p : session_->probes())
        for (auto& ps : p->program_stats())
            programs.emplace_back(std::string(p->name()), std::move(ps));
    if (profiler_ && profiler_->probe())
        for (auto& ps : profiler_->probe()->program_stats())
            programs.emplace_back("profile", std::move(ps));
    for (const auto& [probe, ps] : programs)
        m.sample("kscope_bpf_program_runs_total", {{"probe", probe}, {"program", ps.program}}, double(ps.runs));
    m.family("kscope_bpf_program_run_seconds_total", "counter", "time spent in each kscope BPF program");
    for (const auto& [probe, ps] : programs)
        m.sample("kscope_bpf_program_run_seconds_total", {{"probe", probe}, {"program", ps.program}}, ps.run_time_ns / 1e9);
    append_process_metrics(m);
    append_governor_metrics(m);
    m.family("kscope_redactions_total", "counter", "secrets replaced by *** in command lines before events left the pipeline")
        .sample("kscope_redactions_total",
                double(redacted_before_ + (session_->options().redactor ? session_->options().redactor->redacted() : 0)));
    m.family("kscope_probe_up", "gauge", "1 for each probe running, 0 for each enabled but unavailable here");
    for (const auto& p : session_->probes())
        m.sample("kscope_probe_up", {{"probe", std::string(p->name())}}, 1);
    for (const auto& [name, _] : session_->unavailable())
        m.sample("kscope_probe_up", {{"probe", name}}, 0);
    if (profiler_ || profiler_failed_)
        m.sample("kscope_probe_up", {{"probe", "profile"}}, profiler_ ? 1 : 0);
    if (profiler_)
        profiler_->append_metrics(m);
    if (remote_write_)
        remote_write_->append_metrics(m);
    append_exporter_metrics(m, exporters_);
    return m;
}

}  // namespace kscope
