// The agent's overhead governor (limits.cpu_percent): every kGovernorInterval it measures
// kscope's own cost (its CPU time from /proc/self/stat plus its BPF programs' run time from
// the kernel's statistics), lets Governor judge, and applies the action: a probe's in-kernel
// sampling, or stopping and restarting a probe. Says what it did in the log and /metrics.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "agent/agent.h"
#include "probes/registry.h"
#include "util/proc_stat.h"
#include "util/read_file.h"

namespace kscope {
namespace {

constexpr auto kGovernorInterval = std::chrono::seconds(2);

// Probes whose maps hold metrics of their own (connections, latencies, drop reasons, OOM
// kills, faults): never stopped, whatever their events feed.
const std::set<std::string> kMetricProbes = {"tcp", "dns", "drops", "oom", "faults"};

uint64_t self_ticks() {
    auto st = parse_proc_stat(read_file("/proc/self/stat").value_or(""));
    return st ? st->number(14) + st->number(15) : 0;
}

// The probes whose events the rules or the baselines read; every probe when a rule names
// no event type (it may match any event).
std::set<std::string> feeding(const TraceSession& session, const AgentConfig& config, bool anomaly) {
    std::set<std::string> types;
    bool any = false;
    if (config.rules_engine)
        for (const auto& r : config.rules_engine->rules()) {
            any = any || r.event_types.empty();
            types.insert(r.event_types.begin(), r.event_types.end());
        }
    auto out = probes_for_event_types(types);
    if (any)
        for (const auto& p : session.probes())
            out.insert(std::string(p->name()));
    out.insert({"exec", "exit"});  // the process table (exec fills it, exit ends entries) every proc.* field reads
    if (anomaly)
        out.insert({"exec", "tcp", "socket", "open", "dns"});
    return out;
}

bool governed(const Probe& p) { return p.has_events() && p.name() != "enforce" && p.name() != "flood"; }

}  // namespace

void Agent::start_governor() {
    if (config_.cpu_percent <= 0 || governor_thread_.joinable())
        return;
    {
        std::lock_guard lock(state_mu_);
        governor_ = std::make_unique<Governor>(config_.cpu_percent / 100);
        governed_session_ = nullptr;
        governor_last_.reset();
    }
    spdlog::info("governor: kscope's budget is {}% of one CPU (user space and BPF programs)", config_.cpu_percent);
    {
        std::lock_guard lock(governor_mu_);
        governor_stopping_ = false;
    }
    governor_thread_ = std::thread([this] {
        std::unique_lock lock(governor_mu_);
        while (!governor_cv_.wait_for(lock, kGovernorInterval, [&] { return governor_stopping_; })) {
            lock.unlock();
            governor_tick();
            lock.lock();
        }
    });
}

void Agent::stop_governor() {
    if (!governor_thread_.joinable())
        return;
    {
        std::lock_guard lock(governor_mu_);
        governor_stopping_ = true;
    }
    governor_cv_.notify_all();
    governor_thread_.join();
    // What was shed comes back as configured.
    std::lock_guard lock(state_mu_);
    if (session_)
        for (const auto& p : session_->probes()) {
            const std::string name(p->name());
            if (governor_stopped_.erase(name))
                p->attach();
            auto it = config_.probes.find(name);
            const uint32_t configured = it == config_.probes.end() ? 1 : std::max<uint32_t>(it->second.sample, 1);
            if (governed(*p) && p->sample_every() != configured)
                (void)p->set_sample_every(configured);
        }
    governor_stopped_.clear();
    governor_.reset();
    governor_last_.reset();
    self_cpu_ratio_ = -1;
}

void Agent::governor_tick() {
    std::lock_guard lock(state_mu_);
    if (!session_ || !governor_)
        return;
    if (governed_session_ != session_.get()) {  // a new session: start over
        governed_session_ = session_.get();
        governor_ = std::make_unique<Governor>(config_.cpu_percent / 100);
        governor_last_.reset();
    }
    GovernorReading now;
    now.at = std::chrono::steady_clock::now();
    now.self_ticks = self_ticks();
    for (const auto& p : session_->probes())
        for (const auto& ps : p->program_stats())
            now.bpf_ns += ps.run_time_ns;
    if (profiler_ && profiler_->probe())
        for (const auto& ps : profiler_->probe()->program_stats())
            now.bpf_ns += ps.run_time_ns;
    for (const auto& st : session_->stats())
        now.seen[st.probe] = st.events;
    for (const auto& p : session_->probes())
        now.seen[std::string(p->name())] += p->kernel_drops(KSCOPE_SAMPLED_OUT);
    const auto last = std::move(governor_last_);
    governor_last_ = now;
    if (!last)
        return;
    const double dt = std::chrono::duration<double>(now.at - last->at).count();
    if (dt <= 0)
        return;
    const double ticks = double(sysconf(_SC_CLK_TCK));
    const double cost = (double(now.self_ticks - last->self_ticks) / ticks +
                         double(now.bpf_ns >= last->bpf_ns ? now.bpf_ns - last->bpf_ns : 0) / 1e9) / dt;
    self_cpu_ratio_ = cost;

    const auto feeds = feeding(*session_, config_, anomaly_ != nullptr);
    std::vector<GovernedProbe> probes;
    for (const auto& p : session_->probes()) {
        if (!governed(*p))
            continue;
        const std::string name(p->name());
        const uint64_t before = last->seen.count(name) ? last->seen.at(name) : 0;
        const uint64_t seen = now.seen[name];
        probes.push_back({name, seen >= before ? double(seen - before) / dt : 0, p->sample_every(),
                          governor_stopped_.count(name) > 0, !feeds.count(name) && !kMetricProbes.count(name)});
    }
    for (const auto& a : governor_->judge(cost, probes)) {
        Probe* probe = nullptr;
        for (const auto& p : session_->probes())
            if (p->name() == a.probe)
                probe = p.get();
        if (!probe)
            continue;
        switch (a.kind) {
            case GovernorAction::Kind::Sample:
                if (auto r = probe->set_sample_every(a.to); !r) {
                    spdlog::warn("governor: {}", r.error().message);
                    continue;
                }
                if (a.to > a.from)
                    spdlog::warn("governor: kscope costs {:.1f}% of a CPU, over its {}%: probe {} now sends 1 event in {}",
                                 cost * 100, config_.cpu_percent, a.probe, a.to);
                else
                    spdlog::info("governor: kscope costs {:.1f}% of a CPU: probe {} back to 1 event in {}", cost * 100,
                                 a.probe, a.to);
                break;
            case GovernorAction::Kind::Stop:
                probe->detach();
                governor_stopped_.insert(a.probe);
                spdlog::warn("governor: kscope costs {:.1f}% of a CPU, over its {}%: probe {} stopped (it feeds no rule)",
                             cost * 100, config_.cpu_percent, a.probe);
                break;
            case GovernorAction::Kind::Start:
                probe->attach();
                governor_stopped_.erase(a.probe);
                spdlog::info("governor: kscope costs {:.1f}% of a CPU: probe {} started again", cost * 100, a.probe);
                break;
        }
        governor_actions_[action_name(a.kind)]++;
    }
}

void Agent::append_governor_metrics(PrometheusText& m) {
    if (!governor_)
        return;
    m.family("kscope_governor_active", "gauge", "1 while the overhead governor holds something back (limits.cpu_percent)")
        .sample("kscope_governor_active", governor_->active() ? 1 : 0);
    m.family("kscope_governor_budget_ratio", "gauge", "kscope's budget, as a fraction of one CPU")
        .sample("kscope_governor_budget_ratio", governor_->budget());
    if (self_cpu_ratio_ >= 0)
        m.family("kscope_self_cpu_ratio", "gauge",
                 "kscope's cost over the last interval (user space plus BPF programs), as a fraction of one CPU")
            .sample("kscope_self_cpu_ratio", self_cpu_ratio_);
    m.family("kscope_governor_sample_every", "gauge", "one event in N sent, per event probe (1: all)");
    for (const auto& p : session_->probes())
        if (governed(*p))
            m.sample("kscope_governor_sample_every", {{"probe", std::string(p->name())}}, double(p->sample_every()));
    m.family("kscope_governor_stopped", "gauge", "1 per probe the governor stopped");
    for (const auto& name : governor_stopped_)
        m.sample("kscope_governor_stopped", {{"probe", name}}, 1);
    m.family("kscope_governor_actions_total", "counter", "what the governor did: sample, stop, start");
    for (const char* k : {"sample", "stop", "start"})
        m.sample("kscope_governor_actions_total", {{"action", k}}, double(governor_actions_[k]));
}

}  // namespace kscope
