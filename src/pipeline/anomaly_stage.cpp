#include "pipeline/anomaly_stage.h"

#include <fcntl.h>

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "events/path_join.h"
#include "util/clock.h"

namespace kscope {
namespace {

using anomaly::ItemKind;

enum RateKind { kExecRate = 0, kConnectRate = 1, kErrorRate = 2 };
constexpr const char* kRateNames[] = {"exec_rate", "connect_rate", "error_rate"};
constexpr size_t kMaxDnsNames = 8192;
constexpr size_t kMaxRateWorkloads = 8192;

std::string container_workload(const CommonFields& c) {
    return c.container_id.empty() ? "" : "container:" + c.container_id;
}

// The workload a process belongs to: its container, else its executable ("" if unknown).
std::string workload_of(const CommonFields& c, uint32_t pid, ProcessCache& cache) {
    if (auto w = container_workload(c); !w.empty())
        return w;
    const ProcessInfo* p = cache.find(pid);
    return p && !p->exe.empty() && p->exe.front() == '/' ? p->exe : "";
}

// An exec's program as an absolute path (relative ones from the working directory).
std::string exec_path(const ExecEvent& e) {
    if (!e.filename.empty() && e.filename.front() == '/')
        return normal_path(e.filename);
    if (!e.cwd.empty())
        return join_normal(e.cwd, e.filename);
    return "";
}

// "::ffff:10.0.0.1" (a dual-stack socket's IPv4 peer) -> "10.0.0.1".
std::string unmapped(const std::string& addr) {
    constexpr std::string_view kMapped = "::ffff:";
    return addr.starts_with(kMapped) && addr.find('.') != std::string::npos ? addr.substr(kMapped.size()) : addr;
}

bool opens_for_write(uint64_t flags) { return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0; }

std::string_view item_title(ItemKind k) {
    switch (k) {
        case ItemKind::Exec: return "executable";
        case ItemKind::Peer: return "outbound peer";
        case ItemKind::Listen: return "listening port";
        case ItemKind::WriteDir: return "write directory";
    }
    return "item";
}

uint64_t seconds_ns(uint64_t s) { return s * 1'000'000'000ull; }

}  // namespace

AnomalyStage::AnomalyStage(AnomalyConfig config, std::unique_ptr<BaselineStore> store)
    : config_(std::move(config)), store_(std::move(store)), baselines_(seconds_ns(config_.learn_s)) {}

Result<void> AnomalyStage::start() {
    std::lock_guard lock(mu_);
    if (!store_)
        return {};
    auto loaded = store_->load();
    if (!loaded)
        return loaded.error();
    size_t items = 0;
    for (const auto& [_, w] : *loaded)
        items += w.total();
    spdlog::info("anomaly: {} workload baselines loaded ({} items)", loaded->size(), items);
    baselines_.replace(std::move(loaded.value()));
    (void)store_->changed_elsewhere();  // from here on
    return {};
}

void AnomalyStage::reconfigure(const AnomalyConfig& config) {
    std::lock_guard lock(mu_);
    config_ = config;
    baselines_.set_learn_ns(seconds_ns(config.learn_s));
}

void AnomalyStage::inspect(const Event& event, ProcessCache& cache, std::vector<Event>& alerts) {
    std::lock_guard lock(mu_);
    const CommonFields& c = common_of(event);
    const uint64_t now = c.ts_ns;
    latest_ns_ = std::max(latest_ns_, now);
    if (const auto* e = std::get_if<ExecEvent>(&event)) {
        // What a workload runs is its children's programs: the parent's workload.
        std::string w = container_workload(c);
        if (w.empty())
            w = workload_of(c, e->ret == 0 ? c.ppid : c.pid, cache);
        if (!w.empty()) {
            if (e->ret == 0) {
                if (auto path = exec_path(*e); !path.empty())
                    judge(w, ItemKind::Exec, path, event, now, alerts);
                count_rate(w, kExecRate, event, now, alerts);
            } else {
                count_rate(w, kErrorRate, event, now, alerts);
            }
        }
    } else if (const auto* e = std::get_if<TcpEvent>(&event)) {
        if (std::string_view(e->event) == "connect" && c.pid != 0) {
            if (auto w = workload_of(c, c.pid, cache); !w.empty()) {
                const std::string addr = unmapped(e->daddr);
                const std::string name = name_of(addr);
                const std::string host = name.empty() ? addr : name;
                const bool v6 = name.empty() && host.find(':') != std::string::npos;
                judge(w, ItemKind::Peer, v6 ? fmt::format("[{}]:{}", host, e->dport) : fmt::format("{}:{}", host, e->dport),
                      event, now, alerts);
                count_rate(w, e->ret == 0 ? kConnectRate : kErrorRate, event, now, alerts);
            }
        }
    } else if (const auto* e = std::get_if<DnsEvent>(&event)) {
        if (std::string_view(e->event) == "response")
            remember_names(*e);
    } else if (const auto* e = std::get_if<SocketEvent>(&event)) {
        const std::string_view call = e->syscall;
        const bool listens = call == "listen" || (call == "bind" && e->sock_type == "dgram" && e->port != 0);
        if (listens && e->ret == 0 && (e->family == "ipv4" || e->family == "ipv6"))
            if (auto w = workload_of(c, c.pid, cache); !w.empty())
                judge(w, ItemKind::Listen, fmt::format("{}/{}", e->port, call == "listen" ? "tcp" : "udp"), event, now,
                      alerts);
    } else if (const auto* e = std::get_if<OpenEvent>(&event)) {
        if (auto w = workload_of(c, c.pid, cache); !w.empty()) {
            if (e->ret < 0) {
                count_rate(w, kErrorRate, event, now, alerts);
            } else if (opens_for_write(e->open_flags)) {
                const std::string& path = !e->resolved_path.empty() ? e->resolved_path : e->path;
                if (!path.empty() && path.front() == '/') {
                    const std::string file = normal_path(path);
                    const auto slash = file.rfind('/');
                    judge(w, ItemKind::WriteDir, slash == 0 ? "/" : file.substr(0, slash), event, now, alerts);
                }
            }
        }
    }
}

void AnomalyStage::tick(std::vector<Event>& alerts) {
    std::lock_guard lock(mu_);
    if (std::chrono::steady_clock::now() - last_flush_ < std::chrono::seconds(1))
        return;
    flush_locked();
    // Intervals that ended with no event after them are judged now (a burst, then quiet),
    // by the events' clock, or the wall clock a second back (what the rings may still hold).
    latest_ns_ = std::max<uint64_t>(latest_ns_, epoch_now_ns() - 1'000'000'000ull);
    if (!config_.rates)
        return;
    for (auto& [workload, r] : rates_)
        for (int kind = 0; kind < 3; kind++)
            if (auto rise = r.trackers[kind].advance(latest_ns_, config_.rate))
                raise_rate(workload, kind, *rise, r.last[kind], nullptr, alerts);
}

void AnomalyStage::judge(const std::string& workload, ItemKind kind, const std::string& item, const Event& event,
                         uint64_t now_ns, std::vector<Event>& alerts) {
    if (baselines_.observe(workload, kind, item, now_ns) != anomaly::Verdict::New)
        return;
    alerts_[static_cast<size_t>(kind)]++;
    if (!allow_alert(workload, now_ns))
        return;
    const anomaly::WorkloadBaseline* b = baselines_.find(workload);
    AlertEvent a = make_alert(common_of(event), &event, workload, std::string(anomaly::kind_name(kind)));
    a.rule = fmt::format("New {} for workload", item_title(kind));
    a.priority = kind == ItemKind::WriteDir ? "Notice" : "Warning";
    a.new_item = item;
    a.baseline_size = b ? b->learned() : 0;
    a.output = fmt::format("new {} {} for {} (not in its baseline of {} items, locked) pid={} comm={}", item_title(kind),
                           item, workload, a.baseline_size, a.common.pid, a.common.comm);
    alerts.push_back(std::move(a));
}

void AnomalyStage::count_rate(const std::string& workload, int rate_kind, const Event& event, uint64_t now_ns,
                              std::vector<Event>& alerts) {
    if (!config_.rates)
        return;
    auto it = rates_.find(workload);
    if (it == rates_.end()) {
        if (rates_.size() >= kMaxRateWorkloads)  // room from workloads quiet for an hour
            std::erase_if(rates_, [&](const auto& r) { return r.second.last_seen_ns + 3600'000'000'000ull < now_ns; });
        if (rates_.size() >= kMaxRateWorkloads) {
            rates_not_kept_++;
            return;
        }
        it = rates_.emplace(workload, WorkloadRates{}).first;
    }
    WorkloadRates& r = it->second;
    r.last_seen_ns = std::max(r.last_seen_ns, now_ns);
    r.last[rate_kind] = common_of(event);
    if (auto rise = r.trackers[rate_kind].add(now_ns, config_.rate))
        raise_rate(workload, rate_kind, *rise, r.last[rate_kind], &event, alerts);
}

void AnomalyStage::raise_rate(const std::string& workload, int rate_kind, const anomaly::RateRise& rise,
                              const CommonFields& last, const Event* event, std::vector<Event>& alerts) {
    alerts_[anomaly::kItemKinds + rate_kind]++;
    if (!allow_alert(workload, last.ts_ns))
        return;
    const anomaly::WorkloadBaseline* b = baselines_.find(workload);
    // Judged on the clock (no event): the last process counted, at the clock's time.
    CommonFields common = event ? common_of(*event) : last;
    if (!event)
        common.ts_ns = latest_ns_;
    AlertEvent a = make_alert(common, event, workload, kRateNames[rate_kind]);
    const std::string what = rate_kind == kExecRate ? "exec" : rate_kind == kConnectRate ? "connect" : "error";
    a.rule = fmt::format("{}{} rate rise for workload", char(std::toupper(what[0])), what.substr(1));
    a.priority = "Notice";
    a.rate = rise.rate;
    a.expected_rate = rise.expected;
    a.baseline_size = b ? b->learned() : 0;
    a.output = fmt::format("{} rate of {} rose to {:.1f}/s (usually {:.1f}/s +- {:.1f}) pid={} comm={}", what, workload,
                           rise.rate, rise.expected, rise.deviation, a.common.pid, a.common.comm);
    alerts.push_back(std::move(a));
}

// A token bucket per workload: alerts_per_minute, as a burst and per minute.
bool AnomalyStage::allow_alert(const std::string& workload, uint64_t now_ns) {
    const double cap = config_.alerts_per_minute;
    auto [it, fresh] = tokens_.try_emplace(workload, cap, now_ns);
    auto& [tokens, last] = it->second;
    if (!fresh && now_ns > last)
        tokens = std::min(cap, tokens + cap * double(now_ns - last) / 60e9);
    last = std::max(last, now_ns);
    if (tokens < 1) {
        suppressed_++;
        return false;
    }
    tokens -= 1;
    if (tokens_.size() > kMaxRateWorkloads)  // a bound: buckets idle long enough to be full again go
        std::erase_if(tokens_, [&](const auto& t) { return t.second.second + 60'000'000'000ull < now_ns; });
    return true;
}

AlertEvent AnomalyStage::make_alert(const CommonFields& common, const Event* trigger, const std::string& workload,
                                    std::string anomaly) {
    AlertEvent a;
    a.common = common;
    a.source = "anomaly";
    a.workload = workload;
    a.anomaly = std::move(anomaly);
    a.tags = {"anomaly"};
    if (trigger)
        a.trigger = std::make_shared<TriggerEvent>(TriggerEvent{*trigger});
    return a;
}

std::string AnomalyStage::name_of(const std::string& address) const {
    auto it = dns_names_.find(address);
    return it == dns_names_.end() ? "" : it->second;
}

void AnomalyStage::remember_names(const DnsEvent& dns) {
    if (dns.name.empty())
        return;
    // A bound: past it, a tenth of the names go (any: answers come again as names are
    // looked up again).
    if (dns_names_.size() + dns.addresses.size() > kMaxDnsNames)
        for (size_t n = kMaxDnsNames / 10; n > 0 && !dns_names_.empty(); n--)
            dns_names_.erase(dns_names_.begin());
    for (const auto& addr : dns.addresses)
        dns_names_[unmapped(addr)] = dns.name;
}

void AnomalyStage::flush() {
    std::lock_guard lock(mu_);
    flush_locked();
}

void AnomalyStage::flush_locked() {
    last_flush_ = std::chrono::steady_clock::now();
    auto changes = baselines_.take_changes();
    if (!store_)
        return;
    if (auto r = store_->apply(changes); !r) {
        store_errors_++;
        spdlog::warn("anomaly: {} baseline changes not stored yet: {}", changes.size(), r.error().message);
        if (changes.size() < 100000)  // kept for the next flush (bounded: a store that stays broken)
            baselines_.return_changes(std::move(changes));
    }
    // `kscope baseline lock|reset` wrote: the store is the truth.
    auto changed = store_->changed_elsewhere();
    if (!changed || !*changed)
        return;
    auto loaded = store_->load();
    if (!loaded) {
        store_errors_++;
        spdlog::warn("anomaly: reloading baselines: {}", loaded.error().message);
        return;
    }
    spdlog::info("anomaly: baselines changed in the store, reloaded ({} workloads)", loaded->size());
    baselines_.replace(std::move(loaded.value()));
}

void AnomalyStage::append_metrics(PrometheusText& m) {
    std::lock_guard lock(mu_);
    const uint64_t now = latest_ns_ ? latest_ns_ : epoch_now_ns();  // the events' clock
    size_t locked = 0;
    for (const auto& [_, w] : baselines_.workloads())
        locked += w.locked(now);
    const auto& items = baselines_.learned_per_kind();
    m.family("kscope_anomaly_workloads", "gauge", "workloads with a baseline, learning or locked");
    m.sample("kscope_anomaly_workloads", {{"state", "learning"}}, double(baselines_.workloads().size() - locked));
    m.sample("kscope_anomaly_workloads", {{"state", "locked"}}, double(locked));
    m.family("kscope_anomaly_baseline_items", "gauge", "items learned into the baselines, per kind");
    for (size_t k = 0; k < anomaly::kItemKinds; k++)
        m.sample("kscope_anomaly_baseline_items", {{"kind", std::string(anomaly::kind_name(ItemKind(k)))}},
                 double(items[k]));
    m.family("kscope_anomaly_alerts_total", "counter", "anomalies found, per kind (sent or suppressed)");
    for (size_t k = 0; k < alerts_.size(); k++) {
        const std::string kind =
            k < anomaly::kItemKinds ? std::string(anomaly::kind_name(ItemKind(k))) : kRateNames[k - anomaly::kItemKinds];
        m.sample("kscope_anomaly_alerts_total", {{"kind", kind}}, double(alerts_[k]));
    }
    m.family("kscope_anomaly_alerts_suppressed_total", "counter", "anomaly alerts over anomaly.alerts_per_minute")
        .sample("kscope_anomaly_alerts_suppressed_total", double(suppressed_));
    m.family("kscope_anomaly_items_not_kept_total", "counter", "items not remembered: the workload's baseline was full")
        .sample("kscope_anomaly_items_not_kept_total", double(baselines_.not_kept()));
    m.family("kscope_anomaly_workloads_forgotten_total", "counter",
             "workloads forgotten to make room (the least recently seen, when 8192 are kept)")
        .sample("kscope_anomaly_workloads_forgotten_total", double(baselines_.forgotten()));
    m.family("kscope_anomaly_rate_workloads_not_kept_total", "counter",
             "events of workloads without a rate tracker (8192 tracked, none idle for an hour)")
        .sample("kscope_anomaly_rate_workloads_not_kept_total", double(rates_not_kept_));
    m.family("kscope_anomaly_alerts_lost_total", "counter", "anomaly alerts the full pipeline queue refused")
        .sample("kscope_anomaly_alerts_lost_total", double(lost_));
    m.family("kscope_anomaly_store_errors_total", "counter", "baseline writes or reloads the store refused")
        .sample("kscope_anomaly_store_errors_total", double(store_errors_));
}

}  // namespace kscope
